"""Hostile card text stays inert in every output: the terminal, and every export read back by its parser.

Names and definitions carry terminal escape sequences, NUL, C1 controls, quotes, newlines, Mermaid
directives, spreadsheet formulas, CDATA and comment ends, bidi overrides. Each output is read back with
the parser made for it (networkx for GraphML/GEXF, rdflib, Graphviz, PyYAML, json with strict constants,
csv, SQLite for Anki) and the text must survive, minus what that output deliberately shows as a symbol.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from contextlib import closing
from pathlib import Path

import networkx as nx
import pytest
import yaml
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from dlgraph import escape, export, graph, outputs, store
from dlgraph.errors import DlgraphError

from .reliability import record
from .test_export import cypher_parts

HOSTILE = [
    "\x1b[2J",
    "\x1b]0;owned\x07",
    "\x1b[31m",
    "\x1bP+q\x1b\\",
    "\x00",
    "\x9b6n",
    "\x85",
    "\x7f",
    '"',
    "'",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "%%{init: {'theme': 'dark'}}%%",
    "%%",
    "=cmd|' /C calc'!A0",
    "+1",
    "-1",
    "@SUM(A1)",
    "]]>",
    "-->",
    "<!--",
    "\u202e",
    "\u2066",
    "\u200f",
    "<script>alert(1)</script>",
    "&amp;",
    "\\",
    "\\N",
    "#",
    "`",
    "\ufffe",
    "\u2028",
    "[[x]]",
    "|",
    "{}",
    ";",
    "é",
    "語",
    "😀",
    " ",
]
hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(st.characters(blacklist_categories=("Cs",)), max_size=3)),
    min_size=1,
    max_size=6,
).map("".join)
#: A name that is nothing but a directive: it must not break the Mermaid diagram.
DIRECTIVE = "%%{init: {'theme': 'forest', 'themeCSS': '.node{display:none}'}}%%"
#: What no text output may carry raw: C0 but tab and newline, DEL, C1, bidi and line separators.
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029" + escape.BIDI_CONTROLS + "]")


def _strict_json(text: str):
    def refuse(constant: str):
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def _hostile_graph(folder: Path, names: list[str], definitions: list[str]) -> graph.ConceptGraph:
    concepts = [
        {
            "id": f"c{i}",
            "name": name,
            "aliases": [f"{definitions[i][:5]} alias {i}"],
            "topic": "foundations",
            "kind": "concept",
            "definition": definitions[i],
            "card": name,
        }
        for i, name in enumerate(names)
    ]
    relations = [
        {
            "source": f"c{i}",
            "type": "uses",
            "target": f"c{i + 1}",
            "evidence": definitions[i],
            "origin": "curated",
        }
        for i in range(len(names) - 1)
    ]
    store.save(store.Dataset(concepts, relations), folder)
    return graph.load_graph(folder)


# --- what each output may do to the text, stated on its own -----------------------------------------


def _xml_expected(text: str) -> str:
    """XML 1.0 cannot carry C0 but tab/newline/CR, nor U+FFFE/U+FFFF; CR is read as a newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        chr(0x2400 + ord(ch))
        if ord(ch) < 0x20 and ch not in "\t\n"
        else "\ufffd"
        if ch in "\ufffe\uffff"
        else ch
        for ch in text
    )


