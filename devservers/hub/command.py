"""``qlvb hub``: run the hub simulator (``devservers.hub.simulator`` over ``devservers.hub.store``) with uvicorn.

Data lives under ``var/hub/`` (``hub.db``, ``systems.json``). Unless ``--no-demo`` is given, the
demo systems (this installation and "Bộ Nội vụ") and the demo directory are registered first;
then the systems of ``--seed`` files and ``--system`` pairs, which win on a conflicting code.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

HELP = "chạy trục liên thông văn bản mô phỏng (VDXP) để phát triển và kiểm thử"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``qlvb hub``; the help text is Vietnamese like the rest of the command."""
    parser.add_argument("--port", type=int, metavar="CỔNG",
                        help="cổng lắng nghe (mặc định QLVB_HUB_SIMULATOR_PORT, 8090)")
    parser.add_argument("--system", action="append", default=[], metavar="MÃ:KHÓA:MÃ_CƠ_QUAN[,MÃ_CƠ_QUAN]",
                        help="đăng ký một hệ thống kết nối: mã hệ thống, khóa bí mật và các mã định danh "
                             "cơ quan mà hệ thống nhận văn bản thay; lặp lại để đăng ký nhiều hệ thống")
    parser.add_argument("--seed", action="append", default=[], type=Path, metavar="TỆP",
                        help='đăng ký các hệ thống từ tệp JSON hoặc TOML: {"systems": [{"id", "secret", "organs"}]}')
    parser.add_argument("--no-demo", action="store_true",
                        help="không đăng ký hệ thống và danh bạ cơ quan mẫu (var/hub/systems.json)")
    parser.add_argument("--prepare-only", action="store_true",
                        help="chỉ tạo cơ sở dữ liệu và đăng ký hệ thống, không chạy máy chủ")


def prepare(args, settings):
    """Create the store and register systems and the directory; return the store."""
    from devservers.hub.directory import demo_directory
    from devservers.hub.store import HubStore
    from devservers.hub.systems import demo_systems
    from models.exchange.hub_systems import load_seed, parse_system

    systems = [] if args.no_demo else demo_systems(settings)
    for path in args.seed:
        systems += load_seed(path)
    systems += [parse_system(text) for text in args.system]
    store = HubStore(settings.hub_simulator_db or settings.hub_dir / "hub.db")
    for system in systems:
        store.register_system(system)
    if not args.no_demo:
        store.seed_directory(demo_directory())
    return store, systems


def run(args, settings) -> int:
    """Prepare, then serve until Ctrl-C or SIGTERM (uvicorn stops cleanly on both)."""
    import uvicorn

    from devservers.hub.simulator import create_app
    from models.exchange.hub_systems import SystemConfigError

    try:
        store, systems = prepare(args, settings)
    except SystemConfigError as error:
        sys.stderr.write(f"Lỗi: {error}\n")
        return 2
    port = args.port or settings.hub_simulator_port
    sys.stdout.write(f"Trục mô phỏng: {len(systems)} hệ thống, dữ liệu trong {store.path}\n")
    sys.stdout.flush()
    if args.prepare_only:
        return 0
    app = create_app(store, max_skew=timedelta(seconds=settings.hub_max_skew_seconds))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
    return 0
