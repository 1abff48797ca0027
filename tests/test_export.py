"""Exports read back by the tools (or libraries) they are for: networkx, Graphviz, rdflib, SQLite,
YAML, CSV, dlgraph's own Anki reader; on the bundled graph and on a graph of hostile names."""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from contextlib import closing
from pathlib import Path

import networkx as nx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dlgraph import decks, escape, export, graph, outputs, store
from dlgraph.cli.export import FORMAT_NAMES
from dlgraph.errors import DlgraphError, UsageError
from dlgraph.vocabulary import LINEAGE_TYPES, RELATION_TYPES

from .conftest import MINI
from .reliability import record

SCRIPT = '<script>alert("x")</script>'

# Names that break naive writers: quotes, backslashes, newlines, wikilink brackets, markup, file-system
# reserved names, a name of dots, names equal but for case, a Mermaid keyword, emoji, a 300-char name.
NASTY = [
    ("quote", "He said \"hi\" & 'bye'", ["a;b", 'x"y'], "A 'quoted' \"definition\"", 'card "q"'),
    ("backslash", "C:\\temp\\N\\n end\\", [], "ends with a backslash \\", None),
    ("newline", "two\nlines", ["line\nbreak"], "first line\nsecond line", "two\nlines?"),
    ("brackets", "closing ]] and [[open|pipe", ["[[x]]"], "see [[Other]] and ]] too", None),
    ("script", SCRIPT, ["<i>alias</i>"], "<img src=x onerror=alert(1)> & <b>bold</b> </script>", SCRIPT),
    ("attention", "Attention(Q,K,V)", [], "softmax(QK^T / sqrt(d)) V", "Attention(Q,K,V)"),
    ("l1-l2", "L1/L2 (weight decay)", ["weight decay"], "penalise |w| or w^2", "L1/L2 (weight decay)"),
    ("sqrt", "why divide by sqrt(D)", [], "keeps the softmax from saturating", "why divide by sqrt(D)"),
    ("con", "CON", [], "a Windows device name", None),
    ("dots", "...", [], "a name made of dots", None),
    ("same-a", "Same Name", [], "one of two names equal but for case", None),
    ("same-b", "same name", [], "the other one", None),
    ("end", "end", [], "a Mermaid keyword", None),
    ("unicode", "Ünïcödé — ∑ 😀", [], "non-ASCII: ∂x/∂y", None),
    ("hash", "#tag ^block %%c%% $x$ ==hl== `code` *em* - 1.", [], "- starts like a list", None),
    ("long", "x" * 300, [], "a very long name", None),
]
EVIDENCE = 'says "so" \\ here\nnext line [[link]] ]] | #tag <script>bad()</script>'
NASTY_RELATIONS = [
    ("attention", "uses", "sqrt"),
    ("l1-l2", "is-a", "quote"),
    ("script", "extends", "backslash"),
    ("backslash", "improves-on", "newline"),
    ("brackets", "related-to", "script"),
    ("con", "alternative-to", "end"),
    ("unicode", "uses", "hash"),
    ("hash", "part-of", "long"),
    ("same-a", "related-to", "same-b"),
    ("dots", "measures", "quote"),
    ("quote", "combines", "newline"),
    ("brackets", "uses", "script"),
]


@pytest.fixture(scope="module")
def bundled() -> graph.ConceptGraph:
    return graph.load_graph(store.bundled_data_dir())


@pytest.fixture(scope="module")
def nasty(tmp_path_factory) -> graph.ConceptGraph:
    concepts = [
        {
            "id": cid,
            "name": name,
            "aliases": aliases,
            "topic": "foundations" if i % 2 else "weird-topic",
            "kind": "concept",
            "definition": definition,
            "card": card,
        }
        for i, (cid, name, aliases, definition, card) in enumerate(NASTY)
    ]
    relations = [
        {"source": s, "type": t, "target": o, "evidence": f"{s} {t} {o}: {EVIDENCE}", "origin": "curated"}
        for s, t, o in NASTY_RELATIONS
    ]
    folder = tmp_path_factory.mktemp("nasty")
    store.save(store.Dataset(concepts, relations), folder)
    return graph.load_graph(folder)


