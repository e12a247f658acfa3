"""Linear-time RDF/XML and JSON-LD writers for catalogue pages.

rdflib's ``pretty-xml`` and ``json-ld`` serializers walk the whole graph
several times (nesting blank nodes, compacting, checking lists); on a
100-record catalogue page that is most of a second. Like :mod:`.turtle`, these
writers emit the graph as it is, one node per subject, in one pass:

* **RDF/XML**: ``<rdf:Description rdf:about|rdf:nodeID>`` per subject, one
  property element per triple (``rdf:resource``, ``rdf:nodeID`` or text with
  ``xml:lang`` / ``rdf:datatype``). A predicate outside the fixed prefixes gets
  its namespace declared on its own element.
* **JSON-LD**: a ``@context`` of the fixed prefixes and a ``@graph`` of node
  objects (compact IRIs for properties and types, full IRIs for ``@id``,
  ``{"@value", "@language" | "@type"}`` for literals; blank nodes as ``_:``
  labels). The same ``@id`` may appear in several node objects (two records
  with the same publisher): JSON-LD merges them.

Each writer has a ``body`` (the triples of a graph, written so that bodies of
different graphs can be concatenated — the per-record fragments of
:mod:`.fragments`) and a ``document`` (header + bodies + footer).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.stores.memory import SimpleMemory

_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
# Characters XML 1.0 cannot carry at all (rdflib's XML serializer fails on them too).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
RDF_NS = str(RDF)


def by_subject(graph: Graph):
    """(subject, [(predicate, objects)]) for every subject of ``graph``.

    For rdflib's ``SimpleMemory`` store (the per-record graphs of
    :mod:`.fragments`) its subject-predicate-object index is read directly:
    it already is this grouping, and going through ``Graph.triples`` cost
    about as much as writing the output. Other stores: grouped from the triples.
    """
    store = graph.store
    spo = getattr(store, "_SimpleMemory__spo", None)
    if type(store) is SimpleMemory and isinstance(spo, dict):
        for subject, predicates in spo.items():
            pairs = [(predicate, objects) for predicate, objects in predicates.items() if objects]
            if pairs:
                yield subject, pairs
        return
    grouped: dict = defaultdict(lambda: defaultdict(list))
    for subject, predicate, obj in graph:
        grouped[subject][predicate].append(obj)
    for subject, predicates in grouped.items():
        yield subject, list(predicates.items())


def _ordered(namespaces) -> list[tuple[str, str]]:
    """Longest namespace first, so the most specific prefix wins."""
    return sorted(((p, str(n)) for p, n in namespaces if p), key=lambda item: -len(item[1]))


def _bnode_label(node: BNode) -> str:
    return "b" + re.sub(r"[^A-Za-z0-9]", "", str(node))


def _split(uri: str, prefixes: list[tuple[str, str]]) -> tuple[str | None, str, str]:
    """(prefix or None, namespace, local name) with an NCName local name."""
    for prefix, namespace in prefixes:
        if uri.startswith(namespace) and _NCNAME.match(uri[len(namespace) :]):
            return prefix, namespace, uri[len(namespace) :]
    match = re.search(r"[A-Za-z_][A-Za-z0-9_.-]*$", uri)
    if not match or match.start() == 0:
        raise ValueError(f"RDF/XML cannot write the property {uri!r} (no XML local name)")
    return None, uri[: match.start()], uri[match.start() :]


# ------------------------------------------------------------------ RDF/XML


def xml_header(namespaces) -> str:
    declared = dict(_ordered(namespaces))
    declared["rdf"] = RDF_NS
    attributes = "".join(
        f"\n   xmlns:{prefix}={quoteattr(namespace)}"
        for prefix, namespace in sorted(declared.items())
    )
    return f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF{attributes}>\n'


XML_FOOTER = "</rdf:RDF>\n"


def _xml_text(value: str) -> str:
    return escape(_XML_INVALID.sub("\ufffd", value))


def xml_body(graph: Graph, namespaces, cache: dict | None = None) -> str:
    """The triples of ``graph`` as ``rdf:Description`` elements."""
    prefixes = _ordered(namespaces)
    names = {} if cache is None else cache  # predicate -> (open tag, close tag)

    def element(predicate: URIRef) -> tuple[str, str]:
        found = names.get(predicate)
        if found is None:
            prefix, namespace, local = _split(str(predicate), prefixes)
            if prefix is None:
                found = (f"ns0:{local} xmlns:ns0={quoteattr(namespace)}", f"ns0:{local}")
            else:
                found = (f"{prefix}:{local}", f"{prefix}:{local}")
            names[predicate] = found
        return found

    out = []
    for subject, predicates in by_subject(graph):
        if isinstance(subject, BNode):
            out.append(f'<rdf:Description rdf:nodeID="{_bnode_label(subject)}">\n')
        else:
            out.append(f"<rdf:Description rdf:about={quoteattr(str(subject))}>\n")
        for predicate, objects in predicates:
            opening, closing = element(predicate)
            for obj in objects:
                if isinstance(obj, URIRef):
                    out.append(f"  <{opening} rdf:resource={quoteattr(str(obj))}/>\n")
                elif isinstance(obj, BNode):
                    out.append(f'  <{opening} rdf:nodeID="{_bnode_label(obj)}"/>\n')
                else:
                    attribute = ""
                    if obj.language:
                        attribute = f' xml:lang="{obj.language}"'
                    elif obj.datatype:
                        attribute = f" rdf:datatype={quoteattr(str(obj.datatype))}"
                    out.append(f"  <{opening}{attribute}>{_xml_text(str(obj))}</{closing}>\n")
        out.append("</rdf:Description>\n")
    return "".join(out)


def xml_document(graph: Graph) -> str:
    namespaces = list(graph.namespaces())
    return xml_header(namespaces) + xml_body(graph, namespaces) + XML_FOOTER


# ------------------------------------------------------------------ JSON-LD


def jsonld_header(namespaces) -> str:
    context = dict(sorted(_ordered(namespaces)))
    return '{"@context": ' + json.dumps(context, ensure_ascii=False) + ',\n"@graph": [\n'


JSONLD_FOOTER = "\n]}\n"


def jsonld_body(graph: Graph, namespaces, cache: dict | None = None) -> str:
    """The triples of ``graph`` as JSON-LD node objects, comma-separated
    (no brackets: bodies of several graphs join with ``",\\n"``)."""
    prefixes = _ordered(namespaces)
    compact = {} if cache is None else cache  # IRI -> compact IRI

    def term(uri: URIRef) -> str:
        found = compact.get(uri)
        if found is None:
            text = str(uri)
            found = text
            for prefix, namespace in prefixes:
                if text.startswith(namespace) and _NCNAME.match(text[len(namespace) :]):
                    found = f"{prefix}:{text[len(namespace) :]}"
                    break
            compact[uri] = found
        return found

    def node_id(node) -> str:
        return "_:" + _bnode_label(node) if isinstance(node, BNode) else str(node)

    def value(obj) -> dict:
        if isinstance(obj, Literal):
            out = {"@value": str(obj)}
            if obj.language:
                out["@language"] = obj.language
            elif obj.datatype:
                out["@type"] = str(obj.datatype)
            return out
        return {"@id": node_id(obj)}

    nodes = []
    for subject, predicates in by_subject(graph):
        node: dict = {"@id": node_id(subject)}
        for predicate, objects in predicates:
            if predicate == RDF.type and all(isinstance(o, URIRef) for o in objects):
                node["@type"] = [term(o) for o in objects]
            else:
                node[term(predicate)] = [value(o) for o in objects]
        nodes.append(json.dumps(node, ensure_ascii=False))
    return ",\n".join(nodes)


def jsonld_document(graph: Graph) -> str:
    namespaces = list(graph.namespaces())
    return jsonld_header(namespaces) + jsonld_body(graph, namespaces) + JSONLD_FOOTER
