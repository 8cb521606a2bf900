"""Untrusted files are parsed with limits, in a child process, and hostile ones are refused, not followed.

The hostile files are built from scratch (tests/hostile_files.py). Each is refused through the
public, isolated check (a child process) with the refusal code a person reads in Vietnamese.
"""

from __future__ import annotations

import ast
import os
import time
from pathlib import Path

import pytest

from models.documents import sandbox
from models.documents.pdf_checks import MAX_PAGES, MAX_STREAM_BYTES, inflated_size, inspect_pdf
from models.documents.sandbox import ParseLimits, isolated
from models.documents.scans import ScanLimits, prepare_scan
from models.documents.text_extract import pdf_text
from models.errors import DomainError
from models.outgoing.upload import prepare_uploaded_pdf
from tests import hostile_files as hostile
from web.messages import message_of

ROOT = Path(__file__).resolve().parents[2]


def _refusal(check, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as refused:
        check(*args, **kwargs)
    assert message_of(refused.value) != "Yêu cầu không thực hiện được. Vui lòng thử lại.", refused.value.code
    return refused.value


# --- the PDF check, through its child process ----------------------------------------------------


def test_a_good_pdf_passes_the_isolated_check():
    assert inspect_pdf(hostile.small_pdf(3)) == 3


@pytest.mark.parametrize("build", [hostile.looping_page_tree, hostile.self_parent_page_tree,
                                   lambda: hostile.shared_pages(3)], ids=["loop", "own-kid", "shared-page"])
def test_a_page_tree_that_loops_is_refused_not_followed(build):
    assert _refusal(inspect_pdf, build()).code == "corrupt_pdf"
    assert "bị hỏng" in message_of(DomainError("corrupt_pdf"))


def test_a_page_tree_deeper_than_any_writer_makes_is_refused():
    assert _refusal(inspect_pdf, hostile.deep_page_tree(200)).code == "corrupt_pdf"
    assert inspect_pdf(hostile.deep_page_tree(10)) == 1


@pytest.mark.parametrize("build", [lambda: hostile.deeply_nested_array(100_000),
                                   lambda: hostile.deeply_nested_dictionary(50_000)], ids=["arrays", "dictionaries"])
def test_a_deep_nesting_is_refused(build):
    assert _refusal(inspect_pdf, build()).code == "corrupt_pdf"


def test_a_billion_pages_are_refused_whether_claimed_or_listed():
    refused = _refusal(inspect_pdf, hostile.claiming_pages(1_000_000_000))
    assert refused.code == "pdf_too_many_pages" and refused.params["limit"] == MAX_PAGES
    # A tree that lists one page object 100,000 times is refused before it is walked.
    assert _refusal(inspect_pdf, hostile.shared_pages(100_000)).code == "pdf_too_many_pages"
    assert "5000 trang" in message_of(refused)


def test_a_deflate_bomb_is_refused_without_inflating_it():
    bomb = hostile.deflate_bomb(2 * 2**30, rounds=2)  # 2 GiB of zeros in a few kilobytes
    assert len(bomb) < 64 * 1024
    refused = _refusal(inspect_pdf, bomb)
    assert refused.code == "file_too_complex" and "giải nén" in message_of(refused)
    # The count stops at the limit; memory holds a chunk at a time, not the stream.
    with pytest.raises(DomainError):
        inflated_size(hostile.zeros_deflated(MAX_STREAM_BYTES + 2**20), 1, MAX_STREAM_BYTES)
    assert inflated_size(hostile.zeros_deflated(8 * 2**20), 1, MAX_STREAM_BYTES) == 8 * 2**20


def test_an_object_stream_bomb_is_refused():
    refused = _refusal(inspect_pdf, hostile.object_stream_bomb(2 * 2**30))
    assert refused.code == "file_too_complex"
    assert inspect_pdf(hostile.object_stream_bomb(0)) == 1  # the same layout without the zeros is fine


def test_a_truncated_or_garbled_pdf_is_corrupt():
    assert _refusal(inspect_pdf, hostile.truncated(hostile.small_pdf(2))).code == "corrupt_pdf"
    assert _refusal(inspect_pdf, b"%PDF-1.7\n" + os.urandom(2000)).code == "corrupt_pdf"
    assert _refusal(inspect_pdf, b"GIF89a").code == "not_pdf"


# --- the other parsers of untrusted files -----------------------------------------------------------


def test_an_uploaded_draft_with_a_looping_tree_or_a_bomb_is_refused():
    assert _refusal(prepare_uploaded_pdf, hostile.looping_page_tree()).code == "corrupt_pdf"
    assert _refusal(prepare_uploaded_pdf, hostile.deflate_bomb()).code == "file_too_complex"
    assert prepare_uploaded_pdf(hostile.small_pdf(2)).page_count == 2


def test_a_page_whose_parent_chain_loops_gets_no_issuing_fields():
    # /MediaBox is looked up through /Parent: 3 -> 4 -> 3 ... never ends unless bounded.
    looped = hostile.pdf_of([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                             b"<< /Type /Page /Parent 4 0 R >>", b"<< /Parent 3 0 R >>"])
    assert _refusal(prepare_uploaded_pdf, looped).code == "corrupt_pdf"


def test_a_scan_pdf_with_a_looping_tree_or_a_bomb_is_refused():
    assert _refusal(prepare_scan, [("quet.pdf", hostile.looping_page_tree())]).code == "scan_unreadable"
    assert _refusal(prepare_scan, [("quet.pdf", hostile.deflate_bomb())]).code == "file_too_complex"
    assert _refusal(prepare_scan, [("quet.pdf", hostile.claiming_pages(10**9))]).code == "pdf_too_many_pages"


def test_an_image_bomb_is_refused_as_too_large():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, format="PNG", dpi=(300, 300))  # 144 Mpx in a few kB
    refused = _refusal(prepare_scan, [("bom.png", buffer.getvalue())], ScanLimits())
    assert refused.code == "scan_too_large" and refused.params["filename"] == "bom.png"


