"""Small hostile files built from scratch: PDFs whose page tree loops, streams that inflate to
gigabytes, nestings thousands deep, a billion pages; used by the tests and to seed the fuzz corpora
(``fuzz/make_seeds.py``). Every builder returns the bytes of a file with an exact xref table.
"""

from __future__ import annotations

import zlib

A4 = b"/MediaBox [0 0 595 842]"


def pdf_of(objects: list[bytes], *, root: int = 1) -> bytes:
    """A PDF whose objects are numbered from 1 in the order given, with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (dictionary, len(data)) + data + b"\nendstream"


def small_pdf(pages: int = 1) -> bytes:
    """A valid PDF with a line of text on each page."""
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R %s /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
                       % (A4, 5 + 2 * i))
        objects.append(stream(b"", b"BT /F1 14 Tf 72 770 Td (Trang %d) Tj ET" % (i + 1)))
    return pdf_of(objects)


def claiming_pages(count: int) -> bytes:
    """One real page under a page tree that claims ``count`` pages."""
    return pdf_of([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count,
                   b"<< /Type /Page /Parent 2 0 R %s >>" % A4])


def looping_page_tree() -> bytes:
    """Pages node 2 has node 3 as its kid, and node 3 has node 2: a reader that follows it never ends."""
    return pdf_of([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 4 0 R] /Count 1 >>",
                   b"<< /Type /Page /Parent 3 0 R %s >>" % A4])


def self_parent_page_tree() -> bytes:
    """A pages node that is its own kid."""
    return pdf_of([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >>",
                   b"<< /Type /Page /Parent 2 0 R %s >>" % A4])


def shared_pages(times: int) -> bytes:
    """One page object listed ``times`` times: the tree claims ``times`` pages but holds one."""
    kids = b" ".join([b"3 0 R"] * times)
    return pdf_of([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, times),
                   b"<< /Type /Page /Parent 2 0 R %s >>" % A4])


def deep_page_tree(levels: int) -> bytes:
    """A page under ``levels`` nested pages nodes."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(levels):
        number = 2 + level
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (number + 1))
    objects.append(b"<< /Type /Page %s >>" % A4)
    return pdf_of(objects)


def deeply_nested_array(depth: int) -> bytes:
    """A page whose dictionary holds arrays nested ``depth`` deep (a recursive parser overflows)."""
    nested = b"[" * depth + b"]" * depth
    return pdf_of([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   b"<< /Type /Page /Parent 2 0 R %s /Junk %s >>" % (A4, nested)])


def deeply_nested_dictionary(depth: int) -> bytes:
    nested = b"<< /A " * depth + b"1" + b" >>" * depth
    return pdf_of([b"<< /Type /Catalog /Pages 2 0 R /Extra %s >>" % nested,
                   b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", b"<< /Type /Page /Parent 2 0 R %s >>" % A4])


def zeros_deflated(size: int, rounds: int = 1) -> bytes:
    """``size`` zero bytes (a multiple of 1 MiB), Flate-compressed ``rounds`` times.

    Built in milliseconds: after a full flush a compressor starts afresh, so every further MiB of
    zeros compresses to the same bytes, which are repeated; the checksum is counted separately.
    """
    block = bytes(1 << 20)
    blocks = max(1, size // len(block))
    compressor = zlib.compressobj(9)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush()[:-4]  # the last (empty) block, without the checksum of what it saw
    checksum = 1
    for _ in range(blocks):
        checksum = zlib.adler32(block, checksum)
    data = first + again * (blocks - 1) + end + checksum.to_bytes(4, "big")
    for _ in range(rounds - 1):
        data = zlib.compress(data, 9)
    return data


def deflate_bomb(size: int = 2 * 2**30, rounds: int = 2) -> bytes:
    """A page whose content stream inflates to ``size`` bytes (about a kilobyte on disk at 2 rounds)."""
    filters = b"[" + b" ".join([b"/FlateDecode"] * rounds) + b"]"
    return pdf_of([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   b"<< /Type /Page /Parent 2 0 R %s /Contents 4 0 R >>" % A4,
                   stream(b"/Filter %s" % filters, zeros_deflated(size, rounds))])


def object_stream_bomb(size: int = 2 * 2**30) -> bytes:
    """The catalogue and page tree live in an object stream that inflates to ``size`` bytes.

    The reader must inflate the object stream to find the catalogue, so the bounded walk never
    gets to look at it: only the child's memory limit stops it. Cross-reference stream, PDF 1.5.
    """
    body = b"1 0 2 40 3 90 "
    objects = (b"<< /Type /Catalog /Pages 2 0 R >>".ljust(40) + b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".ljust(50)
               + b"<< /Type /Page /Parent 2 0 R " + A4 + b" >>")
    header = body.ljust(32)
    # the objects, then ``size`` zeros: a second zlib stream is ignored by readers, so the objects
    # are deflated with the zeros in one stream (a full flush between them)
    compressor = zlib.compressobj(9)
    data = compressor.compress(header + objects) + compressor.flush(zlib.Z_FULL_FLUSH)
    zeros = zeros_deflated(size)[2:] if size else b""  # without its zlib header
    data = data + zeros if size else data + compressor.flush()
    out = bytearray(b"%PDF-1.7\n")
    stm_offset = len(out)
    out += b"4 0 obj\n" + stream(b"/Type /ObjStm /N 3 /First 32 /Filter /FlateDecode", data) + b"\nendobj\n"
    xref_offset = len(out)
    rows = [b"\x00" + (0).to_bytes(4, "big") + b"\xff\xff"]
    rows += [b"\x02" + (4).to_bytes(4, "big") + index.to_bytes(2, "big") for index in range(3)]
    rows += [b"\x01" + stm_offset.to_bytes(4, "big") + b"\x00\x00",
             b"\x01" + xref_offset.to_bytes(4, "big") + b"\x00\x00"]
    table = b"".join(rows)
    out += b"5 0 obj\n" + stream(b"/Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R", table) + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)


def truncated(data: bytes, keep: float = 0.6) -> bytes:
    return data[: int(len(data) * keep)]
