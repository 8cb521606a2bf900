"""Digital signatures.

``verification`` (checking a PDF's signatures, the stored verdicts), ``issuing`` (signing
providers, certificate checks, the issuing signatures, remote signing), ``pki`` (trust anchors,
CRL, the demo PKI), ``stamp_images`` (demo signature and seal images).
"""
