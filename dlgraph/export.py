"""Write the concept graph, or a part of it, in the formats other tools read.

One writer per format, each a function ``write_<format>(selection, out)`` that only writes: ``out`` is
a binary stream for single-file formats and an empty folder for folder formats. :func:`export` wraps a
writer so that the destination appears complete or not at all (temp file or folder, then rename) and
is never overwritten without ``force``. Where a library is made for a format it does the writing
(networkx for JSON/GraphML/GEXF, rdflib for Turtle, genanki for Anki packages).

Every format keeps names exact, however odd (``L1/L2 (weight decay)``, ``Attention(Q,K,V)``, quotes,
newlines), and passes text through its own function of :mod:`dlgraph.escape`, so that markup, script,
controls, directives or formulas in a name or definition stay text. Where the output goes (stdout, a
device, a new file, a replaced one, a folder swapped in whole) is :mod:`dlgraph.outputs`' business.

Examples
--------
>>> from dlgraph import store
>>> from dlgraph.graph import ConceptGraph
>>> cg = ConceptGraph(store.load(store.bundled_data_dir()))
>>> part = select(cg, prereqs="mask-r-cnn", topic="object-detection")
>>> len(part.concepts), len(part.relations)
(17, 34)
>>> [cg.name(cid) for cid in study_order(part)][-4:]
['RoI Align', 'Fast R-CNN', 'Faster R-CNN', 'Mask R-CNN']
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any, NamedTuple

import networkx as nx

from . import escape, graph, outputs, store
from .errors import DlgraphError, UsageError
from .graph import ConceptGraph
from .report import count as count_of
from .vocabulary import FAMILIES, RELATION_TYPES, TOPICS

# --- what to export -----------------------------------------------------------------------------


class Selection:
    """The part of a graph an export covers: some concepts and every relation between two of them."""

    def __init__(self, cg: ConceptGraph, ids: Iterable[str]):
        self.cg = cg
        self.ids = frozenset(ids)
        self.concepts = sorted((cg.concepts[cid] for cid in self.ids), key=lambda c: c["id"])
        self.relations = sorted(
            (r for r in cg.dataset.relations if r["source"] in self.ids and r["target"] in self.ids),
            key=store.relation_sort_key,
        )


def whole(cg: ConceptGraph) -> Selection:
    return Selection(cg, cg.concepts)


def select(
    cg: ConceptGraph,
    *,
    focus: str | None = None,
    depth: int = 1,
    topic: str | None = None,
    prereqs: str | None = None,
) -> Selection:
    """The concepts that pass every filter given; no filter means the whole graph.

    ``focus`` keeps concepts within ``depth`` relations of it (either direction, any type);
    ``topic`` keeps one topic; ``prereqs`` keeps a concept and everything to study before it.
    """
    ids = set(cg.concepts)
    if focus is not None:
        if depth < 0:
            raise UsageError("--depth must be 0 or more")
        ids &= graph.neighbourhood(cg, cg.resolve(focus), depth)
    if topic is not None:
        ids &= graph.topic_members(cg, topic)
    if prereqs is not None:
        target = cg.resolve(prereqs)
        ids &= nx.descendants(cg.prereq, target) | {target}
    if not ids:
        raise UsageError("no concept passes all the filters given; drop one or widen --depth")
    return Selection(cg, ids)


def study_order(sel: Selection) -> list[str]:
    """The selected concepts, every one after its prerequisites; alphabetical within a layer.

    Layer by layer, as :func:`dlgraph.graph.prerequisites` orders one concept's prerequisites.
    """
    return graph.layered_order(sel.cg, sel.cg.prereq.subgraph(sel.ids))


def direct_prerequisites(cg: ConceptGraph, cid: str) -> list[str]:
    """Names of what ``cid`` needs directly, alphabetically (from the whole graph, not the selection)."""
    return sorted((cg.name(p) for p in cg.prereq.successors(cid)), key=str.casefold)


def to_networkx(sel: Selection, *, flat: bool = False) -> nx.MultiDiGraph:
    """The selection as one attributed networkx graph: nodes keyed by concept id, edges by type.

    ``flat`` makes every attribute a string XML can carry, as GraphML and GEXF require: aliases
    become a JSON array text, a missing card is left out, text goes through :func:`escape.xml`, and
    an edge's key becomes ``source:type:target`` because those formats need edge ids unique in the
    whole file.
    """
    text = escape.xml if flat else _same
    g = nx.MultiDiGraph(name="dlgraph")
    for c in sel.concepts:
        attrs = {
            "name": text(c["name"]),
            "label": text(c["name"]),  # what Gephi, yEd and Cytoscape show on a node
            "aliases": text(json.dumps(c["aliases"], ensure_ascii=False)) if flat else list(c["aliases"]),
            "topic": text(c["topic"]),
            "kind": text(c["kind"]),
            "definition": text(c["definition"]),
            "card": text(c["card"]) if c["card"] is not None else None,
        }
        if flat and attrs["card"] is None:
            del attrs["card"]
        g.add_node(text(c["id"]), **attrs)
    for r in sel.relations:
        spec = RELATION_TYPES[r["type"]]
        source, target = text(r["source"]), text(r["target"])
        key = f"{source}:{r['type']}:{target}" if flat else r["type"]
        # "relation" rather than "type": GEXF reserves an edge's type for directed/undirected.
        extra = {"reference": text(r["reference"])} if "reference" in r else {}
        g.add_edge(
            source,
            target,
            key=key,
            relation=r["type"],
            label=spec.label,
            family=spec.family,
            evidence=text(r["evidence"]),
            origin=text(r["origin"]),
            **extra,
        )
    return g


def _same(text: str) -> str:
    return text


# --- networkx formats -----------------------------------------------------------------------------


def write_json(sel: Selection, out: IO[bytes]) -> None:
    """networkx node-link JSON (``edges`` key), read back by ``nx.node_link_graph(data, edges="edges")``."""
    data = nx.node_link_data(to_networkx(sel), edges="edges")
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    out.write(escape.json_for_script(text).encode("utf-8") + b"\n")


def write_graphml(sel: Selection, out: IO[bytes]) -> None:
    """GraphML for yEd, Cytoscape and Gephi; keys named after the attributes so the file reads well."""
    nx.write_graphml(to_networkx(sel, flat=True), out, encoding="utf-8", named_key_ids=True)


def write_gexf(sel: Selection, out: IO[bytes]) -> None:
    """GEXF 1.2 for Gephi; nodes and edges carry their labels, so Gephi shows names, not ids."""
    nx.write_gexf(to_networkx(sel, flat=True), out, encoding="utf-8")


#: What card text could bring into an XML file that XML 1.0 forbids, as UTF-8: C0 controls but
#: tab, newline and CR, and the non-characters U+FFFE and U+FFFF.
_XML_FORBIDDEN_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_XML_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")


def check_xml(handle: IO[bytes]) -> None:
    """Raise unless ``handle`` is free of characters XML 1.0 forbids: no success on a broken file.

    The markup is networkx's; what could break it is card text, so the check looks for what
    :func:`escape.xml` exists to remove (at memory speed; a second parse would cost as much as the write).
    """
    size = 1 << 20
    while chunk := handle.read(size):
        if len(chunk.translate(None, _XML_FORBIDDEN_BYTES)) != len(chunk) or any(
            seq in chunk for seq in _XML_NONCHARACTERS
        ):
            raise DlgraphError(
                "the XML written holds a character XML 1.0 forbids; nothing was written. Please report it"
            )
        if len(chunk) < size:
            break
        handle.seek(-2, os.SEEK_CUR)  # so that a 3-byte sequence split between two chunks is seen


# --- Graphviz and Mermaid ---------------------------------------------------------------------------

FAMILY_COLORS: dict[str, str] = {
    "lineage": "#c0392b",
    "composition": "#2471a3",
    "taxonomy": "#7d3c98",
    "association": "#7f8c8d",
}


def write_dot(sel: Selection, out: IO[bytes]) -> None:
    """Graphviz DOT: one cluster per topic, edges labelled with their relation and coloured by family.

    ``newrank`` lets dot rank nodes across clusters; without it dot 2.43 fails on this many
    edges between clusters ("trouble in init_rank").
    """
    by_topic: dict[str, list[dict[str, Any]]] = {}
    for c in sel.concepts:
        by_topic.setdefault(c["topic"], []).append(c)
    lines = [
        "digraph dlgraph {",
        '  graph [rankdir=LR, newrank=true, fontname="Helvetica"];',
        '  node [shape=box, style="rounded,filled", fillcolor="#f4f6f7", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for topic in sorted(by_topic):
        title = TOPICS.get(topic, topic).split(":")[0]
        lines.append(f"  subgraph {escape.dot('cluster_' + topic)} {{")
        lines.append(f"    label={escape.dot(title)};")
        for c in by_topic[topic]:
            tooltip = escape.dot(" ".join(c["definition"].split()))
            lines.append(f"    {escape.dot(c['id'])} [label={escape.dot(c['name'])}, tooltip={tooltip}];")
        lines.append("  }")
    for r in sel.relations:
        spec = RELATION_TYPES[r["type"]]
        style = ", dir=both" if spec.symmetric else ""
        lines.append(
            f"  {escape.dot(r['source'])} -> {escape.dot(r['target'])} "
            f'[label={escape.dot(spec.label)}, color="{FAMILY_COLORS[spec.family]}"{style}];'
        )
    lines.append("}")
    out.write(("\n".join(lines) + "\n").encode("utf-8"))


def mermaid_id(cid: str) -> str:
    """A Mermaid node id: a prefix so that ids like ``end`` are never keywords, underscores for dashes.

    Concept ids are slugs (no underscores), so the mapping is one-to-one.
    """
    return "c_" + cid.replace("-", "_")


def _counts(sel: Selection) -> str:
    return f"{count_of(len(sel.concepts), 'concept')}, {count_of(len(sel.relations), 'relation')}"


def write_mermaid(sel: Selection, out: IO[bytes]) -> None:
    """A Mermaid flowchart: a line per concept, then exactly one line per relation."""
    lines = [f"%% dlgraph: {_counts(sel)}", "flowchart LR"]
    lines += [f'  {mermaid_id(c["id"])}["{escape.mermaid(c["name"])}"]' for c in sel.concepts]
    for r in sel.relations:
        label = escape.mermaid(RELATION_TYPES[r["type"]].label)
        lines.append(f'  {mermaid_id(r["source"])} -->|"{label}"| {mermaid_id(r["target"])}')
    out.write(("\n".join(lines) + "\n").encode("utf-8"))


# --- RDF ------------------------------------------------------------------------------------------

#: URNs rather than web addresses: the vocabulary is dlgraph's own and claims no domain.
VOCAB_NS = "urn:dlgraph:vocab:"
CONCEPT_NS = "urn:dlgraph:concept:"
TOPIC_NS = "urn:dlgraph:topic:"
RELATION_NS = "urn:dlgraph:relation:"
SCHEME = "urn:dlgraph:scheme"


def write_turtle(sel: Selection, out: IO[bytes]) -> None:
    """RDF Turtle: concepts as SKOS concepts, relation types as properties of a small dlgraph vocabulary.

    Each relation is a direct triple (``c:mask-r-cnn dlg:extends c:faster-r-cnn``) so SPARQL property
    paths can walk lineages, plus a reified ``rdf:Statement`` holding its evidence and origin.
    Each type is a sub-property of its family's property and of the nearest SKOS relation.
    """
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import OWL, RDF, RDFS, SKOS

    dlg, con, top, rel = (Namespace(ns) for ns in (VOCAB_NS, CONCEPT_NS, TOPIC_NS, RELATION_NS))
    g = Graph()
    for prefix, ns in (("dlg", dlg), ("c", con), ("topic", top), ("rel", rel), ("skos", SKOS)):
        g.bind(prefix, ns)
    scheme = URIRef(SCHEME)
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add((scheme, SKOS.prefLabel, Literal("dlgraph concept graph")))
    for family in FAMILIES:
        g.add((dlg[family], RDF.type, OWL.ObjectProperty))
        g.add((dlg[family], RDFS.subPropertyOf, SKOS.semanticRelation))
        g.add((dlg[family], RDFS.label, Literal(f"{family} relation")))
    skos_parent = {"is-a": SKOS.broader, "related-to": SKOS.related, "alternative-to": SKOS.related}
    for name, spec in RELATION_TYPES.items():
        prop = dlg[name]
        g.add((prop, RDF.type, OWL.SymmetricProperty if spec.symmetric else OWL.ObjectProperty))
        g.add((prop, RDFS.label, Literal(spec.label)))
        g.add((prop, dlg.inverseLabel, Literal(spec.inverse)))
        g.add((prop, RDFS.comment, Literal(spec.description)))
        g.add((prop, RDFS.subPropertyOf, dlg[spec.family]))
        g.add((prop, RDFS.subPropertyOf, skos_parent.get(name, SKOS.semanticRelation)))
        if spec.prerequisite:
            g.add((prop, dlg.studyFirst, Literal(spec.prerequisite)))
    for c in sel.concepts:
        node = con[c["id"]]
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, SKOS.inScheme, scheme))
        g.add((node, SKOS.prefLabel, Literal(c["name"])))
        for alias in c["aliases"]:
            g.add((node, SKOS.altLabel, Literal(alias)))
        g.add((node, SKOS.definition, Literal(c["definition"])))
        g.add((node, dlg.kind, Literal(c["kind"])))
        g.add((node, dlg.topic, top[c["topic"]]))
        g.add((top[c["topic"]], SKOS.member, node))
        if c["card"] is not None:
            g.add((node, dlg.card, Literal(c["card"])))
    for topic in sorted({c["topic"] for c in sel.concepts}):
        g.add((top[topic], RDF.type, SKOS.Collection))
        g.add((top[topic], SKOS.prefLabel, Literal(TOPICS.get(topic, topic))))
    for r in sel.relations:
        source, prop, target = con[r["source"]], dlg[r["type"]], con[r["target"]]
        g.add((source, prop, target))
        statement = rel[f"{r['source']}:{r['type']}:{r['target']}"]
        g.add((statement, RDF.type, RDF.Statement))
        g.add((statement, RDF.subject, source))
        g.add((statement, RDF.predicate, prop))
        g.add((statement, RDF.object, target))
        g.add((statement, dlg.evidence, Literal(r["evidence"])))
        g.add((statement, dlg.origin, Literal(r["origin"])))
        if "reference" in r:
            g.add((statement, dlg.reference, Literal(r["reference"])))
    out.write(escape.turtle(g.serialize(format="turtle")).encode("utf-8"))


# --- Neo4j ----------------------------------------------------------------------------------------


def cypher_type(relation_type: str) -> str:
    """Neo4j's relationship type convention: ``improves-on`` -> ``IMPROVES_ON``."""
    return relation_type.upper().replace("-", "_")


