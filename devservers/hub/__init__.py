"""A local stand-in for the national hub (VDXP), ``qlvb hub``: ``simulator`` (the API of EDXML.md §9.2,
its HTTP routes), ``store`` (its own SQLite file: tables and queries), ``command`` (running it with
uvicorn), ``systems`` (connected systems and their secrets), ``directory`` (its agency directory).
"""
