"""Write operations, one command per operation, shared by the browser pages and API v1.

Each command checks who may act (``models.documents.access``, task candidacy), validates its
input so bad input changes nothing, owns its one transaction (``models.db.transaction``) with the
audit event inside, and starts or signals workflows only after the commit
(``workflows.starter``). Route modules in ``web/`` only parse the request, call a command and
render its result; they hold no SQL and no business rule.

``auth`` (login, logout, password change), ``intake`` (incoming uploads, paper scans, metadata
suggestions), ``tasks`` (claiming, decisions, progress, rerouting), ``drafting`` (drafts,
revisions, comments, submission, comparison), ``signing`` (the official's signature: PKCS#12,
token, remote), ``recall``, ``recipients`` (adding recipients to an issued document), ``admin``
(accounts, process definitions, the working-day calendar).
"""
