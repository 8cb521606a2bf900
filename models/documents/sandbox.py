"""Untrusted files are parsed in a child process with limits, never in the web or worker process.

A hostile PDF, image or package can make a parser loop, recurse or inflate a stream to gigabytes.
In the process that serves every request (or runs every activity) that would take all of them
down; in a child it only costs the child. A check becomes isolated with one decorator::

    @isolated(fallback="corrupt_pdf")
    def inspect_pdf(data: bytes) -> int: ...

Calling ``inspect_pdf(data)`` then runs the function in a child process whose address space and
CPU time are capped (``resource.setrlimit`` in the child, before it parses a byte) and which is
killed, with its process group, when the wall clock runs out. Children are forked from a
multiprocessing fork server that imported the checks once, so a check costs milliseconds and
never forks the threads of the web or worker process. ``inspect_pdf.inline(data)`` runs the same
function in this process: the child itself, fuzz targets and tests use it. A check called inside
another check's child runs inline. Defaults (``DEFAULT_LIMITS``): 20 s of CPU, 1 GiB of address
space, 60 s of wall clock.

What the caller gets:

* the function's result, or the ``DomainError`` it raised (same code and params);
* ``ParseLimitExceeded`` (``file_too_complex``) when the child ran out of CPU time, memory or
  wall-clock time, or was killed by a signal;
* the check's ``fallback`` refusal when the child failed in a way nobody foresaw (logged with
  the child's trace): a hostile file is refused, never answered with an error page.

The child is a resource boundary, not a privilege boundary: it runs our code as our user. Its
answer is still read with an unpickler that builds only plain values and the result classes the
checks declare. The calls block; coroutines ``await check.off_loop(...)``, which waits in the
checks' own threads. At most ``MAX_PARALLEL`` children run at once, so a burst of uploads cannot
multiply the memory cap.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import io
import logging
import multiprocessing
import multiprocessing.context
import os
import pickle
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.context import set_spawning_popen
from typing import Any

from models.errors import INTERRUPTIONS, Conflict, DomainError, Forbidden, NotFound

log = logging.getLogger("qlvb.sandbox")


@dataclass(frozen=True)
class ParseLimits:
    """What one isolated check may use: CPU seconds, address space, wall-clock seconds."""

    cpu_seconds: int = 20
    memory_bytes: int = 1024 * 2**20
    wall_seconds: float = 60.0


DEFAULT_LIMITS = ParseLimits()
MAX_PARALLEL = max(2, os.cpu_count() or 2)
_SLOTS = threading.BoundedSemaphore(MAX_PARALLEL)
_EXECUTOR: ThreadPoolExecutor | None = None
_EXECUTOR_LOCK = threading.Lock()
_IN_CHILD = False

# Result classes a child may send back (plus plain values); registered by ``isolated(returns=…)``.
_RESULT_CLASSES: dict[tuple[str, str], type] = {}
_TARGETS: set[str] = set()  # "module:function" of every isolated check
_ERROR_CLASSES = {cls.__name__: cls for cls in (DomainError, NotFound, Conflict, Forbidden)}


class ParseLimitExceeded(DomainError):
    """An untrusted file needed more time or memory than a check may use; it is refused."""

    def __init__(self, reason: str, limits: ParseLimits) -> None:
        super().__init__("file_too_complex", reason=_REASONS[reason].format(
            seconds=limits.cpu_seconds, wall=round(limits.wall_seconds), mb=limits.memory_bytes // 2**20))
        self.reason = reason


_REASONS = {
    "time": "cần hơn {seconds} giây xử lý",
    "wall": "đọc quá {wall} giây",
    "memory": "cần hơn {mb} MB bộ nhớ",
    "killed": "làm bộ đọc tệp dừng bất thường",
}


class _Isolated:
    """A check that runs in a limited child process; ``inline`` is the function itself."""

    def __init__(self, function: Callable, fallback: str, fallback_params: Callable[..., dict] | None,
                 limits: ParseLimits) -> None:
        functools.update_wrapper(self, function)
        self.inline = function
        self.fallback = fallback
        self.fallback_params = fallback_params
        self.limits = limits
        self.target = f"{function.__module__}:{function.__qualname__}"
        _TARGETS.add(self.target)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.with_limits(self.limits)(*args, **kwargs)

    async def off_loop(self, *args: Any, **kwargs: Any) -> Any:
        """The check awaited from a coroutine: it waits in the checks' own threads (``MAX_PARALLEL``),
        so a burst of hostile uploads neither blocks the event loop nor takes the default thread
        pool that every other request's database work runs in."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_executor(), functools.partial(self, *args, **kwargs))

    def with_limits(self, limits: ParseLimits) -> Callable[..., Any]:
        """The same check under other limits (tests; callers with their own budget)."""
        def call(*args: Any, **kwargs: Any) -> Any:
            if _IN_CHILD:
                return self.inline(*args, **kwargs)
            return _run_in_child(self, limits, args, kwargs)
        return call


