"""From the recorded requests to the figures: per step and route p50/p95/p99, errors, throughput,
achieved against target arrival rate, the goals, and the highest rate that keeps them all.

A sample is one request as the Locust process wrote it (``locustfile``): its step, route, when it
was due and when it left (clock seconds), the milliseconds until its response, and whether it
failed. The first ``settle`` seconds of each step are left out of the percentiles and rates (the
queue of the previous rate drains there); errors count over the whole step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.common import percentile
from bench.load.mix import GOALS_MS
from bench.load.schedule import Step, step_starts

LATE_SECONDS = 0.1  # a request that left later than this after it was due left late


@dataclass(frozen=True)
class Sample:
    step: int
    route: str
    due: float
    sent: float
    ms: float  # from sending to the whole response
    ok: bool
    error: str = ""

    @property
    def from_due_ms(self) -> float:
        """From when it was due: what an open-loop user waits, queueing in the load tool included."""
        return max(0.0, self.sent - self.due) * 1000 + self.ms


@dataclass
class RouteFigures:
    route: str
    count: int
    errors: int
    p50: float
    p95: float
    p99: float
    p95_from_due: float
    goal_ms: float | None

    @property
    def keeps_goal(self) -> bool:
        return self.errors == 0 and (self.goal_ms is None or self.p95 < self.goal_ms)


@dataclass
class StepFigures:
    step: Step
    routes: list[RouteFigures]
    sent: int  # requests that left in the measured window
    achieved_rate: float
    throughput: float  # successful responses per second in the window
    late_share: float  # of the requests in the window, those that left LATE_SECONDS after due
    errors: int
    error_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def on_rate(self) -> bool:
        """The load tool offered what was asked (within 5 %): otherwise the rate was not tested."""
        return self.achieved_rate >= 0.95 * self.step.rate

    @property
    def keeps_goals(self) -> bool:
        return self.on_rate and self.errors == 0 and all(route.keeps_goal for route in self.routes)

    def failures(self) -> list[str]:
        """Why this step does not keep the goals, in words."""
        said = []
        if not self.on_rate:
            said.append(f"achieved {self.achieved_rate:.1f}/s of {self.step.rate:g}/s")
        said += [f"{route.route} p95 {route.p95:.0f} ≥ {route.goal_ms:.0f} ms" for route in self.routes
                 if route.goal_ms is not None and route.p95 >= route.goal_ms]
        if self.errors:
            said.append(f"{self.errors} errors")
        return said


def figures(samples: list[Sample], steps: list[Step], start: float, settle: float = 5.0) -> list[StepFigures]:
    """One ``StepFigures`` per step of the run that began at ``start``."""
    result = []
    for index, (step, begins) in enumerate(zip(steps, step_starts(steps, start), strict=True)):
        mine = [sample for sample in samples if sample.step == index]
        window_start = begins + min(settle, step.seconds / 2)
        window = step.seconds - (window_start - begins)
        measured = [sample for sample in mine if sample.due >= window_start]
        routes = []
        for route in sorted({sample.route for sample in mine}):
            ok = [sample for sample in measured if sample.route == route and sample.ok]
            times = [sample.ms for sample in ok] or [0.0]
            routes.append(RouteFigures(
                route=route, count=len(ok), errors=sum(1 for s in mine if s.route == route and not s.ok),
                p50=percentile(times, 0.5), p95=percentile(times, 0.95), p99=percentile(times, 0.99),
                p95_from_due=percentile([s.from_due_ms for s in ok] or [0.0], 0.95), goal_ms=GOALS_MS.get(route)))
        kinds: dict[str, int] = {}
        for sample in mine:
            if not sample.ok:
                kinds[f"{sample.route}: {sample.error}"] = kinds.get(f"{sample.route}: {sample.error}", 0) + 1
        sent = [sample for sample in measured if window_start <= sample.sent < begins + step.seconds]
        result.append(StepFigures(
            step=step, routes=routes, sent=len(sent), achieved_rate=len(sent) / window,
            throughput=sum(1 for sample in sent if sample.ok) / window,
            late_share=sum(1 for s in measured if s.sent - s.due > LATE_SECONDS) / max(1, len(measured)),
            errors=sum(1 for sample in mine if not sample.ok), error_kinds=kinds))
    return result


def highest_kept(steps: list[StepFigures]) -> float | None:
    """The highest target rate whose step kept every goal, with every lower rate keeping them too."""
    best = None
    for figures_ in sorted(steps, key=lambda item: item.step.rate):
        if not figures_.keeps_goals:
            break
        best = figures_.step.rate
    return best