@pytest.fixture(params=["bundled", "nasty"])
def sel(request) -> export.Selection:
    return export.whole(request.getfixturevalue(request.param))


def write(sel: export.Selection, fmt: str, tmp_path: Path) -> Path:
    spec = export.FORMATS[fmt]
    dest = tmp_path / f"out-{fmt}{spec.suffix}"
    result = export.export(sel, fmt, dest)
    assert result == {
        "format": fmt,
        "path": str(dest),
        "stdout": False,
        "concepts": len(sel.concepts),
        "relations": len(sel.relations),
    }
    return dest


def triples(sel: export.Selection) -> set[tuple[str, str, str]]:
    return {(r["source"], r["type"], r["target"]) for r in sel.relations}


def test_the_cli_lists_exactly_the_library_formats():
    assert list(FORMAT_NAMES) == list(export.FORMATS)


# --- networkx formats -----------------------------------------------------------------------------


def test_json_reads_back_into_an_equal_graph(sel, tmp_path):
    text = write(sel, "json", tmp_path).read_text(encoding="utf-8")
    assert "<" not in text and ">" not in text  # script-safe: markup only as \u003c escapes
    back = nx.node_link_graph(json.loads(text), edges="edges")
    assert back.is_directed() and back.is_multigraph()
    for c in sel.concepts:
        node = back.nodes[c["id"]]
        assert {k: node[k] for k in ("name", "aliases", "topic", "kind", "definition", "card")} == {
            k: c[k] for k in ("name", "aliases", "topic", "kind", "definition", "card")
        }
    assert set(back.nodes) == sel.ids
    assert {(u, d["relation"], v) for u, v, d in back.edges(data=True)} == triples(sel)
    assert all(k == d["relation"] for _, _, k, d in back.edges(keys=True, data=True))
    assert nx.utils.graphs_equal(back, export.to_networkx(sel))


def _check_flat_round_trip(sel: export.Selection, back: nx.MultiDiGraph) -> None:
    assert set(back.nodes) == sel.ids
    for c in sel.concepts:
        node = back.nodes[c["id"]]
        assert node["name"] == c["name"] and node["label"] == c["name"]
        assert (node["topic"], node["kind"], node["definition"]) == (c["topic"], c["kind"], c["definition"])
        assert json.loads(node["aliases"]) == c["aliases"]
        assert node.get("card") == c["card"]
    edges = {(u, d["relation"], v): d for u, v, d in back.edges(data=True)}
    assert set(edges) == triples(sel) and back.number_of_edges() == len(sel.relations)
    for r in sel.relations:
        d = edges[r["source"], r["type"], r["target"]]
        spec = RELATION_TYPES[r["type"]]
        assert (d["evidence"], d["origin"], d["label"], d["family"]) == (
            r["evidence"],
            r["origin"],
            spec.label,
            spec.family,
        )


def test_graphml_reads_back_with_the_same_nodes_edges_types_and_attributes(sel, tmp_path):
    path = write(sel, "graphml", tmp_path)
    assert "<script" not in path.read_text(encoding="utf-8")
    ids = [e.get("id") for e in ET.parse(path).getroot().iter("{http://graphml.graphdrawing.org/xmlns}edge")]
    assert len(ids) == len(set(ids)) == len(sel.relations)  # GraphML wants unique edge ids
    _check_flat_round_trip(sel, nx.read_graphml(path, force_multigraph=True))


def test_gexf_reads_back_with_the_same_nodes_edges_types_and_attributes(sel, tmp_path):
    path = write(sel, "gexf", tmp_path)
    assert "<script" not in path.read_text(encoding="utf-8")
    root = ET.parse(path).getroot()
    edge_types = {e.get("type") for e in root.iter("{http://www.gexf.net/1.2draft}edge")}
    assert edge_types <= {None, "directed"}  # GEXF's own edge type, not our relation type
    with open(path, "rb") as handle:
        _check_flat_round_trip(sel, nx.read_gexf(handle))


# --- Graphviz, Mermaid ----------------------------------------------------------------------------


def need_dot() -> str:
    found = shutil.which("dot")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Graphviz `dot` is missing in CI; .ci/run installs Debian's graphviz")
        pytest.skip("Graphviz `dot` is not installed (apt-get install graphviz)")
    return found