def test_the_text_layer_of_a_hostile_pdf_is_read_in_the_child():
    assert "Trang 1" in pdf_text(hostile.small_pdf(1))
    assert _refusal(pdf_text, b"%PDF-1.7\n" + b"\x00" * 100).code == "corrupt_pdf"


# --- the child process: limits and what a failure becomes ---------------------------------------


@isolated(fallback="corrupt_pdf")
def _spin(_data: bytes) -> None:
    while True:
        pass


@isolated(fallback="corrupt_pdf")
def _hoard(_data: bytes) -> int:
    kept = [bytearray(64 * 2**20) for _ in range(64)]  # 4 GiB
    return len(kept)


@isolated(fallback="corrupt_pdf")
def _hang(_data: bytes) -> None:
    time.sleep(600)


@isolated(fallback="scan_unreadable", fallback_params=lambda name, _data: {"filename": name})
def _crash(_name: str, _data: bytes) -> None:
    os.abort()


@isolated(fallback="scan_unreadable", fallback_params=lambda name, _data: {"filename": name})
def _bug(_name: str, data: bytes) -> None:
    raise KeyError(data)


@isolated(fallback="corrupt_pdf")
def _where(_data: bytes) -> tuple[int, bool]:
    return os.getpid(), sandbox._IN_CHILD


def test_a_check_runs_in_another_process_and_nested_checks_run_inline():
    pid, in_child = _where(b"")
    assert pid != os.getpid() and in_child
    assert _where.inline(b"") == (os.getpid(), False)


def test_a_parse_that_exceeds_its_cpu_time_is_killed_and_refused():
    refused = _refusal(_spin.with_limits(ParseLimits(cpu_seconds=1, wall_seconds=120)), b"")
    assert isinstance(refused, sandbox.ParseLimitExceeded) and refused.reason == "time"
    assert refused.code == "file_too_complex" and "giây" in message_of(refused)