def _shown_expected(text: str) -> str:
    """Terminal, HTML (Anki): every control but tab and newline as its symbol; CR read as a newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch if ch in "\t\n" else escape.visible(ch) for ch in text)


def _undot(label: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), label)


def _unmermaid(text: str) -> str:
    named = {"quot": '"', "lt": "<", "gt": ">", "amp": "&"}
    return re.sub(r"#(\w+);", lambda m: named.get(m.group(1)) or chr(int(m.group(1))), text)


# --- the readers, one per format ------------------------------------------------------------------


def _check_json(cg, path: Path) -> None:
    data = _strict_json(path.read_text(encoding="utf-8"))
    assert {n["id"]: (n["name"], n["definition"]) for n in data["nodes"]} == {
        cid: (c["name"], c["definition"]) for cid, c in cg.concepts.items()
    }


def _check_graphml(cg, path: Path) -> None:
    g = nx.read_graphml(path, force_multigraph=True)
    for cid, c in cg.concepts.items():
        node = g.nodes[cid]
        assert (node["name"], node["definition"]) == (
            _xml_expected(c["name"]),
            _xml_expected(c["definition"]),
        )
        aliases = [a.replace("\ufffe", "\ufffd").replace("\uffff", "\ufffd") for a in c["aliases"]]
        assert json.loads(node["aliases"]) == aliases


def _check_gexf(cg, path: Path) -> None:
    g = nx.read_gexf(path)
    for cid, c in cg.concepts.items():
        node = g.nodes[cid]
        assert (node["name"], node["definition"]) == (
            _xml_expected(c["name"]),
            _xml_expected(c["definition"]),
        )


def _check_dot(cg, path: Path) -> None:
    done = subprocess.run(["dot", "-Tjson", str(path)], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    objects = {o["name"]: o for o in json.loads(done.stdout)["objects"] if o["name"] in cg.concepts}
    for cid, c in cg.concepts.items():
        shown = c["name"].replace("\r\n", "\n").replace("\r", "\n")
        assert _undot(objects[cid]["label"]) == "".join(
            ch if ch == "\n" else escape.visible(ch) for ch in shown
        )


def _check_mermaid(cg, path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("%% dlgraph: ") and lines[1] == "flowchart LR"
    labels = {}
    for line in lines[2:]:
        assert "%" not in line  # no directive or comment anywhere but dlgraph's own first line
        node = re.fullmatch(r'  c_(\w+)\["([^"]*)"\]', line)
        edge = re.fullmatch(r'  c_\w+ -->\|"[^"]*"\| c_\w+', line)
        assert node or edge, line
        if node:
            labels[node.group(1)] = _unmermaid(node.group(2))
    assert labels == {cid: escape.visible(" ".join(c["name"].split())) for cid, c in cg.concepts.items()}


def _check_turtle(cg, path: Path) -> None:
    from rdflib import Graph, URIRef
    from rdflib.namespace import SKOS

    text = path.read_text(encoding="utf-8")
    assert not RAW_CONTROL.search(text)
    g = Graph()
    g.parse(data=text, format="turtle")
    for cid, c in cg.concepts.items():
        node = URIRef(export.CONCEPT_NS + cid)
        assert str(g.value(node, SKOS.prefLabel)) == c["name"]
        assert str(g.value(node, SKOS.definition)) == c["definition"]
        assert {str(a) for a in g.objects(node, SKOS.altLabel)} == set(c["aliases"])


def _check_cypher(cg, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not RAW_CONTROL.search(text)
    names = {}
    for line in text.splitlines()[2:]:
        code, literals = cypher_parts(line)
        if line.startswith("MERGE"):
            assert re.fullmatch(
                r"MERGE \(c:Concept \{id: \?\}\) SET c\.name = \?, c\.aliases = \[\?\], c\.topic = \?, "
                r"c\.kind = \?, c\.definition = \?, c\.card = \?;",
                code,
            ), code
            names[literals[0]] = (literals[1], literals[5])
        else:
            assert code.startswith("MATCH (a:Concept {id: ?}), (b:Concept {id: ?}) MERGE"), code
    assert names == {cid: (c["name"], c["definition"]) for cid, c in cg.concepts.items()}


def _uncsv(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def _check_neo4j_csv(cg, folder: Path) -> None:
    with open(folder / "concepts.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(escape.FORMULA_STARTS), cell  # nothing a spreadsheet would run
    got = {_uncsv(r["id:ID"]): (_uncsv(r["name"]), _uncsv(r["definition"])) for r in rows}
    assert got == {
        cid: (c["name"].replace("\x00", "␀"), c["definition"].replace("\x00", "␀"))
        for cid, c in cg.concepts.items()
    }


def _check_obsidian(cg, folder: Path) -> None:
    seen = {}
    for note in folder.glob("*.md"):
        text = note.read_text(encoding="utf-8")
        assert not RAW_CONTROL.search(text)
        front = yaml.safe_load(text.split("---\n")[1])
        if "id" in front:
            seen[front["id"]] = (front["definition"], front["card"])
    assert seen == {cid: (c["definition"], c["card"]) for cid, c in cg.concepts.items()}


def _check_anki(cg, path: Path) -> None:
    with tempfile.TemporaryDirectory() as work:
        with zipfile.ZipFile(path) as package:
            package.extract("collection.anki2", work)
        with closing(sqlite3.connect(Path(work) / "collection.anki2")) as db:
            rows = [r[0].split("\x1f") for r in db.execute("SELECT flds FROM notes")]
    got = {fields[6]: html.unescape(fields[0].replace("<br>", "\n")) for fields in rows}
    assert got == {cid: _shown_expected(c["name"]) for cid, c in cg.concepts.items()}


def _check_anki_text(cg, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    body = "".join(line for line in io.StringIO(text, newline="") if not line.startswith("#"))
    rows = list(csv.reader(io.StringIO(body, newline=""), delimiter="\t"))
    fronts = {html.unescape(row[0].replace("<br>", "\n")) for row in rows}
    assert all(not row[0].startswith(("#", *escape.FORMULA_STARTS)) for row in rows)
    assert fronts == {_shown_expected(c["name"]) for c in cg.concepts.values()}


READERS = {
    "json": _check_json,
    "graphml": _check_graphml,
    "gexf": _check_gexf,
    "dot": _check_dot,
    "mermaid": _check_mermaid,
    "turtle": _check_turtle,
    "cypher": _check_cypher,
    "neo4j-csv": _check_neo4j_csv,
    "obsidian": _check_obsidian,
    "anki": _check_anki,
    "anki-text": _check_anki_text,
}


def test_every_export_format_has_a_reader_here():
    assert set(READERS) == set(export.FORMATS)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # a failure is shown as found: shrinking 11 exports is slow
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    names=st.lists(hostile_text, min_size=2, max_size=4, unique_by=str.casefold),
    definitions=st.lists(hostile_text, min_size=4, max_size=4),
)
def test_hostile_text_reads_back_from_every_export(names, definitions):
    assume(all(n.strip() for n in names) and DIRECTIVE.casefold() not in {n.casefold() for n in names})
    names = [*names, DIRECTIVE]
    definitions = [*definitions, DIRECTIVE]
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        (work / "graph").mkdir()
        try:
            cg = _hostile_graph(work / "graph", names, definitions)
        except DlgraphError:
            assume(False)  # a graph validation refuses (e.g. a name equal to an alias) is not the point
        sel = export.whole(cg)
        for fmt, spec in export.FORMATS.items():
            dest = work / f"out-{fmt}{spec.suffix}"
            held = False
            try:
                export.export(sel, fmt, dest)
                READERS[fmt](cg, dest)
                held = True
            finally:
                record("hostile text", f"export {fmt}: read back by its own parser, text intact", held=held)


# --- the terminal ---------------------------------------------------------------------------------

PAYLOAD_NAME = "Evil\x1b]0;owned\x07\x1b[2J\x9b31m\u202eman"
PAYLOAD_TEXT = "clears\x1b[2J the screen\r, rings\x07, \x1bP+q\x1b\\ asks, \x00 ends"


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    concepts = [
        {
            "id": cid,
            "name": name,
            "aliases": [f"{name} alias"],
            "topic": "foundations",
            "kind": "concept",
            "definition": f"{name}: {PAYLOAD_TEXT}",
            "card": None,
        }
        for cid, name in (("evil", PAYLOAD_NAME), ("base", "Base\x1b[8mhidden"), ("top", "Top\x9b2J"))
    ]
    relations = [
        {
            "source": "evil",
            "type": "improves-on",
            "target": "base",
            "evidence": PAYLOAD_TEXT,
            "origin": "curated",
        },
        {"source": "top", "type": "extends", "target": "evil", "evidence": PAYLOAD_TEXT, "origin": "curated"},
    ]
    store.save(store.Dataset(concepts, relations), folder)
    return folder


COMMANDS = [
    ["show", "evil"],
    ["show", "top"],
    ["list"],
    ["search", "Evil"],
    ["path", "base", "top"],
    ["prereqs", "top"],
    ["lineage", "evil"],
    ["next", "--known", "base"],
    ["gaps"],
    ["stats"],
    ["validate"],
    ["progress"],
    ["study", "--ratings", "-"],
    ["show", "evil", "--json"],
    ["list", "--json"],
]
_OWN_STYLE = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize("color", [False, True], ids=["plain", "colour"])
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_command_keeps_card_text_inert_in_the_terminal(run, hostile_dir, args, color):
    result = run(*args, data_dir=hostile_dir, input="good\ngood\ngood\n", color=color)
    printed = result.stdout + result.stderr
    bare = _OWN_STYLE.sub("", printed) if color else printed  # dlgraph's own colours, nothing else
    held = result.exit_code in (0, 1) and "Traceback" not in result.output
    held &= not RAW_CONTROL.search(bare) and "\r" not in bare
    if "--json" not in args and args[0] not in ("gaps", "validate", "progress", "stats", "next"):
        held &= "␛" in printed  # the payload is shown, as visible symbols
    shape = f"{args[0]} --json" if "--json" in args else args[0]
    record("hostile text", f"terminal: {shape} shows controls as symbols", held=held)
    assert held, printed


def test_an_error_quoting_card_text_is_inert_too(run, hostile_dir):
    result = run("path", "evil", "top", "--json", data_dir=hostile_dir)
    assert not RAW_CONTROL.search(result.stdout + result.stderr)
    missing = run("show", "Evil\x1b[2J", data_dir=hostile_dir)
    assert missing.exit_code == 2 and not RAW_CONTROL.search(missing.stderr)


def test_no_color_changes_colour_only(run, hostile_dir):
    result = run("show", "evil", data_dir=hostile_dir, env={"NO_COLOR": "1"}, color=True)
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout  # no colour, and the payload's ESC shown as a symbol
    assert "Evil␛]0;owned␇␛[2J⟨U+009B⟩31m⟨U+202E⟩man" in result.stdout


def test_terminal_escaping_is_linear_and_keeps_layout():
    assert escape.terminal("a\tb\nc") == "a\tb\nc"
    assert escape.terminal("\x1b" * 3) == "␛␛␛"
    assert escape.terminal_data({"k\x1b": ["\x07", ("\x9b",)]}) == {"k␛": ["␇", ("⟨U+009B⟩",)]}


def test_an_xml_export_with_a_forbidden_character_is_never_reported_written(tmp_path):
    """The last line of defence, should an XML writer ever let a control through."""
    dest = tmp_path / "g.graphml"
    for bad in (b"<a>\x1b</a>", b"<a>\xef\xbf\xbe</a>", b"<a>" + b"x" * ((1 << 20) - 4) + b"\x00</a>"):
        with pytest.raises(DlgraphError, match="holds a character XML 1.0 forbids"):
            outputs.write_file(dest, lambda out, bad=bad: out.write(bad), check=export.check_xml)
        assert list(tmp_path.iterdir()) == []
    outputs.write_file(dest, lambda out: out.write(b"<a>\t\n\r\xc3\xa9</a>"), check=export.check_xml)
    assert dest.read_bytes() == b"<a>\t\n\r\xc3\xa9</a>"


def test_build_reports_card_text_inertly(run, tmp_path):
    deck = tmp_path / "deck.csv"
    evil = "Evil\x1b[2J\x9b6nNet"
    deck.write_text(f"{evil},uses ReLU\n{evil.upper()},clears\x1b[2J the screen\n", encoding="utf-8")
    result = run("build", "--no-field", str(deck), "--out", str(tmp_path / "g"), "--report", data_dir=None)
    held = result.exit_code == 0 and not RAW_CONTROL.search(result.output)
    held &= "note: merged 2 cards with the question 'Evil" in result.stdout  # it quotes the question
    record("hostile text", "terminal: build --report shows controls as symbols", held=held)
    assert held, result.output
