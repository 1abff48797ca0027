"""Time a GraphML export of a large synthetic graph against networkx writing the same graph.

Usage: python benchmarks/export_speed.py [--concepts N] [--runs R] [--seed S]

Target (issue 6): `dlgraph export --format graphml` of a seeded 100,000-concept graph (about 3
relations per concept) takes at most 1.5x `nx.write_graphml` on the same attributed graph, timed in
the same run. Four rows: the whole command as a user runs it (Python start, load, validate, index,
write); the library's export call on an already loaded graph; the networkx baseline; and, for
reference, the baseline with the cyclic GC paused as dlgraph pauses it. Medians of R
interleaved runs; it prints a markdown table and asserts nothing (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

from dlgraph import export, store
from dlgraph.graph import load_graph
from dlgraph.vocabulary import KINDS, RELATION_TYPES, TOPICS

SYLLABLES = ["con", "vo", "lu", "net", "res", "trans", "form", "at", "ten", "gra", "drop", "norm", "pool"]


def synthetic(n: int, seed: int, per_concept: int = 3) -> store.Dataset:
    """A valid graph: every relation joins a concept to an older one, so lineage and study order
    stay acyclic (``part-of`` points from the older part to the newer whole)."""
    rng = random.Random(seed)
    topics, kinds, types = list(TOPICS), list(KINDS), list(RELATION_TYPES)
    concepts = []
    for i in range(n):
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        concepts.append(
            {
                "id": f"concept-{i}",
                "name": f"{word} {i}",
                "aliases": [f"{word.lower()} v{i}"] if rng.random() < 0.3 else [],
                "topic": rng.choice(topics),
                "kind": rng.choice(kinds),
                "definition": f'{word} {i} builds on earlier ideas & adds one <new> "twist" of its own.',
                "card": f"{word} {i}" if rng.random() < 0.5 else None,
            }
        )
    relations, seen = [], set()
    for i in range(1, n):
        for _ in range(per_concept):
            j = rng.randrange(max(0, i - 200), i)  # mostly local links, like topics in a real deck
            kind = rng.choice(types)
            older, newer = f"concept-{j}", f"concept-{i}"
            source, target = (
                (older, newer) if RELATION_TYPES[kind].prerequisite == "source" else (newer, older)
            )
            key = (min(source, target), max(source, target), kind)
            if key in seen:
                continue
            seen.add(key)
            relations.append(
                {
                    "source": source,
                    "type": kind,
                    "target": target,
                    "evidence": f"card {i}",
                    "origin": "extracted",
                }
            )
    return store.Dataset(concepts, relations)


def interleaved_medians(actions: list, runs: int) -> list[float]:
    """Median seconds of each action, run in turns so that load from other processes hits all alike."""
    times: list[list[float]] = [[] for _ in actions]
    for _ in range(runs):
        for action, spent in zip(actions, times, strict=True):
            start = time.perf_counter()
            action()
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) for spent in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concepts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dlgraph-export-bench-") as work:
        folder = Path(work) / "graph"
        dataset = synthetic(args.concepts, args.seed)
        store.save(dataset, folder)
        cg = load_graph(folder)
        sel = export.whole(cg)
        same_graph = export.to_networkx(sel, flat=True)
        out = Path(work) / "out.graphml"
        command = [sys.executable, "-m", "dlgraph", "--data-dir", str(folder), "export", "-f", "graphml"]
        command += ["-o", str(out), "--force"]

        def cli() -> None:
            subprocess.run(command, check=True, capture_output=True)

        def library() -> None:
            export.export(sel, "graphml", out, force=True)

        def baseline() -> None:
            nx.write_graphml(same_graph, out, named_key_ids=True)

        def baseline_no_gc() -> None:
            with store.paused_gc():
                baseline()

        actions = [cli, library, baseline, baseline_no_gc]
        whole_command, library_call, base, base_no_gc = interleaved_medians(actions, args.runs)
        rows = [
            ("`dlgraph export -f graphml` (whole command)", whole_command),
            ("`export.export(...)` on a loaded graph", library_call),
            ("`nx.write_graphml` (baseline)", base),
            # dlgraph pauses the cyclic GC while it writes; this row shows how much of the lead that is.
            ("`nx.write_graphml` with GC paused, as dlgraph does (reference)", base_no_gc),
        ]
        size = out.stat().st_size / 1e6
    print(f"{args.concepts:,} concepts, {len(dataset.relations):,} relations, GraphML {size:.0f} MB;")
    print(f"median of {args.runs} interleaved runs; target: whole command <= 1.5x baseline\n")
    print("| what | median | vs baseline |")
    print("|---|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} s | {seconds / base:.2f}x |")


if __name__ == "__main__":
    main()
