"""The bundled graph of the seed deck: valid, canonical, complete, and true to the cards."""

from __future__ import annotations

import pytest

from dlgraph import graph, store
from dlgraph.decks import read_deck
from dlgraph.names import slugify
from dlgraph.vocabulary import KINDS, TOPICS

DATA = store.bundled_data_dir()


@pytest.fixture(scope="module")
def cg() -> graph.ConceptGraph:
    return graph.load_graph(DATA)


@pytest.fixture(scope="module")
def cards():
    return read_deck(store.bundled_deck())


def test_bundled_graph_is_valid_without_warnings():
    result = graph.validate(DATA)
    assert result["errors"] == [] and result["warnings"] == []


def test_bundled_files_are_in_canonical_form():
    dataset = store.load(DATA)
    assert (DATA / "concepts.json").read_text(encoding="utf-8") == store.dumps_concepts(dataset.concepts)
    assert (DATA / "relations.json").read_text(encoding="utf-8") == store.dumps_relations(dataset.relations)


def test_bundled_deck_is_the_seed_deck_with_all_63_cards(cards):
    assert len(cards) == 63
    assert cards[0].question == "CNN biological inspiration"
    assert cards[-1].question == "PPO (proximal policy optimization)"


def test_every_card_maps_to_a_concept_that_keeps_its_answer_whole(cg, cards):
    by_card: dict[str, list[dict]] = {}
    for concept in cg.concepts.values():
        if concept["card"] is not None:
            by_card.setdefault(concept["card"], []).append(concept)
    for card in cards:
        assert card.question in by_card, f"card {card.question!r} has no concept"
        assert any(c["definition"] == card.answer for c in by_card[card.question]), card.question
    assert set(by_card) == {card.question for card in cards}


def test_answers_with_a_bare_pipe_are_whole(cg):
    assert "P(s' | s, a)" in cg.concepts["markov-decision-process"]["definition"]
    assert "pi(a | s)" in cg.concepts["reinforce"]["definition"]


def test_two_thing_cards_are_split():
    concepts = store.load(DATA).concept_by_id()
    assert concepts["retinanet"]["card"] == concepts["focal-loss"]["card"] == "RetinaNet & Focal loss"
    assert "Inception" in concepts["googlenet"]["aliases"]


def test_size_topics_kinds_and_ids(cg):
    assert 100 <= len(cg.concepts) <= 160
    assert len(cg.dataset.relations) >= 200
    for concept in cg.concepts.values():
        assert concept["topic"] in TOPICS and concept["kind"] in KINDS
        assert concept["id"] == slugify(concept["name"]), concept["id"]
    uncarded = [c for c in cg.concepts.values() if c["card"] is None]
    assert len(uncarded) >= 40


@pytest.mark.parametrize(
    ("source", "kind", "target"),
    [
        ("fast-r-cnn", "improves-on", "r-cnn"),
        ("faster-r-cnn", "improves-on", "fast-r-cnn"),
        ("mask-r-cnn", "extends", "faster-r-cnn"),
        ("mask-r-cnn", "uses", "bilinear-interpolation"),
        ("fast-r-cnn", "uses", "roi-pooling"),
        ("faster-r-cnn", "uses", "region-proposal-network"),
        ("r-cnn", "uses", "selective-search"),
        ("rmsprop", "improves-on", "adagrad"),
        ("adam", "combines", "rmsprop"),
        ("adam", "combines", "momentum"),
        ("gru", "simplifies", "lstm"),
        ("lstm", "improves-on", "vanilla-rnn"),
        ("double-dqn", "improves-on", "dqn"),
        ("dueling-dqn", "improves-on", "dqn"),
        ("swin-transformer", "improves-on", "vit"),
        ("actor-critic", "combines", "q-learning"),
        ("resnext", "extends", "resnet"),
        ("dropout", "is-a", "regularization"),
        ("nms", "uses", "iou"),
        ("resnet", "uses", "skip-connection"),
    ],
)
def test_relations_the_cards_state_are_there(cg, source, kind, target):
    assert cg.relations.has_edge(source, target, key=kind)


def test_card_evidence_quotes_the_card(cg, cards):
    answers = {card.question: card.answer for card in cards}
    quoted = 0
    for r in cg.dataset.relations:
        question, sep, text = r["evidence"].partition(": ")
        if sep and question in answers:
            assert text in answers[question], r
            quoted += 1
    assert quoted >= 100


def test_lineage_answers_from_the_issue(cg):
    assert [s["name"] for s in graph.path(cg, "R-CNN", "Mask R-CNN")["path"]] == [
        "R-CNN",
        "Fast R-CNN",
        "Faster R-CNN",
        "Mask R-CNN",
    ]
    assert [s["id"] for s in graph.path(cg, "adagrad", "adam")["path"]] == ["adagrad", "rmsprop", "adam"]


def test_study_order_over_every_bundled_concept(cg):
    for cid in cg.concepts:
        order = [item["id"] for item in graph.prerequisites(cg, cid)["prerequisites"]]
        position = {c: i for i, c in enumerate(order)}
        assert cid not in position
        for c in order:
            for need in cg.prereq.successors(c):
                assert position[need] < position[c]
