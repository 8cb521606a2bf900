"""Backup and restore of an installation: the database and the file store, with a manifest.

A backup is a directory: ``manifest.json`` (format, product version, time, schema revision,
counts, and the SHA-256 of every other file), ``database/`` (an SQLite copy made with the online
backup API, or a ``pg_dump`` archive in custom format) and ``files/`` (the content-addressed blobs,
in the file store's own layout). The database is copied first and the blobs after it: blobs are
written before the rows that name them and never change, so every blob a copied row names is
already in the store; blobs added later are simply extra.

``manifest`` (the manifest and checksums), ``database`` (copying and restoring each backend,
reading a copy), ``repo`` (the live database: is it empty), ``archive`` (taking, verifying,
restoring, the daily copies and their retention), ``wording`` (what is said, in Vietnamese).
"""
