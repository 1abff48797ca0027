"""The concept graph on networkx, and the pure query functions the CLI prints.

Three views of one dataset:

- ``relations``: every relation, a :class:`networkx.MultiDiGraph` keyed by relation type;
- ``lineage``: lineage relations only, edges from the newer method to the older one (a DAG);
- ``prereq``: an edge ``X -> P`` whenever P must be studied before X (a DAG).

Every query takes the :class:`ConceptGraph` first and returns plain dicts and lists.

Examples
--------
>>> from dlgraph import store
>>> cg = ConceptGraph(store.load(store.bundled_data_dir()))
>>> [step["name"] for step in path(cg, "R-CNN", "Mask R-CNN")["path"]]
['R-CNN', 'Fast R-CNN', 'Faster R-CNN', 'Mask R-CNN']
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from . import store
from .errors import InvalidData, UsageError
from .names import Match, Resolver
from .vocabulary import LINEAGE_TYPES, RELATION_TYPES

if TYPE_CHECKING:
    from . import cache


class ConceptGraph:
    """A validated dataset with its networkx views and a name resolver.

    Each view is built the first time it is used, so a query on a large graph pays only for the
    view it walks. Every edge carries the relation dict it came from as its ``relation`` attribute.
    """

    def __init__(self, dataset: store.Dataset):
        self.dataset = dataset
        self.concepts: dict[str, dict[str, Any]] = dataset.concept_by_id()
        # Set by load_graph alone: a dataset built or changed in memory never reads the cache.
        self._entry: cache.Entry | None = None

    def _cached(self, name: str) -> Any:
        """Section ``name`` of this graph's cache entry, or None (no entry, or it cannot be read)."""
        if self._entry is None:
            return None
        with store.paused_gc(freeze=self.dataset.large):
            return self._entry.load(name, self.dataset.relations)

    @cached_property
    def relations(self) -> nx.MultiDiGraph:
        """Every relation, keyed by its type."""
        view = nx.MultiDiGraph()
        with store.paused_gc(freeze=self.dataset.large):
            view.add_nodes_from(self.concepts)
            view.add_edges_from(
                (r["source"], r["target"], r["type"], {"relation": r}) for r in self.dataset.relations
            )
        return view

    @cached_property
    def lineage(self) -> nx.DiGraph:
        """Lineage relations, newer -> older; the first relation between two concepts labels the edge."""
        cached = self._cached("lineage")
        if isinstance(cached, nx.DiGraph):
            return cached
        edges: dict[tuple[str, str], dict[str, Any]] = {}
        for r in self.dataset.relations:
            if r["type"] in LINEAGE_TYPES:
                edges.setdefault((r["source"], r["target"]), r)
        return self._digraph(edges)

    @cached_property
    def prereq(self) -> nx.DiGraph:
        """``X -> P`` whenever P must be studied before X; the first relation that says so labels it."""
        cached = self._cached("prereq")
        if isinstance(cached, nx.DiGraph):
            return cached
        edges: dict[tuple[str, str], dict[str, Any]] = {}
        first = {name: spec.prerequisite for name, spec in RELATION_TYPES.items()}
        for r in self.dataset.relations:
            needs = first[r["type"]]
            if needs == "target":
                edges.setdefault((r["source"], r["target"]), r)
            elif needs:
                edges.setdefault((r["target"], r["source"]), r)
        return self._digraph(edges)

    def requires(self, cid: str) -> dict[str, dict[str, Any]]:
        """What ``cid`` needs studied first: each prerequisite's id and the relation that says so.

        These are the prerequisite view's edges out of ``cid``. A large graph loaded from the cache
        answers from a small index instead, so that one concept's prerequisites never need the whole
        view built.
        """
        if "prereq" not in self.__dict__ and self._needs is not None:
            relations = self.dataset.relations
            return {before: relations[i] for before, i in self._needs.get(cid, {}).items()}
        return {before: data["relation"] for before, data in self.prereq[cid].items()}

    @cached_property
    def _needs(self) -> dict[str, dict[str, int]] | None:
        """The cache's index of :meth:`requires`: relations by position in the relations list."""
        cached = self._cached("needs")
        return cached if isinstance(cached, dict) else None

    def _digraph(self, edges: dict[tuple[str, str], dict[str, Any]]) -> nx.DiGraph:
        view = nx.DiGraph()
        with store.paused_gc(freeze=self.dataset.large):
            view.add_nodes_from(self.concepts)
            view.add_edges_from((u, v, {"relation": r}) for (u, v), r in edges.items())
        return view

    @cached_property
    def resolver(self) -> Resolver:
        cached = self._cached("resolver")
        if isinstance(cached, Resolver):
            return cached
        with store.paused_gc(freeze=self.dataset.large):
            return Resolver(self.concepts.values())

    def resolve(self, name: str) -> str:
        return self.match(name).id

    def match(self, name: str) -> Match:
        return self.resolver.resolve(name)

    def name(self, cid: str) -> str:
        return self.concepts[cid]["name"]

    def ref(self, cid: str) -> dict[str, str]:
        return {"id": cid, "name": self.concepts[cid]["name"]}

    def sort_key(self, cid: str) -> tuple[str, str]:
        return (self.concepts[cid]["name"].casefold(), cid)