def test_dot_renders_to_svg_without_errors_and_shows_every_name(sel, tmp_path):
    dot = need_dot()
    path = write(sel, "dot", tmp_path)
    done = subprocess.run([dot, "-Tsvg", str(path)], capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    svg = ET.fromstring(done.stdout)
    ns = "{http://www.w3.org/2000/svg}"
    assert not list(svg.iter(f"{ns}script"))  # the payload in a name stayed text
    shown = "\n".join(t.text or "" for t in svg.iter(f"{ns}text"))
    for c in sel.concepts:
        for line in c["name"].split("\n"):
            assert line.strip() in shown
    labels = [t.text for t in svg.iter(f"{ns}text")]
    edge_labels = [RELATION_TYPES[r["type"]].label for r in sel.relations]
    assert sum(labels.count(lbl) for lbl in set(edge_labels)) >= len(sel.relations)


def test_dot_string_keeps_backslashes_literal(tmp_path):
    dot = need_dot()
    name = 'C:\\temp\\N "q" \\'
    source = f"digraph {{ a [label={escape.dot(name)}]; }}"
    done = subprocess.run([dot, "-Tsvg"], input=source, capture_output=True, text=True)
    assert done.returncode == 0
    texts = [t.text for t in ET.fromstring(done.stdout).iter("{http://www.w3.org/2000/svg}text")]
    assert texts == [name]


_MERMAID_NODE = re.compile(r'^  (c_[a-z0-9_]+)\["([^"]*)"\]$')
_MERMAID_EDGE = re.compile(r'^  (c_[a-z0-9_]+) -->\|"([^"]*)"\| (c_[a-z0-9_]+)$')


def _unmermaid(text: str) -> str:
    named = {"quot": '"', "lt": "<", "gt": ">", "amp": "&"}
    return re.sub(r"#(\w+);", lambda m: named.get(m.group(1)) or chr(int(m.group(1))), text)


def test_mermaid_has_one_line_per_edge_and_safely_quoted_labels(sel, tmp_path):
    lines = write(sel, "mermaid", tmp_path).read_text(encoding="utf-8").splitlines()
    assert lines[1] == "flowchart LR"
    body = lines[2:]
    nodes = [m.groups() for m in map(_MERMAID_NODE.match, body) if m]
    edges = [m.groups() for m in map(_MERMAID_EDGE.match, body) if m]
    assert len(nodes) + len(edges) == len(body)  # every line is a node or an edge, nothing else
    by_node = {export.mermaid_id(c["id"]): c for c in sel.concepts}
    assert {mid: _unmermaid(label) for mid, label in nodes} == {
        mid: " ".join(c["name"].split()) for mid, c in by_node.items()
    }
    labels = {spec.label: name for name, spec in RELATION_TYPES.items()}
    got = [(by_node[s]["id"], labels[_unmermaid(lbl)], by_node[t]["id"]) for s, lbl, t in edges]
    assert len(got) == len(sel.relations) and set(got) == triples(sel)
    assert all("<" not in label for _, label in nodes)


# --- RDF ------------------------------------------------------------------------------------------

LINEAGE_PATH = "|".join(f"dlg:{t}" for t in sorted(LINEAGE_TYPES))
PREFIXES = f"PREFIX dlg: <{export.VOCAB_NS}>\nPREFIX c: <{export.CONCEPT_NS}>\n"
PREFIXES += "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"


def _parse_turtle(path: Path):
    from rdflib import Graph

    return Graph().parse(path, format="turtle")


def test_turtle_sparql_finds_the_rcnn_to_mask_rcnn_lineage(bundled, tmp_path):
    rdf = _parse_turtle(write(export.whole(bundled), "turtle", tmp_path))
    query = (
        PREFIXES
        + f"""
        SELECT ?label WHERE {{
            c:mask-r-cnn ({LINEAGE_PATH})* ?step .
            ?step ({LINEAGE_PATH})* c:r-cnn .
            ?step skos:prefLabel ?label .
        }}"""
    )
    found = {str(row.label) for row in rdf.query(query)}
    assert found == {"R-CNN", "Fast R-CNN", "Faster R-CNN", "Mask R-CNN"}
    ask = PREFIXES + f"ASK {{ c:r-cnn ({LINEAGE_PATH})+ c:mask-r-cnn }}"
    assert not rdf.query(ask).askAnswer  # lineage points from newer to older, never back


def test_turtle_keeps_every_concept_relation_and_label(sel, tmp_path):
    from rdflib import Literal, Namespace, URIRef
    from rdflib.namespace import RDF, SKOS

    rdf = _parse_turtle(write(sel, "turtle", tmp_path))
    dlg, con = Namespace(export.VOCAB_NS), Namespace(export.CONCEPT_NS)
    concepts = set(rdf.subjects(RDF.type, SKOS.Concept))
    assert concepts == {con[cid] for cid in sel.ids}
    for c in sel.concepts:
        node = con[c["id"]]
        assert rdf.value(node, SKOS.prefLabel) == Literal(c["name"])
        assert rdf.value(node, SKOS.definition) == Literal(c["definition"])
        assert set(rdf.objects(node, SKOS.altLabel)) == {Literal(a) for a in c["aliases"]}
    found = {
        (str(s)[len(export.CONCEPT_NS) :], str(p)[len(export.VOCAB_NS) :], str(o)[len(export.CONCEPT_NS) :])
        for s, p, o in rdf
        if isinstance(o, URIRef) and str(p)[len(export.VOCAB_NS) :] in RELATION_TYPES
    }
    assert found == triples(sel)
    evidence = {str(e) for e in rdf.objects(None, dlg.evidence)}
    assert evidence == {r["evidence"] for r in sel.relations}


# --- Neo4j ----------------------------------------------------------------------------------------


def cypher_parts(line: str) -> tuple[str, list[str]]:
    """A Cypher line split into its code (each string literal replaced by ``?``) and the literals."""
    code, literals, i = [], [], 0
    escapes = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
    while i < len(line):
        if line[i] != "'":
            code.append(line[i])
            i += 1
            continue
        i += 1
        chars = []
        while line[i] != "'":
            if line[i] == "\\":
                if line[i + 1] == "u":
                    chars.append(chr(int(line[i + 2 : i + 6], 16)))
                    i += 6
                else:
                    chars.append(escapes.get(line[i + 1], line[i + 1]))
                    i += 2
            else:
                chars.append(line[i])
                i += 1
        literals.append("".join(chars))
        code.append("?")
        i += 1
    return "".join(code), literals


def test_cypher_has_a_statement_per_concept_and_relation_with_strings_escaped(sel, tmp_path):
    lines = write(sel, "cypher", tmp_path).read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""
    statements = lines[2:-1]
    assert len(statements) == len(sel.concepts) + len(sel.relations)
    for c, line in zip(sel.concepts, statements, strict=False):
        code, literals = cypher_parts(line)
        aliases = ", ".join("?" for _ in c["aliases"])
        card = "null" if c["card"] is None else "?"
        assert code == (
            f"MERGE (c:Concept {{id: ?}}) SET c.name = ?, c.aliases = [{aliases}], c.topic = ?, "
            f"c.kind = ?, c.definition = ?, c.card = {card};"
        )
        expected = [c["id"], c["name"], *c["aliases"], c["topic"], c["kind"], c["definition"]]
        assert literals == expected + ([] if c["card"] is None else [c["card"]])
    for r, line in zip(sel.relations, statements[len(sel.concepts) :], strict=True):
        code, literals = cypher_parts(line)
        assert code == (
            "MATCH (a:Concept {id: ?}), (b:Concept {id: ?}) "
            f"MERGE (a)-[r:{export.cypher_type(r['type'])}]->(b) SET r.evidence = ?, r.origin = ?;"
        )
        assert literals == [r["source"], r["target"], r["evidence"], r["origin"]]


def test_neo4j_csv_round_trips_through_a_csv_reader(sel, tmp_path):
    folder = write(sel, "neo4j-csv", tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == [
        outputs.FOLDER_MARKER,
        "README.txt",
        "concepts.csv",
        "relations.csv",
    ]
    assert export.NEO4J_IMPORT_COMMAND in (folder / "README.txt").read_text(encoding="utf-8")
    with open(folder / "concepts.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id:ID"] for row in rows] == [c["id"] for c in sel.concepts]
    for row, c in zip(rows, sel.concepts, strict=True):
        # A cell starting like a spreadsheet formula (or with a quote) carries one more quote.
        row = {k: v[1:] if v.startswith("'") else v for k, v in row.items()}
        assert (row["name"], row["topic"], row["kind"], row["definition"]) == (
            c["name"],
            c["topic"],
            c["kind"],
            c["definition"],
        )
        aliases = row["aliases:string[]"].split(export.NEO4J_ARRAY_DELIMITER)
        assert aliases == (c["aliases"] or [""])
        assert row["card"] == (c["card"] or "") and row[":LABEL"] == "Concept"
    with open(folder / "relations.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r[":START_ID"], r[":TYPE"], r[":END_ID"], r["evidence"]) for r in rows] == [
        (r["source"], export.cypher_type(r["type"]), r["target"], r["evidence"]) for r in sel.relations
    ]


# --- Obsidian -------------------------------------------------------------------------------------

_WIKI_RELATION = re.compile(r"^- ([a-z-]+):: \[\[([^\]|]+)(?:\|[^\]]*)?\]\]$")
_FORBIDDEN = re.compile(r'[<>:"/\\|?*#^\[\]\x00-\x1f]')


def read_vault(folder: Path) -> tuple[dict[str, dict], dict[str, str], dict[str, list[str]]]:
    """Front matter by id, id by note name, and each note's body lines."""
    front, ids, bodies = {}, {}, {}
    for note in folder.glob("*.md"):
        text = note.read_text(encoding="utf-8")
        assert text.startswith("---\n")
        head, body = text[4:].split("\n---\n", 1)
        meta = yaml.safe_load(head)
        if note.stem == export.INDEX_NOTE:
            continue
        front[meta["id"]] = meta
        ids[note.stem] = meta["id"]
        bodies[meta["id"]] = body.split("\n")
    return front, ids, bodies


def test_obsidian_links_parse_back_to_the_same_typed_edges(sel, tmp_path):
    folder = write(sel, "obsidian", tmp_path)
    front, ids, bodies = read_vault(folder)
    assert set(front) == sel.ids
    edges = set()
    for cid, lines in bodies.items():
        for line in lines:
            match = _WIKI_RELATION.match(line)
            if match:
                edges.add((cid, match.group(1), ids[match.group(2)]))
        # Only the typed relation lines may link: card text cannot forge a [[link]].
        assert sum("[[" in line for line in lines) == sum(bool(_WIKI_RELATION.match(x)) for x in lines)
    assert edges == triples(sel)


def test_obsidian_front_matter_holds_the_exact_fields(sel, tmp_path):
    front, ids, _ = read_vault(write(sel, "obsidian", tmp_path))
    stems = {cid: stem for stem, cid in ids.items()}
    for c in sel.concepts:
        meta = front[c["id"]]
        extra = [] if stems[c["id"]] == c["name"] else [c["name"]]
        assert meta["aliases"] == extra + c["aliases"]
        assert (meta["topic"], meta["kind"], meta["card"], meta["definition"]) == (
            c["topic"],
            c["kind"],
            c["card"],
            c["definition"],
        )


def test_obsidian_note_names_are_safe_everywhere(nasty, tmp_path):
    folder = write(export.whole(nasty), "obsidian", tmp_path)
    names = [p.name for p in folder.iterdir() if p.name != outputs.FOLDER_MARKER]
    assert len(names) == len(nasty.concepts) + 1
    assert len({n.casefold() for n in names}) == len(names)  # unique on macOS and Windows too
    for name in names:
        stem = name.removesuffix(".md")
        assert not _FORBIDDEN.search(stem), name
        assert stem == stem.strip(" .") and stem
        assert stem.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}
        assert len(name.encode("utf-8")) <= 255
    assert "L1-L2 (weight decay).md" in names and "Attention(Q,K,V).md" in names
    assert "why divide by sqrt(D).md" in names and "CON (con).md" in names


