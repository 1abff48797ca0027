"""Measure what dlgraph users wait for, as whole processes, beside a baseline timed in the same run.

Usage: python benchmarks/run.py [--quick] [--runs N] [--out FILE] [--code DIR]

Generates seeded synthetic graphs (benchmarks/synthetic.py) at 100, 1,000, 10,000 and 100,000
concepts (``--quick``: 100 and 1,000, and small build/render/export sizes; under a minute), then
times each operation as a fresh process: one warm-up run (disk cache, .pyc files, dlgraph's own
cache of validated graphs), then N runs, reporting the median wall time, the median CPU time
(user + system, steadier than wall time on a busy machine) and the largest peak memory (max RSS)
of any run, and the ratio of the median to its baseline's. The build, render and export rows
reuse benchmarks/build_speed.py (and runon_build.py), render_speed.py and export_speed.py; the study
group adds the table of benchmarks/study_sim.py (implicit credit in simulation, measured in cards and
retention, not time).

A full run writes benchmarks/results.md (machine, date, load, table); ``--quick`` only prints,
unless ``--out`` is given. Nothing is asserted: the targets column says whether this run met them
(at the sizes the targets are set for: a quick run's small sizes get no verdict).
``--code DIR`` measures the dlgraph source tree in DIR instead of this checkout (to compare before
and after a change). Every child process gets a private ``DLGRAPH_CACHE_DIR`` in a temp folder, and
compiled modules in a private ``PYTHONPYCACHEPREFIX`` (as an installed package has them, even where
``PYTHONDONTWRITEBYTECODE`` is set).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import synthetic  # noqa: E402

from dlgraph import store  # noqa: E402

PY = sys.executable
JSON_BASELINE = "import json, sys\nfor p in sys.argv[1:]:\n    json.load(open(p, encoding='utf-8'))"


class Measure:
    """Median wall and CPU seconds and the peak memory of repeated runs of one command."""

    def __init__(self, wall: list[float], cpu: list[float], peak_mb: list[float]):
        self.wall = statistics.median(wall)
        self.cpu = statistics.median(cpu)
        self.peak_mb = max(peak_mb)
        self.runs = len(wall)


class Bench:
    """Runs child processes with a fixed environment: which dlgraph to import, a private cache."""

    def __init__(self, work: Path, code: Path, runs: int):
        self.work = work
        self.runs = runs
        self.env = {
            **os.environ,
            "PYTHONPATH": str(code),
            "DLGRAPH_CACHE_DIR": str(work / "cache"),
            # Compiled modules, as an installed package has them (the warm-up run writes them here).
            "PYTHONPYCACHEPREFIX": str(work / "pycache"),
        }
        for name in ("DLGRAPH_DATA_DIR", "DLGRAPH_CACHE", "PYTHONDONTWRITEBYTECODE"):
            self.env.pop(name, None)

    def once(self, argv: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
        """Wall seconds, CPU seconds and peak RSS in MB of one run; a failing run stops the harness."""
        with tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            child = subprocess.Popen(
                argv, env=env or self.env, cwd=self.work, stdout=subprocess.DEVNULL, stderr=err
            )
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - start
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode != 0:
                err.seek(0)
                message = err.read().decode(errors="replace")[-2000:]
                raise SystemExit(f"failed ({child.returncode}): {' '.join(argv)}\n{message}")
        # ru_maxrss is in kilobytes on Linux.
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024

    def measure(
        self,
        argv: Sequence[str] | Callable[[int], Sequence[str]],
        *,
        runs: int | None = None,
        warm_up: bool = True,
        env: dict[str, str] | Callable[[int], dict[str, str]] | None = None,
    ) -> Measure:
        """One warm-up run, then ``runs`` runs; ``argv`` and ``env`` may be functions of the run number."""
        make = argv if callable(argv) else (lambda _: argv)
        environment = env if callable(env) else (lambda _: env)
        if warm_up:
            self.once(make(-1), environment(-1))
        results = [self.once(make(i), environment(i)) for i in range(runs or self.runs)]
        return Measure(*(list(column) for column in zip(*results, strict=True)))


def dlgraph(folder: Path | None, *args: str) -> list[str]:
    prefix = ["--data-dir", str(folder)] if folder is not None else []
    return [PY, "-m", "dlgraph", *prefix, *args]


def make_graph(n: int, folder: Path) -> tuple[Path, synthetic.Queries]:
    """Write a synthetic graph in a child process, so that this one stays small.

    A child forked from a large process counts the parent's pages in its own peak memory, and
    forking a large process takes longer: both would skew every measurement after it.
    """
    done = subprocess.run(
        [PY, __file__, "--make", str(n), str(folder)], capture_output=True, check=True, text=True
    )
    return folder, synthetic.Queries(**json.loads(done.stdout))


def _runs(count: int) -> str:
    return f"{count} run" if count == 1 else f"{count} runs"


class Row:
    def __init__(
        self,
        operation: str,
        ours: Measure | None,
        baseline: str = "",
        base: Measure | None = None,
        target: str = "",
        met: bool | None = None,
        note: str = "",
    ):
        self.operation, self.ours, self.baseline, self.base = operation, ours, baseline, base
        self.target, self.met, self.note = target, met, note

    @property
    def ratio(self) -> float | None:
        return self.ours.wall / self.base.wall if self.ours and self.base else None

    def cells(self) -> list[str]:
        if self.ours is None:
            return [
                self.operation,
                "not yet available",
                "",
                "",
                self.baseline,
                "",
                "",
                self.target,
                self.note,
            ]
        base = f"{self.base.wall:.3f} s" if self.base else ""
        cpu = f"{self.ours.cpu:.3f} s" if self.ours.cpu == self.ours.cpu else "—"  # NaN: not measured
        peak = f"{self.ours.peak_mb:.0f} MB" if self.ours.peak_mb == self.ours.peak_mb else "—"
        ratio = f"{self.ratio:.2f}x" if self.ratio else ""
        verdict = {True: "met", False: "**missed**", None: ""}[self.met]
        target = f"{self.target} ({verdict})" if self.target and verdict else self.target
        return [
            self.operation,
            f"{self.ours.wall:.3f} s",
            cpu,
            peak,
            self.baseline,
            base,
            ratio,
            target,
            self.note or _runs(self.ours.runs),
        ]


HEADER = [
    "operation",
    "median wall",
    "median CPU",
    "peak RSS",
    "baseline",
    "baseline wall",
    "ratio",
    "target",
    "notes",
]


def table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def query_rows(
    bench: Bench, sizes: list[int], graphs: dict[int, tuple[Path, synthetic.Queries]]
) -> list[Row]:
    rows = []
    bundled = bench.measure(dlgraph(None, "path", "R-CNN", "Mask R-CNN"))
    networkx = bench.measure([PY, "-c", "import networkx"])
    ratio = bundled.wall / networkx.wall
    rows.append(
        Row(
            '`dlgraph path R-CNN "Mask R-CNN"`, bundled graph (139 concepts)',
            bundled,
            '`python -c "import networkx"`',
            networkx,
            "<= 1.3x",
            ratio <= 1.3,
        )
    )
    # Tab completion, as benchmarks/query_speed.py measures it: names only, no networkx.
    complete = {
        **bench.env,
        "_DLGRAPH_COMPLETE": "bash_complete",
        "COMP_WORDS": "dlgraph path mas",
        "COMP_CWORD": "2",
    }
    completion = bench.measure([PY, "-c", "from dlgraph.cli import main; main()"], env=complete)
    click_json = bench.measure([PY, "-c", "import click, json"])
    rows.append(
        Row(
            "tab completion of a concept name (`dlgraph path mas<TAB>`), bundled graph",
            completion,
            '`python -c "import click, json"`',
            click_json,
            "<= 2x",
            completion.wall <= 2 * click_json.wall,
        )
    )
    for n in sizes:
        folder, picked = graphs[n]
        files = [str(folder / store.CONCEPTS_FILE), str(folder / store.RELATIONS_FILE)]
        base = bench.measure([PY, "-c", JSON_BASELINE, *files])
        label = f"`json.load` of the two files ({sum(Path(f).stat().st_size for f in files) / 1e6:.1f} MB)"
        cases = [
            (f"`dlgraph path` on {n:,} concepts ({picked.steps}-step lineage)", ["path", *picked.path], {}),
            (
                f"`dlgraph prereqs` on {n:,} concepts ({picked.closure} prerequisites)",
                ["prereqs", picked.deep],
                {},
            ),
        ]
        if n >= 10_000:

            def fresh(run: int, n: int = n) -> dict[str, str]:
                return {**bench.env, "DLGRAPH_CACHE_DIR": str(bench.work / f"cache-{n}-{run}")}

            off = {**bench.env, "DLGRAPH_CACHE": "off"}
            cases += [
                (
                    f"`dlgraph prereqs` on {n:,} concepts, first run after an edit (cache miss)",
                    ["prereqs", picked.deep],
                    fresh,
                ),
                (f"`dlgraph prereqs` on {n:,} concepts, `DLGRAPH_CACHE=off`", ["prereqs", picked.deep], off),
            ]
        for operation, args, env in cases:
            ours = bench.measure(dlgraph(folder, *args), env=env or None)
            target, met = "", None
            if n == 100_000 and not env:
                target = "<= 2x, <= 1.5 s, <= 600 MB"
                met = ours.wall <= 2 * base.wall and ours.wall <= 1.5 and ours.peak_mb <= 600
            rows.append(Row(operation, ours, label, base, target, met))
    return rows


def build_rows(bench: Bench, sizes: list[int]) -> list[Row]:
    """``dlgraph build`` of build_speed.py's synthetic decks into a fresh folder each run."""
    if not (HERE / "build_speed.py").exists() or not (ROOT / "dlgraph" / "build.py").exists():
        return [Row(f"`dlgraph build` {n:,} cards", None, target=">= 2,000 cards/s") for n in sizes]
    import build_speed

    rows, seconds = [], {}
    for n in sizes:
        deck = bench.work / f"deck-{n}.md"
        deck.write_text(build_speed.deck_text(n), encoding="utf-8")
        runs = 1 if n >= 100_000 else min(bench.runs, 3)

        def command(run: int, deck: Path = deck, n: int = n) -> list[str]:
            return dlgraph(None, "build", str(deck), "--out", str(bench.work / f"built-{n}-{run}"))

        ours = bench.measure(command, runs=runs, warm_up=n < 100_000)
        seconds[n] = ours.wall
        rate = n / ours.wall
        note = f"{rate:,.0f} cards/s; {_runs(runs)}"
        rows.append(
            Row(
                f"`dlgraph build` of a {n:,}-card deck",
                ours,
                "",
                None,
                ">= 2,000 cards/s",
                rate >= 2000 if n >= 10_000 else None,
                note,
            )
        )
    if 10_000 in seconds and 100_000 in seconds:
        rows[-1].note += f"; {seconds[100_000] / seconds[10_000]:.1f}x the 10,000-card time (target <= 12x)"
        rows[-1].met = rows[-1].met and seconds[100_000] <= 12 * seconds[10_000]
    return rows


