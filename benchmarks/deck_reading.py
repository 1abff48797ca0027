"""Time reading decks: a 10,000-note Anki package, and hostile HTML against a clean deck of its size.

Usage: python benchmarks/deck_reading.py [--notes N] [--size BYTES] [--runs R] [--seed S] [--quick]

Targets (issue 14): reading a seeded 10,000-note `.apkg` (written with genanki: two nested decks,
tags, HTML fields, one note in ten a cloze) takes at most 1 s; an Anki plain-text export of 250 KB
whose every answer leaves a `<div`, `<!--` or `<script` unclosed reads in at most 1.5x the time of
a clean export of the same size and the same notes (clean: the same tags, closed), and so does one
250 KB field with such tags left unclosed throughout, against the same field closed. A LaTeX-heavy
export of that size is timed beside them for reference. Every row is the library's
`read_deck_bytes` on bytes already in memory (unzip, SQLite, HTML and LaTeX to text, tidying), the
median wall and CPU time of R runs taken in turns; Python's start and the file read are not in it.
Ratios and verdicts use CPU time: on a machine shared with other work, wall time measures the
others too. `--quick`: 1,000 notes and 25 KB, for a smoke run. It prints markdown tables (the
second: the peak memory Python held while reading, by tracemalloc) and asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from dlgraph.decks import read_deck_bytes  # noqa: E402

WORDS = (
    "gradient attention kernel residual dropout batch norm token encoder decoder softmax loss weight bias "
    "pooling stride embedding layer"
).split()


def _phrase(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def interleaved(actions: list, runs: int) -> list[tuple[float, float]]:
    """Median wall and CPU seconds of each action, run in turns so that load hits all alike."""
    times: list[list[tuple[float, float]]] = [[] for _ in actions]
    for _ in range(runs):
        for action, spent in zip(actions, times, strict=True):
            wall, cpu = time.perf_counter(), time.process_time()
            action()
            spent.append((time.perf_counter() - wall, time.process_time() - cpu))
    return [(statistics.median(w for w, _ in t), statistics.median(c for _, c in t)) for t in times]


def peak_mb(action) -> float:
    """The most memory Python held at once while ``action`` ran (tracemalloc; SQLite's own is not in it)."""
    import tracemalloc

    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def anki_package(notes: int, seed: int, path: Path) -> Path:
    """A package of ``notes`` notes as genanki writes it (the legacy collection.anki2 schema)."""
    import genanki

    rng = random.Random(seed)
    decks = [genanki.Deck(2059400300 + i, f"DL::{name}") for i, name in enumerate(("Vision", "Optimization"))]
    for i in range(notes):
        deck = decks[i % 2]
        tags = [rng.choice(WORDS) for _ in range(rng.randint(0, 2))]
        if i % 10 == 9:
            text = f"{{{{c1::{_phrase(rng, 2)}}}}} {_phrase(rng, 4)} {{{{c2::{_phrase(rng, 1)}}}}} {i}"
            deck.add_note(genanki.Note(genanki.CLOZE_MODEL, [text, ""], tags=tags))
        else:
            front = f"{_phrase(rng, 2)} {i}"
            back = f"<div>{_phrase(rng, 8)}</div><br><b>{_phrase(rng, 3)}</b> &amp; {_phrase(rng, 5)}"
            deck.add_note(genanki.Note(genanki.BASIC_MODEL, [front, back], tags=tags))
    genanki.Package(decks).write_to_file(str(path))
    return path


def html_export(size: int, seed: int, broken: str) -> bytes:
    """An Anki plain-text export of about ``size`` bytes; ``broken`` is put unclosed in every answer
    (``""``: the same markup, closed)."""
    rng = random.Random(seed)
    rows = ["#separator:tab", "#html:true"]
    length = 0
    while length < size:
        opener = broken or "<div>"
        closer = "" if broken else "</div>"
        answer = f"{_phrase(rng, 6)} {opener} {_phrase(rng, 6)}{closer}<br><i>{_phrase(rng, 3)}</i>"
        rows.append(f"{_phrase(rng, 2)} {len(rows)}\t{answer}")
        length += len(rows[-1]) + 1
    return ("\n".join(rows) + "\n").encode()


def one_field_export(size: int, seed: int, broken: str) -> bytes:
    """An export of two notes, one of them a single field of about ``size`` bytes in which
    ``broken`` is left unclosed again and again (``""``: the same markup, closed): the shape that
    took minutes when every unclosed tag searched the rest of its field."""
    rng = random.Random(seed)
    parts, length = [], 0
    while length < size:
        part = f"{_phrase(rng, 4)} {broken or '<div>'} {_phrase(rng, 4)}{'' if broken else '</div>'} "
        parts.append(part)
        length += len(part)
    return f"#separator:tab\n#html:true\nSmall\tnote\nBig\t{''.join(parts)}\n".encode()


def latex_export(size: int, seed: int) -> bytes:
    rng = random.Random(seed)
    rows = ["#separator:tab", "#html:true"]
    length = 0
    while length < size:
        math = r"\(\sigma(w^T x_i + b) = \frac{1}{1 + e^{-z}}, \; x_1, \ldots, x_n \in \mathbb{R}^d\)"
        rows.append(f"{_phrase(rng, 2)} {len(rows)}\t{_phrase(rng, 5)} {math} \\textbf{{{_phrase(rng, 2)}}}")
        length += len(rows[-1]) + 1
    return ("\n".join(rows) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=250_000, help="bytes of each text export")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--quick", action="store_true", help="1,000 notes, 25 KB exports, 3 runs")
    args = parser.parse_args()
    if args.quick:
        args.notes, args.size, args.runs = 1_000, 25_000, 3
    with tempfile.TemporaryDirectory(prefix="dlgraph-deck-bench-") as work:
        package = anki_package(args.notes, args.seed, Path(work) / "deck.apkg").read_bytes()
    exports = {
        "clean": html_export(args.size, args.seed, ""),
        "<div": html_export(args.size, args.seed, "<div"),
        "<!--": html_export(args.size, args.seed, "<!--"),
        "<script": html_export(args.size, args.seed, "<script"),
        "latex": latex_export(args.size, args.seed),
        "one clean": one_field_export(args.size, args.seed, ""),
        **{f"one {key}": one_field_export(args.size, args.seed, key) for key in ("<div", "<!--", "<script")},
    }
    cards = {"package": len(read_deck_bytes(package, "deck.apkg").cards)}
    cards.update({key: len(read_deck_bytes(raw, "export.txt").cards) for key, raw in exports.items()})
    actions = [lambda: read_deck_bytes(package, "deck.apkg")]
    actions += [lambda raw=raw: read_deck_bytes(raw, "export.txt") for raw in exports.values()]
    measured = dict(zip(["package", *exports], interleaved(actions, args.runs), strict=True))
    seconds = {key: cpu for key, (_, cpu) in measured.items()}
    kb = args.size // 1000
    clean = seconds["clean"]

    def verdict(ok: bool) -> str:
        return "" if args.quick else (" (met)" if ok else " (not met)")

    rows = [
        (f"`.apkg` of {args.notes:,} notes ({cards['package']:,} cards)", "package", "",
         f"<= 1 s{verdict(seconds['package'] <= 1)}"),
        (f"{kb} KB Anki export, clean HTML ({cards['clean']:,} cards)", "clean", "1.00x", "baseline"),
    ]  # fmt: skip
    for key in ("<div", "<!--", "<script"):
        ratio = seconds[key] / clean
        rows.append(
            (f"{kb} KB Anki export, `{key}` unclosed in every answer ({cards[key]:,} cards)", key,
             f"{ratio:.2f}x", f"<= 1.5x{verdict(ratio <= 1.5)}")
        )  # fmt: skip
    for key in ("<div", "<!--", "<script"):
        ratio = seconds[f"one {key}"] / seconds["one clean"]
        name = (
            f"one {kb} KB field, `{key}` unclosed throughout (closed: {measured['one clean'][1]:.3f} s CPU)"
        )
        rows.append((name, f"one {key}", f"{ratio:.2f}x", f"<= 1.5x{verdict(ratio <= 1.5)}"))
    rows.append(
        (f"{kb} KB Anki export, LaTeX math in every answer ({cards['latex']:,} cards)", "latex",
         f"{seconds['latex'] / clean:.2f}x", "reference")
    )  # fmt: skip
    memory = [
        (f"`.apkg` of {args.notes:,} notes, {len(package) / 1e6:.1f} MB", peak_mb(actions[0]), len(package)),
        (f"{kb} KB Anki export, `<!--` unclosed in every answer", peak_mb(actions[3]), len(exports["<!--"])),
    ]
    print(f"read_deck_bytes, median of {args.runs} runs taken in turns (seed {args.seed}):\n")
    print("| deck | median wall | median CPU | vs clean export (CPU) | target |")
    print("|---|---|---|---|---|")
    for name, key, ratio, target in rows:
        wall, cpu = measured[key]
        print(f"| {name} | {wall:.3f} s | {cpu:.3f} s | {ratio} | {target} |")

    print("\nPeak memory Python held while reading (tracemalloc, one run):\n")
    print("| deck | peak | per byte of deck |")
    print("|---|---|---|")
    for name, mb, size in memory:
        print(f"| {name} | {mb:.1f} MB | {mb * 1e6 / size:.0f}x |")


if __name__ == "__main__":
    main()