def test_obsidian_bodies_keep_markup_inert(nasty, tmp_path):
    folder = write(export.whole(nasty), "obsidian", tmp_path)
    text = (folder / f"{export.safe_file_stem(SCRIPT, 'script')}.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    assert "<" not in body and "&lt;script&gt;" in body
    record("HTML safety", "export obsidian: `<script>` in a note body stays text")


def test_obsidian_index_lists_every_concept_in_study_order(bundled, tmp_path):
    sel = export.whole(bundled)
    folder = write(sel, "obsidian", tmp_path)
    _, ids, _ = read_vault(folder)
    index = (folder / f"{export.INDEX_NOTE}.md").read_text(encoding="utf-8")
    order = [ids[m] for m in re.findall(r"^\s*\d+\. \[\[([^\]|]+)", index, flags=re.M)]
    assert order == export.study_order(sel) and len(order) == len(sel.concepts)
    position = {cid: i for i, cid in enumerate(order)}
    assert all(position[before] < position[after] for after, before in bundled.prereq.edges)


# --- Anki -----------------------------------------------------------------------------------------


def from_anki(field: str) -> str:
    return html.unescape(field.replace("<br>", "\n"))


def read_apkg(path: Path, tmp_path: Path) -> list[tuple[list[str], str, int]]:
    """Fields, tags and due position of every note, in due order, read with plain sqlite3."""
    with zipfile.ZipFile(path) as package:
        assert set(package.namelist()) == {"collection.anki2", "media"}
        package.extract("collection.anki2", tmp_path)
    with closing(sqlite3.connect(tmp_path / "collection.anki2")) as db:
        rows = db.execute(
            "SELECT n.flds, n.tags, c.due FROM notes n JOIN cards c ON c.nid = n.id ORDER BY c.due"
        ).fetchall()
    return [(flds.split("\x1f"), tags, due) for flds, tags, due in rows]


def test_anki_package_opens_as_sqlite_with_one_note_per_concept_in_study_order(sel, tmp_path):
    notes = read_apkg(write(sel, "anki", tmp_path), tmp_path)
    cg = sel.cg
    order = export.study_order(sel)
    assert [fields[6] for fields, _, _ in notes] == order
    assert [due for _, _, due in notes] == list(range(len(order)))
    for (fields, tags, _), cid in zip(notes, order, strict=True):
        c = cg.concepts[cid]
        assert from_anki(fields[0]) == c["name"] and from_anki(fields[1]) == c["definition"]
        assert from_anki(fields[3]) == ", ".join(export.direct_prerequisites(cg, cid))
        assert tags.split() == [c["topic"]]
        assert "<script" not in "".join(fields)


def test_anki_package_lists_prerequisites_on_the_back(bundled, tmp_path):
    notes = read_apkg(write(export.whole(bundled), "anki", tmp_path), tmp_path)
    adam = next(fields for fields, _, _ in notes if fields[6] == "adam")
    assert adam[3] == "Adagrad, Exponential moving average, Momentum, Optimizer, RMSprop"


def test_anki_text_reads_back_through_dlgraphs_anki_reader(sel, tmp_path):
    text = write(sel, "anki-text", tmp_path).read_text(encoding="utf-8")
    cards = decks.read_anki_text(text, "export.txt")
    order = export.study_order(sel)
    cg = sel.cg
    # The reader keeps a question on one line, so a name's line break comes back as a space.
    assert [card.question for card in cards] == [" ".join(cg.name(cid).split()) for cid in order]
    for card, cid in zip(cards, order, strict=True):
        c = cg.concepts[cid]
        assert card.tags == (c["topic"],)
        assert card.answer.startswith(decks.tidy(c["definition"]))
        needs = export.direct_prerequisites(cg, cid)
        assert (f"Study first: {', '.join(needs)}" in card.answer) == bool(needs)
    assert "<script" not in text


# --- atomic writes, --force, the CLI --------------------------------------------------------------


def test_existing_file_is_kept_without_force(run, tmp_path):
    dest = tmp_path / "graph.json"
    dest.write_text("precious", encoding="utf-8")
    result = run("export", "--format", "json", "-o", str(dest))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {dest}: already exists; use --force to replace it\n"
    assert dest.read_text(encoding="utf-8") == "precious"
    forced = run("export", "--format", "json", "-o", str(dest), "--force")
    assert forced.exit_code == 0
    assert forced.stdout == f"Wrote 20 concepts and 21 relations as json to {dest}\n"
    assert json.loads(dest.read_text(encoding="utf-8"))["nodes"][0]["id"] == "adagrad"


def test_non_empty_folder_is_kept_without_force_and_replaced_whole_with_it(run, tmp_path):
    dest = tmp_path / "vault"
    assert run("export", "-f", "obsidian", "-o", str(dest)).exit_code == 0
    (dest / "mine.md").write_text("my notes", encoding="utf-8")
    (dest / ".obsidian").mkdir()
    (dest / ".obsidian" / "app.json").write_text("{}", encoding="utf-8")
    result = run("export", "-f", "obsidian", "-o", str(dest))
    assert result.exit_code == 1
    assert "folder is not empty; use --force" in result.stderr
    assert (dest / "mine.md").is_file()
    assert run("export", "-f", "obsidian", "-o", str(dest), "--force").exit_code == 0
    assert not (dest / "mine.md").exists() and (dest / "Adam.md").is_file()
    # Obsidian's own settings folder is the user's: a replacement carries it over.
    assert (dest / ".obsidian" / "app.json").read_text(encoding="utf-8") == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vault"]  # no temp or old folders left


def test_force_leaves_a_full_folder_dlgraph_did_not_write_alone(run, tmp_path):
    dest = tmp_path / "notes"
    dest.mkdir()
    (dest / "mine.md").write_text("my notes", encoding="utf-8")
    result = run("export", "-f", "obsidian", "-o", str(dest), "--force")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {dest}: holds files dlgraph did not write (no .dlgraph-export in it), so --force "
        "leaves it alone; move them away or pick a new folder\n"
    )
    assert [p.name for p in dest.iterdir()] == ["mine.md"]


