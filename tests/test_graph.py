"""Query functions on real networkx graphs: the mini fixture and random DAGs."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlgraph import graph, store
from dlgraph.errors import ConceptNotFound, UsageError

from .conftest import MINI


@pytest.fixture(scope="module")
def cg() -> graph.ConceptGraph:
    return graph.load_graph(MINI)


def names(refs):
    return [r["name"] for r in refs]


def test_lineage_path_walks_from_old_to_new_with_inverse_labels(cg):
    result = graph.path(cg, "r-cnn", "mask-r-cnn")
    assert result["found"] and result["kind"] == "lineage" and not result["reversed"]
    assert names(result["path"]) == ["R-CNN", "Fast R-CNN", "Faster R-CNN", "Mask R-CNN"]
    assert [(e["source"], e["type"], e["target"]) for e in result["edges"]] == [
        ("fast-r-cnn", "improves-on", "r-cnn"),
        ("faster-r-cnn", "improves-on", "fast-r-cnn"),
        ("mask-r-cnn", "extends", "faster-r-cnn"),
    ]
    assert result["alternatives"] == 1


def test_path_prefers_the_long_chain_over_a_shortcut(cg):
    # Adam improves-on Adagrad directly, and Adam improves-on RMSprop improves-on Adagrad.
    result = graph.path(cg, "adagrad", "adam")
    assert names(result["path"]) == ["Adagrad", "RMSprop", "Adam"]
    assert result["alternatives"] == 1


def test_equal_chains_pick_alphabetically_and_count(cg):
    result = graph.path(cg, "alexnet", "inception-resnet")
    assert names(result["path"]) == ["AlexNet", "GoogLeNet", "Inception-ResNet"]
    assert result["alternatives"] == 2


def test_reversed_question_still_answers(cg):
    result = graph.path(cg, "mask-r-cnn", "r-cnn")
    assert result["found"] and result["reversed"]
    assert names(result["path"]) == ["R-CNN", "Fast R-CNN", "Faster R-CNN", "Mask R-CNN"]


def test_no_lineage_falls_back_to_any_relation(cg):
    result = graph.path(cg, "selective-search", "roi-pooling")
    assert result["found"] and result["kind"] == "any" and result["fallback"]
    assert names(result["path"]) == ["Selective search", "Fast R-CNN", "RoI Pooling"]
    asked = graph.path(cg, "selective-search", "roi-pooling", any_relation=True)
    assert asked["kind"] == "any" and not asked["fallback"] and asked["path"] == result["path"]


def test_disconnected_concepts_are_not_found(cg):
    result = graph.path(cg, "adam", "lone-island")
    assert not result["found"] and result["path"] == [] and result["edges"] == []


def test_same_concept_is_a_usage_error(cg):
    with pytest.raises(UsageError, match="both names mean Adam"):
        graph.path(cg, "Adam", "adam")


def test_prerequisites_in_study_order_with_depth_and_reason(cg):
    result = graph.prerequisites(cg, "adam")
    items = result["prerequisites"]
    assert names(items) == ["Gradient descent", "Adagrad", "Momentum", "RMSprop"]
    depth = {i["name"]: i["depth"] for i in items}
    assert depth == {"Gradient descent": 2, "Adagrad": 1, "Momentum": 1, "RMSprop": 1}
    assert items[2]["reason"] == "Adam combines Momentum"
    assert items[2]["relation"]["type"] == "combines"


def test_prerequisites_depth_limit(cg):
    items = graph.prerequisites(cg, "adam", depth=1)["prerequisites"]
    assert sorted(names(items)) == ["Adagrad", "Momentum", "RMSprop"]
    with pytest.raises(UsageError):
        graph.prerequisites(cg, "adam", depth=0)


def test_known_drops_what_only_it_needs(cg):
    # Knowing Fast R-CNN drops it and all it alone needs: R-CNN, RoI Pooling, selective search.
    items = graph.prerequisites(cg, "mask-r-cnn", known=["fast-r-cnn"])["prerequisites"]
    assert names(items) == ["Faster R-CNN"]
    # Knowing Adagrad keeps Gradient descent, which Momentum still needs.
    items = graph.prerequisites(cg, "adam", known=["adagrad"])["prerequisites"]
    assert names(items) == ["Gradient descent", "RMSprop", "Momentum"]


def test_next_is_the_fringe(cg):
    result = graph.next_concepts(cg, ["gradient-descent"])
    assert names(result["results"]) == ["Adagrad", "Momentum"]
    result = graph.next_concepts(cg, ["gradient-descent", "adagrad", "momentum"])
    assert names(result["results"]) == ["RMSprop"]
    roots = graph.next_concepts(cg, [])["results"]
    assert "Gradient descent" in names(roots) and "Adam" not in names(roots)


def test_lineage_both_directions_and_trees(cg):
    result = graph.lineage(cg, "fast-r-cnn")
    assert names(result["ancestors"]) == ["R-CNN"]
    assert names(result["descendants"]) == ["Faster R-CNN", "Mask R-CNN"]
    (branch,) = result["descendant_tree"]
    assert (branch["name"], branch["label"]) == ("Faster R-CNN", "improved by")
    assert (branch["children"][0]["name"], branch["children"][0]["label"]) == ("Mask R-CNN", "extended by")


def test_lineage_tree_marks_repeats_in_a_diamond(cg):
    result = graph.lineage(cg, "inception-resnet")
    tree = result["ancestor_tree"]
    assert names(tree) == ["GoogLeNet", "ResNet"]
    assert tree[0]["children"][0]["name"] == "AlexNet" and not tree[0]["children"][0]["repeat"]
    assert tree[1]["children"][0]["name"] == "AlexNet" and tree[1]["children"][0]["repeat"]
    assert names(result["ancestors"]) == ["GoogLeNet", "ResNet", "AlexNet"]


def test_show_groups_relations_with_inverse_labels(cg):
    result = graph.show(cg, "fast-r-cnn")
    assert result["name"] == "Fast R-CNN" and result["card"] == "Fast R-CNN"
    assert names(result["groups"]["improves on"]) == ["R-CNN"]
    assert names(result["groups"]["uses"]) == ["RoI Pooling", "Selective search"]
    assert names(result["groups"]["improved by"]) == ["Faster R-CNN"]
    assert {"source": "faster-r-cnn", "type": "improves-on", "target": "fast-r-cnn"}.items() <= (
        next(r for r in result["relations"] if r["source"] == "faster-r-cnn").items()
    )


def test_symmetric_relation_reads_the_same_both_ways(cg):
    assert names(graph.show(cg, "dueling-dqn")["groups"]["is an alternative to"]) == ["Double DQN"]
    assert names(graph.show(cg, "double-dqn")["groups"]["is an alternative to"]) == ["Dueling DQN"]


def test_list_filters(cg):
    assert names(graph.list_concepts(cg, topic="optimization")["results"]) == [
        "Adagrad",
        "Adam",
        "Gradient descent",
        "Momentum",
        "RMSprop",
    ]
    assert names(graph.list_concepts(cg, kind="component")["results"]) == ["RoI Pooling"]
    with pytest.raises(UsageError, match="no topic 'optimisation' in this graph; topics: cnn-architectures"):
        graph.list_concepts(cg, topic="optimisation")


def test_unknown_name_raises_with_suggestions(cg):
    with pytest.raises(ConceptNotFound) as caught:
        graph.show(cg, "Fastr R-CNN ultra")
    assert "Fast R-CNN" in caught.value.suggestions or "Faster R-CNN" in caught.value.suggestions


# --- properties over random graphs ----------------------------------------------------------------


@st.composite
def random_graphs(draw):
    """Random valid datasets: prerequisite edges only go from a higher index to a lower one (a DAG)."""
    n = draw(st.integers(min_value=2, max_value=14))
    concepts = [
        {
            "id": f"c{i}",
            "name": f"Concept {i}",
            "aliases": [],
            "topic": "t",
            "kind": "concept",
            "definition": f"number {i}",
            "card": None,
        }
        for i in range(n)
    ]
    types = ["improves-on", "uses", "combines", "is-a", "part-of", "related-to"]
    pairs = draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=30))
    relations = []
    for a, b in sorted(pairs):
        if a == b:
            continue
        kind = draw(st.sampled_from(types))
        hi, lo = max(a, b), min(a, b)
        source, target = (f"c{lo}", f"c{hi}") if kind == "part-of" else (f"c{hi}", f"c{lo}")
        if kind == "related-to" and (source, target) in {(r["target"], r["source"]) for r in relations}:
            continue
        if any((r["source"], r["target"]) == (source, target) and r["type"] == kind for r in relations):
            continue
        relations.append(
            {"source": source, "type": kind, "target": target, "evidence": "e", "origin": "curated"}
        )
    return store.Dataset(concepts, relations)


@settings(max_examples=150, deadline=None)
@given(random_graphs())
def test_study_order_always_puts_prerequisites_first(dataset):
    assert store.problems(dataset)[0] == []
    cg = graph.ConceptGraph(dataset)
    assert graph.cycles(cg) == []
    for cid in cg.concepts:
        order = [item["id"] for item in graph.prerequisites(cg, cid)["prerequisites"]]
        assert set(order) == nx.descendants(cg.prereq, cid)
        position = {c: i for i, c in enumerate(order)}
        for c in order:
            for need in cg.prereq.successors(c):
                assert position[need] < position[c], (need, c)


@settings(max_examples=100, deadline=None)
@given(random_graphs(), st.data())
def test_lineage_path_is_a_longest_chain(dataset, data):
    cg = graph.ConceptGraph(dataset)
    ids = sorted(cg.concepts)
    a, b = data.draw(st.sampled_from(ids)), data.draw(st.sampled_from(ids))
    if a == b:
        return
    result = graph.path(cg, a, b)
    simple = list(nx.all_simple_paths(cg.lineage, b, a))
    if simple:
        assert result["kind"] == "lineage" and not result["reversed"]
        assert len(result["path"]) == max(len(p) for p in simple)
        longest = [p for p in simple if len(p) == len(result["path"])]
        assert result["alternatives"] == len(longest)
        assert [r["id"] for r in reversed(result["path"])] in longest
    elif not list(nx.all_simple_paths(cg.lineage, a, b)):
        assert result["kind"] == "any"
        connected = nx.has_path(cg.relations.to_undirected(), a, b)
        assert result["found"] == connected
        if connected:
            assert len(result["path"]) - 1 == nx.shortest_path_length(cg.relations.to_undirected(), a, b)
