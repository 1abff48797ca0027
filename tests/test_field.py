"""The bundled field graph (data/field/): valid, acyclic, referenced, unambiguous, stable, and
spoken by the bundled deck graph."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from dlgraph import link, store
from dlgraph.graph import ConceptGraph, cycles, load_graph, path, prerequisites
from dlgraph.names import normalize
from dlgraph.vocabulary import KINDS, LINEAGE_TYPES, TOPICS

from .conftest import DATA

FIELD_IDS = DATA / "field-ids.txt"


@pytest.fixture(scope="module")
def field() -> store.Dataset:
    return store.load(store.field_data_dir())


def test_the_field_is_large_and_valid(field):
    errors, _ = store.problems(field)
    assert errors == []
    assert cycles(ConceptGraph(field)) == []
    assert len(field.concepts) >= 1000
    assert len(field.relations) >= 2500


def test_every_topic_is_a_known_cluster_of_real_size(field):
    counts = Counter(c["topic"] for c in field.concepts)
    assert set(counts) <= set(TOPICS)
    assert 8 <= len(counts) <= 20
    assert min(counts.values()) >= 20, counts
    assert all(c["kind"] in KINDS for c in field.concepts)


def test_every_relation_is_from_the_field_with_a_rationale(field):
    assert {r["origin"] for r in field.relations} == {"field"}
    assert all(len(r["evidence"].split()) >= 4 for r in field.relations)
    lineage = [r for r in field.relations if r["type"] in LINEAGE_TYPES]
    assert len(lineage) >= 150
    shape = re.compile(r"^\S.* \([^(),]+, (19|20)\d\d\)$")
    assert all(shape.match(r["reference"]) for r in lineage)


def test_related_to_is_rare(field):
    loose = sum(1 for r in field.relations if r["type"] == "related-to")
    assert loose / len(field.relations) <= 0.10


def test_definitions_are_one_line_and_our_own_length(field):
    for c in field.concepts:
        assert c["card"] is None
        assert "\n" not in c["definition"] and 20 <= len(c["definition"]) <= 240, c["id"]


def test_names_and_aliases_name_one_concept(field):
    owners: dict[str, set[str]] = {}
    for c in field.concepts:
        for label in [c["name"], *c["aliases"]]:
            owners.setdefault(normalize(label), set()).add(c["id"])
    shared = {label: ids for label, ids in owners.items() if len(ids) > 1}
    assert shared == {}


def test_every_concept_is_linked(field):
    linked = {r["source"] for r in field.relations} | {r["target"] for r in field.relations}
    assert [c["id"] for c in field.concepts if c["id"] not in linked] == []


def test_ids_are_stable(field):
    """An id once published stays: users' graphs, progress files and exports refer to it."""
    published = FIELD_IDS.read_text(encoding="utf-8").split()
    assert len(published) >= 1000
    missing = sorted(set(published) - {c["id"] for c in field.concepts})
    assert missing == []


def test_files_are_in_canonical_order(field):
    folder = store.field_data_dir()
    assert (folder / "concepts.json").read_text(encoding="utf-8") == store.dumps_concepts(field.concepts)
    assert (folder / "relations.json").read_text(encoding="utf-8") == store.dumps_relations(field.relations)


@pytest.mark.parametrize(
    ("older", "newer", "through"),
    [
        ("lenet-5", "resnet", {"alexnet"}),
        ("adagrad", "adam", set()),
        ("dqn", "double-dqn", set()),
        ("r-cnn", "mask-r-cnn", {"fast-r-cnn", "faster-r-cnn"}),
    ],
)
def test_the_lineages_students_ask_for(older, newer, through):
    cg = load_graph(store.field_data_dir())
    result = path(cg, older, newer)
    steps = [s["id"] for s in result["path"]]
    assert steps[0] == older and steps[-1] == newer
    assert through <= set(steps)
    assert all(edge["type"] in LINEAGE_TYPES for edge in result["edges"])


def test_prerequisites_reach_the_math(field):
    cg = load_graph(store.field_data_dir())
    needed = {row["id"] for row in prerequisites(cg, "ppo")["prerequisites"]}
    assert {"policy-gradient", "markov-decision-process"} <= needed


def test_the_bundled_deck_graph_speaks_the_field_language(field):
    deck = store.load(store.bundled_data_dir())
    assert link.disagreements(deck, field) == []
    shared = {c["id"] for c in deck.concepts} & {c["id"] for c in field.concepts}
    assert len(shared) >= 130


def test_field_flag_answers_from_the_field(run):
    result = run("--field", "path", "LeNet", "ResNet", data_dir=None)
    assert result.exit_code == 0, result.output
    assert "AlexNet" in result.output
    exported = run("--field", "export", "--format", "json", "-o", "-", data_dir=None)
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.output)
    assert len(data["nodes"]) >= 1000
    assert sum(1 for e in data["edges"] if "reference" in e) >= 150


def test_field_and_data_dir_together_is_a_usage_error(run, tmp_path):
    result = run("--field", "path", "LeNet", "ResNet", data_dir=tmp_path)
    assert result.exit_code == 2
    assert "--field and --data-dir" in result.output


def test_query_commands_do_not_read_the_field(tmp_path):
    """A cold `dlgraph path` opens no file of the field graph (an audit hook sees every open) and
    imports no spaCy."""
    script = (
        "import sys\n"
        "opened = []\n"
        "def hook(event, args):\n"
        "    if event == 'open' and args and isinstance(args[0], str):\n"
        "        opened.append(args[0])\n"
        "sys.addaudithook(hook)\n"
        "from dlgraph.cli import cli\n"
        "try:\n"
        "    cli(['path', 'R-CNN', 'Mask R-CNN'], prog_name='dlgraph')\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "print('FIELD' if any('/field/' in p for p in opened) else 'CLEAN', code, 'spacy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert done.stdout.strip().splitlines()[-1] == "CLEAN 0 False", done.stdout + done.stderr


def test_field_readme_counts_match_the_data(field):
    readme = (store.field_data_dir() / "README.md").read_text(encoding="utf-8")
    counts = Counter(c["topic"] for c in field.concepts)
    for topic, n in counts.items():
        assert re.search(rf"\|\s*`{topic}`\s*\|\s*{n}\s*\|", readme), topic
    assert f"{len(field.concepts):,} concepts" in readme


def test_field_ids_snapshot_is_sorted():
    ids = FIELD_IDS.read_text(encoding="utf-8").split()
    assert ids == sorted(set(ids))
    assert Path(FIELD_IDS).read_text(encoding="utf-8").endswith("\n")