def test_empty_folder_is_filled_without_force(run, tmp_path):
    dest = tmp_path / "neo"
    dest.mkdir()
    assert run("export", "-f", "neo4j-csv", "-o", str(dest)).exit_code == 0
    assert (dest / "concepts.csv").is_file()


def test_failed_writer_leaves_the_old_file_and_no_temp_file(tmp_path):
    dest = tmp_path / "out.txt"
    dest.write_text("old", encoding="utf-8")

    def half_then_fail(handle):
        handle.write(b"half")
        raise DlgraphError("writer failed")

    with pytest.raises(DlgraphError, match="writer failed"):
        outputs.write_file(dest, half_then_fail, force=True)
    assert dest.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_failed_folder_writer_leaves_the_old_folder_and_no_temp_folder(tmp_path):
    dest = tmp_path / "vault"
    dest.mkdir()
    (dest / "keep.md").write_text("keep", encoding="utf-8")
    (dest / outputs.FOLDER_MARKER).write_text("", encoding="utf-8")

    def half_then_fail(folder: Path):
        (folder / "partial.md").write_text("partial", encoding="utf-8")
        raise DlgraphError("writer failed")

    with pytest.raises(DlgraphError, match="writer failed"):
        outputs.write_folder(dest, half_then_fail, force=True)
    assert sorted(p.name for p in dest.iterdir()) == [outputs.FOLDER_MARKER, "keep.md"]
    assert [p.name for p in tmp_path.iterdir()] == ["vault"]