def write_cypher(sel: Selection, out: IO[bytes]) -> None:
    """A Cypher script (``cypher-shell -f``): one MERGE per concept, then one per relation.

    MERGE rather than CREATE, so running the script twice updates the graph instead of doubling it.
    """
    lines = [
        f"// dlgraph: {_counts(sel)}",
        "CREATE CONSTRAINT concept_id IF NOT EXISTS FOR (c:Concept) REQUIRE c.id IS UNIQUE;",
    ]
    for c in sel.concepts:
        aliases = "[" + ", ".join(escape.cypher(a) for a in c["aliases"]) + "]"
        card = escape.cypher(c["card"]) if c["card"] is not None else "null"
        lines.append(
            f"MERGE (c:Concept {{id: {escape.cypher(c['id'])}}}) SET c.name = {escape.cypher(c['name'])}, "
            f"c.aliases = {aliases}, c.topic = {escape.cypher(c['topic'])}, "
            f"c.kind = {escape.cypher(c['kind'])}, c.definition = {escape.cypher(c['definition'])}, "
            f"c.card = {card};"
        )
    for r in sel.relations:
        lines.append(
            f"MATCH (a:Concept {{id: {escape.cypher(r['source'])}}}), "
            f"(b:Concept {{id: {escape.cypher(r['target'])}}}) "
            f"MERGE (a)-[r:{cypher_type(r['type'])}]->(b) "
            f"SET r.evidence = {escape.cypher(r['evidence'])}, r.origin = {escape.cypher(r['origin'])}"
            + (f", r.reference = {escape.cypher(r['reference'])};" if "reference" in r else ";")
        )
    out.write(("\n".join(lines) + "\n").encode("utf-8"))


