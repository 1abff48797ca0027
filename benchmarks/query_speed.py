"""Time `dlgraph path` and tab completion as whole processes against their baselines.

Usage: python benchmarks/query_speed.py [--runs N]

Targets (issue 3): `dlgraph path R-CNN "Mask R-CNN"` on the bundled graph <= 1.3x
`python -c "import networkx"`; completion of a concept name <= 2x `python -c "import click, json"`.
Prints medians of N runs after one warm-up; it asserts nothing (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

PY = sys.executable


def median_seconds(argv: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    subprocess.run(argv, env=env, capture_output=True, check=False)  # warm-up: disk cache, pyc files
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    entry = "from dlgraph.cli import main; main()"
    complete_env = {
        **os.environ,
        "_DLGRAPH_COMPLETE": "bash_complete",
        "COMP_WORDS": "dlgraph path mas",
        "COMP_CWORD": "2",
    }
    rows = [
        (
            "dlgraph path R-CNN 'Mask R-CNN'",
            [PY, "-c", entry, "path", "R-CNN", "Mask R-CNN"],
            None,
            "import networkx",
            [PY, "-c", "import networkx"],
            1.3,
        ),
        (
            "tab completion of a concept",
            [PY, "-c", entry],
            complete_env,
            "import click, json",
            [PY, "-c", "import click, json"],
            2.0,
        ),
    ]
    print("| operation | median | baseline | baseline median | ratio | target |")
    print("|---|---|---|---|---|---|")
    for name, argv, env, base_name, base_argv, target in rows:
        ours = median_seconds(argv, args.runs, env)
        base = median_seconds(base_argv, args.runs)
        print(
            f"| {name} | {ours * 1000:.0f} ms | `{base_name}` | {base * 1000:.0f} ms | "
            f"{ours / base:.2f}x | <= {target}x |"
        )


if __name__ == "__main__":
    main()
