"""Documents, their files and their search index.

``tables`` (Document, StoredFile, DocumentFile, Assignment), ``repo`` (intake and lookups),
``schema`` (metadata validation at the input boundary), ``access`` (who may see what),
``types`` / ``types_repo`` (document types as data), ``file_store`` (content-addressed blobs),
``pdf_checks``, ``text_extract`` and ``digitise`` (rules on uploaded files and paper scans),
``search`` (folding, index tables, query shape) and ``search_repo`` (its SQL).
"""
