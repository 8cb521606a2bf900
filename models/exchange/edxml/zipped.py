"""Zipped attachments: every check runs on the ZIP directory BEFORE a byte is extracted.

Real packages wrap attachments in ZIPs (EDXML §6; the reference set's ZIP even holds another
package). A ZIP from outside may be a bomb or carry hostile names, so (EDXML §6 "Safety"):
member count, declared total size, per-member and overall expansion ratio, and names (no
absolute paths, no ``..``, no drive letters, no directories, no symlinks) are checked from the
central directory first; extraction then happens in memory only, reading each member with a
hard cap in case the directory lies about sizes. Nothing is ever written to disk.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib

from models.exchange.edxml.package import UnpackedFile
from models.exchange.edxml.problems import DEFAULT_LIMITS, EdxmlRejected, Limits

ZIP_MAGIC = b"PK\x03\x04"
_DRIVE = re.compile(r"^[A-Za-z]:")


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def _refuse(name: str, reason: str, path: str) -> EdxmlRejected:
    return EdxmlRejected("edxml_zip_refused", path, f"Tệp nén đính kèm «{name}» bị từ chối: {reason}.",
                         name=name, reason=reason)


def unsafe_member_name(member: str) -> str | None:
    """Why a member name is refused, or None. Backslashes count as separators (Windows ZIPs)."""
    name = member.replace("\\", "/")
    if not name or name.startswith("/") or _DRIVE.match(name):
        return f"đường dẫn tuyệt đối «{member}»"
    if ".." in name.split("/"):
        return f"đường dẫn chứa «..» («{member}»)"
    if "/" in name.rstrip("/"):
        return f"tên tệp có thư mục «{member}»"
    if "\x00" in name:
        return f"tên tệp có ký tự không hợp lệ «{member!r}»"
    return None


def inspect_zip(data: bytes, *, name: str = "", path: str = "",
                limits: Limits = DEFAULT_LIMITS) -> list[zipfile.ZipInfo]:
    """Check the central directory and return the file members; raise ``EdxmlRejected``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, ValueError, EOFError) as error:
        # an unknown "zip file version" is a NotImplementedError (found by fuzzing)
        raise _refuse(name, f"không đọc được ({error})", path) from None
    if len(infos) > limits.max_zip_members:
        raise _refuse(name, f"có {len(infos)} tệp, tối đa {limits.max_zip_members}", path)
    members, total, compressed = [], 0, 0
    for info in infos:
        reason = unsafe_member_name(info.filename)
        if reason:
            raise _refuse(name, reason, path)
        if info.is_dir():
            continue  # a bare directory entry carries nothing
        if stat.S_ISLNK(info.external_attr >> 16):
            raise _refuse(name, f"«{info.filename}» là liên kết tượng trưng", path)
        if info.flag_bits & 0x1:
            raise _refuse(name, f"«{info.filename}» được mã hóa", path)
        if info.file_size > limits.max_attachment_bytes:
            raise _refuse(name, f"«{info.filename}» giải nén ra {info.file_size} byte, tối đa "
                                f"{limits.max_attachment_bytes}", path)
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_zip_ratio:
            raise _refuse(name, f"«{info.filename}» có tỷ lệ nén {ratio:.0f}:1, nghi là bom nén "
                                f"(tối đa {limits.max_zip_ratio}:1)", path)
        total += info.file_size
        compressed += info.compress_size
        members.append(info)
    if total > limits.max_zip_total_bytes:
        raise _refuse(name, f"tổng dung lượng giải nén {total} byte, tối đa {limits.max_zip_total_bytes}", path)
    if total / max(compressed, 1) > limits.max_zip_ratio:
        raise _refuse(name, "tỷ lệ nén tổng thể quá lớn, nghi là bom nén", path)
    return members


def unpack(data: bytes, *, name: str = "", path: str = "",
           limits: Limits = DEFAULT_LIMITS) -> tuple[UnpackedFile, ...]:
    """Extract the members of a checked ZIP into memory.

    Each member is read in chunks and abandoned as soon as it passes its declared size: the
    directory is what we checked, so a member that inflates beyond it is refused too.
    """
    members = inspect_zip(data, name=name, path=path, limits=limits)
    archive = zipfile.ZipFile(io.BytesIO(data))
    files = []
    for info in members:
        chunks, size = [], 0
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(1 << 16):
                    size += len(chunk)
                    if size > info.file_size:
                        raise _refuse(name, f"«{info.filename}» dài hơn kích thước khai báo", path)
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError, ValueError) as error:
            # damaged deflate data is a zlib.error (found by fuzzing): refused like any unreadable member
            raise _refuse(name, f"«{info.filename}» không giải nén được ({error})", path) from None
        files.append(UnpackedFile(info.filename, b"".join(chunks)))
    return tuple(files)
