"""The product under real HTTP load (issue 15, «Measure it as users meet it»).

``bench/load/run.py`` seeds a province corpus in bulk (``corpus``), starts the processes production
runs (``processes``: Temporal, ``qlvb worker``, ``qlvb web`` with several uvicorn workers), drives
them with Locust in headless mode from a separate process (``locustfile``) at fixed arrival rates
(``schedule``: an open loop of timed tickets, stepped), with the mix of ``mix``, and reports each
route's p50/p95/p99 against its goal (``report``). ``make bench-load`` runs it.
"""