def load_graph(directory: str | os.PathLike[str] | None = None) -> ConceptGraph:
    """Load, validate (structure and cycles) and index a graph folder.

    A large graph whose files passed all of this before, byte for byte, is not checked again: its
    warnings and name index come from :mod:`dlgraph.cache`, which this function alone writes, and
    only once every check has passed.
    """
    dataset = store.load(directory)
    cg = ConceptGraph(dataset)
    if dataset.cache_entry is not None:
        cg._entry = dataset.cache_entry
        return cg
    found = cycles(cg)
    if found:
        folder = cg.dataset.directory or Path(".")
        raise InvalidData(
            f"{folder}: the graph is not valid ({len(found)} problem{'' if len(found) == 1 else 's'})", found
        )
    if dataset.cache_key is not None and dataset.directory is not None:
        from . import cache

        position = {id(r): i for i, r in enumerate(dataset.relations)}
        needs = {
            after: {before: position[id(data["relation"])] for before, data in before_data.items()}
            for after, before_data in cg.prereq.adjacency()
            if before_data
        }
        sections = {"warnings": dataset.warnings, "resolver": cg.resolver, "needs": needs}
        sections |= {"lineage": cg.lineage, "prereq": cg.prereq}
        cache.write(dataset.directory, dataset.cache_key, sections, dataset.relations)
    return cg


def cycles(cg: ConceptGraph) -> list[str]:
    """One readable cycle per tangle in the lineage and prerequisite views (both must be DAGs)."""
    found = []
    for view, what in ((cg.lineage, "lineage"), (cg.prereq, "prerequisite")):
        for component in nx.strongly_connected_components(view):
            if len(component) < 2:
                continue
            loop = nx.find_cycle(view.subgraph(component))
            steps = [_sentence(cg, view.edges[u, v]["relation"]) for u, v in loop]
            found.append(f"{store.RELATIONS_FILE}: {what} cycle: " + "; ".join(steps))
    return sorted(found)


