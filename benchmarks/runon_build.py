"""How fast ``dlgraph build`` reads a deck of long run-on answers: the work per card must stay bounded.

Run ``python benchmarks/runon_build.py`` (``--mb 1`` for a quick run). ``benchmarks/run.py`` adds
its row to the build group.

The deck: a seeded markdown table of about ``--mb`` megabytes (10 by default) whose answers are
run-on text, words and commas with no full stop, from 200 to 5,000 characters (log-uniform, so
most are short and a few are long), one in twenty words the name of an earlier card; and one
answer of 1 MB, a pasted document. It is built from scratch, linked to the field graph, as a
fresh process. Before the fix of issue 18 such answers were scanned quadratically (every mention
re-joined its whole sentence); a 1 MB deck of them built at about 30 cards/s. Target: 500 cards/s.
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_speed import FILLER, WORDS, _code  # noqa: E402

#: The one answer far longer than any card's: a pasted document.
LONG_ANSWER = 1_000_000


def deck_text(megabytes: float, seed: int = 5) -> tuple[str, int]:
    """The deck's text and its number of cards."""
    rng = random.Random(seed)
    rows = ["| Question | Answer |", "|---|---|"]
    names: list[str] = []
    size, total = 0, int(megabytes * 1_000_000)
    while size < total:
        name = f"{' '.join(rng.sample(WORDS, rng.randint(1, 2))).capitalize()} {_code(len(names))}"
        names.append(name)
        length = LONG_ANSWER if len(names) == 4 else int(200 * 25 ** rng.random())
        words: list[str] = []
        written = 0
        while written < length:
            word = rng.choice(names[-40:]) if rng.random() < 0.05 else rng.choice(FILLER + WORDS)
            if rng.random() < 0.08:
                word += ","
            words.append(word)
            written += len(word) + 1
        row = f"| {name} | {' '.join(words)} |"
        rows.append(row)
        size += len(row) + 1
    return "\n".join(rows) + "\n", len(names)


def time_build(megabytes: float) -> dict:
    """Build the deck into a fresh folder in a child process: wall and CPU seconds, cards/s (CPU
    time is the steadier figure on a busy machine)."""
    with tempfile.TemporaryDirectory() as tmp:
        text, cards = deck_text(megabytes)
        deck = Path(tmp) / "runon.md"
        deck.write_text(text, encoding="utf-8")
        command = [sys.executable, "-m", "dlgraph", "build", str(deck), "--out", str(Path(tmp) / "graph")]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {
        "megabytes": round(len(text.encode()) / 1e6, 1),
        "cards": cards,
        "seconds": round(seconds, 2),
        "cards_per_second": round(cards / seconds),
        "cpu_seconds": round(cpu, 2),
        "cards_per_cpu_second": round(cards / cpu),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=10.0, help="deck size in megabytes")
    args = parser.parse_args()
    print(json.dumps(time_build(args.mb)))


if __name__ == "__main__":
    main()
