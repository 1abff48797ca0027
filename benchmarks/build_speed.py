"""How fast ``dlgraph build`` is, and how well extraction alone recovers the curated seed graph.

Run ``python benchmarks/build_speed.py`` (add ``--sizes 10000`` for a quick run, ``--profile`` to
write a pyinstrument profile of the 10,000-card build if pyinstrument is installed).

Speed: a seeded synthetic deck of N cards (a markdown table; each answer is a short definition plus
sentences such as "Improves on X." or "Combines X and Y." naming earlier cards' terms), built from
scratch into a temporary folder, end to end (read, extract, link to the field graph, validate,
write; ``--no-field`` leaves the field out). Each size runs in its
own process so that its peak memory (max RSS) is its own. Targets: 2,000 cards/s at 10,000 cards,
and 100,000 cards in at most 12 times the 10,000-card time.

Quality: the bundled seed deck, extraction with the curated concept names but none of the curated
relations, against the curated relations that a card states (see ``dlgraph.build.measure_recall``).
Target: 60% of them found, types mostly right.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = tuple(
    " ".join(
        (
            "residual attention network pooling gated recurrent unit normalization sparse dense",
            "transformer encoder decoder gradient policy value dropout batch layer convolution kernel",
            "embedding memory adaptive momentum graph vision token mixture expert contrastive loss",
            "margin anchor region proposal feature pyramid spatial temporal variational autoencoder",
            "diffusion score flow prior critic actor replay buffer softmax query window patch shift",
            "scale depthwise",
        )
    ).split(" ")
)
FILLER = tuple(
    " ".join(
        (
            "a method that maps inputs to outputs by stacking simple learned blocks and training them",
            "end to end on large labelled datasets while keeping the cost of each step small",
        )
    ).split(" ")
)
CUES = (
    "Improves on {}.",
    "Extends {}.",
    "Uses {}.",
    "Combines {} and {}.",
    "Relies on {}.",
    "A kind of {}.",
    "Solves the instability of {}.",
    "Simplified version of {}.",
    "Unlike {}.",
)


def _code(index: int) -> str:
    letters = ""
    index += 26 * 27  # at least three letters: a family code, never a lone word
    while index:
        index, rest = divmod(index, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def deck_text(n: int, seed: int = 11) -> str:
    """A markdown-table deck of ``n`` cards; every relation sentence points to an earlier card."""
    rng = random.Random(seed)
    names = [f"{' '.join(rng.sample(WORDS, rng.randint(1, 2))).capitalize()} {_code(i)}" for i in range(n)]
    rows = ["Synthetic deck", "", "| Question | Answer |", "|---|---|"]
    for i, name in enumerate(names):
        words = rng.sample(FILLER, rng.randint(8, 16))
        sentences = [" ".join(words).capitalize() + "."]
        for _ in range(rng.randint(0, 3) if i else 0):
            cue = rng.choice(CUES)
            # Mostly near neighbours, as a real deck's topics cluster; sometimes far back.
            picks = [names[max(0, i - rng.randint(1, min(i, 40)))] for _ in range(cue.count("{}"))]
            sentences.append(cue.format(*picks))
        rows.append(f"| {name} | {' '.join(sentences)} |")
    return "\n".join(rows) + "\n"


def time_build(n: int, profile: bool = False, use_field: bool = True) -> dict:
    """Build an ``n``-card synthetic deck from scratch (linked to the field graph unless
    ``use_field`` is false); seconds, cards/s and peak RSS in MB."""
    from dlgraph.build import build

    with tempfile.TemporaryDirectory() as tmp:
        deck = Path(tmp) / f"deck-{n}.md"
        deck.write_text(deck_text(n), encoding="utf-8")
        profiler = None
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler()
            profiler.start()
        start = time.perf_counter()
        report = build(deck, Path(tmp) / "graph", use_field=use_field)
        seconds = time.perf_counter() - start
        if profiler is not None:
            profiler.stop()
            out = ROOT / "benchmarks" / f"build-profile-{n}.html"
            out.write_text(profiler.output_html(), encoding="utf-8")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "cards": n,
        "field": use_field,
        "seconds": round(seconds, 2),
        "cards_per_second": round(n / seconds),
        "concepts": report.concepts,
        "relations": report.relations,
        "peak_rss_mb": round(peak_mb),
    }


def seed_quality() -> dict:
    """Recall of extraction alone against the curated seed graph (the ``--report`` figures)."""
    from dlgraph import store
    from dlgraph.build import measure_recall
    from dlgraph.decks import load_deck
    from dlgraph.extract import extract_deck

    deck = load_deck(store.bundled_deck())
    dataset = store.load(store.bundled_data_dir())
    extracted = extract_deck(deck.cards, dataset.concepts).relations
    curated = [r for r in dataset.relations if r["origin"] == "curated"]
    recall = measure_recall(curated, extracted, deck.cards, dataset.concepts)
    return {
        "stated": recall.stated,
        "found": recall.found,
        "recall": round(recall.recall, 3),
        "typed": recall.typed,
        "type_accuracy": round(recall.type_accuracy, 3),
        "extracted": recall.extracted,
        "not_curated": recall.not_curated,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated deck sizes")
    parser.add_argument("--profile", action="store_true", help="profile the 10,000-card build")
    parser.add_argument("--no-field", action="store_true", help="build without the field graph")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: time one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(time_build(args.one, profile=args.profile, use_field=not args.no_field)))
        return
    print("seed deck quality:", json.dumps(seed_quality()))
    results = {}
    for n in (int(s) for s in args.sizes.split(",")):
        command = [sys.executable, __file__, "--one", str(n)] + (["--profile"] if args.profile else [])
        command += ["--no-field"] if args.no_field else []
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        results[n] = json.loads(done.stdout.strip().splitlines()[-1])
        print(json.dumps(results[n]))
    if 10000 in results and 100000 in results:
        ratio = results[100000]["seconds"] / results[10000]["seconds"]
        print(f"100,000 cards took {ratio:.1f}x the 10,000-card time (target: at most 12x)")


if __name__ == "__main__":
    main()