def test_text_formats_print_to_stdout_the_same_bytes_as_the_file(run, tmp_path):
    dest = tmp_path / "g.mmd"
    assert run("export", "-f", "mermaid", "-o", str(dest)).exit_code == 0
    printed = run("export", "-f", "mermaid")
    assert printed.exit_code == 0 and printed.stdout_bytes == dest.read_bytes()


def test_folder_and_binary_formats_need_an_output_path(run):
    result = run("export", "-f", "anki")
    assert result.exit_code == 2
    assert result.stderr == "Error: --format anki writes a binary; give -o PATH (e.g. -o dlgraph-anki.apkg)\n"
    assert run("export", "-f", "obsidian").exit_code == 2


def test_unknown_names_suggest_and_exit_2(run):
    result = run("export", "-f", "json", "--focus", "Mask RCN")
    assert result.exit_code == 0  # close enough to take, with a note
    assert result.stderr == "note: taking 'Mask RCN' to mean 'Mask R-CNN'\n"
    missing = run("export", "-f", "json", "--prereqs", "Mosk R-CMM")
    assert missing.exit_code == 2
    assert "did you mean 'Mask R-CNN'" in missing.stderr
    topic = run("export", "-f", "json", "--topic", "detection")
    assert topic.exit_code == 2 and "no concept has topic 'detection'" in topic.stderr
    assert run("export", "-f", "json", "--depth", "2").exit_code == 2
    assert run("export", "-f", "nope").exit_code == 2


