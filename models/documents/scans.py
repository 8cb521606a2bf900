"""Paper scans to one PDF (QĐ44 Điều 10.2; ND30 PL I Phần II Mục I; DOMAIN §6.4).

Pure helpers, no I/O besides the bytes given; the first step of digitising a paper incoming
document (``models.documents.digitise`` holds its progress row, ``suggestions`` the next step):

* ``prepare_scan`` / ``images_to_pdf``: the văn thư's scanned files (PDF, JPEG, PNG, TIFF, a
  multi-page TIFF too) become one PDF, in order, at 100 % scale. Refused with a ``DomainError``:
  a file that is no image or PDF (``scan_not_image``), an encrypted or unreadable PDF
  (``scan_unreadable``), too many pages (``scan_too_many_pages``), a page with too many pixels
  (``scan_too_large``), a resolution declared below 200 dpi (``scan_low_resolution``). An image
  that declares no resolution is accepted with the warning ``scan_dpi_unknown`` and laid out to
  fit an A4 page.
"""

from __future__ import annotations

import io
import threading
import warnings
from dataclasses import dataclass, field

from models.documents.pdf_checks import inspect_pdf
from models.documents.sandbox import isolated
from models.errors import INTERRUPTIONS, DomainError

A4_LONG_SIDE_INCHES = 297 / 25.4


@dataclass(frozen=True)
class ScanLimits:
    """What a scan upload may hold (settings ``ocr_max_pages``, ``ocr_max_pixels_per_page``)."""

    max_pages: int = 200
    max_pixels_per_page: int = 50_000_000  # A3 at 400 dpi, A4 at 600 dpi fit
    min_dpi: int = 200

    @classmethod
    def from_settings(cls, settings) -> ScanLimits:
        """The limits configured in ``config.settings.Settings`` (``ocr_*``)."""
        return cls(settings.ocr_max_pages, settings.ocr_max_pixels_per_page, settings.ocr_min_dpi)


@dataclass
class PreparedScan:
    """One PDF made of the uploaded files, its page count and non-blocking warnings."""

    pdf: bytes
    page_count: int
    warnings: list[str] = field(default_factory=list)


IMAGE_FORMATS = {"JPEG", "PNG", "TIFF", "MPO"}


def images_to_pdf(files: list[tuple[str, bytes]], limits: ScanLimits | None = None) -> bytes:
    """Join scanned files (PDF, JPEG, PNG, TIFF) into one PDF in the given order."""
    return prepare_scan(files, limits).pdf


def _first_name(files: list[tuple[str, bytes]], limits: ScanLimits | None = None) -> dict:
    return {"filename": files[0][0] if files else ""}


# Decoding images and PDFs from outside runs in a limited child process (models.documents.sandbox).
@isolated(fallback="scan_unreadable", fallback_params=_first_name, returns=(PreparedScan,))
def prepare_scan(files: list[tuple[str, bytes]], limits: ScanLimits | None = None) -> PreparedScan:
    """Check every file against ``limits`` and join them into one PDF (see the module docstring)."""
    import pikepdf

    limits = limits or ScanLimits()
    if not files:
        raise DomainError("file_missing")
    parts: list[bytes] = []
    notes: list[str] = []
    pages = 0
    for name, data in files:
        if data[:5] == b"%PDF-":
            count = _pdf_page_count(name, data)
            part = data
        else:
            part, count, note = _image_part(name, data, limits, pages)
            if note and note not in notes:
                notes.append(note)
        pages += count
        if pages > limits.max_pages:
            raise DomainError("scan_too_many_pages", limit=limits.max_pages)
        parts.append(part)
    if pages == 0:
        raise DomainError("scan_unreadable", filename=files[0][0])
    if len(parts) == 1 and files[0][1][:5] == b"%PDF-":
        return PreparedScan(parts[0], pages, notes)
    try:
        out = pikepdf.new()
        opened = [pikepdf.open(io.BytesIO(part)) for part in parts]
        for source in opened:
            out.pages.extend(source.pages)
        buffer = io.BytesIO()
        out.save(buffer)
        for source in opened:
            source.close()
    except INTERRUPTIONS:  # a cancellation or worker stop passes through
        raise
    except MemoryError:  # the child's memory limit: refused as too complex by the sandbox
        raise
    except Exception as exc:  # qpdf refusing to join a part it opened alone
        raise DomainError("scan_unreadable", filename=files[0][0]) from exc
    return PreparedScan(buffer.getvalue(), pages, notes)


def _pdf_page_count(name: str, data: bytes) -> int:
    import pikepdf

    try:  # the bounded walk first: a looping page tree or a deflate bomb is never handed to qpdf
        inspect_pdf.inline(data)
    except DomainError as refusal:
        if refusal.code in ("pdf_too_many_pages", "file_too_complex"):
            raise
        raise DomainError("scan_unreadable", filename=name) from refusal
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    except pikepdf.PasswordError as exc:
        raise DomainError("scan_unreadable", filename=name) from exc
    except INTERRUPTIONS:  # a cancellation or worker stop passes through
        raise
    except Exception as exc:  # pikepdf raises several types for damaged files
        raise DomainError("scan_unreadable", filename=name) from exc


