"""Documents, their files and their search index.

``tables`` (Document, StoredFile, DocumentFile, Assignment), ``repo`` (intake and lookups),
``schema`` (metadata validation at the input boundary), ``access`` (who may see what),
``types`` / ``types_repo`` (document types as data), ``file_store`` (content-addressed blobs),
``pdf_checks`` and ``text_extract`` (rules on uploaded files), ``scans`` (paper scans to one PDF),
``suggestions`` (registration suggestions from OCR text), ``digitise`` (the digitising progress row),
``search`` (folding, index tables, query shape) and ``search_repo`` (its SQL).
"""
