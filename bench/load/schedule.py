"""The open loop: arrivals at a fixed rate, whatever the responses do.

Locust's users are closed loops (a user sends its next request when the previous one returned).
To offer the product a fixed arrival rate, the users draw *tickets* from one shared ``Tickets``:
ticket ``k`` of a step at ``rate`` requests/s is due at ``step start + k / rate``, computed from the
clock alone. A free user takes the next ticket, sleeps until it is due and sends one request. With
enough users the requests leave on time; when every user is busy waiting for slow responses, the
tickets queue and leave late: the report shows the *achieved* arrival rate next to the target and
how late the requests left, and measures each response from the moment it was due as well as from
the moment it left (the second hides the queueing that a closed loop hides; the first does not).

``Step`` lists are written ``10x60,25x60`` (rate × seconds) on the command line.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    rate: float  # requests per second
    seconds: float

    @property
    def count(self) -> int:
        return int(self.rate * self.seconds)


@dataclass(frozen=True)
class Ticket:
    number: int  # over the whole run
    step: int  # index into the steps
    due: float  # clock time at which the request should leave


def parse_steps(text: str) -> list[Step]:
    """``"10x60,25x60"`` → two steps; a clear error for anything else."""
    steps = []
    for part in text.split(","):
        rate, _, seconds = part.strip().partition("x")
        try:
            step = Step(float(rate), float(seconds))
        except ValueError:
            raise ValueError(f"bước tải không hợp lệ «{part}»: viết tốc độ x số giây, ví dụ 25x60") from None
        if step.rate <= 0 or step.seconds <= 0:
            raise ValueError(f"bước tải không hợp lệ «{part}»: tốc độ và thời gian phải dương")
        steps.append(step)
    return steps


def step_starts(steps: list[Step], start: float) -> list[float]:
    """The clock time at which each step begins (steps follow each other without a gap)."""
    starts, at = [], start
    for step in steps:
        starts.append(at)
        at += step.seconds
    return starts


class Tickets:
    """The arrival times of a run of ``steps`` from ``start``, handed out in order (thread- and
    greenlet-safe: the lock is never held across a wait)."""

    def __init__(self, steps: list[Step], start: float) -> None:
        self.steps = steps
        self.starts = step_starts(steps, start)
        self._lock = threading.Lock()
        self._step = 0
        self._in_step = 0
        self._number = 0

    def next(self) -> Ticket | None:
        """The next ticket, or None when the run is over."""
        with self._lock:
            while self._step < len(self.steps) and self._in_step >= self.steps[self._step].count:
                self._step += 1
                self._in_step = 0
            if self._step >= len(self.steps):
                return None
            step = self.steps[self._step]
            ticket = Ticket(self._number, self._step, self.starts[self._step] + self._in_step / step.rate)
            self._in_step += 1
            self._number += 1
            return ticket

    @property
    def end(self) -> float:
        return self.starts[-1] + self.steps[-1].seconds
