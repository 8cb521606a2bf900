"""No coroutine of the web app or the worker runs a synchronous transaction or file-store I/O itself.

A ``with transaction(engine)``/``with reading(engine)`` block or a ``store.read``/``store.put`` in an
``async def`` blocks the whole event loop for as long as the database or the disk takes: every other
request, the worker's activities and the reconciler wait behind it. Such work goes into a
synchronous helper called with ``await asyncio.to_thread(helper, ...)``. Code inside a nested
``def`` or ``lambda`` does not count: that is the helper, which runs in a thread.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "web").rglob("*.py"), *(ROOT / "commands").rglob("*.py"),
                  *(ROOT / "activities").rglob("*.py"), ROOT / "worker.py", ROOT / "app.py"])
SESSIONS = {"transaction", "reading"}
FILE_IO = {"read", "put"}
NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _own_nodes(function: ast.AsyncFunctionDef):
    """The nodes of a coroutine's body, leaving out nested functions, lambdas and classes."""
    pending = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, NESTED):
            continue
        yield node
        pending.extend(ast.iter_child_nodes(node))


def _blocking(call: ast.Call) -> bool:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    if name in SESSIONS:
        return True
    return (isinstance(func, ast.Attribute) and name in FILE_IO
            and ast.unparse(func.value).split(".")[-1].endswith("store"))


def _blocking_coroutines(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for function in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(function, ast.AsyncFunctionDef):
            continue
        lines = sorted(node.lineno for node in _own_nodes(function)
                       if isinstance(node, ast.Call) and _blocking(node))
        if lines:
            found.append(f"{path.relative_to(root)}:{function.lineno} {function.name} (line {lines[0]})")
    return found


def test_no_coroutine_runs_a_transaction_or_file_io_on_the_event_loop():
    offenders = [where for path in SOURCES for where in _blocking_coroutines(path)]
    assert offenders == [], "move these into a sync helper called with `await asyncio.to_thread(...)`"


def test_the_checker_sees_blocking_work_in_a_coroutine(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "async def create(engine, store, state):\n"
        "    with transaction(engine) as session:\n"
        "        pass\n"
        "async def show(engine):\n"
        "    with reading(engine) as session:\n"
        "        pass\n"
        "async def keep(self, data):\n"
        "    return self.file_store.put(data)\n"
        "async def load(state, sha):\n"
        "    return state.store.read(sha)\n"
    )
    good = tmp_path / "good.py"
    good.write_text(
        "async def create(engine, store, data):\n"
        "    sha = await asyncio.to_thread(store.put, data)\n"
        "    def write():\n"
        "        with transaction(engine) as session:\n"
        "            return store.read(sha)\n"
        "    await asyncio.to_thread(lambda: reading(engine))\n"
        "    await request.read()\n"
        "    return await asyncio.to_thread(write)\n"
        "def sync(engine, store):\n"
        "    with transaction(engine) as session:\n"
        "        return store.read('x')\n"
    )
    assert _blocking_coroutines(bad, tmp_path) == [
        "bad.py:1 create (line 2)", "bad.py:4 show (line 5)", "bad.py:7 keep (line 8)", "bad.py:9 load (line 10)"]
    assert _blocking_coroutines(good, tmp_path) == []