def runon_rows(bench: Bench, megabytes: float) -> list[Row]:
    """``dlgraph build`` of runon_build.py's deck of long run-on answers (issue 18: bounded work per card)."""
    import runon_build

    text, cards = runon_build.deck_text(megabytes)
    deck = bench.work / "runon.md"
    deck.write_text(text, encoding="utf-8")
    runs = min(bench.runs, 3)

    def command(run: int) -> list[str]:
        return dlgraph(None, "build", str(deck), "--out", str(bench.work / f"runon-{run}"))

    ours = bench.measure(command, runs=runs, warm_up=False)
    rate = cards / ours.wall
    return [
        Row(
            f"`dlgraph build` of a {megabytes:g} MB deck of run-on answers ({cards:,} cards)",
            ours,
            "",
            None,
            ">= 500 cards/s",
            rate >= 500 if megabytes >= 10 else None,
            f"{rate:,.0f} cards/s; {_runs(runs)}",
        )
    ]


def render_rows(bench: Bench, n: int, folder: Path) -> list[Row]:
    """render_speed.py's measurement: ``dlgraph render`` until drawn vs pyvis stock until stabilised."""
    if not (HERE / "render_speed.py").exists() or not Path("/usr/bin/chromium").exists():
        return [Row(f"`dlgraph render` {n:,} concepts, until drawn", None, target="<= 3 s")]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return [Row(f"`dlgraph render` {n:,} concepts, until drawn", None, note="playwright not installed")]
    import render_speed

    ours, stock = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=render_speed.CHROMIUM, args=render_speed.ARGS)
        render_speed.time_dlgraph(browser, folder, bench.work / "warm.html")
        for _ in range(1 if n < 2_000 else min(bench.runs, 3)):
            ours.append(render_speed.time_dlgraph(browser, folder, bench.work / "ours.html")[1])
            stock.append(render_speed.time_stock(browser, folder, bench.work / "stock.html")[1])
        browser.close()
    mine = Measure(ours, [float("nan")] * len(ours), [float("nan")])
    base = Measure(stock, [float("nan")] * len(stock), [float("nan")])
    met = mine.wall <= 3 and mine.wall < base.wall if n == 2_000 else None
    row = Row(
        f"`dlgraph render` {n:,} concepts → drawn in headless Chromium",
        mine,
        "pyvis stock `Network()` → stabilised",
        base,
        "<= 3 s and < baseline",
        met,
        f"{_runs(len(ours))}; wall time from process start to drawn page",
    )
    return [row]


