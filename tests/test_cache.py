"""The cache of validated graphs: hits, misses after edits, and every way an entry can be bad.

The mini graph is far below the size that is cached, so each test lowers the threshold and points
the cache at its own temporary folder.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
from pathlib import Path

import networkx as nx
import pytest

from dlgraph import cache, graph, store
from dlgraph.errors import InvalidData


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every graph counts as large and is cached in a fresh folder; the collector is restored after."""
    folder = tmp_path / "cache"
    monkeypatch.setattr(store, "LARGE_BYTES", 0)
    monkeypatch.setenv(cache.ENV_DIR, str(folder))
    monkeypatch.delenv(cache.ENV_SWITCH, raising=False)
    yield folder
    gc.unfreeze()  # loading a "large" graph froze everything alive, this test's objects included


def answers(cg: graph.ConceptGraph) -> tuple:
    """What users see from a graph: a path, prerequisites, a lineage, name resolution and warnings."""
    return (
        graph.path(cg, "R-CNN", "Mask R-CNN"),
        graph.prerequisites(cg, "adam"),
        graph.lineage(cg, "fast r-cnn"),
        cg.resolve("dqn"),
        cg.dataset.warnings,
    )


def test_second_load_is_a_hit_with_the_same_answers(mini_dir, cache_dir):
    first = graph.load_graph(mini_dir)
    assert first.dataset.cache_entry is None
    assert [p.suffix for p in cache_dir.iterdir()] == [".graph"]
    second = graph.load_graph(mini_dir)
    assert second.dataset.cache_entry is not None
    assert answers(second) == answers(first)
    # Prerequisites came from the cache's small index: the whole view was never needed.
    assert "prereq" not in vars(second)
    for options in ({"depth": 1}, {"known": ["rmsprop"]}):
        assert graph.prerequisites(second, "adam", **options) == graph.prerequisites(first, "adam", **options)
    assert second.dataset.warnings == [
        "concepts.json: the name 'dqnvariant' belongs to double-dqn, dueling-dqn"
    ]


def test_views_from_the_cache_equal_fresh_ones_and_share_the_relation_dicts(mini_dir, cache_dir):
    graph.load_graph(mini_dir)
    cached = graph.load_graph(mini_dir)
    fresh = graph.ConceptGraph(store.load(mini_dir, check=False))
    relations = {id(r) for r in cached.dataset.relations}
    for name in ("lineage", "prereq"):
        view, expected = getattr(cached, name), getattr(fresh, name)
        assert nx.utils.graphs_equal(view, expected)
        assert all(id(r) in relations for _, _, r in view.edges(data="relation"))
    assert cached.resolver.labels == fresh.resolver.labels


def test_editing_a_data_file_is_a_miss_and_the_edit_is_seen(mini_dir, cache_dir):
    graph.load_graph(mini_dir)
    dataset = store.load(mini_dir, check=False)
    dataset.relations = [r for r in dataset.relations if r["target"] != "faster-r-cnn"]
    store.save(dataset, mini_dir)
    edited = graph.load_graph(mini_dir)
    assert edited.dataset.cache_entry is None
    assert [s["name"] for s in graph.path(edited, "R-CNN", "Mask R-CNN")["path"]] != [
        "R-CNN",
        "Fast R-CNN",
        "Faster R-CNN",
        "Mask R-CNN",
    ]
    assert graph.load_graph(mini_dir).dataset.cache_entry is not None


def test_a_cached_graph_edited_into_an_invalid_one_is_rejected(mini_dir, cache_dir):
    graph.load_graph(mini_dir)
    relations = json.loads((mini_dir / "relations.json").read_text(encoding="utf-8"))
    relations.append({**relations[0], "source": relations[0]["target"], "target": relations[0]["source"]})
    (mini_dir / "relations.json").write_text(json.dumps(relations), encoding="utf-8")
    with pytest.raises(InvalidData) as caught:
        graph.load_graph(mini_dir)
    assert any("lineage cycle" in line for line in caught.value.problems)


