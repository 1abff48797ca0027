"""Name resolution, search ranking and completion over the mini fixture's concepts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlgraph import store
from dlgraph.errors import AmbiguousConcept, ConceptNotFound
from dlgraph.names import Resolver, normalize, search, slugify

from .conftest import MINI

CONCEPTS = store.load(MINI).concepts


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(CONCEPTS)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("mask rcnn", "mask-r-cnn"),
        ("MASK R-CNN", "mask-r-cnn"),
        ("faster-rcnn", "faster-r-cnn"),
        ("fast_r_cnn", "fast-r-cnn"),
        ("RMSProp", "rmsprop"),
        ("inception", "googlenet"),
        ("GoogLeNet", "googlenet"),
        ("deep q-network", "dqn"),
        ("DQN", "dqn"),
        ("region of interest pooling", "roi-pooling"),
        ("gradient-descent", "gradient-descent"),
    ],
)
def test_exact_after_normalizing(resolver, typed, expected):
    match = resolver.resolve(typed)
    assert match.id == expected and match.exact


def test_close_typo_is_taken_as_a_fuzzy_match(resolver):
    match = resolver.resolve("mask rcn")
    assert (match.id, match.exact) == ("mask-r-cnn", False)


def test_unknown_name_suggests_the_closest(resolver):
    with pytest.raises(ConceptNotFound) as caught:
        resolver.resolve("adma")
    assert caught.value.suggestions[0] == "Adam"
    assert str(caught.value) == "no concept named 'adma'; did you mean 'Adam'?"


def test_nothing_close_says_how_to_look(resolver):
    with pytest.raises(ConceptNotFound, match="try `dlgraph search`"):
        resolver.resolve("zzzzzzzzzz")


def test_equally_close_typo_is_not_guessed(resolver):
    # "fastr rcnn" is as close to "Fast R-CNN" as to "Faster R-CNN": ask, do not guess.
    with pytest.raises(ConceptNotFound) as caught:
        resolver.resolve("fastr rcnn")
    assert {"Fast R-CNN", "Faster R-CNN"} <= set(caught.value.suggestions)


def test_shared_alias_is_ambiguous(resolver):
    with pytest.raises(AmbiguousConcept) as caught:
        resolver.resolve("dqn variant")
    assert caught.value.candidates == ["Double DQN", "Dueling DQN"]


def test_a_name_beats_another_concepts_alias():
    concepts = [
        {"id": "a", "name": "Attention", "aliases": []},
        {"id": "b", "name": "Self-attention", "aliases": ["attention"]},
    ]
    assert Resolver(concepts).resolve("attention").id == "a"


def test_search_ranks_name_over_alias_over_definition():
    results = search(CONCEPTS, "rcnn")
    assert results[0]["name"] == "R-CNN" and results[0]["match"] == "name"
    assert {r["name"] for r in results[1:4]} == {"Fast R-CNN", "Faster R-CNN", "Mask R-CNN"}
    by_definition = search(CONCEPTS, "exponential moving average")
    assert by_definition[0]["name"] == "RMSprop" and by_definition[0]["match"] == "definition"


def test_search_is_stable_and_limited():
    first = search(CONCEPTS, "dqn", limit=2)
    assert first == search(CONCEPTS, "dqn", limit=2) and len(first) == 2
    assert search(CONCEPTS, "---") == []


def test_complete_by_id_name_or_alias(resolver):
    assert [cid for cid, _ in resolver.complete("fas")] == ["fast-r-cnn", "faster-r-cnn"]
    assert [cid for cid, _ in resolver.complete("incep")] == ["googlenet", "inception-resnet"]
    assert resolver.complete("roi")[0] == ("roi-pooling", "RoI Pooling")


def test_slugify_makes_valid_ids():
    assert slugify("Faster R-CNN") == "faster-r-cnn"
    assert slugify("Attention(Q,K,V)") == "attention-q-k-v"


@given(st.text())
def test_normalize_and_slugify_never_fail_and_are_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)
    assert slugify(slugify(text)) == slugify(text)
    assert "--" not in slugify(text)


def test_a_name_typed_with_a_decomposed_accent_finds_the_composed_one():
    resolver = Resolver([{"id": "cafe", "name": "Caf\u00e9", "aliases": []}])
    assert resolver.resolve("Cafe\u0301").id == "cafe"
    assert normalize("Cafe\u0301") == normalize("CAF\u00c9") == "caf\u00e9"
    assert slugify("Cafe\u0301 net") == "caf\u00e9-net"


def test_look_alikes_name_both_concepts_and_the_differing_letters():
    from dlgraph.names import lookalikes

    concepts = [
        {"id": "adam", "name": "Adam", "aliases": []},
        {"id": "adam-ru", "name": "\u0410dam", "aliases": []},
        {"id": "cafe", "name": "Caf\u00e9", "aliases": []},
        {"id": "cafe-nfd", "name": "Other", "aliases": ["Cafe\u0301"]},
        {"id": "moscow", "name": "\u041c\u043e\u0441\u043a\u0432\u0430", "aliases": []},  # alone: no twin
    ]
    assert lookalikes(concepts) == [
        "the names 'Adam' (adam) and '\u0410dam' (adam-ru) look alike but are different text ('A' is LATIN "
        "CAPITAL LETTER A, '\u0410' is CYRILLIC CAPITAL LETTER A); merge the two concepts or retype one name",
        "the names 'Cafe\u0301' (cafe-nfd) and 'Caf\u00e9' (cafe) look alike but are different text "
        "(the same letters, one with accents composed (NFC), the other decomposed (NFD)); merge the two "
        "concepts or retype one name",
    ]
    assert lookalikes([c for c in concepts if c["id"] != "adam-ru"][:1]) == []
