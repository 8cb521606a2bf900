"""Checks on uploaded PDFs before anything is stored.

``inspect_pdf`` runs in a limited child process (``models.documents.sandbox``); its body is a
bounded walk, so what it accepts is safe for the parsers that read the file later:

* the page tree is walked, not trusted: a loop or a node shared by two parents is ``corrupt_pdf``,
  a tree deeper than ``MAX_TREE_DEPTH`` too, and more than ``MAX_PAGES`` pages (claimed or
  found) is ``pdf_too_many_pages``; the pages found must be the pages claimed;
* every object reachable from the catalogue is visited once (at most ``MAX_OBJECTS``), and every
  Flate-compressed stream that is not an image is inflated in small chunks that are counted and
  dropped: one that inflates past ``MAX_STREAM_BYTES`` (a deflate bomb) is ``file_too_complex``,
  without the memory ever being taken; an image declaring more than ``MAX_IMAGE_PIXELS`` too;
* what the child cannot finish in its CPU, memory or time budget is ``file_too_complex``.
"""

from __future__ import annotations

import io
import zlib

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfDecodeLimitError, PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from models.documents.sandbox import isolated
from models.errors import DomainError

# More pages than any document an agency registers; a file claiming more is refused, not followed
# (a hostile page count of a billion would otherwise drive every later loop over the pages).
MAX_PAGES = 5_000
MAX_TREE_DEPTH = 64  # writers build balanced trees a few levels deep
MAX_OBJECTS = 500_000
MAX_STREAM_BYTES = 256 * 2**20  # one page's content, a font, an object stream, inflated
MAX_IMAGE_PIXELS = 250_000_000  # an A0 page at 600 dpi
_CHUNK = 1 << 16
_FLATE = {"/FlateDecode", "/Fl"}
# What pyHanko raises on a damaged file (found by fuzzing: an unknown stream filter is a
# NotImplementedError, a malformed real number a decimal.InvalidOperation, an ArithmeticError).
READ_ERRORS = (PdfError, KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError,
               AssertionError, zlib.error, ArithmeticError, UnicodeError, LookupError, EOFError,
               NotImplementedError)


@isolated(fallback="corrupt_pdf")
def inspect_pdf(data: bytes) -> int:
    """Return the page count of a well-formed PDF that anyone can open.

    Raises ``not_pdf``, ``corrupt_pdf`` (unreadable, a page tree that loops, a nesting too deep
    to follow, or no pages), ``pdf_encrypted`` (a password-protected file: nobody could read or
    check it later), ``pdf_too_many_pages`` or ``file_too_complex`` (see the module docstring).
    """
    if not data.lstrip()[:5] == b"%PDF-":
        raise DomainError("not_pdf")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise DomainError("pdf_encrypted")
        pages_root = reader.root.raw_get("/Pages")
        claimed = int(pages_root.get_object()["/Count"])
        if claimed > MAX_PAGES:
            raise DomainError("pdf_too_many_pages", limit=MAX_PAGES)
        pages = _count_pages(pages_root)
        if pages < 1 or pages != claimed:
            raise DomainError("corrupt_pdf")
        _check_objects(reader.root)
    except DomainError:
        raise
    except PdfDecodeLimitError as error:  # pyHanko's own cap on what it inflates (object streams)
        raise _too_complex("một luồng dữ liệu nén bung ra quá lớn") from error
    except READ_ERRORS as error:
        raise DomainError("corrupt_pdf") from error
    return pages


def _key(item) -> object:
    return (item.idnum, item.generation) if isinstance(item, generic.IndirectObject) else id(item)


def _count_pages(root) -> int:
    """The leaves of the page tree, walked without recursion; a node met twice is a loop."""
    seen: set = set()
    leaves = 0
    stack = [(root, 1)]
    while stack:
        item, depth = stack.pop()
        key = _key(item)
        if key in seen or depth > MAX_TREE_DEPTH:
            raise DomainError("corrupt_pdf")
        seen.add(key)
        node = item.get_object()
        if not isinstance(node, generic.DictionaryObject):
            raise DomainError("corrupt_pdf")
        if node.get("/Type") == "/Pages" or ("/Kids" in node and node.get("/Type") != "/Page"):
            kids = node.get("/Kids")
            if not isinstance(kids, generic.ArrayObject):
                raise DomainError("corrupt_pdf")
            if len(stack) + len(kids) + leaves > 4 * MAX_PAGES:
                raise DomainError("pdf_too_many_pages", limit=MAX_PAGES)
            stack.extend((kid, depth + 1) for kid in kids.iterate())
        else:
            leaves += 1
            if leaves > MAX_PAGES:
                raise DomainError("pdf_too_many_pages", limit=MAX_PAGES)
    return leaves


def _check_objects(root) -> None:
    """Visit every reachable object once; measure streams without keeping what they inflate to."""
    seen: set = set()
    stack = [root]
    visited = 0
    while stack:
        item = stack.pop()
        visited += 1
        if visited > MAX_OBJECTS:
            raise _too_complex("quá nhiều đối tượng")
        if isinstance(item, generic.IndirectObject):
            if _key(item) in seen:
                continue
            seen.add(_key(item))
            item = item.get_object()
        if isinstance(item, generic.StreamObject):
            _check_stream(item)
        if isinstance(item, generic.DictionaryObject):
            stack.extend(item.raw_get(key) for key in item.keys())
        elif isinstance(item, generic.ArrayObject):
            stack.extend(item.iterate())


def _check_stream(stream: generic.StreamObject) -> None:
    if stream.get("/Subtype") == "/Image":
        try:
            pixels = int(stream.get("/Width", 0)) * int(stream.get("/Height", 0))
        except (TypeError, ValueError):
            raise DomainError("corrupt_pdf") from None
        if pixels > MAX_IMAGE_PIXELS:
            raise _too_complex(f"ảnh hơn {MAX_IMAGE_PIXELS // 1_000_000} triệu điểm ảnh")
        return
    filters = stream.raw_get("/Filter") if "/Filter" in stream else None
    filters = filters.get_object() if filters is not None else None
    names = list(filters) if isinstance(filters, generic.ArrayObject) else [filters] if filters else []
    if names and all(str(name) in _FLATE for name in names):
        inflated_size(stream.encoded_data, len(names), MAX_STREAM_BYTES)


def inflated_size(raw: bytes, stages: int, limit: int) -> int:
    """What ``stages`` rounds of Flate make of ``raw``, counted chunk by chunk; past ``limit`` refused.

    Memory stays at a few chunks whatever the stream claims. Damaged data ends the count where it
    breaks (readers show what they can; this check is only about size).
    """
    chunks = iter((raw,))
    for _ in range(stages):
        chunks = _inflate(chunks)
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise _too_complex(f"một luồng dữ liệu giải nén ra hơn {limit // 2**20} MB")
    return total


def _inflate(chunks):
    inflater = zlib.decompressobj()
    try:
        for chunk in chunks:
            pending = chunk
            while pending and not inflater.eof:
                out = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                if out:
                    yield out
            if inflater.eof:
                return
    except zlib.error:
        return


def _too_complex(reason: str) -> DomainError:
    return DomainError("file_too_complex", reason=reason)