def validate(directory: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Every error and warning of a graph folder, for ``dlgraph validate``; never raises on bad data."""
    dataset = store.load(directory, check=False)
    errors, warnings = store.problems(dataset)
    if not errors:
        errors = cycles(ConceptGraph(dataset))
    field_dir = store.field_data_dir()
    same = dataset.directory is not None and dataset.directory.resolve() == field_dir.resolve()
    # A graph that speaks the field's language (the bundled one, or one built with the field) must
    # agree with it; a --no-field graph whose ids happen to match field ids owes it nothing.
    speaks = dataset.directory is not None and (
        dataset.directory.resolve() == store.bundled_data_dir().resolve()
        or any(r.get("origin") == "field" for r in dataset.relations)
    )
    if not errors and not same and speaks and (field_dir / store.CONCEPTS_FILE).is_file():
        from .link import disagreements, load_field

        warnings += disagreements(dataset, load_field())
    try:
        store.check_whole(dataset.directory)  # files that may not belong together: say how to recover
    except InvalidData as exc:
        warnings.append(str(exc))
    return {
        "directory": str(dataset.directory),
        "valid": not errors,
        "concepts": len(dataset.concepts) if isinstance(dataset.concepts, list) else 0,
        "relations": len(dataset.relations) if isinstance(dataset.relations, list) else 0,
        "errors": errors,
        "warnings": warnings,
    }


def _sentence(cg: ConceptGraph, r: dict[str, Any]) -> str:
    return f"{cg.name(r['source'])} {RELATION_TYPES[r['type']].label} {cg.name(r['target'])}"


def _edge(r: dict[str, Any]) -> dict[str, str]:
    return {k: r[k] for k in ("source", "type", "target", "evidence")}


def _distinct(cg: ConceptGraph, a: str, b: str) -> tuple[str, str]:
    source, target = cg.resolve(a), cg.resolve(b)
    if source == target:
        raise UsageError(f"both names mean {cg.name(source)}; name two different concepts")
    return source, target


# --- path ------------------------------------------------------------------------------------------


def path(cg: ConceptGraph, a: str, b: str, *, any_relation: bool = False) -> dict[str, Any]:
    """How ``b`` descends from ``a`` through lineage relations, else the shortest link of any kind.

    The lineage answer is the longest chain (the one that explains most: Adam -> RMSprop -> Adagrad
    rather than the Adam -> Adagrad shortcut); ties go to the alphabetically first chain, and
    ``alternatives`` counts them. If the lineage runs the other way (``a`` descends from ``b``) the
    chain is returned with ``reversed`` set. ``any_relation`` skips lineage and asks for the shortest
    connection through any relation, in either direction.
    """
    source, target = _distinct(cg, a, b)
    result: dict[str, Any] = {
        "source": cg.ref(source),
        "target": cg.ref(target),
        "found": False,
        "kind": "any" if any_relation else "lineage",
        "reversed": False,
        "fallback": False,
        "alternatives": 0,
        "path": [],
        "edges": [],
    }
    if not any_relation:
        for newer, older, flipped in ((target, source, False), (source, target, True)):
            chain, count = _longest_chain(cg.lineage, newer, older, cg.sort_key)
            if chain:
                # Walk from the older concept to the newer one, edge by edge against lineage direction.
                walk = list(reversed(chain))
                edges = [_edge(cg.lineage.edges[v, u]["relation"]) for u, v in pairwise(walk)]
                result.update(found=True, reversed=flipped, alternatives=count, edges=edges)
                result["path"] = [cg.ref(c) for c in walk]
                return result
        result.update(kind="any", fallback=True)
    chain, count = _shortest_any(cg, source, target)
    if chain:
        edges = [_edge(_best_relation(cg, u, v)) for u, v in pairwise(chain)]
        result.update(found=True, alternatives=count, edges=edges, path=[cg.ref(c) for c in chain])
    return result


def _longest_chain(dag: nx.DiGraph, start: str, end: str, key) -> tuple[list[str], int]:
    """The longest ``start -> end`` path in a DAG (alphabetically first on ties) and how many tie."""
    if start == end or end not in nx.descendants(dag, start):
        return [], 0
    between = (nx.descendants(dag, start) | {start}) & (nx.ancestors(dag, end) | {end})
    sub = dag.subgraph(between)
    length: dict[str, int] = {}
    count: dict[str, int] = {}
    for node in nx.topological_sort(sub):
        if node == start:
            length[node], count[node] = 0, 1
            continue
        preds = list(sub.predecessors(node))
        best = max(length[p] for p in preds)
        length[node] = best + 1
        count[node] = sum(count[p] for p in preds if length[p] == best)
    chain = [end]
    while chain[-1] != start:
        node = chain[-1]
        preds = [p for p in sub.predecessors(node) if length[p] == length[node] - 1]
        chain.append(min(preds, key=key))
    chain.reverse()
    return chain, count[end]


def _shortest_any(cg: ConceptGraph, source: str, target: str) -> tuple[list[str], int]:
    """Shortest path ignoring direction and type; alphabetically first on ties, with the tie count."""
    undirected = cg.relations.to_undirected(as_view=True)
    from_source = nx.single_source_shortest_path_length(undirected, source)
    if target not in from_source:
        return [], 0
    to_target = nx.single_source_shortest_path_length(undirected, target)
    total = from_source[target]
    on_path = {n for n, d in from_source.items() if d + to_target.get(n, total + 1) == total}
    count = {source: 1}
    for node in sorted(on_path, key=from_source.__getitem__):
        if node != source:
            count[node] = sum(
                count[m] for m in undirected[node] if m in on_path and from_source[m] == from_source[node] - 1
            )
    chain = [source]
    while chain[-1] != target:
        here = chain[-1]
        nxt = [m for m in undirected[here] if m in on_path and from_source[m] == from_source[here] + 1]
        chain.append(min(nxt, key=cg.sort_key))
    return chain, count[target]


def _best_relation(cg: ConceptGraph, u: str, v: str) -> dict[str, Any]:
    """The most specific relation between two neighbours, in either direction (related-to last)."""
    found = [d["relation"] for d in (cg.relations.get_edge_data(u, v) or {}).values()]
    found += [d["relation"] for d in (cg.relations.get_edge_data(v, u) or {}).values()]
    order = list(RELATION_TYPES)
    return min(found, key=lambda r: (order.index(r["type"]), r["source"] != u))


# --- prerequisites ---------------------------------------------------------------------------------


def resolve_all(cg: ConceptGraph, names: Iterable[str]) -> set[str]:
    return {cg.resolve(n) for n in names}


def prerequisites(
    cg: ConceptGraph, name: str, *, depth: int | None = None, known: Iterable[str] = ()
) -> dict[str, Any]:
    """Everything to study before ``name``, in a valid study order.

    Each entry has its shortest ``depth`` (1 = needed directly), a one-line ``definition`` and the
    ``reason``: the relation that pulls it in. ``known`` concepts are dropped together with everything
    needed only through them, and ``skipped`` names the known ones the plan would list otherwise, in
    that plan's order. The order goes layer by layer (a concept comes after everything it needs),
    alphabetically within a layer. ``dlgraph prereqs`` prints this plan and ``dlgraph render
    --prereqs`` draws it.
    """
    target = cg.resolve(name)
    if depth is not None and depth < 1:
        raise UsageError("--depth must be 1 or more")
    skip = resolve_all(cg, known) - {target}
    dist = {target: 0}
    parent: dict[str, str] = {}
    frontier = [target]
    while frontier and (depth is None or dist[frontier[0]] < depth):
        layer = []
        for node in frontier:
            for need in sorted(cg.requires(node), key=cg.sort_key):
                if need in skip or need in dist:
                    continue
                dist[need] = dist[node] + 1
                parent[need] = node
                layer.append(need)
        frontier = sorted(layer, key=cg.sort_key)
    # Study in layers: first what needs nothing else here, then what needs only those, and so on.
    order = layered_order(cg, prerequisite_view(cg, dist))
    items = []
    for cid in order:
        if cid == target:
            continue
        relation = cg.requires(parent[cid])[cid]
        items.append(
            {
                **cg.ref(cid),
                "depth": dist[cid],
                "definition": one_line(cg.concepts[cid]["definition"], 90),
                "reason": _sentence(cg, relation),
                "relation": _edge(relation),
            }
        )
    result = {"concept": cg.ref(target), "known": sorted(skip, key=cg.sort_key), "prerequisites": items}
    if skip:
        # Name what was skipped: a surprise here is usually an old progress file or a stray --known.
        every = prerequisites(cg, target, depth=depth)["prerequisites"]
        result["skipped"] = [{"id": p["id"], "name": p["name"]} for p in every if p["id"] in skip]
    return result


def prerequisite_view(cg: ConceptGraph, ids: Iterable[str]) -> nx.DiGraph:
    """The prerequisite view restricted to ``ids`` (edge X -> P: P before X), built from them alone
    (see :meth:`ConceptGraph.requires`), nodes in the order given."""
    nodes = list(ids)
    inside = set(nodes)
    view = nx.DiGraph()
    view.add_nodes_from(nodes)
    view.add_edges_from((node, need) for node in nodes for need in cg.requires(node) if need in inside)
    return view


def study_levels(cg: ConceptGraph, needs: nx.DiGraph) -> list[list[str]]:
    """The study levels of a prerequisite view (edge X -> P: P before X), alphabetical within each.

    Level 1 is what needs nothing else in the view, level 2 what needs only level 1, and so on: a
    concept's level is one more than the longest chain of prerequisites below it in the view.
    """
    layers = nx.topological_generations(needs.reverse(copy=False))
    return [sorted(layer, key=cg.sort_key) for layer in layers]


def layered_order(cg: ConceptGraph, needs: nx.DiGraph) -> list[str]:
    """The nodes of a prerequisite view (edge X -> P: P before X) in study order: its
    :func:`study_levels` one after the other. Every order dlgraph shows a student comes from here.
    """
    return [cid for level in study_levels(cg, needs) for cid in level]


def next_concepts(cg: ConceptGraph, known: Iterable[str]) -> dict[str, Any]:
    """The fringe: concepts not yet known whose every prerequisite is known.

    With nothing known, the starting points (concepts with no prerequisites). Otherwise only concepts
    the known set unlocks (at least one prerequisite, all of them known), most-unlocked first.
    """
    done = resolve_all(cg, known)
    results = []
    for cid in cg.concepts:
        if cid in done:
            continue
        needs = set(cg.prereq.successors(cid))
        if (not done and not needs) or (needs and needs <= done):
            results.append({**cg.ref(cid), "requires": sorted((cg.name(n) for n in needs), key=str.casefold)})
    results.sort(key=lambda r: (-len(r["requires"]), r["name"].casefold(), r["id"]))
    return {
        "known": sorted((cg.ref(k) for k in done), key=lambda r: r["name"].casefold()),
        "results": results,
    }


# --- lineage, show, list ---------------------------------------------------------------------------


def lineage(cg: ConceptGraph, name: str) -> dict[str, Any]:
    """What ``name`` descends from and what descends from it, flat (nearest first) and as trees."""
    cid = cg.resolve(name)
    older = nx.single_source_shortest_path_length(cg.lineage, cid)
    newer = nx.single_source_shortest_path_length(cg.lineage.reverse(copy=False), cid)

    def flat(dist: dict[str, int]) -> list[dict[str, str]]:
        ranked = sorted((n for n in dist if n != cid), key=lambda n: (dist[n], *cg.sort_key(n)))
        return [cg.ref(n) for n in ranked]

    return {
        "concept": cg.ref(cid),
        "ancestors": flat(older),
        "descendants": flat(newer),
        "ancestor_tree": _tree(cg, cid, upward=True, seen=set()),
        "descendant_tree": _tree(cg, cid, upward=False, seen=set()),
    }


def _tree(cg: ConceptGraph, cid: str, *, upward: bool, seen: set[str]) -> list[dict[str, Any]]:
    """Nested lineage from ``cid``; a node reached twice is listed again but not expanded again."""
    edges = (
        cg.lineage.out_edges(cid, data="relation") if upward else cg.lineage.in_edges(cid, data="relation")
    )
    branches = []
    for u, v, r in sorted(edges, key=lambda e: cg.sort_key(e[1] if upward else e[0])):
        other = v if upward else u
        label = RELATION_TYPES[r["type"]].label if upward else RELATION_TYPES[r["type"]].inverse
        repeat = other in seen
        seen.add(other)
        children = [] if repeat else _tree(cg, other, upward=upward, seen=seen)
        branches.append({**cg.ref(other), "label": label, "repeat": repeat, "children": children})
    return branches


def show(cg: ConceptGraph, name: str) -> dict[str, Any]:
    """A concept's fields and every relation touching it, both directions."""
    cid = cg.resolve(name)
    touching = [d for _, _, d in cg.relations.out_edges(cid, data="relation")]
    touching += [d for _, _, d in cg.relations.in_edges(cid, data="relation")]
    order = list(RELATION_TYPES)
    touching.sort(
        key=lambda r: (
            r["source"] != cid,
            order.index(r["type"]),
            cg.sort_key(r["target"]),
            cg.sort_key(r["source"]),
        )
    )
    groups: dict[str, list[dict[str, str]]] = {}
    for r in touching:
        outgoing = r["source"] == cid
        spec = RELATION_TYPES[r["type"]]
        label = spec.label if outgoing or spec.symmetric else spec.inverse
        groups.setdefault(label, []).append(cg.ref(r["target"] if outgoing else r["source"]))
    return {
        **cg.concepts[cid],
        "relations": [
            _edge(r)
            | {
                "origin": r["origin"],
                "reference": r.get("reference"),
                "cue": r.get("cue"),
                "names": [cg.name(r["source"]), cg.name(r["target"])],
            }
            for r in touching
        ],
        "groups": groups,
    }


def topic_members(cg: ConceptGraph, topic: str) -> set[str]:
    """Ids of the concepts of one topic; a topic no concept has is a usage error naming those present."""
    present = {c["topic"] for c in cg.concepts.values()}
    if topic not in present:
        known = ", ".join(sorted(present))
        raise UsageError(f"no concept has topic {topic!r}; topics in this graph: {known}")
    return {cid for cid, c in cg.concepts.items() if c["topic"] == topic}


def neighbourhood(cg: ConceptGraph, cid: str, depth: int) -> set[str]:
    """Ids within ``depth`` relations of ``cid``, any type, either direction (``cid`` included)."""
    undirected = cg.relations.to_undirected(as_view=True)
    return set(nx.single_source_shortest_path_length(undirected, cid, cutoff=depth))


def list_concepts(cg: ConceptGraph, *, topic: str | None = None, kind: str | None = None) -> dict[str, Any]:
    """Concepts filtered by topic and kind, sorted by name; an unknown topic or kind is a usage error."""
    for value, field in ((topic, "topic"), (kind, "kind")):
        present = sorted({c[field] for c in cg.concepts.values()})
        if value is not None and value not in present:
            raise UsageError(f"no {field} {value!r} in this graph; {field}s: {', '.join(present)}")
    rows = [
        {**cg.ref(c["id"]), "topic": c["topic"], "kind": c["kind"]}
        for c in cg.concepts.values()
        if (topic is None or c["topic"] == topic) and (kind is None or c["kind"] == kind)
    ]
    rows.sort(key=lambda r: (r["name"].casefold(), r["id"]))
    return {"results": rows}


def one_line(text: str, width: int = 100) -> str:
    """The first line of a definition, shortened to ``width`` characters."""
    first = " ".join((text or "").split())
    if len(first) <= width:
        return first
    cut = first.rfind(" ", 0, width)
    return first[: cut if cut > width // 2 else width - 1].rstrip(" ,;:.") + "…"