#: Between aliases in the Neo4j CSV: the ASCII unit separator, made for this and never in a name.
NEO4J_ARRAY_DELIMITER = "\x1f"

NEO4J_IMPORT_COMMAND = (
    "neo4j-admin database import full --nodes=concepts.csv --relationships=relations.csv "
    "--array-delimiter=U+001F --multiline-fields=true neo4j"
)


def write_neo4j_csv(sel: Selection, folder: Path) -> None:
    """CSV files for ``neo4j-admin database import`` plus a README.txt with the exact command."""
    with open(folder / "concepts.csv", "w", encoding="utf-8", newline="") as handle:
        rows = csv.writer(handle, lineterminator="\r\n")  # RFC 4180; "\n" alone leaves "\r" unquoted
        rows.writerow(["id:ID", "name", "aliases:string[]", "topic", "kind", "definition", "card", ":LABEL"])
        for c in sel.concepts:
            if any(NEO4J_ARRAY_DELIMITER in a for a in c["aliases"]):
                raise DlgraphError(f"concept {c['id']!r}: an alias holds the character U+001F; remove it")
            aliases = NEO4J_ARRAY_DELIMITER.join(c["aliases"])
            card = c["card"] if c["card"] is not None else ""
            cells = [c["id"], c["name"], aliases, c["topic"], c["kind"], c["definition"], card, "Concept"]
            rows.writerow([escape.csv_cell(cell) for cell in cells])
    with open(folder / "relations.csv", "w", encoding="utf-8", newline="") as handle:
        rows = csv.writer(handle, lineterminator="\r\n")  # RFC 4180; "\n" alone leaves "\r" unquoted
        rows.writerow([":START_ID", ":END_ID", ":TYPE", "evidence", "origin", "reference"])
        for r in sel.relations:
            cells = [
                r["source"],
                r["target"],
                cypher_type(r["type"]),
                r["evidence"],
                r["origin"],
                r.get("reference", ""),
            ]
            rows.writerow([escape.csv_cell(cell) for cell in cells])
    readme = (
        f"dlgraph export for Neo4j: {_counts(sel)}.\n\n"
        "Copy the two CSV files into Neo4j's import folder and run (database stopped):\n\n"
        f"    {NEO4J_IMPORT_COMMAND}\n\n"
        "Aliases are a string array separated by U+001F; fields may hold newlines.\n"
        "A field that starts with = + - @ ' or a tab starts with one more ' so that a spreadsheet\n"
        "shows it as text instead of running it as a formula; NUL is written as U+2400.\n"
    )
    (folder / "README.txt").write_text(readme, encoding="utf-8")


