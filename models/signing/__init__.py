"""Digital signatures: making them, checking them, and the keys and anchors behind both.

``providers`` (where a key lives: PKCS#12, PKCS#11), ``certificates`` (is a certificate fit to
sign now), ``pades`` (the shared PAdES steps and field names), ``issuing`` (the official's, the
number and date, the agency's and the attachment's signatures), ``remote`` (hash-only signing),
``verification`` (checking a PDF's signatures), ``tables`` / ``repo`` (stored verdicts), ``pki``
(trust anchors and where the key files live). Development only: ``demo_pki`` (a CA that makes
signatures testable) and ``demo_stamps`` (its signature and seal images).
"""
