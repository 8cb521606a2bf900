"""Outgoing documents (văn bản đi).

``tables`` (revisions, comments, recipients, status events), ``repo`` (their SQL), ``schema``
(draft form validation), ``drafting`` (ND30 wording), ``render`` (the ND30 PDF with its issuing
fields, ``templates/``), ``upload`` (uploaded PDF/.docx drafts), ``format_checks`` (thể thức
checks), ``delivery`` (an issued document to its recipients), ``recipient_status``
(what each recipient reported), ``compare`` (two revisions side by side).
"""
