"""Deterministic synthetic concept graphs and decks in dlgraph's data model, for the benchmarks.

The shape imitates a real deck graph, where studying one concept never needs the whole graph:

- Concepts come in **clusters** of :data:`CLUSTER` (250) consecutive concepts, one topic per
  cluster (topics cycle through the vocabulary's nine). The first :data:`CORE` (20) concepts of a
  cluster are its **core**: the basics the rest of the cluster and a few later clusters build on.
- Inside a cluster, the non-core concepts form **lineage families** of 1 to 6 members ("Gated
  pooling QX", "Gated pooling QX v2", ...): each member improves on, extends or simplifies the one
  before it (now and then it is only inspired by it).
- Every concept but a cluster's first uses, is a kind of, combines or has as a part one or two
  earlier concepts of its own cluster (core concepts only other core concepts), and a non-core
  concept uses a core concept of one of its cluster's two **parent clusters** (earlier ones) with
  probability 0.35. Half the concepts also get a related-to or alternative-to link (no study order)
  or address an earlier concept of their cluster.
- About 3 relations per concept. Every relation that implies a study order points from a later
  concept to an earlier one, so neither the lineage nor the prerequisite view can have a cycle.

Hence the bound the tests check: the prerequisite closure of any concept lies in its own cluster
plus the cores of its two parent clusters, at most ``CLUSTER - 1 + 2 * CORE`` (289) concepts, at
every size. Names are one or two words of deep-learning vocabulary plus a short family code
(about 15 characters, like real names), most with an acronym alias; definitions are 6 to 20 words.

The same seed always gives byte-identical files (no set iteration, no hash-order dependence).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, NamedTuple

from dlgraph import store
from dlgraph.names import slugify
from dlgraph.vocabulary import KINDS, TOPICS

CLUSTER = 250
CORE = 20
PARENTS = 2
CROSS_LINK = 0.35
ASSOCIATE = 0.5
MAX_FAMILY = 6

_VOCABULARY = (
    "residual attention network pooling gated recurrent unit normalization sparse dense transformer "
    "encoder decoder gradient policy value learning dropout batch layer convolution kernel embedding "
    "memory adaptive momentum deep graph vision token mixture expert contrastive loss margin anchor "
    "box region proposal feature pyramid spatial temporal variational autoencoder diffusion score flow "
    "prior critic actor replay buffer softmax query key window patch shift scale depthwise"
)
WORDS = _VOCABULARY.split()
LINEAGE = ("improves-on", "improves-on", "extends", "simplifies")
COMPOSITION = ("uses", "uses", "is-a", "part-of", "combines")
ASSOCIATION = ("related-to", "alternative-to", "addresses")


def closure_bound() -> int:
    """The most concepts a prerequisite closure can hold in a graph from :func:`make_graph`."""
    return CLUSTER - 1 + PARENTS * CORE


def _code(index: int) -> str:
    """A short upper-case family code, unique per family ('A', 'B', ..., 'BA', ...)."""
    letters = ""
    index += 26  # at least two letters: reads like an acronym, and never a lone word
    while index:
        index, rest = divmod(index, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _aliases(name: str, index: int) -> list[str]:
    """No alias for one concept in five, an acronym for the rest, and a second spelling for some."""
    if index % 5 == 0:
        return []
    acronym = "".join(word[0] for word in name.split()).upper() + f"-{index}"
    return [acronym, name.replace(" ", "")] if index % 5 == 1 else [acronym]


def make_graph(n: int, seed: int = 7) -> store.Dataset:
    """``n`` concepts in clusters with lineage families and about 3 relations each (see above)."""
    rng = random.Random(seed)
    topics, kinds = list(TOPICS), list(KINDS)
    concepts: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    linked: set[tuple[int, int]] = set()
    ids: list[str] = []
    families = 0

    def relate(kind: str, later: int, earlier: int) -> None:
        """One relation between two concepts, oriented so the earlier one is studied first."""
        pair = (later, earlier)
        if later == earlier or pair in linked:
            return
        linked.add(pair)
        source, target = (earlier, later) if kind == "part-of" else (later, earlier)
        definition = concepts[later]["definition"]
        relations.append(
            {
                "source": ids[source],
                "type": kind,
                "target": ids[target],
                "evidence": f"{concepts[later]['name']}: {definition[:60]}",
                "origin": "curated" if later % 3 else "extracted",
            }
        )

    for start in range(0, n, CLUSTER):
        end = min(n, start + CLUSTER)
        cluster = start // CLUSTER
        topic = topics[cluster % len(topics)]
        earlier_clusters = list(range(cluster))
        parents = rng.sample(earlier_clusters, min(PARENTS, len(earlier_clusters)))
        member, previous = 0, -1
        for i in range(start, end):
            core = i - start < CORE
            if core or member == 0:
                words = [rng.choice(WORDS) for _ in range(rng.randint(1, 2))]
                base = " ".join(words).capitalize() + " " + _code(families)
                families += 1
                size = 1 if core else rng.randint(1, MAX_FAMILY)
                member = 0
            name = base if member == 0 else f"{base} v{member + 1}"
            definition = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 20))).capitalize() + "."
            concepts.append(
                {
                    "id": slugify(name),
                    "name": name,
                    "aliases": _aliases(name, i),
                    "topic": topic,
                    "kind": rng.choice(kinds),
                    "definition": definition,
                    "card": name if i % 4 else None,
                }
            )
            ids.append(concepts[-1]["id"])
            if member > 0:
                relate("inspired-by" if rng.random() < 0.1 else rng.choice(LINEAGE), i, previous)
            previous = i
            member = (member + 1) % size
            # Earlier concepts of a core concept's cluster are all core: the core stays self-contained.
            if i > start:
                for _ in range(rng.randint(1, 2)):
                    relate(rng.choice(COMPOSITION), i, rng.randrange(start, i))
            if not core and parents and rng.random() < CROSS_LINK:
                parent = rng.choice(parents) * CLUSTER
                relate("uses", i, rng.randrange(parent, parent + CORE))
            if i - start > 1 and rng.random() < ASSOCIATE:
                relate(rng.choice(ASSOCIATION), i, rng.randrange(start, i))
    return store.Dataset(concepts, relations)


def write_graph(n: int, folder: Path, seed: int = 7) -> Path:
    """Write a synthetic graph of ``n`` concepts as ``concepts.json`` + ``relations.json`` in ``folder``."""
    store.save(make_graph(n, seed), folder)
    return folder


class Queries(NamedTuple):
    """What the benchmarks ask of a synthetic graph: names, as a user would type them."""

    path: tuple[str, str]  # the first and last member of the longest lineage family
    steps: int  # lineage steps between them
    deep: str  # the concept with the largest prerequisite closure
    closure: int  # how many prerequisites it has


def queries(dataset: store.Dataset) -> Queries:
    """Questions about the middle cluster of a graph from :func:`make_graph` (concepts in its order)."""
    import networkx as nx

    from dlgraph.graph import ConceptGraph

    start = (len(dataset.concepts) // 2) // CLUSTER * CLUSTER
    cluster = dataset.concepts[start : start + CLUSTER]
    families: dict[str, list[str]] = {}
    for c in cluster:
        base, _, member = c["name"].rpartition(" v")
        families.setdefault(base if member.isdigit() else c["name"], []).append(c["name"])
    longest = max(families.values(), key=len)
    prereq = ConceptGraph(dataset).prereq
    sizes = [(len(nx.descendants(prereq, c["id"])), c["name"]) for c in cluster]
    closure, deep = max(sizes, key=lambda pair: pair[0])
    return Queries((longest[0], longest[-1]), len(longest) - 1, deep, closure)
