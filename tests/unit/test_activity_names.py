"""Workflows schedule activities by the constants of ``ActivityName``, which the worker registers.

A misspelt name is not an import error: the workflow would schedule an activity no worker polls
for, and the document would wait for ever. So the names are constants
(``workflows.contracts.ActivityName``), workflow code never spells one as a string, and the set
of constants is exactly what ``worker.activities_for`` registers.
"""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import create_engine
from temporalio.activity import _Definition

from config.settings import Settings
from worker import activities_for
from workflows.contracts import ActivityName

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
SCHEDULING = {"execute_activity", "start_activity"}


def _registered_names(tmp_path) -> set[str]:
    settings = Settings(var_dir=tmp_path)
    return {_Definition.must_from_callable(fn).name
            for fn in activities_for(create_engine("sqlite://"), settings)}


def test_the_constants_are_exactly_what_the_worker_registers(tmp_path):
    assert {str(name) for name in ActivityName} == _registered_names(tmp_path)


def test_workflows_never_spell_an_activity_name():
    spelt = []
    for path in sorted(WORKFLOWS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SCHEDULING and node.args
                    and isinstance(node.args[0], ast.Constant)):
                spelt.append(f"{path.name}:{node.lineno} {node.args[0].value!r}")
            if isinstance(node, ast.keyword) and node.arg == "apply_activity" and isinstance(
                    node.value, ast.Constant) and node.value.value:
                spelt.append(f"{path.name}:{node.lineno} apply_activity={node.value.value!r}")
    assert spelt == [], "use workflows.contracts.ActivityName"