# --- Obsidian -------------------------------------------------------------------------------------

#: Characters Windows forbids in file names, those that break Obsidian wikilinks (# ^ [ ] |), and
#: controls, C1 and bidi controls (which can make ``txt.exe`` look like ``exe.txt``).
_UNSAFE_FILE_CHARS = re.compile(rf'[<>:"/\\|?*#^\[\]\x00-\x1f\x7f-\x9f{escape.BIDI_CONTROLS}]+')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{dev}{n}" for dev in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]
}
#: Longest stem taken from a name, in UTF-8 bytes: leaves room for a suffix that tells clashing
#: names apart, under the 255-byte limit of a file name on every common file system.
_MAX_STEM_BYTES = 120
#: Longest id kept whole in a suffix; a longer one is cut and ends in a hash of the whole id.
_MAX_ID_BYTES = 40
INDEX_NOTE = "Study order"


def safe_file_stem(name: str, fallback: str) -> str:
    """A file name (without extension) that Windows, macOS and Linux all accept, close to ``name``.

    >>> safe_file_stem("L1/L2 (weight decay)", "l1")
    'L1-L2 (weight decay)'
    >>> safe_file_stem("CON", "con"), safe_file_stem(" ..", "dots")
    ('CON (con)', 'dots')
    """
    stem = unicodedata.normalize("NFC", name)
    stem = _UNSAFE_FILE_CHARS.sub("-", stem)
    stem = " ".join(stem.split())
    # Leading dots hide files on Unix; trailing dots and spaces are dropped by Windows.
    stem = _clip(stem.strip(" .-"), _MAX_STEM_BYTES)
    if not stem:
        return _short_id(fallback)
    if stem.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        stem = f"{stem} ({_short_id(fallback)})"
    return stem


