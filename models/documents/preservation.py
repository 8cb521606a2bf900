"""PDF/A-2b preservation copies of stored PDFs (ND30 PL VI III.5.đ, III.5.e; issue 12).

A hồ sơ keeps each document's original signed PDF unchanged; next to it the export carries a
PDF/A-2b copy that stays readable when today's viewers are gone. The copy is a rendition: its
pages look like the original's (signature and seal appearances included) but it carries no
signature, which only the original proves.

The copy is made by Ghostscript's ``pdfwrite`` device with ocrmypdf's PDF/A definition (the sRGB
output intent) and checked with ocrmypdf's ``file_claims_pdfa``; fonts the original does not embed
are replaced by Ghostscript's own URW fonts (``-dNONATIVEFONTMAP``), so the result does not depend
on the fonts of the machine. Ghostscript is called directly rather than through ``ocrmypdf
--skip-text --output-type pdfa-2``: ocrmypdf refuses Ghostscript 10.0.0–10.02.0 for existing text
(their new PDF interpreter could drop glyphs), which is the version Debian 12 installs
(``make system-deps``); on those versions the legacy interpreter (``-dNEWPDF=false``), which has
not that fault, reads the original. ocrmypdf's own PDF/A backend cannot take signed files (forms,
``/Perms``), and its pipeline costs about a second per file where Ghostscript alone takes 0.1 s.

Copies are content-addressed like every blob: ``PreservationCopy`` maps an original's SHA-256 to
its copy's stored file, so a document filed in several hồ sơ or exported twice is converted once,
and the fixity round checks the copies too.
"""

from __future__ import annotations

import functools
import re
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow

GHOSTSCRIPT = "gs"
# A page of an office document takes Ghostscript milliseconds; a 200-page scan a minute or two.
TIMEOUT_SECONDS = 600
# Ghostscript versions whose new PDF interpreter may lose text (ocrmypdf refuses them with
# --skip-text); the legacy interpreter is used for them.
_NEW_INTERPRETER_FAULTY = ((10, 0, 0), (10, 2, 0))


class PreservationCopy(SQLModel, table=True):
    """The PDF/A-2b copy of a stored PDF, by the original's SHA-256 (one copy per distinct file)."""

    __tablename__ = "preservation_copy"

    source_sha256: str = Field(primary_key=True, max_length=64)
    file_id: int = Field(foreign_key="storedfile.id")  # the copy (a StoredFile like any other)
    conformance: str = Field(default="PDF/A-2b", max_length=20)
    tool: str = Field(default="", max_length=100)  # e.g. "Ghostscript 10.00.0"
    made_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PreservationFailed(Exception):
    """Ghostscript could not make a PDF/A copy of this file (damaged, encrypted, too complex)."""


@functools.cache
def ghostscript_version() -> tuple[int, int, int]:
    """The installed Ghostscript's version, e.g. (10, 0, 0); ``PreservationFailed`` without one."""
    try:
        output = subprocess.run([GHOSTSCRIPT, "--version"], capture_output=True, text=True, check=True,
                                timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise PreservationFailed("Ghostscript is not installed (make system-deps)") from error
    numbers = [int(part) for part in re.findall(r"\d+", output)[:3]]
    return tuple((numbers + [0, 0, 0])[:3])


def tool_name() -> str:
    """What made the copies, as recorded with each of them."""
    return "Ghostscript {}.{:02d}.{}".format(*ghostscript_version())


def make_pdfa(source: Path, target: Path) -> None:
    """Write a PDF/A-2b copy of the PDF ``source`` to ``target``, streaming from disk to disk.

    Raises ``PreservationFailed`` when Ghostscript fails, times out, or its output does not claim
    PDF/A-2b (then nothing is left at ``target``).
    """
    from ocrmypdf.pdfa import file_claims_pdfa, generate_pdfa_ps

    version = ghostscript_version()
    with tempfile.TemporaryDirectory(prefix="qlvb-pdfa-") as work:
        definition = generate_pdfa_ps(Path(work) / "pdfa.ps")
        legacy = ["-dNEWPDF=false"] if _NEW_INTERPRETER_FAULTY[0] <= version <= _NEW_INTERPRETER_FAULTY[1] else []
        command = [GHOSTSCRIPT, "-dBATCH", "-dNOPAUSE", "-dSAFER", "-dQUIET", *legacy,
                   "-sDEVICE=pdfwrite", "-dCompatibilityLevel=1.7", "-dAutoRotatePages=/None",
                   "-sColorConversionStrategy=RGB", "-dNONATIVEFONTMAP", "-dPDFA=2",
                   "-dPDFACompatibilityPolicy=1", "-o", str(target), str(definition), str(source)]
        try:
            result = subprocess.run(command, capture_output=True, text=True, errors="replace",
                                    timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as error:
            target.unlink(missing_ok=True)
            raise PreservationFailed(f"Ghostscript took more than {TIMEOUT_SECONDS} s") from error
    if result.returncode != 0 or not target.is_file():
        target.unlink(missing_ok=True)
        raise PreservationFailed(f"Ghostscript failed: {result.stderr.strip()[-300:]}")
    claim = file_claims_pdfa(target)
    if not claim.get("pass") or claim.get("conformance") != "PDF/A-2b":
        target.unlink(missing_ok=True)
        raise PreservationFailed(f"not PDF/A-2b: {claim.get('conformance')}")
