"""``python -m cli`` runs the ``qlvb`` command: ``qlvb run`` starts its hub, worker and web that way.

Found by ``make chaos``: once ``cli`` became a package without ``__main__``, every child of
``qlvb run`` died at once with "No module named cli.__main__".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_launchers_way_of_starting_a_child_runs_the_qlvb_command():
    launcher = (ROOT / "devservers" / "launcher.py").read_text(encoding="utf-8")
    assert '[sys.executable, "-m", "cli", "worker"]' in launcher  # the way this test exercises
    for command in ("hub", "worker", "web"):
        result = subprocess.run([sys.executable, "-m", "cli", command, "--help"], cwd=ROOT, capture_output=True,
                                text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"Cách dùng: qlvb {command}"), result.stdout