def graphml_baseline(folder: Path, out: Path, runs: int) -> float:
    """Median seconds of ``nx.write_graphml`` on the graph ``dlgraph export`` writes (export_speed.py)."""
    import networkx as nx
    from export_speed import interleaved_medians

    from dlgraph import export
    from dlgraph.graph import load_graph

    same = export.to_networkx(export.whole(load_graph(folder)), flat=True)
    (seconds,) = interleaved_medians([lambda: nx.write_graphml(same, out, named_key_ids=True)], runs)
    return seconds


def export_rows(bench: Bench, n: int, folder: Path) -> list[Row]:
    """``dlgraph export -f graphml`` as a process vs ``nx.write_graphml`` of the same graph in-process."""
    if not (ROOT / "dlgraph" / "export.py").exists():
        return [Row(f"`dlgraph export -f graphml`, {n:,} concepts", None, target="<= 1.5x")]
    out = bench.work / "export.graphml"
    runs = min(bench.runs, 3)
    ours = bench.measure(dlgraph(folder, "export", "-f", "graphml", "-o", str(out), "--force"), runs=runs)
    child = [PY, __file__, "--graphml", str(folder), str(out), str(runs)]
    seconds = json.loads(
        subprocess.run(child, env=bench.env, capture_output=True, check=True, text=True).stdout
    )
    base = Measure([seconds], [float("nan")], [float("nan")])
    return [
        Row(
            f"`dlgraph export -f graphml`, {n:,} concepts (whole command)",
            ours,
            "`nx.write_graphml` of the same graph (in-process)",
            base,
            "<= 1.5x",
            ours.wall <= 1.5 * seconds if n == 100_000 else None,
        )
    ]


