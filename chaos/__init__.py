"""``make chaos``: the whole product under load while its processes are killed, then its invariants.

``cluster`` starts and restarts the processes (a private PostgreSQL cluster or SQLite files, the
Temporal dev server, the hub simulator, two installations' web apps and workers), ``load`` drives
the API v1 as people would, ``invariants`` reads the databases and Temporal afterwards, and ``run``
ties them together and prints the tables. Run ``python -m chaos.run --help``.
"""
