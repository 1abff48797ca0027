"""Linking a deck to a field graph: ids, aliases, case rules, field relations, gaps, --no-field.

These tests use the small field in tests/data/field, so that what they assert follows from a graph
small enough to read; tests/test_field.py checks the bundled field itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dlgraph import build, link, store
from dlgraph.graph import ConceptGraph, path

from .conftest import DATA, load_json

FIELD = DATA / "field"
DECK = DATA / "decks" / "field-fixture.md"


@pytest.fixture(scope="module")
def field_graph() -> store.Dataset:
    return store.load(FIELD)


@pytest.fixture
def built(tmp_path, field_graph):
    out = tmp_path / "graph"
    report = build.build(DECK, out, field_graph=field_graph)
    return out, report


def _concepts(folder: Path) -> dict[str, dict]:
    return {c["id"]: c for c in load_json(folder / "concepts.json")}


def _relations(folder: Path) -> list[dict]:
    return load_json(folder / "relations.json")


def _build_cards(tmp_path: Path, field_graph: store.Dataset, *rows: str, **options) -> Path:
    """Build a markdown-table deck of ``rows`` ("| Q | A |" lines) into tmp_path/g; return the folder."""
    deck = tmp_path / "deck.md"
    deck.write_text("| Q | A |\n|---|---|\n" + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    build.build(deck, tmp_path / "g", field_graph=field_graph, **options)
    return tmp_path / "g"


def test_cards_take_the_field_ids_kinds_and_topics(built):
    out, report = built
    concepts = _concepts(out)
    # "LeNet" is an alias, "ADAM" another case, "Q learning" a space for a hyphen, "RPN" an acronym.
    for cid in ("lenet-5", "adam", "q-learning", "region-proposal-network", "resnet"):
        assert cid in concepts, cid
    adam = concepts["adam"]
    assert (adam["kind"], adam["topic"]) == ("algorithm", "optimization")
    assert adam["card"] == "ADAM"
    assert adam["definition"] == "per-parameter steps from first and second gradient moments"
    assert concepts["lenet-5"]["card"] == "LeNet"
    assert report.field_used and report.linked >= 9


def test_deck_wording_becomes_an_alias(tmp_path, field_graph):
    _build_cards(tmp_path, field_graph, "| Adam (ADAM optimizer) | adaptive moments |")
    adam = _concepts(tmp_path / "g")["adam"]
    assert "ADAM optimizer" in adam["aliases"]
    assert "adaptive moment estimation" in adam["aliases"]


def test_a_lineage_no_card_states_comes_from_the_field(built):
    out, _ = built
    cg = ConceptGraph(store.load(out))
    result = path(cg, "lenet-5", "resnet")
    names = [step["id"] for step in result["path"]]
    assert names == ["lenet-5", "alexnet", "vgg", "resnet"]
    by_triple = {(r["source"], r["type"], r["target"]): r for r in _relations(out)}
    vgg = by_triple[("vgg", "improves-on", "alexnet")]
    assert vgg["origin"] == "field"
    title = "Very Deep Convolutional Networks for Large-Scale Image Recognition"
    assert vgg["reference"] == f"{title} (Simonyan, 2014)"
    assert "3x3" in vgg["evidence"]


def test_relations_the_field_knows_join_the_deck_but_only_between_its_concepts(built):
    out, report = built
    relations = _relations(out)
    ids = set(_concepts(out))
    assert all(r["source"] in ids and r["target"] in ids for r in relations)
    field_rel = [r for r in relations if r["origin"] == "field"]
    assert report.field_relations == len(field_rel) > 0
    # cnn is in no card and the deck does not mention it: its relation stays out without --with-prereqs.
    assert "cnn" not in ids
    assert not any("cnn" in (r["source"], r["target"]) for r in relations)


def test_a_concept_named_too_loosely_for_a_relation_joins_when_the_field_relates_it(tmp_path, field_graph):
    # Past the answer's opening and with no cue, neither mention gives the card a relation of its own.
    out = _build_cards(
        tmp_path,
        field_graph,
        "| RPN | proposes boxes; each score comes from a convolution; the margin mentions momentum |",
    )
    relations = _relations(out)
    ids = set(_concepts(out))
    assert not any(r["origin"] == "extracted" for r in relations)
    # The field relates convolution to the card's subject: it joins, with the field's relation ...
    assert {(r["source"], r["type"], r["target"], r["origin"]) for r in relations} == {
        ("region-proposal-network", "uses", "convolution", "field")
    }
    # ... and momentum, which the field does not relate to RPN, stays out.
    assert "convolution" in ids and "momentum" not in ids


def test_a_concept_named_loosely_joins_when_the_field_relates_it_to_another_card(tmp_path, field_graph):
    # The ResNet card names momentum, convolution and values with no cue, past its opening; the field
    # relates none of them to ResNet. Momentum is what the deck's Adam combines, so it joins with that
    # relation; nothing in the deck needs convolution, so it stays out; and "values", an everyday word
    # in a card on another topic, is not the attention value that the deck's Attention is made of.
    out = _build_cards(
        tmp_path,
        field_graph,
        "| ResNet | a deep network; the margin mentions momentum, a convolution and the values |",
        "| Adam | an optimizer |",
        "| Attention | a weighted sum |",
    )
    ids = set(_concepts(out))
    relations = _relations(out)
    assert not any(r["origin"] == "extracted" for r in relations)
    assert ("adam", "combines", "momentum", "field") in {
        (r["source"], r["type"], r["target"], r["origin"]) for r in relations
    }
    assert "momentum" in ids
    assert "convolution" not in ids and "value" not in ids
    assert not any({"resnet", "momentum"} == {r["source"], r["target"]} for r in relations)


def test_an_everyday_word_joins_from_a_card_on_its_own_topic(field_graph):
    from dlgraph.decks import Card

    def concept(cid: str, topic: str) -> dict:
        return {"id": cid, "name": cid, "aliases": [], "topic": topic, "kind": "concept", "card": cid}

    # Each card's answer names "values"; the deck's Attention is what the field's Value is part of.
    deck = [concept("multi-head", "attention-transformers"), concept("td-error", "reinforcement-learning")]
    cards = [
        Card("multi-head", "... the values ..."),
        Card("td-error", "... the values ..."),
        Card("Attention", ""),
    ]
    subjects = [["multi-head"], ["td-error"], ["attention"]]

    def joined(named: list[list[str]]) -> set[str]:
        adoption = link.adopt(cards, subjects, [], deck, field_graph, named=named)
        return {c["id"] for c in adoption.concepts}

    assert joined([["value"], [], []]) == {"attention", "value"}  # a card on attention: the attention sense
    assert joined([[], ["value"], []]) == {"attention"}  # an RL card's values are no attention values


def test_a_comparison_card_keeps_its_contrast_beside_the_fields_relation(tmp_path, field_graph):
    out = _build_cards(tmp_path, field_graph, "| Adam vs Adagrad | one keeps moments, one sums squares |")
    triples = {(r["source"], r["type"], r["target"], r["origin"]) for r in _relations(out)}
    assert ("adam", "improves-on", "adagrad", "field") in triples
    assert ("adam", "alternative-to", "adagrad", "extracted") in triples


def test_a_contrast_an_answer_states_stays_beside_the_fields_relation(tmp_path, field_graph):
    out = _build_cards(
        tmp_path, field_graph, "| RMSprop | unlike Adagrad, its step size does not decay to zero |"
    )
    triples = {(r["source"], r["type"], r["target"], r["origin"]) for r in _relations(out)}
    assert ("rmsprop", "improves-on", "adagrad", "field") in triples
    assert ("rmsprop", "alternative-to", "adagrad", "extracted") in triples


def test_a_comparison_the_field_states_the_other_way_round_is_one_relation_with_the_cards_sentence(
    tmp_path, field_graph
):
    mirrored = {
        "source": "rmsprop",
        "type": "alternative-to",
        "target": "adam",
        "evidence": "x",
        "origin": "field",
    }
    field = store.Dataset(field_graph.concepts, [*field_graph.relations, mirrored])
    out = _build_cards(tmp_path, field, "| Adam vs RMSprop | one keeps a mean of gradients, one does not |")
    contrasts = [r for r in _relations(out) if r["type"] == "alternative-to"]
    assert [(r["source"], r["target"], r["origin"]) for r in contrasts] == [("adam", "rmsprop", "extracted")]
    assert contrasts[0]["evidence"].startswith("Adam vs RMSprop: ")


def test_what_a_cue_types_stays_beside_the_fields_relation_and_a_loose_mention_gives_way(
    tmp_path, field_graph
):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    # The field says CNN uses convolution; the card lists convolution layers as CNN's parts.
    listed = _build_cards(
        tmp_path / "a",
        field_graph,
        "| CNN | a network that consists of the following layers:<br><br>convolution layers<br>"
        "pooling layers |",
    )
    triples = {(r["source"], r["type"], r["target"], r["origin"]) for r in _relations(listed)}
    assert ("cnn", "uses", "convolution", "field") in triples
    assert ("convolution", "part-of", "cnn", "extracted") in triples
    # Named with no cue, the pair is only co-mentioned: the field's type is the one kept.
    loose = _build_cards(tmp_path / "b", field_graph, "| ResNet | a deep network; skip connections matter |")
    pairs = [(r["source"], r["type"], r["target"], r["origin"]) for r in _relations(loose)]
    assert pairs == [("resnet", "uses", "skip-connection", "field")]


def test_a_card_on_an_aspect_of_a_field_concept_does_not_become_its_card(tmp_path, field_graph):
    _build_cards(tmp_path, field_graph, "| CNN backstory | D. Hubel and T. Wiesel |", with_prereqs=True)
    concepts = _concepts(tmp_path / "g")
    field_cnn = field_graph.concept_by_id()["cnn"]
    assert concepts["cnn"]["card"] is None and concepts["cnn"]["definition"] == field_cnn["definition"]
    assert concepts["cnn-backstory"]["card"] == "CNN backstory"


def test_renaming_an_aspect_cards_concept_changes_no_relation(tmp_path, field_graph):
    out = _build_cards(tmp_path, field_graph, "| CNN backstory | LeNet came first |")
    before = (out / store.RELATIONS_FILE).read_bytes()
    concepts = load_json(out / store.CONCEPTS_FILE)
    next(c for c in concepts if c["id"] == "cnn-backstory")["name"] = "History of CNNs"
    (out / store.CONCEPTS_FILE).write_text(json.dumps(concepts), encoding="utf-8")
    build.build(tmp_path / "deck.md", out, field_graph=field_graph)
    assert (out / store.RELATIONS_FILE).read_bytes() == before
    assert _concepts(out)["cnn-backstory"]["name"] == "History of CNNs"


def test_short_acronyms_match_their_case_and_everyday_words_stay_words(built):
    out, _ = built
    relations = _relations(out)
    pairs = {(r["source"], r["target"]) for r in relations}
    evaluation = next(c["id"] for c in _concepts(out).values() if c["card"] == "evaluation")
    assert (evaluation, "map") in pairs  # "mAP" as written
    assert (evaluation, "feature-map") in pairs  # "feature maps" is the feature map ...
    assert ("region-proposal-network", "map") not in pairs  # ... and never mAP
    assert not any("value" in pair for pair in pairs)  # "action values" is not the attention value


def test_a_concept_the_field_lacks_keeps_its_identity_and_gets_a_topic(built):
    out, _ = built
    mine = next(c for c in _concepts(out).values() if c["card"] == "my own trick")
    assert mine["id"] == "my-own-trick"
    assert mine["topic"] == "optimization"  # from its one linked neighbour, RMSprop
    assert mine["kind"] == "concept"


def test_with_prereqs_adds_what_the_deck_needs_without_a_card(tmp_path, field_graph):
    out = tmp_path / "g"
    report = build.build(DECK, out, field_graph=field_graph, with_prereqs=True)
    concepts = _concepts(out)
    for cid in ("cnn", "momentum", "exponential-moving-average"):
        assert cid in concepts and concepts[cid]["card"] is None, cid
    assert set(report.prerequisites) >= {"cnn", "momentum", "exponential-moving-average"}
    # "conv layers" in the LeNet card already brought convolution in: it is no prerequisite added.
    assert "convolution" in concepts and "convolution" not in report.prerequisites
    cg = ConceptGraph(store.load(out))
    assert ("lenet-5", "cnn") in {(r["source"], r["target"]) for r in cg.dataset.relations}


def test_gaps_lists_missing_prerequisites_per_deck_concept(built, field_graph):
    out, _ = built
    result = link.gaps(store.load(out), field_graph)
    by_concept = {g["concept"]: {m["id"]: m for m in g["missing"]} for g in result["gaps"]}
    # improves-on makes the older method a prerequisite too: study Adagrad before what fixed it.
    assert set(by_concept["adam"]) == {"adagrad", "momentum"}
    assert by_concept["adam"]["momentum"]["sentence"] == "Adam combines Momentum"
    assert set(by_concept["rmsprop"]) == {"adagrad", "exponential-moving-average"}
    assert set(by_concept["lenet-5"]) == {"cnn"}
    assert result["missing"] == len({m for g in by_concept.values() for m in g})
    # gaps adds nothing
    assert "momentum" not in _concepts(out)


def test_gaps_command_text_and_json(built, run, tmp_path, monkeypatch):
    out, _ = built
    monkeypatch.setenv("DLGRAPH_FIELD_DIR", str(FIELD))
    result = run("gaps", data_dir=out)
    assert result.exit_code == 0, result.output
    assert "Adam: your deck covers it but not Adagrad, Momentum" in result.output
    assert "  Momentum: Adam combines Momentum" in result.output
    as_json = json.loads(run("gaps", "--json", data_dir=out).output)
    assert {g["concept"] for g in as_json["gaps"]} >= {"adam", "rmsprop", "lenet-5"}


def test_no_field_reads_the_cards_alone(tmp_path, field_graph):
    out = tmp_path / "g"
    report = build.build(DECK, out, use_field=False)
    relations = _relations(out)
    assert not report.field_used
    assert all(r["origin"] == "extracted" for r in relations)
    concepts = _concepts(out)
    assert "lenet-5" not in concepts and "lenet" in concepts
    assert all(c["topic"] == "foundations" for c in concepts.values())


def test_a_rebuild_keeps_field_relations_and_what_the_user_deleted_stays_deleted(built, field_graph):
    out, _ = built
    relations = _relations(out)
    gone = next(r for r in relations if r["origin"] == "field" and r["type"] == "improves-on")
    kept = [r for r in relations if r is not gone]
    (out / "relations.json").write_text(store.dumps_relations(kept), encoding="utf-8")
    build.build(DECK, out, field_graph=field_graph)
    again = {(r["source"], r["type"], r["target"]) for r in _relations(out)}
    assert (gone["source"], gone["type"], gone["target"]) not in again
    assert {(r["source"], r["type"], r["target"]) for r in kept} <= again


def test_link_ids_by_id_then_by_a_name_only_one_field_concept_has(field_graph):
    deck = [
        {"id": "adam", "name": "Adam", "aliases": []},
        {"id": "ema", "name": "EMA", "aliases": []},
        {"id": "mystery", "name": "Mystery", "aliases": []},
    ]
    assert link.link_ids(deck, field_graph.concepts) == {"adam": "adam", "ema": "exponential-moving-average"}


def test_a_deck_concept_spelled_the_british_way_is_the_fields_american_one():
    field = [{"id": "regularization", "name": "Regularization", "aliases": []}]
    deck = [{"id": "regularisation", "name": "Regularisation", "aliases": []}]
    assert link.link_ids(deck, field) == {"regularisation": "regularization"}


def test_a_deck_concept_that_disagrees_with_the_field_is_a_warning(tmp_path, field_graph):
    concepts = [dict(c) for c in field_graph.concepts if c["id"] in ("adam", "rmsprop")]
    concepts[0]["topic"] = "foundations"
    deck = store.Dataset(concepts, [])
    found = link.disagreements(deck, field_graph)
    assert found == [
        "concepts.json: concept 'adam' has topic 'foundations' but the field graph says 'optimization'; "
        "use the field's, or give the concept another id"
    ]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("RPN", "region-proposal-network"),  # acronym -> expansion
        ("Region proposal networks", "region-proposal-network"),  # expansion, plural
        ("EMA", "exponential-moving-average"),  # the field's alias
        ("exponential-moving average", "exponential-moving-average"),  # hyphen for a space
        ("Q learning", "q-learning"),  # space for a hyphen
        ("VGGNet", "vgg"),
    ],
)
def test_a_card_names_a_field_concept_however_it_is_spelled(tmp_path, field_graph, question, expected):
    concepts = _concepts(_build_cards(tmp_path, field_graph, f"| {question} | a short answer |"))
    assert concepts[expected]["card"] == question


def test_an_everyday_word_card_keeps_its_own_concept(tmp_path, field_graph):
    """A card about "value" (attention) links; "values" in an RL card stays a word (see above)."""
    out = _build_cards(
        tmp_path,
        field_graph,
        "| Value | the vector attention mixes |",
        "| Q learning | learns action values |",
    )
    relations = _relations(out)
    assert _concepts(out)["value"]["card"] == "Value"
    assert not any({r["source"], r["target"]} == {"q-learning", "value"} for r in relations)
