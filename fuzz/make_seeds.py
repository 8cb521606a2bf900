"""Write the seed inputs of every fuzz target into ``tests/fuzz_corpus/<target>/seed-*``.

Every seed is built here from scratch (tests/hostile_files.py, Pillow, the edXML builder): small
valid files and the hostile shapes the checks must refuse. Run: ``python -m fuzz.make_seeds``.
Crash files found by ``make fuzz`` sit next to the seeds as ``crash-*`` and are never rewritten.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tests import hostile_files as hostile

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fuzz_corpus"


def _image(fmt: str, size=(60, 80), mode="L", dpi=(300, 300), frames: int = 1) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    images = [Image.new(mode, size, 255 - 40 * i) for i in range(frames)]
    options = {"dpi": dpi} if dpi else {}
    if frames > 1:
        options.update(save_all=True, append_images=images[1:])
    images[0].save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _with_fields() -> bytes:
    """A one-page PDF that already has a field named like an issuing field."""
    return hostile.pdf_of([
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R " + hostile.A4 + b" /Annots [4 0 R] >>",
        b"<< /FT /Tx /T (so_van_ban) /Rect [100 700 200 720] /Subtype /Widget /P 3 0 R >>"])


def pdf_seeds() -> dict[str, bytes]:
    return {
        "small-1": hostile.small_pdf(1), "small-3": hostile.small_pdf(3),
        "truncated": hostile.truncated(hostile.small_pdf(2)),
        "loop": hostile.looping_page_tree(), "own-kid": hostile.self_parent_page_tree(),
        "shared-page": hostile.shared_pages(3), "deep-tree": hostile.deep_page_tree(80),
        "nested-arrays": hostile.deeply_nested_array(3000), "nested-dicts": hostile.deeply_nested_dictionary(3000),
        "billion-pages": hostile.claiming_pages(1_000_000_000),
        "deflate-bomb": hostile.deflate_bomb(2 * 2**30, rounds=2),
        "objstm": hostile.object_stream_bomb(0), "objstm-bomb": hostile.object_stream_bomb(16 * 2**20),
    }


def scan_seeds() -> dict[str, bytes]:
    png = _image("PNG")
    return {
        "png": png, "png-rgba": _image("PNG", mode="RGBA"), "jpeg": _image("JPEG"),
        "tiff-2": _image("TIFF", frames=2), "png-no-dpi": _image("PNG", dpi=None),
        "png-150dpi": _image("PNG", dpi=(150, 150)), "png-truncated": hostile.truncated(png, 0.7),
        "png-huge": _image("PNG", size=(4000, 4000), mode="1"), "pdf": hostile.small_pdf(1),
        "pdf-loop": hostile.looping_page_tree(), "two-files": b"\x02" + png + _image("TIFF"),
    }


def metadata_seeds() -> dict[str, bytes]:
    header = ("ỦY BAN NHÂN DÂN\nTỈNH HÀ NAM\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
              "Số: 125/UBND-TH\nHà Nam, ngày 20 tháng 11 năm 2026\nCÔNG VĂN\nV/v báo cáo tình hình thực hiện "
              "dự toán ngân sách năm 2026\nKính gửi: Sở Tài chính\n")
    return {"cong-van": header.encode(), "quyet-dinh": header.replace("CÔNG VĂN", "QUYẾT ĐỊNH").encode(),
            "empty": b"", "form-feeds": (header + "\f" + header).encode(),
            "broken-utf8": header.encode()[:50] + b"\xff\xfe\xc3" + header.encode()[50:]}


def edxml_seeds() -> dict[str, bytes]:
    from models.exchange.edxml.build import build_package
    from tests.unit.edxml_fixtures import small_package

    package = build_package(small_package())
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("van-ban.pdf", hostile.small_pdf(1))
    from models.exchange.edxml.package import Attachment

    zipped_package = build_package(small_package(attachments=(
        Attachment("1", "van-ban.zip", archive.getvalue(), "application/zip", "Văn bản"),)))
    deep = b"<edXML>" + b"<a>" * 200 + b"</a>" * 200 + b"</edXML>"
    doctype = b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">]><edXML>&a;</edXML>'
    return {"package": package, "zipped": zipped_package, "truncated": hostile.truncated(package),
            "deep": deep, "doctype": doctype}


SEEDS = {"pdf_intake": pdf_seeds, "outgoing_pdf": lambda: {**pdf_seeds(), "with-fields": _with_fields()},
         "scan_images": scan_seeds, "metadata": metadata_seeds, "edxml": edxml_seeds}


def main() -> None:
    for target, build in SEEDS.items():
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in build().items():
            (folder / f"seed-{name}").write_bytes(data)


if __name__ == "__main__":
    main()