def isolated(*, fallback: str, fallback_params: Callable[..., dict] | None = None,
             returns: tuple[type, ...] = (), limits: ParseLimits = DEFAULT_LIMITS) -> Callable[[Callable], _Isolated]:
    """Make a module-level function run in a limited child process (see the module docstring).

    ``fallback`` is the refusal code for an unforeseen failure of the child; ``fallback_params``
    builds its params from the call's arguments; ``returns`` lists the dataclasses the function
    may return (the only classes the parent will rebuild from the child's answer).
    """
    for cls in returns:
        _RESULT_CLASSES[(cls.__module__, cls.__qualname__)] = cls

    def decorate(function: Callable) -> _Isolated:
        return _Isolated(function, fallback, fallback_params, limits)
    return decorate


# --- the parent side -------------------------------------------------------------------------


def _executor() -> ThreadPoolExecutor:
    global _EXECUTOR
    with _EXECUTOR_LOCK:
        if _EXECUTOR is None:
            _EXECUTOR = ThreadPoolExecutor(max_workers=MAX_PARALLEL, thread_name_prefix="qlvb-check")
        return _EXECUTOR

# Imported once by the fork server (checks imported lazily by their callers too).
PRELOAD = frozenset({"models.documents.pdf_checks", "models.documents.scans", "models.documents.text_extract",
                     "models.outgoing.upload", "pikepdf", "PIL.Image", "img2pdf", "pypdfium2"})
_CONTEXT_LOCK = threading.Lock()
_context: multiprocessing.context.BaseContext | None = None


def _forkserver() -> multiprocessing.context.BaseContext:
    """Children fork from a server process that imported the checks once (not from this process,
    whose threads could hold locks at fork time); each child then costs milliseconds, not seconds."""
    global _context
    with _CONTEXT_LOCK:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            modules = sorted(PRELOAD | {target.split(":")[0] for target in _TARGETS})
            context.set_forkserver_preload([__name__, *modules])
            _context = context
        return _context


