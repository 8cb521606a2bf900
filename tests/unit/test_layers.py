"""The layers import downwards only, SQL lives in repositories, and commands own the transactions.

``docs/architecture.md`` draws the layers; this test keeps the drawing true. Imports are read
from the source (every ``import``, also those inside functions), so a lazy import cannot hide a
dependency. ``tests/unit/test_workflow_imports.py`` checks the workflow sandbox rules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# package -> the first-party packages it must never import
FORBIDDEN_IMPORTS = {
    "models": {"web", "commands", "activities", "devservers", "worker", "app", "cli", "workflows.starter",
               "config"},
    "activities": {"web", "commands", "devservers", "app", "cli"},
    "commands": {"web", "activities", "devservers", "worker", "app", "cli"},
    "workflows": {"web", "commands", "activities", "devservers", "models", "config", "worker", "app", "cli"},
    "web": {"activities", "devservers", "worker", "cli"},
    "config": {"web", "commands", "activities", "models", "workflows", "devservers"},
}
# workflows/starter.py is client-side code used by commands and activities (STYLE §1).
CLIENT_SIDE = {Path("workflows/starter.py")}
# Where a write transaction may be opened (models.db.transaction): one place owns each.
TRANSACTION_OWNERS = ("commands/", "activities/", "devservers/", "models/db.py", "models/notifications/mail.py",
                      "worker.py", "cli/", "migrations/")
# Calls that are SQL; outside models/ they belong in a repository function.
SQL_CALLS = {"select", "update", "delete", "insert", "text"}
SQL_METHODS = {"exec", "execute"}


def _python_files(folder: str) -> list[Path]:
    base = ROOT / folder
    return sorted(base.rglob("*.py")) if base.is_dir() else [ROOT / f"{folder}.py"]


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Lines under ``if TYPE_CHECKING:``: annotations only, never imported at run time."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for child in node.body:
                lines.update(range(child.lineno, child.end_lineno + 1))
    return lines


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    tree = ast.parse(path.read_text(), str(path))
    skipped = _type_checking_lines(tree)
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _violates(module: str, forbidden: set[str]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in forbidden)


@pytest.mark.parametrize("package", sorted(FORBIDDEN_IMPORTS))
def test_each_layer_imports_only_downwards(package):
    offenders = []
    for path in _python_files(package):
        if path.relative_to(ROOT) in CLIENT_SIDE:
            continue
        for line, module in _imports(path):
            if _violates(module, FORBIDDEN_IMPORTS[package]):
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert offenders == []


def _sql_calls(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in SQL_CALLS:
            found.append(f"{path.relative_to(root)}:{node.lineno} {func.id}(")
        elif isinstance(func, ast.Attribute) and func.attr in SQL_METHODS and not (
                isinstance(func.value, ast.Name) and func.value.id in {"asyncio", "subprocess", "os"}):
            found.append(f"{path.relative_to(root)}:{node.lineno} .{func.attr}(")
    return found


@pytest.mark.parametrize("folder", ["web", "activities", "commands", "workflows", "worker"])
def test_no_sql_outside_the_repositories(folder):
    offenders = [where for path in _python_files(folder) for where in _sql_calls(path)]
    assert offenders == [], "move these queries into the package's repo.py"


def test_only_commands_activities_and_programs_open_write_transactions():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "tests/", "bench/")) or relative.startswith(TRANSACTION_OWNERS):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "transaction":
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == [], "a write transaction belongs to a command (commands/) or an activity"


def _status_writes(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AugAssign | ast.AnnAssign) else []
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "status" and ast.unparse(target.value) in {
                    "document", "doc", "incoming", "sent", "draft"}:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_a_document_changes_status_only_through_the_lifecycle_writer():
    """``models.documents.lifecycle.change`` keeps timestamps, the search index and the audit together."""
    offenders = []
    for folder in ("models", "activities", "commands", "web", "worker"):
        for path in _python_files(folder):
            if path.relative_to(ROOT) != Path("models/documents/lifecycle.py"):
                offenders += _status_writes(path)
    assert offenders == []


def test_the_checks_see_what_they_look_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from web.deps import State\n\ndef f(session):\n    return session.exec(select(X))\n")
    assert _violates(_imports(sample)[0][1], FORBIDDEN_IMPORTS["models"])
    assert len(_sql_calls(sample, tmp_path)) == 2
