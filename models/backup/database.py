"""Copying the database into a backup, reading the copy, and putting it back, for each backend.

SQLite: the online backup API (``sqlite3.Connection.backup``) in one step. It reads one
consistent snapshot while the web app and the worker go on writing (WAL: readers never block
writers), and copying in one step means a write elsewhere never restarts it. The copy is turned
into a single self-contained file (journal mode DELETE).

PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot), restored with ``pg_restore``
piped into ``psql --single-transaction``: the target's empty schema is replaced and the archive
loaded in one transaction, so a failed restore leaves the target as it was. ``pg_dump`` cannot
read a server newer than itself, so its major version is checked against the server's first.
A copy is read (its file rows, its counts, its revision) without restoring it: SQLite with a
read-only connection, an archive through ``pg_restore --data-only --table`` (the COPY text).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from models.errors import DomainError

POSTGRES_TOOLS_PACKAGE = "postgresql-client"


def backend_of(url: str) -> str:
    """``sqlite`` or ``postgresql``, from a SQLAlchemy URL."""
    return "sqlite" if make_url(url).get_backend_name() == "sqlite" else "postgresql"


def sqlite_path(url: str) -> Path:
    """The database file of an SQLite URL."""
    database = make_url(url).database
    if not database or database == ":memory:":
        raise DomainError("backup_database_missing", path=str(database or ":memory:"))
    return Path(database)


# --- SQLite ------------------------------------------------------------------------------------

def snapshot_sqlite(url: str, target: Path) -> None:
    """Copy the live SQLite database into ``target`` (a new file) with the online backup API."""
    source_path = sqlite_path(url)
    if not source_path.is_file():
        raise DomainError("backup_database_missing", path=str(source_path))
    snapshot_sqlite_file(source_path, target)


def snapshot_sqlite_file(source_path: Path, target: Path) -> None:
    """Copy a live SQLite file (QLVB's, or the Temporal dev server's) into ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(source_path, timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # pages=-1: the whole database from one read snapshot
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    finally:
        source.close()


def restore_sqlite(copy_path: Path, url: str) -> None:
    """Write the copy into the target database (created if missing) in one backup-API step."""
    target = sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{copy_path}?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(target, timeout=30)
        try:
            source.backup(destination)
            destination.execute("PRAGMA journal_mode=WAL")  # what the application sets anyway
        finally:
            destination.close()
    finally:
        source.close()


def _sqlite_column(copy_path: Path, table: str, column: str) -> list[str]:
    connection = sqlite3.connect(f"file:{copy_path}?mode=ro&immutable=1", uri=True)
    try:
        known = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                   (table,)).fetchone()
        if not known:
            return []
        return [str(value) for (value,) in connection.execute(f'SELECT "{column}" FROM "{table}"')
                if value is not None]
    finally:
        connection.close()


# --- PostgreSQL --------------------------------------------------------------------------------

def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DomainError("backup_tool_missing", tool=name, package=POSTGRES_TOOLS_PACKAGE)
    return found


def tool_version(name: str) -> str:
    """A PostgreSQL client tool's version, e.g. ``15.20``."""
    result = subprocess.run([_tool(name), "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"(\d+)(?:\.(\d+))?", result.stdout)
    if result.returncode != 0 or match is None:
        raise DomainError("backup_tool_failed", tool=name, detail=(result.stderr or result.stdout).strip())
    return match.group(0)


def major(version: str) -> int:
    """The major number of a PostgreSQL version (``15.20`` → 15)."""
    return int(version.split(".")[0])


def check_client_for_server(tool: str, server_version_num: int) -> str:
    """Refuse a client older than the server (``pg_dump`` cannot read a newer server); return its version."""
    version = tool_version(tool)
    server_major = server_version_num // 10000
    if major(version) < server_major:
        raise DomainError("backup_tool_too_old", tool=tool, client=version, server=server_major,
                          package=f"{POSTGRES_TOOLS_PACKAGE}-{server_major}")
    return version


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment carrying the password."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _failed(tool: str, stderr: str) -> DomainError:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return DomainError("backup_tool_failed", tool=tool, detail=" ".join(lines[-3:]) or "?")


def dump_postgres(url: str, target: Path) -> None:
    """``pg_dump`` the database into ``target`` in custom format."""
    uri, env = _libpq(url)
    result = subprocess.run([_tool("pg_dump"), "--format=custom", f"--file={target}", f"--dbname={uri}"],
                            capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise _failed("pg_dump", result.stderr)


def restore_postgres(copy_path: Path, url: str) -> None:
    """Replace the target's (empty) public schema by the archive, in one transaction."""
    uri, env = _libpq(url)
    script = subprocess.Popen([_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(copy_path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        loaded = subprocess.run(
            [_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
             "--command=DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;", "--file=-",
             f"--dbname={uri}"],
            stdin=script.stdout, capture_output=True, text=True, env=env, check=False)
    finally:
        script.stdout.close()
        dump_errors = script.stderr.read().decode(errors="replace")
        script.stderr.close()
        script.wait()
    if script.returncode != 0:
        raise _failed("pg_restore", dump_errors)
    if loaded.returncode != 0:
        raise _failed("psql", loaded.stderr)


_COPY = re.compile(r"^COPY (?:\w+|\"[^\"]+\")\.(?:\"([^\"]+)\"|(\w+)) \((.*)\) FROM stdin;$")


def _archive_column(copy_path: Path, table: str, column: str) -> list[str]:
    """One column of one table in a custom-format archive, from its COPY data.

    The columns read here hold hex digests, ids and revision names, which COPY never escapes.
    """
    result = subprocess.run([_tool("pg_restore"), "--data-only", "--schema=public", f"--table={table}",
                             "--file=-", str(copy_path)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise _failed("pg_restore", result.stderr)
    values: list[str] = []
    index = None
    for line in result.stdout.splitlines():
        if index is None:
            match = _COPY.match(line)
            if match and (match.group(1) or match.group(2)) == table:
                columns = [name.strip().strip('"') for name in match.group(3).split(",")]
                if column not in columns:
                    return []
                index = columns.index(column)
            continue
        if line == "\\.":
            break
        value = line.split("\t")[index]
        if value != "\\N":
            values.append(value)
    return values


# --- both --------------------------------------------------------------------------------------

def copy_column(backend: str, copy_path: Path, table: str, column: str) -> list[str]:
    """The non-null values of one column in a database copy (empty when the table is absent)."""
    if backend == "sqlite":
        return _sqlite_column(copy_path, table, column)
    return _archive_column(copy_path, table, column)


def referenced_blobs(backend: str, copy_path: Path) -> set[str]:
    """Every blob a row of the copy names: file rows and the raw hub packages."""
    names = set(copy_column(backend, copy_path, "storedfile", "sha256"))
    for table in ("hub_inbound", "hub_outbox"):
        names.update(value for value in copy_column(backend, copy_path, table, "package_sha256") if value)
    return names


def schema_revision(backend: str, copy_path: Path) -> str | None:
    """The copy's Alembic revision (None when it was never migrated)."""
    revisions = copy_column(backend, copy_path, "alembic_version", "version_num")
    return revisions[0] if len(revisions) == 1 else None