def test_a_parse_that_exceeds_the_wall_clock_is_killed_and_refused():
    refused = _refusal(_hang.with_limits(ParseLimits(wall_seconds=1)), b"")
    assert refused.reason == "wall"


def test_a_parse_that_wants_more_memory_is_refused_and_this_process_keeps_its_own():
    refused = _refusal(_hoard.with_limits(ParseLimits(memory_bytes=512 * 2**20)), b"")
    assert refused.reason == "memory" and "bộ nhớ" in message_of(refused)


def test_a_crashing_or_buggy_parser_is_a_refusal_of_the_file_not_an_error_of_ours():
    assert _refusal(_crash, "a.tif", b"").code == "file_too_complex"
    refused = _refusal(_bug, "a.tif", b"x")
    assert refused.code == "scan_unreadable" and refused.params == {"filename": "a.tif"}


def test_a_child_answer_can_only_build_plain_values_and_declared_results():
    import pickle

    class Evil:
        def __reduce__(self):
            return (os.system, ("true",))

    with pytest.raises(pickle.UnpicklingError):
        sandbox._SafeUnpickler(__import__("io").BytesIO(pickle.dumps(("ok", Evil())))).load()


@isolated(fallback="corrupt_pdf")
def _wait_for(path: str) -> bool:
    for _ in range(600):
        if Path(path).exists():
            return True
        time.sleep(0.1)
    return False


async def test_checks_awaited_by_coroutines_leave_the_default_thread_pool_free(tmp_path):
    import asyncio

    gate = tmp_path / "gate"
    waiting = [asyncio.create_task(_wait_for.off_loop(str(gate))) for _ in range(40)]
    # More checks wait than the default pool has threads, yet the pool (every command's database
    # work) still answers: the checks wait in their own threads.
    assert await asyncio.to_thread(lambda: "free") == "free"
    assert not any(task.done() for task in waiting)
    gate.touch()
    assert all(await asyncio.gather(*waiting))


# --- never on the event loop -------------------------------------------------------------------------

PARSERS = {"inspect_pdf", "prepare_scan", "images_to_pdf", "pdf_text", "prepare_uploaded_pdf",
           "convert_docx_to_pdf", "parse_package", "check"}


def _parsing_coroutines(path: Path) -> list[str]:
    from tests.unit.test_event_loop import _own_nodes

    found = []
    for function in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(function, ast.AsyncFunctionDef):
            for node in _own_nodes(function):
                if isinstance(node, ast.Call):
                    name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                    if name in PARSERS:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    return found


def test_no_coroutine_parses_an_untrusted_file_on_the_event_loop():
    sources = sorted([*(ROOT / "web").rglob("*.py"), *(ROOT / "commands").rglob("*.py"),
                      *(ROOT / "activities").rglob("*.py")])
    offenders = [where for path in sources for where in _parsing_coroutines(path)]
    assert offenders == [], "await check.off_loop(...) (or asyncio.to_thread for a plain parser)"


# --- .docx drafts: LibreOffice is a separate program, stopped with everything it started ------------


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_docx_conversion_that_hangs_is_killed_with_what_it_started(tmp_path):
    import io
    import zipfile

    from models.outgoing.upload import convert_docx_to_pdf

    started = tmp_path / "started"
    launcher = tmp_path / "soffice"  # like the real one: a launcher that starts the converter and waits
    launcher.write_text(f"#!/bin/sh\nsleep 600 &\necho $! > {started}\nwait\n")
    launcher.chmod(0o755)
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(DomainError) as refused:
        convert_docx_to_pdf(docx.getvalue(), soffice=str(launcher), timeout=2)
    assert refused.value.code == "docx_conversion_failed"
    converter = int(started.read_text())
    for _ in range(100):
        if not _alive(converter):
            break
        time.sleep(0.1)
    assert not _alive(converter)
