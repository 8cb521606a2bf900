"""A ``multipart/form-data`` body (RFC 7578), as a browser sends the intake form with its PDF.

Locust's fast HTTP client sends bytes as they are given; this builds them.
"""

from __future__ import annotations

import uuid


def encode_multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]],
                     boundary: str | None = None) -> tuple[bytes, str]:
    """The body and its ``Content-Type`` header for text ``fields`` and ``files`` (name → filename,
    content, media type)."""
    boundary = boundary or f"----qlvb-load-{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                     + value.encode("utf-8") + b"\r\n")
    for name, (filename, content, media_type) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {media_type}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