def test_an_invalid_graph_is_never_cached(mini_dir, cache_dir):
    relations = json.loads((mini_dir / "relations.json").read_text(encoding="utf-8"))
    relations.append({**relations[0], "source": relations[0]["target"], "target": relations[0]["source"]})
    (mini_dir / "relations.json").write_text(json.dumps(relations), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(InvalidData):
            graph.load_graph(mini_dir)
    assert not cache_dir.exists() or list(cache_dir.iterdir()) == []


def _entry(mini_dir: Path) -> Path:
    return cache.entry_path(mini_dir)


@pytest.mark.parametrize("where", ["header", "table", "body", "truncated", "empty"])
def test_a_corrupt_entry_is_ignored_and_rebuilt(mini_dir, cache_dir, where):
    expected = answers(graph.load_graph(mini_dir))
    path = _entry(mini_dir)
    raw = bytearray(path.read_bytes())
    header_end = raw.index(b"\n")
    table_end = raw.index(b"\n", header_end + 1)
    if where == "header":
        raw[header_end - 3] ^= 0x01  # one character of the key
    elif where == "table":
        raw[table_end - 3] ^= 0x01  # one character of the last section's digest
    elif where == "body":
        for offset in range(table_end + 10, len(raw), 97):
            raw[offset] ^= 0xFF  # every section damaged
    elif where == "truncated":
        raw = raw[: len(raw) // 2]
    else:
        raw = bytearray()
    path.write_bytes(bytes(raw))
    again = graph.load_graph(mini_dir)
    assert answers(again) == expected
    if where in ("body", "truncated"):
        # The header still matches, so the entry is found; every damaged section is rebuilt.
        entry = again.dataset.cache_entry
        assert entry is None or entry.load("prereq", again.dataset.relations) is None


def test_an_entry_from_another_dlgraph_version_is_ignored(mini_dir, cache_dir, monkeypatch):
    graph.load_graph(mini_dir)
    assert graph.load_graph(mini_dir).dataset.cache_entry is not None
    monkeypatch.setattr(cache, "__version__", "0.0.0-older")
    assert graph.load_graph(mini_dir).dataset.cache_entry is None


def test_an_entry_in_an_older_format_is_ignored(mini_dir, cache_dir):
    graph.load_graph(mini_dir)
    path = _entry(mini_dir)
    text = path.read_bytes()
    path.write_bytes(text.replace(f"dlgraph-cache {cache.FORMAT} ".encode(), b"dlgraph-cache 1 ", 1))
    assert graph.load_graph(mini_dir).dataset.cache_entry is None


def test_an_unwritable_cache_folder_only_means_no_cache(mini_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(store, "LARGE_BYTES", 0)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv(cache.ENV_DIR, str(blocker / "dlgraph"))
    try:
        for _ in range(2):
            cg = graph.load_graph(mini_dir)
            assert cg.dataset.cache_entry is None
            assert graph.path(cg, "R-CNN", "Mask R-CNN")["found"]
    finally:
        gc.unfreeze()
    assert blocker.read_text(encoding="utf-8") == "a file where the cache folder should be"


def test_a_planted_entry_cannot_run_code(mini_dir, cache_dir, tmp_path):
    graph.load_graph(mini_dir)
    path = _entry(mini_dir)
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    lines = path.read_bytes().split(b"\n", 2)
    body = pickle.dumps(Exploit())
    warnings = pickle.dumps([])
    table = f"warnings:0:{len(warnings)}:{hashlib.sha256(warnings).hexdigest()} "
    table += f"prereq:{len(warnings)}:{len(body)}:{hashlib.sha256(body).hexdigest()}"
    path.write_bytes(lines[0] + b"\n" + table.encode() + b"\n" + warnings + body)
    cg = graph.load_graph(mini_dir)
    assert cg.dataset.cache_entry is not None  # the header and the warnings are fine...
    assert graph.prerequisites(cg, "adam")["prerequisites"]  # ...the view is rebuilt from the data
    assert not marker.exists()


def test_cache_off_and_small_graphs_write_nothing(mini_dir, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_DIR, str(folder))
    graph.load_graph(mini_dir)  # far below LARGE_BYTES
    assert not folder.exists()
    monkeypatch.setattr(store, "LARGE_BYTES", 0)
    monkeypatch.setenv(cache.ENV_SWITCH, "off")
    try:
        assert graph.load_graph(mini_dir).dataset.cache_entry is None
        assert graph.load_graph(mini_dir).dataset.cache_entry is None
    finally:
        gc.unfreeze()
    assert not folder.exists()


def test_only_the_most_recent_folders_keep_an_entry(mini_dir, cache_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "KEEP", 2)
    folders = []
    for name in ("a", "b", "c"):
        folder = tmp_path / name
        store.save(store.load(mini_dir, check=False), folder)
        graph.load_graph(folder)
        folders.append(folder)
        os.utime(cache.entry_path(folder), ns=(len(folders) * 10**9,) * 2)  # a clear writing order
    graph.load_graph(mini_dir)
    kept = sorted(p.name for p in cache_dir.iterdir())
    assert kept == sorted(cache.entry_path(f).name for f in (folders[2], mini_dir))


def test_the_collector_is_left_as_it_was(mini_dir, cache_dir):
    assert gc.isenabled()
    assert graph.load_graph(mini_dir).prereq.number_of_edges() > 0
    assert gc.isenabled()
    gc.disable()
    try:
        assert graph.load_graph(mini_dir).lineage.number_of_edges() > 0
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV_DIR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.directory() == tmp_path / "dlgraph"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.directory() == Path.home() / ".cache" / "dlgraph"