def _clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, never inside a character."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore").rstrip(" .-")


def _short_id(cid: str) -> str:
    """``cid``, or when it is long its start and a hash of the whole, so two long ids stay apart.

    >>> _short_id("x" * 300) == _short_id("x" * 299), len(_short_id("x" * 300))
    (False, 40)
    """
    if len(cid.encode("utf-8")) <= _MAX_ID_BYTES:
        return cid
    return _clip(cid, _MAX_ID_BYTES - 9) + "-" + hashlib.sha1(cid.encode("utf-8")).hexdigest()[:8]


def note_stems(concepts: Iterable[dict[str, Any]], reserved: Iterable[str] = (INDEX_NOTE,)) -> dict[str, str]:
    """A unique file stem per concept id, unique even on case-insensitive file systems.

    Concepts whose names clash after cleaning get their id appended (cut and hashed when long), so
    names stay recognisable and every stem stays under 180 bytes, far below the 255-byte limit.
    """
    concepts = list(concepts)
    taken = {stem.casefold() for stem in reserved}
    base = {c["id"]: safe_file_stem(c["name"], c["id"]) for c in concepts}
    count: dict[str, int] = {}
    for stem in base.values():
        count[stem.casefold()] = count.get(stem.casefold(), 0) + 1
    stems: dict[str, str] = {}
    for c in sorted(concepts, key=lambda c: c["id"]):
        stem = base[c["id"]]
        if count[stem.casefold()] > 1 or stem.casefold() in taken:
            stem = f"{stem} ({_short_id(c['id'])})"
        candidate, n = stem, 2
        while candidate.casefold() in taken:
            candidate, n = f"{stem} {n}", n + 1
        taken.add(candidate.casefold())
        stems[c["id"]] = candidate
    return stems


