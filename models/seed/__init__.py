"""Demo and profile data loaded by ``qlvb seed`` / ``qlvb run`` (idempotent).

``demo`` loads it, ``data`` is the demo organisation and accounts, ``profiles`` the other
installations' variants (the ministry of the two-installations guide).
"""
