"""``qlvb edxml validate``: check edXML packages the way the exchange hub's receiver does."""

from __future__ import annotations

import json
from pathlib import Path

from cli.wording import complain, say
from config.settings import Settings


def cmd_edxml_validate(args, settings: Settings) -> int:
    """Check edXML packages (EDXML §8.1–8.3): fields as JSON, or the errors; warnings always."""
    from models.exchange.edxml.envelope_signature import verify
    from models.exchange.edxml.summary import package_as_json
    from models.exchange.edxml.validate import check

    status = 0
    for name in args.files:
        try:
            data = Path(name).read_bytes()
        except OSError as error:
            complain(f"Lỗi: không đọc được tệp «{name}» ({error.strerror}).")
            status = 2
            continue
        report = check(data, outgoing=args.outgoing)
        say(f"Tệp «{name}»: " + ("hợp lệ" if report.ok else f"KHÔNG hợp lệ ({len(report.errors)} lỗi)")
            + (f", gói {report.kind}" if report.kind else ""))
        if report.ok:
            say(json.dumps(package_as_json(report.package), ensure_ascii=False, indent=2))
        if report.package is not None:
            signature = verify(data)
            say(f"  Chữ ký phong bì: {signature.state.value} — {signature.reason}")
        for problem in report.errors:
            say(f"  Lỗi: {problem.message_vi}")
        for problem in report.warnings:
            say(f"  Cảnh báo: {problem.message_vi}")
        if not report.ok:
            status = max(status, 1)
    return status
