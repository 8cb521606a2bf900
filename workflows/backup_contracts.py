"""What the daily backup workflow (workflows/backup.py) and its activities exchange.

Pass-through only, like ``workflows.contracts`` (tests/unit/test_workflow_imports.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

BACKUP_SCHEDULE_ID = "qlvb-backup"


@dataclass
class DailyBackupInput:
    """The day's backup, by name (``qlvb-YYYY-MM-DD``, Vietnam date): retries find the same one."""

    name: str


@dataclass
class DailyBackupResult:
    """What a daily backup holds, and the older copies removed beyond the number kept."""

    name: str
    documents: int = 0
    files: int = 0
    blobs: int = 0
    removed: list[str] = field(default_factory=list)
    already_taken: bool = False  # a complete backup of that name was there (a retried run)


@dataclass
class BackupFailure:
    """A daily backup that failed for good, reported to the administrators."""

    name: str
    error: str
