"""The one way to parse untrusted XML: no DTD, no entities, no network, capped size and depth.

lxml 6 is already safe by default, but the parser is configured explicitly so that an upgrade
or a system libxml2 cannot weaken it (STACK-NOTES §4.1). A DOCTYPE is refused outright: hub
messages never need one (EDXML §1), and with ``resolve_entities=False`` an entity reference
would otherwise read as silently empty text.
"""

from __future__ import annotations

from lxml import etree

from models.exchange.edxml.problems import DEFAULT_LIMITS, EdxmlRejected, Limits

_PROLOG_SCAN = 64 * 1024


class _RefuseEverything(etree.Resolver):
    """Belt and braces: should libxml2 ever ask to load anything, answer with nothing."""

    def resolve(self, system_url, public_id, context):  # noqa: ARG002
        return self.resolve_string("", context)


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_comments=True,
                             remove_pis=True)
    parser.resolvers.add(_RefuseEverything())
    return parser


def parse_untrusted(data: bytes, limits: Limits = DEFAULT_LIMITS) -> etree._Element:
    """Parse ``data`` into an element tree or raise ``EdxmlRejected``.

    Order matters: the size check runs before libxml2 sees a byte; the DOCTYPE and depth checks
    run on the parsed tree, which contains no expanded entity and nothing loaded from outside.
    """
    if len(data) > limits.max_package_bytes:
        raise EdxmlRejected("edxml_too_large", "", f"Gói tin dài {len(data)} byte, tối đa "
                            f"{limits.max_package_bytes} byte.", size=len(data), limit=limits.max_package_bytes)
    if not data.strip():
        raise EdxmlRejected("edxml_malformed", "", "Tệp rỗng, không phải gói tin edXML.")
    # A DOCTYPE can only stand before the root element, so the prolog is enough to look at;
    # refusing here gives one clear answer even where libxml2 would fail on its own first
    # (billion laughs). Other encodings (UTF-16) are caught by the docinfo check below.
    if b"<!DOCTYPE" in data[:_PROLOG_SCAN]:
        raise _doctype()
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        message = str(error.msg or error)
        if "depth" in message.lower():
            raise _too_deep(limits) from None
        if "Text node too long" in message:  # libxml2's 10 MB cap per text node (huge_tree=False)
            raise EdxmlRejected("edxml_too_large", "", "Một tệp đính kèm vượt quá 10 MB sau mã hóa base64 "
                                "(khoảng 7,5 MB tệp gốc), giới hạn của bộ đọc XML an toàn.") from None
        line = error.lineno or 0
        raise EdxmlRejected("edxml_malformed", "", f"Gói tin không đúng cú pháp XML (dòng {line}): {message}",
                            line=line) from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise _doctype()
    if _depth(root) > limits.max_depth:
        raise _too_deep(limits)
    return root


def _doctype() -> EdxmlRejected:
    return EdxmlRejected("edxml_doctype", "", "Gói tin có khai báo DOCTYPE hoặc thực thể (ENTITY), "
                         "không được chấp nhận vì lý do an toàn.")


def _too_deep(limits: Limits) -> EdxmlRejected:
    return EdxmlRejected("edxml_too_deep", "", f"Gói tin lồng quá sâu (quá {limits.max_depth} cấp).",
                         limit=limits.max_depth)


def _depth(root: etree._Element) -> int:
    """Deepest nesting level (the root is 1), without recursion."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in element)
    return deepest
