"""Coverage-guided fuzz targets (atheris), one module per parser of untrusted input.

Each module defines ``check(data: bytes) -> None``: it feeds the bytes to the parser the way the
product does (in this process, the body of the isolated check) and lets through only the
parser's typed refusal. Anything else it raises is a crash. ``make fuzz`` runs every target for
``FUZZ_SECONDS``; a crash found is copied into ``tests/fuzz_corpus/<target>/`` and
``tests/unit/test_fuzz_corpus.py`` replays every file there through the same ``check`` on each
``make test``. ``fuzz/make_seeds.py`` writes the seed inputs.
"""

TARGETS = ("pdf_intake", "outgoing_pdf", "scan_images", "metadata", "edxml")