def machine(load_before: tuple[float, ...]) -> list[str]:
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    load_after = os.getloadavg()
    return [
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {os.cpu_count()} CPUs, {memory} memory, {platform.platform()}",
        f"- Python {platform.python_version()}, networkx {_version('networkx')}, dlgraph at {commit}",
        f"- load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"after: {', '.join(f'{x:.2f}' for x in load_after)}",
    ]


def study_table(bench: Bench, quick: bool) -> list[str]:
    """benchmarks/study_sim.py's table (implicit credit in simulation), run as a child process."""
    argv = [PY, str(HERE / "study_sim.py")] + (["--quick"] if quick else [])
    done = subprocess.run(argv, env=bench.env, capture_output=True, text=True, check=True)
    return ["## Implicit credit in simulation (benchmarks/study_sim.py)", "", done.stdout.strip(), ""]


def _version(module: str) -> str:
    try:
        return __import__(module).__version__
    except ImportError:
        return "missing"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke run, < 1 minute)")
    parser.add_argument("--runs", type=int, help="timed runs per operation (default 7; 3 with --quick)")
    parser.add_argument("--out", type=Path, help="markdown file to write (default: benchmarks/results.md)")
    parser.add_argument("--code", type=Path, default=ROOT, help="dlgraph source tree to measure")
    parser.add_argument("--only", default="query,build,render,export,study", help="row groups to run")
    parser.add_argument("--make", nargs=2, metavar=("N", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument("--graphml", nargs=3, metavar=("FOLDER", "OUT", "RUNS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:  # a child process: write one graph, print its benchmark queries
        dataset = synthetic.make_graph(int(args.make[0]))
        store.save(dataset, Path(args.make[1]))
        print(json.dumps(synthetic.queries(dataset)._asdict()))
        return
    if args.graphml:  # a child process: time nx.write_graphml as export_speed.py does
        print(
            json.dumps(graphml_baseline(Path(args.graphml[0]), Path(args.graphml[1]), int(args.graphml[2])))
        )
        return
    groups = set(args.only.split(","))
    runs = args.runs or (3 if args.quick else 7)
    sizes = [100, 1_000] if args.quick else [100, 1_000, 10_000, 100_000]
    load_before = os.getloadavg()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="dlgraph-bench-") as tmp:
        bench = Bench(Path(tmp), args.code.resolve(), runs)
        # This process and the ones render_speed.py starts use the same code and private cache.
        os.environ.update(
            {key: bench.env[key] for key in ("PYTHONPATH", "DLGRAPH_CACHE_DIR", "PYTHONPYCACHEPREFIX")}
        )
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.chdir(bench.work)
        graphs = {n: make_graph(n, bench.work / f"graph-{n}") for n in sizes}
        rows: list[Row] = []
        if "query" in groups:
            rows += query_rows(bench, sizes, graphs)
        if "build" in groups:
            rows += build_rows(bench, [1_000] if args.quick else [10_000, 100_000])
            rows += runon_rows(bench, 1 if args.quick else 10)
        if "render" in groups:
            n = 200 if args.quick else 2_000
            rows += render_rows(bench, n, make_graph(n, bench.work / f"graph-{n}")[0])
        if "export" in groups:
            rows += export_rows(bench, sizes[-1], graphs[sizes[-1]][0])
        # benchmarks/study_sim.py measures study sessions in simulation, not time: its own table.
        study = study_table(bench, args.quick) if "study" in groups else []
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python benchmarks/run.py{' --quick' if args.quick else ''}` "
        f"in {time.perf_counter() - started:.0f} s. Each operation is a fresh process: one warm-up run, "
        f"then {runs} timed runs (fewer where noted); wall and CPU times are medians, peak RSS the largest "
        "of any run, the ratio is median wall time over the baseline's, measured in the same run. "
        "Synthetic graphs: benchmarks/synthetic.py (clusters of 250 concepts, lineage families, "
        "about 2.9 relations per concept, prerequisite closures of at most 289 concepts).",
        "",
        *machine(load_before),
        "",
        table(rows),
        "",
        *study,
    ]
    text = "\n".join(lines)
    print(text)
    out = args.out or (None if args.quick else HERE / "results.md")
    if out is not None:
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