def _yaml_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(escape.yaml(i) for i in items) + "]"


def wikilink(stem: str, name: str) -> str:
    """``[[stem]]``, or ``[[stem|name]]`` when the note's file name had to differ from the name.

    Controls in the shown name become visible symbols (see :func:`escape.visible`).
    """
    name = escape.visible(name)
    if stem == name or re.search(r"[\[\]|<>#^\n\r]", name):
        return f"[[{stem}]]"
    return f"[[{stem}|{name}]]"


def write_obsidian(sel: Selection, folder: Path) -> None:
    """An Obsidian vault folder: a note per concept and an index note listing them in study order.

    A note has YAML front matter (id, aliases, topic, kind, card, definition, tags) and one
    Dataview-style line ``- type:: [[Target]]`` per outgoing relation, so Obsidian draws the edge and
    Dataview can query it by type; incoming relations show up as backlinks.
    """
    cg = sel.cg
    stems = note_stems(sel.concepts)
    outgoing: dict[str, list[dict[str, Any]]] = {}
    for r in sel.relations:
        outgoing.setdefault(r["source"], []).append(r)
    for c in sel.concepts:
        cid = c["id"]
        aliases = ([c["name"]] if stems[cid] != c["name"] else []) + list(c["aliases"])
        lines = [
            "---",
            f"id: {escape.yaml(cid)}",
            f"aliases: {_yaml_list(aliases)}",
            f"topic: {escape.yaml(c['topic'])}",
            f"kind: {escape.yaml(c['kind'])}",
            f"card: {escape.yaml(c['card']) if c['card'] is not None else 'null'}",
            f"definition: {escape.yaml(c['definition'])}",
            f"tags: {_yaml_list([c['topic']])}",
            "---",
            "",
            f"# {escape.markdown(c['name'])}",
            "",
            escape.markdown(c["definition"]),
            "",
        ]
        needs = direct_prerequisites(cg, cid)
        if needs:
            lines += ["Study first: " + ", ".join(escape.markdown(n) for n in needs), ""]
        if outgoing.get(cid):
            lines += ["## Relations", ""]
            for r in outgoing[cid]:
                target = r["target"]
                lines.append(f"- {r['type']}:: {wikilink(stems[target], cg.name(target))}")
                lines.append(f"  - {escape.markdown(r['evidence'])}")
            lines.append("")
        (folder / f"{stems[cid]}.md").write_text("\n".join(lines), encoding="utf-8")
    order = study_order(sel)
    index = [
        "---",
        f"tags: {_yaml_list(['dlgraph'])}",
        "---",
        "",
        f"# {INDEX_NOTE}",
        "",
        f"{count_of(len(order), 'concept')}, each after everything it builds on.",
        "",
    ]
    width = len(str(len(order)))
    for i, cid in enumerate(order, 1):
        c = cg.concepts[cid]
        index.append(f"{i:>{width}}. {wikilink(stems[cid], c['name'])} · {c['topic']} · {c['kind']}")
    (folder / f"{INDEX_NOTE}.md").write_text("\n".join(index) + "\n", encoding="utf-8")


# --- Anki -----------------------------------------------------------------------------------------

