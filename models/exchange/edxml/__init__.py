"""edXML (QCVN 102:2016): the package format of the national document exchange hub.

Pure library code: bytes in, dataclasses out, and back. No database, no Temporal, no web.

* ``parse.parse_package``   bytes → ``EdocPackage`` / ``StatusPackage`` + warnings (accepts the
  quirks of packages found in the wild, see ``parse`` and the samples README);
* ``build.build_package``   package → bytes, always in the canonical form;
* ``validate.validate``     field-precise Vietnamese problems (ND30 PL VI lengths, spec rules);
* ``validate.check``        parse + validate in one call, never raises for bad input;
* ``envelope_signature``    XML-DSig sign (RSA-SHA256) and verify (valid / invalid /
  not_verifiable / absent);
* ``document_id``           the mã định danh văn bản ``<organ>,<yyyy/MM/dd>,<số>/<ký hiệu>``;
* ``zipped``                zipped attachments, checked before anything is extracted;
* ``safe_xml``              the hardened parser every untrusted byte goes through.

Spec: ``EDXML.md`` (section numbers in docstrings refer to it) and DOMAIN.md §3, §5.6, §8.3–8.4.
"""
