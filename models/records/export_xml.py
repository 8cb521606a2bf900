"""``ho-so.xml``: the metadata of an exported hồ sơ and of each of its documents (DOMAIN §3).

Tags are the decree's own (ND30 PL VI Phần II), as DOMAIN §3 lists them: the hồ sơ's fields
(§3.3) under the root ``File``, then one ``Document`` per document in chronological order with
its FileCode, DocOrdinal and the fields of §3.1 (outgoing) or §3.2 (incoming), and ``Files``
naming the package's files of it with their SHA-256. Dates are ISO 8601 (``yyyy-mm-dd``): ND30
fixes no format and this one is XML Schema's ``xs:date``. Empty values are left out. The file is
written element by element (``lxml.etree.xmlfile``), so a hồ sơ of any size takes little memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from models.records.export import ExportPlan, PlannedDocument

SCHEMA_VERSION = "1"


def _append(parent: etree._Element, tag: str, value: Any) -> None:
    """Add ``value`` under ``parent`` as ``tag``: a group for a dict, a repeat (or a ``…List`` of
    items) for a list, text otherwise; nothing for an empty value."""
    if value is None or value == "" or value == [] or value == {}:
        return
    if isinstance(value, dict):
        group = etree.SubElement(parent, tag)
        for key, item in value.items():
            _append(group, key, item)
        if len(group) == 0:
            parent.remove(group)
    elif isinstance(value, list):
        if tag.endswith("List"):
            holder = etree.SubElement(parent, tag)
            for item in value:
                _append(holder, tag[: -len("List")], item)
        else:
            for item in value:
                _append(parent, tag, item)
    else:
        etree.SubElement(parent, tag).text = str(value)


def document_element(plan: ExportPlan, document: PlannedDocument, pages: int, files: list[dict[str, str]]) -> etree._Element:
    """One ``Document``: FileCode from the hồ sơ, DocOrdinal, its fields, PageAmount counted from its file."""
    element = etree.Element("Document", position=str(document.position), direction=document.direction)
    _append(element, "FileCode", plan.record["FileCode"])
    _append(element, "DocOrdinal", document.doc_ordinal)
    for key, value in document.metadata.items():
        _append(element, key, value)
        if key == "Language":
            _append(element, "PageAmount", pages)
    holder = etree.SubElement(element, "Files")
    for item in files:
        etree.SubElement(holder, item.pop("kind"), **item)
    return element


def write_metadata(target: Path, plan: ExportPlan, pages: dict[str, int], files: dict[str, list[dict[str, str]]],
                   *, created_at: str) -> None:
    """Write ``ho-so.xml`` for the plan; ``pages`` and ``files`` are by document id, as built.

    The hồ sơ's DocTotal and PageTotal are what the package holds.
    """
    totals = {"DocTotal": len(plan.documents), "PageTotal": sum(pages.values())}
    with etree.xmlfile(str(target), encoding="utf-8") as xml:
        xml.write_declaration()
        with xml.element("File", schemaVersion=SCHEMA_VERSION):
            head = etree.Element("head")
            for key, value in plan.record.items():
                _append(head, key, value)
                if key == "EndDate":  # DOMAIN §3.3 order: … StartDate, EndDate, DocTotal, PageTotal, Description
                    for total, count in totals.items():
                        _append(head, total, count)
            for child in head:
                xml.write(child)
            with xml.element("Documents"):
                for document in plan.documents:
                    xml.write(document_element(plan, document, pages.get(document.document_id, 0),
                                               files.get(document.document_id, [])))
            xml.write(etree.Element("Export", id=plan.export_id, createdAt=created_at, software="QLVB"))