def test_focus_prereqs_and_topic_select_the_expected_concepts(run):
    def ids(*args):
        result = run("export", "-f", "json", *args)
        assert result.exit_code == 0, result.stderr
        return {n["id"] for n in json.loads(result.stdout)["nodes"]}

    assert ids("--focus", "Fast R-CNN") == {
        "fast-r-cnn",
        "r-cnn",
        "faster-r-cnn",
        "roi-pooling",
        "selective-search",
    }
    assert ids("--focus", "Fast R-CNN", "--depth", "0") == {"fast-r-cnn"}
    assert ids("--prereqs", "Adam") == {"adam", "adagrad", "rmsprop", "momentum", "gradient-descent"}
    assert ids("--topic", "cnn-architectures") == {"alexnet", "googlenet", "resnet", "inception-resnet"}
    assert ids("--topic", "optimization", "--prereqs", "Adam", "--focus", "RMSprop") == {
        "adam",
        "adagrad",
        "rmsprop",
    }
    empty = run("export", "-f", "json", "--topic", "foundations", "--prereqs", "Adam")
    assert empty.exit_code == 2 and "no concept passes all the filters" in empty.stderr


def test_a_part_keeps_only_relations_inside_it(tmp_path):
    cg = graph.load_graph(MINI)
    part = export.select(cg, prereqs="adam")
    assert triples(part) == {
        ("adam", "combines", "momentum"),
        ("adam", "combines", "rmsprop"),
        ("adam", "improves-on", "adagrad"),
        ("adam", "improves-on", "rmsprop"),
        ("adagrad", "improves-on", "gradient-descent"),
        ("momentum", "improves-on", "gradient-descent"),
        ("rmsprop", "improves-on", "adagrad"),
    }
    with pytest.raises(UsageError):
        export.select(cg, focus="adam", depth=-1)