def _image_part(name: str, data: bytes, limits: ScanLimits, pages_before: int) -> tuple[bytes, int, str]:
    """``_image_to_pdf``, where any failure to decode a damaged image is ``scan_not_image``.

    Pillow raises many types on damaged data (a later TIFF frame without dimensions is a
    TypeError, an unknown pixel mode a SyntaxError: both found by fuzzing), so they are caught as
    a class, after our own refusals and the memory limit.
    """
    try:
        return _image_to_pdf(name, data, limits, pages_before)
    except (DomainError, MemoryError):
        raise
    except INTERRUPTIONS:  # a cancellation or worker stop passes through
        raise
    except Exception as exc:
        raise DomainError("scan_not_image", filename=name) from exc


def _image_to_pdf(name: str, data: bytes, limits: ScanLimits, pages_before: int) -> tuple[bytes, int, str]:
    """One image file (all frames of a TIFF) as a PDF; returns (pdf, pages, warning code or "")."""
    import img2pdf
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DomainError("scan_too_large", filename=name, limit=_megapixels(limits)) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise DomainError("scan_not_image", filename=name) from exc
    with image:
        if image.format not in IMAGE_FORMATS:
            raise DomainError("scan_not_image", filename=name)
        note = ""
        chunks: list[bytes] = []
        count = 0
        for frame in ImageSequence.Iterator(image):
            count += 1
            if pages_before + count > limits.max_pages:
                raise DomainError("scan_too_many_pages", limit=limits.max_pages)
            width, height = frame.size
            if width * height > limits.max_pixels_per_page:
                raise DomainError("scan_too_large", filename=name, limit=_megapixels(limits))
            dpi = _declared_dpi(frame)
            if dpi is None:
                note = "scan_dpi_unknown"
                dpi = max(width, height) / A4_LONG_SIDE_INCHES
            elif dpi + 0.5 < limits.min_dpi:  # PNG stores pixels per metre: 300 dpi reads 299.9994
                raise DomainError("scan_low_resolution", filename=name, dpi=round(dpi), limit=limits.min_dpi)
            try:
                _load_strictly(frame)
            except INTERRUPTIONS:  # a cancellation or worker stop passes through
                raise
            except Exception as exc:  # truncated or damaged pixel data
                raise DomainError("scan_not_image", filename=name) from exc
            layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
            single = image.format in {"JPEG", "PNG"} and getattr(image, "n_frames", 1) == 1
            try:
                if single:
                    chunks.append(img2pdf.convert(data, layout_fun=layout, rotation=img2pdf.Rotation.ifvalid))
                    continue
            except INTERRUPTIONS:  # a cancellation or worker stop passes through
                raise
            except Exception:  # noqa: S110 - alpha channel, odd modes: re-encode below
                pass
            chunks.append(img2pdf.convert(_as_png(frame), layout_fun=layout))
    if len(chunks) == 1:
        return chunks[0], count, note
    import pikepdf

    out = pikepdf.new()
    opened = [pikepdf.open(io.BytesIO(chunk)) for chunk in chunks]
    for source in opened:
        out.pages.extend(source.pages)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue(), count, note


def _as_png(frame) -> bytes:
    """A frame as a PNG img2pdf accepts: no alpha (flattened on white), 8-bit L/RGB or 1-bit."""
    from PIL import Image

    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.split()[-1])
        frame = flat
    elif frame.mode not in ("1", "L", "RGB"):
        frame = frame.convert("RGB")
    buffer = io.BytesIO()
    frame.save(buffer, format="PNG")
    return buffer.getvalue()


def _declared_dpi(frame) -> float | None:
    """The resolution an image declares, or None (absent, zero, or an aspect ratio only)."""
    dpi = frame.info.get("dpi")
    if not dpi:
        return None
    try:
        values = [float(v) for v in dpi]
    except (TypeError, ValueError):
        return None
    if not values or min(values) <= 1:
        return None
    return min(values)


def _megapixels(limits: ScanLimits) -> int:
    return limits.max_pixels_per_page // 1_000_000


# Pillow decides with a process-wide flag whether truncated pixel data is an error; libraries in
# the same process (OCR and PDF tools) may set it to tolerate damage. Our check must not depend
# on them: the flag is held off, under a lock, only while our own frames load.
_STRICT_LOAD = threading.Lock()


def _load_strictly(frame) -> None:
    """Decode every pixel of a frame; a truncated or damaged file raises, whatever others set."""
    from PIL import ImageFile

    with _STRICT_LOAD:
        tolerated = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            frame.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = tolerated
