"""Name resolution, search ranking and completion over the mini fixture's concepts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlgraph import store
from dlgraph.errors import AmbiguousConcept, ConceptNotFound, UsageError
from dlgraph.names import (
    Resolver,
    mentions,
    normalize,
    resolve_term,
    search,
    slugify,
    spelling_key,
    spellings,
)

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
    assert [cid for _, cid, _ in resolver.complete("fas")] == ["fast-r-cnn", "faster-r-cnn"]
    assert [cid for _, cid, _ in resolver.complete("incep")] == ["googlenet", "inception-resnet"]
    assert resolver.complete("roi")[0] == ("roi-pooling", "roi-pooling", "RoI Pooling")


def test_completion_offers_the_label_that_extends_what_was_typed(resolver):
    # Same case first: "Fas" is the start of the names, "fas" of the ids.
    assert resolver.complete("Fas") == [
        ("Fast R-CNN", "fast-r-cnn", "Fast R-CNN"),
        ("Faster R-CNN", "faster-r-cnn", "Faster R-CNN"),
    ]
    # An alias as typed, never an id that does not start with it.
    assert resolver.complete("Incep") == [
        ("Inception", "googlenet", "GoogLeNet"),
        ("Inception-ResNet", "inception-resnet", "Inception-ResNet"),
    ]
    assert resolver.complete("deep q") == [("deep Q-network", "dqn", "DQN")]
    assert resolver.complete("zzz") == []


def test_slugify_makes_valid_ids():
    assert slugify("Faster R-CNN") == "faster-r-cnn"
    assert slugify("Attention(Q,K,V)") == "attention-q-k-v"


@given(st.text())
def test_normalize_and_slugify_never_fail_and_are_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)
    assert slugify(slugify(text)) == slugify(text)
    assert "--" not in slugify(text)


def test_search_ignores_stop_words_and_ranks_a_name_above_any_definition():
    concepts = [
        {"id": "attention", "name": "Attention", "definition": "Weights values by similarity."},
        {"id": "birnn", "name": "Bidirectional RNN", "definition": "All you need is two RNNs, one reversed."},
        {"id": "adam", "name": "Adam", "definition": "An optimizer."},
        {"id": "optimizer", "name": "Optimizer", "definition": "The update rule, e.g. Adam."},
    ]
    ranked = search(concepts, "attention is all you need")
    assert [(r["id"], r["match"]) for r in ranked] == [("attention", "name"), ("birnn", "definition")]
    assert ranked[0]["score"] >= 55 > 40 >= ranked[1]["score"]
    assert [r["id"] for r in search(concepts, "the adam optimizer")][:2] == ["adam", "optimizer"]
    assert search(concepts, "the of is") == []  # only stop-words: nothing names anything


def test_search_reads_the_evidence_of_relations_a_concept_states():
    concepts = [
        {"id": "alexnet", "name": "AlexNet", "definition": "A deep CNN."},
        {"id": "lenet", "name": "LeNet"},
    ]
    relations = [
        {"source": "alexnet", "type": "improves-on", "target": "lenet", "evidence": "ReLU, dropout."}
    ]
    assert search(concepts, "relu", relations=relations) == [
        {"id": "alexnet", "name": "AlexNet", "score": 40.0, "match": "text"}
    ]


def test_mentions_finds_whole_words_only():
    concepts = [
        {"id": "a", "name": "A", "definition": "uses ReLU activations"},
        {"id": "b", "name": "B", "definition": "prelu is different"},
    ]
    assert mentions(concepts, [], "relu") == ["A"]
    assert mentions(concepts, [], "ReLU activations") == ["A"]
    assert mentions(concepts, [], "---") == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("object detection", "object-detection"),
        ("OBJECT_DETECTION", "object-detection"),
        ("obj", "object-detection"),
        ("optimisation", "optimization"),
        ("sequence-models", "sequence-models"),
    ],
)
def test_topics_resolve_like_names(typed, expected):
    topics = ["object-detection", "optimization", "sequence-models"]
    assert resolve_term(typed, topics, "topic") == expected


def test_a_topic_nothing_resolves_is_returned_as_typed():
    assert resolve_term("detection", ["object-detection", "optimization"], "topic") == "detection"


def test_an_ambiguous_topic_prefix_lists_the_topics():
    with pytest.raises(UsageError) as caught:
        resolve_term("o", ["object-detection", "optimization"], "topic")
    assert str(caught.value) == (
        "no topic 'o' in this graph ('object-detection' or 'optimization'?); "
        "topics: object-detection, optimization"
    )


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


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("Regularisation", "regularization"),
        ("optimiser state", "optimizer state"),
        ("tokenisers", "tokenizers"),
        ("analyse", "analyze"),
        ("language modelling", "language modeling"),
        ("labelled example", "labeled example"),
        ("k-nearest neighbours", "k-nearest neighbors"),
        ("centre loss", "center loss"),
        ("colour jitter", "color jitter"),
    ],
)
def test_british_and_american_spellings_share_a_key(british, american):
    assert spelling_key(british) == spelling_key(american) != normalize(british)
    assert american in spellings(british) and british.casefold() in spellings(american)


@pytest.mark.parametrize("word", ["noise", "analysis", "filter", "four", "precision", "hour", "error"])
def test_words_with_no_other_spelling_keep_their_own(word):
    assert spellings(word) == {word} and spelling_key(word) == normalize(word)
