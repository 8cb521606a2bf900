"""Transport to the national document exchange hub (VDXP, EDXML.md §9).

``signing`` builds and checks the ``XroadVnpt-*`` HMAC headers (§9.3); ``client`` is the async
client of the hub operations (§9.2); ``simulator`` is a local hub with its own SQLite file for
development and tests (``qlvb hub``), seeded by ``systems`` and ``directory``. Packages are opaque
bytes here: building and reading edXML belongs to ``models.edxml``.
"""
