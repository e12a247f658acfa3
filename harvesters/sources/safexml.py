"""XML from sources is parsed without DTD entity declarations (no entity expansion bombs).

(rdflib's XML parsers re-implemented: compat entries ``harvest.rdfxml_*`` and
``harvest.trix_*`` in ``compat/registry.py``.)

- RDF/XML and TriX catalogues: rdflib parses them with ``xml.sax`` (expat), which expands
  internal entities — a 1 KB "billion laughs" document took minutes. :func:`install`
  registers rdflib parsers for those formats that use defusedxml's expat reader, which
  refuses any entity declaration (``EntitiesForbidden``) before expanding anything.
  ckanext-dcat's harvesters and RDF parser find them through rdflib's plugin registry.
- XLSX: openpyxl uses defusedxml automatically when it is installed (it is pinned in
  requirements.txt); :mod:`.spreadsheet` also checks that it is.
- WFS exception reports: :func:`exception_text` reads them with defusedxml.
"""

from __future__ import annotations

import contextlib
from typing import Any
from xml.sax import SAXParseException, handler
from xml.sax.handler import ErrorHandler

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from defusedxml.expatreader import DefusedExpatParser
from rdflib import plugin
from rdflib.parser import Parser
from rdflib.plugins.parsers.rdfxml import RDFXMLHandler, RDFXMLParser
from rdflib.plugins.parsers.trix import TriXHandler, TriXParser

RDFXML_NAMES = ("xml", "application/rdf+xml")
TRIX_NAMES = ("trix", "application/trix")


def _expat_reader() -> DefusedExpatParser:
    # forbid_dtd=False: a DOCTYPE alone is harmless; entity declarations are refused
    return DefusedExpatParser(forbid_dtd=False, forbid_entities=True, forbid_external=True)


class DefusedRDFXMLParser(RDFXMLParser):
    """rdflib's RDF/XML parser on defusedxml's expat reader (rdfxml.create_parser)."""

    def parse(self, source: Any, sink: Any, **args: Any) -> None:
        parser = _expat_reader()
        with contextlib.suppress(AttributeError):  # rdflib's workaround for expatreader
            parser.start_namespace_decl("xml", "http://www.w3.org/XML/1998/namespace")
        parser.setFeature(handler.feature_namespaces, 1)
        rdfxml = RDFXMLHandler(sink)
        rdfxml.setDocumentLocator(source)
        parser.setContentHandler(rdfxml)
        parser.setErrorHandler(ErrorHandler())
        preserve_bnode_ids = args.get("preserve_bnode_ids")
        if preserve_bnode_ids is not None:
            rdfxml.preserve_bnode_ids = preserve_bnode_ids
        self._parser = parser
        _parse(parser, source)


def _parse(parser: DefusedExpatParser, source: Any) -> None:
    """Parse; a refused entity declaration is a syntax error (what ckanext-dcat reports)."""
    try:
        parser.parse(source)
    except DefusedXmlException as error:
        raise SAXParseException(
            f"DTD entity declarations are not allowed ({type(error).__name__})", error, parser
        ) from error


class DefusedTriXParser(TriXParser):
    """rdflib's TriX parser on defusedxml's expat reader (trix.create_parser)."""

    def parse(self, source: Any, sink: Any, **args: Any) -> None:
        if not sink.store.context_aware:
            raise ValueError("TriXParser must be given a context aware store.")
        parser = _expat_reader()
        with contextlib.suppress(AttributeError):  # rdflib's workaround for expatreader
            parser.start_namespace_decl("xml", "http://www.w3.org/XML/1998/namespace")
        parser.setFeature(handler.feature_namespaces, 1)
        trix = TriXHandler(sink.store)
        parser.setContentHandler(trix)
        parser.setErrorHandler(ErrorHandler())
        self._parser = parser
        content_handler = parser.getContentHandler()
        preserve_bnode_ids = args.get("preserve_bnode_ids")
        if preserve_bnode_ids is not None:
            content_handler.preserve_bnode_ids = preserve_bnode_ids
        _parse(parser, source)


_installed = False


def install() -> None:
    """Register the defused parsers for rdflib's XML formats (once per process)."""
    global _installed
    if _installed:
        return
    for name in RDFXML_NAMES:
        plugin.register(name, Parser, __name__, "DefusedRDFXMLParser")
    for name in TRIX_NAMES:
        plugin.register(name, Parser, __name__, "DefusedTriXParser")
    _installed = True


def exception_text(data: bytes, limit: int = 200) -> str | None:
    """The ``ExceptionText`` of an OWS exception report (WFS), or None if it is not one."""
    try:
        root = SafeElementTree.fromstring(data[: 256 * 1024])
    except (DefusedXmlException, SafeElementTree.ParseError, ValueError):
        return None
    texts = [
        " ".join((element.text or "").split())
        for element in root.iter()
        if isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] == "ExceptionText"
    ]
    if not texts:
        return None
    text = "; ".join(t for t in texts if t)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