class _Popen(popen_forkserver.Popen):
    """The fork server's launcher without the main script: a child imports the check's module by
    name, never re-runs whatever program started us (pytest, the worker, a script on stdin)."""

    def _launch(self, process_obj) -> None:  # after multiprocessing.popen_forkserver.Popen._launch
        prep_data = {key: value for key, value in spawn.get_preparation_data(process_obj._name).items()
                     if key not in ("init_main_from_path", "init_main_from_name")}
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as handle:
            handle.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _CheckProcess(multiprocessing.context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


def _run_in_child(check: _Isolated, limits: ParseLimits, args: tuple, kwargs: dict) -> Any:
    context = _forkserver()
    with _SLOTS:
        receiver, sender = context.Pipe(duplex=False)
        process = _CheckProcess(target=_child, args=(check.target, limits, args, kwargs, sender),
                                  name=f"qlvb-check-{check.__name__}", daemon=True)
        try:
            process.start()
            sender.close()
            answer = receiver.recv_bytes() if receiver.poll(limits.wall_seconds) else None
        except EOFError:  # the child ended without a word: a signal, a crash in C code
            answer = b""
        except BaseException:  # a cancellation while waiting: the child must not outlive the call
            _kill(process)
            raise
        finally:
            receiver.close()
        if answer is None:
            _kill(process)
            raise ParseLimitExceeded("wall", limits)
        process.join(5)
        if process.exitcode is None:
            _kill(process)
    return _outcome(check, limits, process.exitcode, answer, args, kwargs)


def _kill(process) -> None:
    if process.pid is not None and process.exitcode is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the child leads its own group (setsid)
        except (ProcessLookupError, PermissionError):  # killed before it got there
            process.kill()
        process.join()


def _outcome(check: _Isolated, limits: ParseLimits, exitcode: int | None, answer: bytes,
             args: tuple, kwargs: dict) -> Any:
    if not answer:
        log.warning("isolated check %s ended with %s without an answer", check.target, exitcode)
        if exitcode == -signal.SIGXCPU:
            raise ParseLimitExceeded("time", limits)
        if exitcode is not None and exitcode < 0:
            raise ParseLimitExceeded("killed", limits)
        raise _fallback(check, args, kwargs)
    try:
        kind, *payload = _SafeUnpickler(io.BytesIO(answer)).load()
    except INTERRUPTIONS:  # a cancellation or worker stop passes through
        raise
    except Exception:  # noqa: BLE001 - an answer that is not one of ours
        log.error("isolated check %s answered something unreadable", check.target)
        raise _fallback(check, args, kwargs) from None
    if kind == "ok":
        return payload[0]
    if kind == "refused":
        name, code, params = payload
        raise _ERROR_CLASSES.get(name, DomainError)(code, **params)
    if kind == "memory":
        raise ParseLimitExceeded("memory", limits)
    log.error("isolated check %s failed on an untrusted file:\n%s", check.target, payload[0])
    raise _fallback(check, args, kwargs)


def _fallback(check: _Isolated, args: tuple, kwargs: dict) -> DomainError:
    params = check.fallback_params(*args, **kwargs) if check.fallback_params else {}
    return DomainError(check.fallback, **params)


class _SafeUnpickler(pickle.Unpickler):
    """Rebuilds plain values and the declared result classes, nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _RESULT_CLASSES:
            return _RESULT_CLASSES[(module, name)]
        raise pickle.UnpicklingError(f"{module}.{name} is not a result an isolated check may return")


# --- the child side --------------------------------------------------------------------------


def _limit_self(limits: ParseLimits) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _child(target: str, limits: ParseLimits, args: tuple, kwargs: dict, answers) -> None:
    """Run one check under the limits and send one answer (a pickle of plain values)."""
    global _IN_CHILD
    _IN_CHILD = True
    os.setsid()  # its own session: nothing it starts outlives a kill of the group
    _limit_self(limits)
    try:
        module_name, qualname = target.split(":")
        check = getattr(importlib.import_module(module_name), qualname)
        if not isinstance(check, _Isolated) or target not in _TARGETS:
            raise TypeError(f"{target} is not an isolated check")
        answer: tuple = ("ok", check.inline(*args, **kwargs))
    except DomainError as error:
        name = type(error).__name__ if type(error).__name__ in _ERROR_CLASSES else "DomainError"
        answer = ("refused", name, error.code, error.params)
    except MemoryError:
        answer = ("memory",)
    except RecursionError:
        answer = ("failed", "RecursionError (a nesting too deep)")
    except INTERRUPTIONS:  # never raised here, but a stop is never turned into an answer
        raise
    except BaseException:  # noqa: BLE001 - reported to the parent, which refuses the file
        import traceback

        answer = ("failed", traceback.format_exc())
    try:
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        data = pickle.dumps(("memory",))
    except INTERRUPTIONS:
        raise
    except Exception:  # noqa: BLE001 - an unpicklable result or params
        import traceback

        data = pickle.dumps(("failed", traceback.format_exc()))
    answers.send_bytes(data)
    answers.close()
