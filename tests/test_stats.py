"""Graph shape numbers on the mini graph (counted by hand), PageRank against known answers, the CLI."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from dlgraph import graph, stats, store

from .conftest import MINI


@pytest.fixture(scope="module")
def cg() -> graph.ConceptGraph:
    return graph.load_graph(MINI)


def names(refs):
    return [r["name"] for r in refs]


def test_counts_per_topic_kind_and_type(cg):
    result = stats.stats(cg)
    assert (result["concepts"], result["relations"]) == (20, 21)
    assert result["topics"] == {
        "object-detection": 6,
        "optimization": 5,
        "cnn-architectures": 4,
        "reinforcement-learning": 3,
        "foundations": 2,
    }
    assert result["kinds"] == {"algorithm": 9, "architecture": 8, "concept": 2, "component": 1}
    assert result["relation_types"] == {
        "improves-on": 11,
        "extends": 3,
        "combines": 2,
        "uses": 3,
        "alternative-to": 1,
        "related-to": 1,
    }
    assert result["families"] == {"lineage": 14, "composition": 5, "taxonomy": 0, "association": 2}


def test_components_are_the_five_islands_of_the_mini_graph(cg):
    comp = stats.stats(cg)["components"]
    assert comp == {"count": 5, "sizes": [6, 5, 4, 3, 2], "isolated": []}


def test_an_orphan_is_its_own_component_and_listed(tmp_path):
    dataset = store.load(MINI)
    dataset.concepts.append(
        {
            "id": "hermit",
            "name": "Hermit",
            "aliases": [],
            "topic": "foundations",
            "kind": "concept",
            "definition": "Alone.",
            "card": None,
        }
    )
    store.save(dataset, tmp_path)
    result = stats.stats(graph.load_graph(tmp_path))
    assert result["components"]["count"] == 6 and result["components"]["isolated"] == [
        {"id": "hermit", "name": "Hermit"}
    ]
    assert "concepts.json: concept 'hermit' has no relations (orphan)" in result["warnings"]


def test_longest_lineage_chains_oldest_first(cg):
    chains = stats.stats(cg)["lineage_chains"]
    assert [(c["length"], names(c["chain"])) for c in chains] == [
        (3, ["Gradient descent", "Adagrad", "RMSprop", "Adam"]),
        (3, ["R-CNN", "Fast R-CNN", "Faster R-CNN", "Mask R-CNN"]),
        (2, ["AlexNet", "GoogLeNet", "Inception-ResNet"]),
        (1, ["DQN", "Double DQN"]),
        (1, ["DQN", "Dueling DQN"]),
    ]


def test_concepts_without_a_card_and_warnings(cg):
    result = stats.stats(cg)
    assert names(result["without_card"]) == [
        "AlexNet",
        "Double DQN",
        "DQN",
        "Dueling DQN",
        "GoogLeNet",
        "Gradient descent",
        "Inception-ResNet",
        "Lone island",
        "Partner",
        "RoI Pooling",
        "Selective search",
    ]
    assert result["warnings"] == ["concepts.json: the name 'dqnvariant' belongs to double-dqn, dueling-dqn"]


def test_centrality_rankings(cg):
    result = stats.stats(cg, top=3)
    # Fast R-CNN is the only bridge between both halves of the detection family.
    assert names(result["betweenness"]) == ["Fast R-CNN", "Faster R-CNN", "Adagrad"]
    assert result["betweenness_exact"] is True
    # The symmetric pair keeps its rank to itself; next come what the most concepts build on.
    assert names(result["pagerank"]) == ["Lone island", "Partner", "Gradient descent"]
    assert len(stats.stats(cg, top=50)["pagerank"]) == 20


def test_betweenness_is_sampled_on_big_graphs(cg, monkeypatch):
    monkeypatch.setattr(stats, "EXACT_BETWEENNESS_LIMIT", 5)
    monkeypatch.setattr(stats, "BETWEENNESS_SAMPLE", 10)
    result = stats.stats(cg)
    assert result["betweenness_exact"] is False and len(result["betweenness"]) == 10
    assert "Most central by betweenness, estimated from a sample" in stats.stats_report(result)


def test_pagerank_known_answers():
    ring = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a")])
    assert all(abs(r - 1 / 3) < 1e-9 for r in stats.pagerank(ring).values())
    star = nx.DiGraph([(leaf, "hub") for leaf in "abcd"])
    ranks = stats.pagerank(star)
    assert abs(sum(ranks.values()) - 1) < 1e-9
    assert max(ranks, key=ranks.get) == "hub" and len({round(ranks[x], 12) for x in "abcd"}) == 1
    # a -> b, b dangling (its rank spread evenly): a = base, b = base + 0.85 a, a + b = 1, base = a.
    pair = stats.pagerank(nx.DiGraph([("a", "b")]))
    assert pair["a"] == pytest.approx(1 / 2.85, abs=1e-8) and pair["b"] == pytest.approx(
        1.85 / 2.85, abs=1e-8
    )
    assert stats.pagerank(nx.DiGraph()) == {}


def test_pagerank_matches_networkx_where_scipy_is_installed(cg):
    pytest.importorskip("scipy", reason="nx.pagerank needs SciPy, which dlgraph does not depend on")
    citations = stats.citation_graph(cg)
    ours = stats.pagerank(citations)
    theirs = nx.pagerank(citations, tol=1e-10, max_iter=1000)
    assert all(ours[n] == pytest.approx(theirs[n], abs=1e-6) for n in citations)


def test_stats_cli_text(run):
    result = run("stats", "--top", "2")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "20 concepts in 5 topics, 21 relations of 6 types"
    assert "Connected components: 5 (sizes 6, 5, 4, 3, 2)" in lines
    assert lines[lines.index("Most central by betweenness") + 1 :][:2] == [
        "  1. 0.0468  Fast R-CNN",
        "  2. 0.0234  Faster R-CNN",
    ]
    assert "  3 steps: R-CNN → Fast R-CNN → Faster R-CNN → Mask R-CNN" in lines
    assert "  1 step: DQN → Double DQN" in lines
    assert lines[-2:] == [
        "Validation warnings: 1",
        "  concepts.json: the name 'dqnvariant' belongs to double-dqn, dueling-dqn",
    ]


def test_stats_cli_json(run):
    result = run("stats", "--json")
    data = json.loads(result.stdout)
    assert set(data) == {
        "concepts",
        "relations",
        "topics",
        "kinds",
        "relation_types",
        "families",
        "components",
        "pagerank",
        "betweenness",
        "betweenness_exact",
        "lineage_chains",
        "without_card",
        "warnings",
    }
    assert len(data["pagerank"]) == 10 and set(data["pagerank"][0]) == {"id", "name", "score"}


def test_stats_of_the_bundled_graph(run):
    result = run("stats", "--json", data_dir=store.bundled_data_dir())
    data = json.loads(result.stdout)
    assert (data["concepts"], data["components"]["count"]) == (139, 1)
    chains = [" → ".join(names(c["chain"])) for c in data["lineage_chains"]]
    assert "R-CNN → Fast R-CNN → Faster R-CNN → Mask R-CNN" in chains
    assert len(data["without_card"]) == sum(1 for c in store.load().concepts if c["card"] is None)