#: Fixed ids, so re-importing a newer export updates the same note type and deck in Anki.
ANKI_MODEL_ID = 1_714_305_811
ANKI_DECK_ID = 1_714_305_812
ANKI_DECK_NAME = "dlgraph"
ANKI_FIELDS = ("Name", "Definition", "Aliases", "Prerequisites", "Topic", "Kind", "Id")
#: The notes' creation time in the package; fixed so two exports of one graph are byte-identical.
ANKI_TIMESTAMP = 1_700_000_000.0


def anki_guid(cid: str) -> str:
    """A note's stable Anki guid, the same in the package and in the plain-text variant.

    Hex digits only (genanki's own guids use ``<``, ``#`` and quotes, which an HTML-on text import
    could misread), and derived from the id, so re-importing updates notes instead of copying them.

    >>> anki_guid("adam")
    'dlgraph-0e18f44c1fec03ec'
    """
    return "dlgraph-" + hashlib.sha1(cid.encode("utf-8")).hexdigest()[:16]


def anki_back(cg: ConceptGraph, cid: str) -> str:
    """The answer side as Anki HTML: escaped text, lines joined by ``<br>``."""
    c = cg.concepts[cid]
    parts = [escape.html(c["definition"])]
    if c["aliases"]:
        parts.append("Also called: " + escape.html(", ".join(c["aliases"])))
    needs = direct_prerequisites(cg, cid)
    if needs:
        parts.append("Study first: " + escape.html(", ".join(needs)))
    return "<br><br>".join(parts)


def write_anki(sel: Selection, out: IO[bytes]) -> None:
    """An Anki package (.apkg): one note per concept, tagged with its topic, new cards in study order.

    genanki builds the collection; it is written into a SQLite file in a private temp folder (genanki's
    own ``write_to_file`` leaves its temp database behind) and zipped as Anki expects.
    """
    import sqlite3
    import zipfile
    from itertools import count

    import genanki

    cg = sel.cg
    model = genanki.Model(
        ANKI_MODEL_ID,
        "dlgraph concept",
        fields=[{"name": name} for name in ANKI_FIELDS],
        templates=[
            {
                "name": "Concept",
                "qfmt": "<div class=name>{{Name}}</div>",
                "afmt": (
                    "{{FrontSide}}<hr id=answer><div>{{Definition}}</div>"
                    "{{#Aliases}}<p class=aliases>Also called: {{Aliases}}</p>{{/Aliases}}"
                    "{{#Prerequisites}}<p class=prereqs>Study first: {{Prerequisites}}</p>{{/Prerequisites}}"
                    "<p class=meta>{{Topic}} · {{Kind}}</p>"
                ),
            }
        ],
        css=".card { font-family: sans-serif; font-size: 20px; } .name { font-weight: bold; } "
        ".meta { color: #888; font-size: 14px; }",
    )
    deck = genanki.Deck(ANKI_DECK_ID, ANKI_DECK_NAME)
    for position, cid in enumerate(study_order(sel)):
        c = cg.concepts[cid]
        fields = [
            escape.html(c["name"]),
            escape.html(c["definition"]),
            escape.html(", ".join(c["aliases"])),
            escape.html(", ".join(direct_prerequisites(cg, cid))),
            escape.html(c["topic"]),
            escape.html(c["kind"]),
            escape.html(cid),
        ]
        # ``due`` is a new card's place in Anki's new-card queue: the study order.
        deck.add_note(
            genanki.Note(model=model, fields=fields, tags=[c["topic"]], guid=anki_guid(cid), due=position)
        )
    with tempfile.TemporaryDirectory(prefix="dlgraph-anki-") as work:
        database = Path(work) / "collection.anki2"
        connection = sqlite3.connect(database)
        try:
            cursor = connection.cursor()
            genanki.Package(deck).write_to_db(cursor, ANKI_TIMESTAMP, count(int(ANKI_TIMESTAMP * 1000)))
            connection.commit()
        finally:
            connection.close()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
            package.write(database, "collection.anki2")
            package.writestr("media", "{}")


def _anki_text_cell(field: str) -> str:
    """An HTML field for the tab-separated import: a first ``#`` (a header or comment to Anki) or a
    formula start (to a spreadsheet) becomes its entity, which Anki shows as the character itself.

    >>> _anki_text_cell("=1+1"), _anki_text_cell("#tag")
    ('&#61;1+1', '&#35;tag')
    """
    if field.startswith(("#", *escape.FORMULA_STARTS)):
        return f"&#{ord(field[0])};" + field[1:]
    return field


