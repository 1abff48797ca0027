"""The benchmarks' synthetic graphs are valid dlgraph graphs with the shape synthetic.py documents."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import networkx as nx
import pytest

from dlgraph import graph, store

SYNTHETIC = Path(__file__).resolve().parent.parent / "benchmarks" / "synthetic.py"


@pytest.fixture(scope="module")
def synthetic():
    spec = importlib.util.spec_from_file_location("synthetic", SYNTHETIC)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def dataset(synthetic) -> store.Dataset:
    # Four clusters: enough for parent clusters, cross-cluster links and a short last cluster.
    return synthetic.make_graph(4 * synthetic.CLUSTER - 37, seed=3)


def test_the_graph_passes_every_check(dataset):
    errors, _ = store.problems(dataset)
    assert errors == []
    assert graph.cycles(graph.ConceptGraph(dataset)) == []


def test_saved_and_loaded_like_any_graph(dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("DLGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    store.save(dataset, tmp_path / "graph")
    cg = graph.load_graph(tmp_path / "graph")
    assert len(cg.concepts) == len(dataset.concepts) and len(cg.dataset.relations) == len(dataset.relations)


def test_about_three_relations_per_concept_with_lineage_families(dataset):
    per_concept = len(dataset.relations) / len(dataset.concepts)
    assert 2.5 <= per_concept <= 3.5
    cg = graph.ConceptGraph(dataset)
    chains = [len(c) for c in nx.weakly_connected_components(cg.lineage) if len(c) > 1]
    assert max(chains) >= 4 and len(chains) > 50


def test_prerequisite_closures_stay_in_their_cluster_and_parent_cores(synthetic, dataset):
    cg = graph.ConceptGraph(dataset)
    index = {c["id"]: i for i, c in enumerate(dataset.concepts)}
    largest = 0
    for cid, i in index.items():
        closure = nx.descendants(cg.prereq, cid)
        largest = max(largest, len(closure))
        outside = [index[p] for p in closure if index[p] // synthetic.CLUSTER != i // synthetic.CLUSTER]
        # Anything outside the concept's own cluster is the core of an earlier cluster.
        assert all(p % synthetic.CLUSTER < synthetic.CORE and p < i for p in outside)
    assert 100 < largest <= synthetic.closure_bound()


def test_the_same_seed_gives_the_same_files(synthetic, dataset):
    again = synthetic.make_graph(len(dataset.concepts), seed=3)
    assert store.dumps_concepts(again.concepts) == store.dumps_concepts(dataset.concepts)
    assert store.dumps_relations(again.relations) == store.dumps_relations(dataset.relations)
    other = synthetic.make_graph(len(dataset.concepts), seed=4)
    assert store.dumps_relations(other.relations) != store.dumps_relations(dataset.relations)


def test_the_benchmark_queries_are_real_answers(synthetic, dataset):
    asked = synthetic.queries(dataset)
    cg = graph.ConceptGraph(dataset)
    found = graph.path(cg, *asked.path)
    assert found["found"] and found["kind"] == "lineage" and len(found["edges"]) == asked.steps >= 2
    assert len(graph.prerequisites(cg, asked.deep)["prerequisites"]) == asked.closure > 0
