"""Workflow modules stay deterministic and lightly imported (STYLE §2.1, STACK-NOTES §7.3).

The sandbox re-imports every workflow module on each run and replay, so a database driver, web
framework or settings import there either breaks determinism or slows every workflow task.
``workflows/starter.py`` is client-side code and is exempt.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WORKFLOWS_DIR = Path(__file__).resolve().parents[2] / "workflows"
CLIENT_SIDE = {"starter.py"}
FORBIDDEN = {
    "sqlmodel", "sqlalchemy", "fastapi", "starlette", "pyhanko", "lxml", "httpx", "psycopg",
    "models", "web", "config", "activities", "commands",
}
# Project modules a workflow may use, but only through the sandbox pass-through (otherwise a
# datetime in an activity result fails to decode).
PASS_THROUGH_ONLY = {"workflows.contracts", "workflows.backup_contracts", "workflows.digitise_contracts", "workflows.record_contracts", "workflows.work_contracts",
                     "workflows.search_attributes", "workflows.summaries", "workflows.vocabulary"}


def _is_pass_through(node: ast.With) -> bool:
    for item in node.items:
        call = item.context_expr
        if isinstance(call, ast.Call) and ast.unparse(call.func).endswith("unsafe.imports_passed_through"):
            return True
    return False


def _imported_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative import inside the workflows package
        return [f"workflows.{node.module}" if node.module else "workflows"]
    return [node.module or ""]


def violations(source: str, filename: str = "<module>") -> list[str]:
    """Return one message per offending import in a workflow module's source."""
    problems: list[str] = []

    def visit(node: ast.AST, passed_through: bool) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            for name in _imported_names(node):
                root = name.split(".")[0]
                if root in FORBIDDEN:
                    problems.append(f"{filename}:{node.lineno} imports {name}")
                elif name in PASS_THROUGH_ONLY and not passed_through:
                    problems.append(f"{filename}:{node.lineno} imports {name} outside imports_passed_through()")
            return
        inside = passed_through or (isinstance(node, ast.With) and _is_pass_through(node))
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(ast.parse(source, filename), False)
    return problems


def _workflow_files() -> list[Path]:
    return sorted(p for p in WORKFLOWS_DIR.glob("*.py") if p.name not in CLIENT_SIDE)


def test_it_finds_the_workflow_modules():
    names = {p.name for p in _workflow_files()}
    assert {"incoming.py", "contracts.py", "search_attributes.py"} <= names
    assert "starter.py" not in names


@pytest.mark.parametrize("path", _workflow_files(), ids=lambda p: p.name)
def test_it_keeps_heavy_and_side_effect_imports_out_of_workflow_modules(path):
    assert violations(path.read_text(encoding="utf-8"), path.name) == []


@pytest.mark.parametrize(
    "source",
    [
        "import sqlmodel",
        "from sqlalchemy import select",
        "import psycopg.rows",
        "from models.registers.numbering import VIETNAM",
        "from config.settings import get_settings",
        "import activities.registers as r",
        "from fastapi import FastAPI",
        "from starlette.requests import Request",
        "from pyhanko.sign import signers",
        "from lxml import etree",
        "import httpx",
        "from web import commands",
        "try:\n    import sqlalchemy\nexcept ImportError:\n    pass",
        "class W:\n    def run(self):\n        from models.db import utcnow",
        # Forbidden even through the pass-through: it still loads the module in the worker.
        "from temporalio import workflow\nwith workflow.unsafe.imports_passed_through():\n"
        "    from models.db import utcnow",
        # Contracts must come through the pass-through.
        "from workflows.contracts import DecideInput",
        "from .contracts import DecideInput",
    ],
)
def test_it_catches_a_forbidden_import(source):
    assert violations(source) != []


def test_it_allows_contracts_and_search_attributes_through_the_pass_through():
    source = (
        "from datetime import timedelta\n"
        "from temporalio import workflow\n"
        "with workflow.unsafe.imports_passed_through():\n"
        "    from workflows.contracts import DecideInput\n"
        "    from workflows.search_attributes import STAGE\n"
    )
    assert violations(source) == []