# --- escaping functions, over any text ------------------------------------------------------------

any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(any_text)
def test_yaml_string_reads_back_exactly(text):
    assert yaml.safe_load(f"key: {escape.yaml(text)}") == {"key": text}
    record("export escaping", "any text as a YAML string (Obsidian): reads back exactly")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(any_text)
def test_cypher_string_reads_back_exactly(text):
    code, literals = cypher_parts(f"RETURN {escape.cypher(text)};")
    assert code == "RETURN ?;" and literals == [text]
    record("export escaping", "any text as a Cypher string: reads back exactly")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(any_text)
def test_safe_file_stem_is_always_a_portable_file_name(text):
    stem = export.safe_file_stem(text, "fallback")
    assert stem and not _FORBIDDEN.search(stem) and stem == stem.strip(" .")
    assert len(stem.encode("utf-8")) <= 140
    assert stem.split(".")[0].strip().upper() not in {"CON", "PRN", "AUX", "NUL"}
    record("export escaping", "any text as an Obsidian file name: portable")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(any_text)
def test_markdown_text_never_opens_a_link_tag_or_element(text):
    escaped = escape.markdown(text)
    assert "\n" not in escaped and "<" not in escaped
    unescaped_specials = re.findall(r"(?<!\\)[\[\]#|`]", escaped.replace("\\\\", ""))
    assert unescaped_specials == []
    record("export escaping", "any text as Obsidian markdown: no link, tag or element")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(any_text)
def test_mermaid_text_has_no_quote_markup_or_newline(text):
    escaped = escape.mermaid(text)
    assert not set(escaped) & set('"<>`\n')
    assert _unmermaid(escaped) == escape.visible(" ".join(text.split()))
    record("export escaping", "any text as a Mermaid label: no quote, markup or newline")