def write_anki_text(sel: Selection, out: IO[bytes]) -> None:
    """Anki's "Notes in Plain Text" import file: guid, front, back, tags; tab-separated, HTML on.

    Headers tell Anki the separator, note type, deck and columns, so File > Import needs no choices.
    """
    cg = sel.cg
    buffer = io.StringIO()
    buffer.write(
        "#separator:tab\n#html:true\n#notetype:Basic\n"
        f"#deck:{ANKI_DECK_NAME}\n#tags column:3\n#guid column:4\n"
    )
    rows = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    for cid in study_order(sel):
        c = cg.concepts[cid]
        front, back = _anki_text_cell(escape.html(c["name"])), _anki_text_cell(anki_back(cg, cid))
        rows.writerow([front, back, c["topic"], anki_guid(cid)])
    out.write(buffer.getvalue().encode("utf-8"))


# --- the registry and the atomic writer -----------------------------------------------------------


class Format(NamedTuple):
    """An export format: how it is written, where it lands by default, and what it is for."""

    name: str
    layout: str  # "text" and "binary" write one file (text may go to stdout); "folder" writes a folder
    suffix: str
    write: Callable[[Selection, Any], None]
    summary: str
    check: Callable[[IO[bytes]], None] | None = None  # reads the written bytes back before success


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("json", "text", ".json", write_json, "networkx node-link JSON (D3, scripts)"),
        Format("graphml", "text", ".graphml", write_graphml, "GraphML (yEd, Cytoscape, Gephi)", check_xml),
        Format("gexf", "text", ".gexf", write_gexf, "GEXF (Gephi)", check_xml),
        Format("dot", "text", ".dot", write_dot, "Graphviz DOT"),
        Format("mermaid", "text", ".mmd", write_mermaid, "Mermaid flowchart (Markdown, GitHub, Obsidian)"),
        Format("turtle", "text", ".ttl", write_turtle, "RDF Turtle with SKOS and a dlgraph vocabulary"),
        Format("cypher", "text", ".cypher", write_cypher, "Cypher script for Neo4j (cypher-shell -f)"),
        Format("neo4j-csv", "folder", "", write_neo4j_csv, "CSV files for neo4j-admin database import"),
        Format("obsidian", "folder", "", write_obsidian, "Obsidian vault: a note per concept, typed links"),
        Format("anki", "binary", ".apkg", write_anki, "Anki package, new cards in study order"),
        Format("anki-text", "text", ".txt", write_anki_text, "Anki plain-text notes (File > Import)"),
    )
}


def check_destination(fmt: str, dest: str | os.PathLike[str], *, force: bool = False) -> None:
    """Refuse a destination :func:`export` would refuse, before the selection is even made."""
    spec = get_format(fmt)
    if spec.layout == "folder":
        outputs.plan_folder(dest, force=force, what="the export")
    else:
        outputs.plan_file(dest, force=force, what="the export")


def export(sel: Selection, fmt: str, dest: str | os.PathLike[str], *, force: bool = False) -> dict[str, Any]:
    """Write ``sel`` as ``fmt`` to ``dest`` (``-``: standard output) by the rules of :mod:`dlgraph.outputs`.

    A file appears whole or not at all, a folder is swapped in whole; replacing needs ``force``.
    ``stdout`` in the answer says the output went to standard output (so a summary must not).
    """
    spec = get_format(fmt)
    with store.paused_gc():
        if spec.layout == "folder":
            marker = f"Written by dlgraph export --format {fmt}; export --force replaces this folder whole.\n"
            where = outputs.write_folder(
                dest, lambda folder: spec.write(sel, folder), force=force, what="the export", marker=marker
            )
            stdout = False
        else:
            plan = outputs.write_file(
                dest,
                lambda handle: spec.write(sel, handle),
                force=force,
                what="the export",
                check=spec.check,
                binary=spec.layout == "binary",
            )
            where, stdout = plan.path or dest, plan.how == "stdout"
    return {
        "format": spec.name,
        "path": str(where),
        "stdout": stdout,
        "concepts": len(sel.concepts),
        "relations": len(sel.relations),
    }


def get_format(name: str) -> Format:
    if name not in FORMATS:
        raise UsageError(f"unknown format {name!r}; formats: {', '.join(FORMATS)}")
    return FORMATS[name]
