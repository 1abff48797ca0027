"""How fast the concept map answers in headless Chromium, and how long `dlgraph render` takes.

Usage: python benchmarks/map_speed.py [--sizes 500,2000] [--runs 5] [--glossary]

For the bundled graph and seeded synthetic graphs (benchmarks/synthetic.py, in a temp folder), and
with ``--glossary`` the graph `dlgraph build` makes of benchmarks/decks/google-ml-glossary.csv:

- ``render``: one whole `dlgraph render` process (Python start, load, layout, write), median of runs;
- ``load → drawn``: page load until the map has drawn once (``document.body.dataset.state``);
- in-page actions, each timed from the call until two animation frames later (the map redrawn):
  show a path, highlight a concept's prerequisites, Clear, one relation type's tick box;
- ``wheel-zoom frame``: one wheel event on the map at the overview zoom, in and out by turns, timed
  the same way: the frame vis-network draws while a zoom gesture is on (above 600 concepts without
  the edges, ``hideEdgesOnZoom``);
- ``full redraw``: ``network.redraw()`` at the overview zoom, everything drawn: the frame after a
  gesture ends, and what every action above pays once.

Targets (issue 16): render of the glossary graph <= 2 s; load -> drawn <= 2 s at 2,000 concepts;
each action <= 200 ms; a wheel-zoom frame <= 50 ms. Prints a markdown table of medians; asserts
nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_graph  # noqa: E402

from dlgraph import graph, store  # noqa: E402

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip

# One action, timed until the browser has drawn the result (two frames: vis redraws on the next one).
TIMED = """
async (code) => {
  const start = performance.now();
  (new Function(code))();
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  return performance.now() - start;
}
"""

# One wheel notch over the middle of the map (deltaY < 0 zooms in), timed like an action.
WHEEL = """
async (deltaY) => {
  const canvas = document.querySelector("#map canvas");
  const box = canvas.getBoundingClientRect();
  const start = performance.now();
  canvas.dispatchEvent(new WheelEvent("wheel", {
    deltaY, clientX: box.x + box.width / 2, clientY: box.y + box.height / 2, bubbles: true, cancelable: true,
  }));
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  return performance.now() - start;
}
"""


def render_seconds(folder: Path, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "dlgraph", "--data-dir", str(folder), "render", "-o", str(out), "--force"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def pair_and_target(folder: Path) -> tuple[str, str]:
    """A concept with many prerequisites, and the first of them in study order (a long path away)."""
    cg = graph.load_graph(folder)
    ids = sorted(cg.concepts)
    candidates = ids if len(ids) <= 200 else ids[-50:]
    target = max(candidates, key=lambda cid: (len(graph.prerequisites(cg, cid)["prerequisites"]), cid))
    needs = graph.prerequisites(cg, target)["prerequisites"]
    return (needs[0]["id"] if needs else ids[0]), target


def page_timings(browser, out: Path, ends: tuple[str, str], target: str) -> dict[str, float]:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    start = time.perf_counter()
    page.goto(out.resolve().as_uri())
    page.wait_for_function("document.body.dataset.state === 'ready'", timeout=120_000)
    loaded = time.perf_counter() - start
    a, b = ends
    first_type = page.evaluate("dlgraph.data.legend.types[0].id")
    actions = {
        "show path": f"dlgraph.showPath({a!r}, {b!r})",
        "prerequisite highlight": f"dlgraph.showPrereqs({target!r})",
        "Clear": "document.getElementById('clear').click()",
        "relation tick": f"document.querySelector(\"#legend-types input[value='{first_type}']\").click()",
    }
    times = {"load → drawn": loaded * 1000}
    for label, code in actions.items():
        runs = []
        for _ in range(5):
            runs.append(page.evaluate(TIMED, code))
            if label == "relation tick":
                page.evaluate(TIMED, code)  # tick it back
        times[label] = statistics.median(runs)
    page.evaluate("dlgraph.reset()")
    page.wait_for_timeout(2000)  # the glide back to the overview; the map settles at its detail
    runs = []
    for i in range(6):
        runs.append(page.evaluate(WHEEL, 60 if i % 2 else -60))
        page.wait_for_timeout(400)  # the gesture over (vis-network waits 250 ms) and redrawn whole
    times["wheel-zoom frame"] = statistics.median(runs)
    redraws = [page.evaluate(TIMED, "dlgraph.network.redraw()") for _ in range(5)]
    times["full redraw"] = statistics.median(redraws)
    page.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="render processes per graph")
    parser.add_argument("--sizes", default="500,2000", help="synthetic graph sizes, comma-separated")
    parser.add_argument("--glossary", action="store_true", help="also build and render the glossary deck")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        root = Path(tmp)
        graphs = [("bundled", store.bundled_data_dir())]
        if args.glossary:
            folder = root / "glossary"
            subprocess.run(
                [sys.executable, "-m", "dlgraph", "build", str(HERE / "decks" / "google-ml-glossary.csv"),
                 "--out", str(folder)],
                check=True, capture_output=True,
            )  # fmt: skip
            graphs.append(("Google ML glossary, built", folder))
        for size in (int(s) for s in args.sizes.split(",") if s):
            graphs.append((f"synthetic {size}", write_graph(size, root / f"g{size}")))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        render_seconds(graphs[0][1], root / "warm.html")  # warm-up: pyc files, disk cache
        rows = []
        for label, folder in graphs:
            dataset = store.load(folder)
            out = root / "map.html"
            seconds = statistics.median(render_seconds(folder, out) for _ in range(args.runs))
            start, target = pair_and_target(folder)
            timings = page_timings(browser, out, (start, target), target)
            rows.append((label, len(dataset.concepts), len(dataset.relations), seconds, timings))
            print(f"done: {label}", file=sys.stderr)
        browser.close()

    names = list(rows[0][4])
    print(f"render: median of {args.runs} processes; in-page times: median of 5 (wheel: 6), ms, until drawn")
    print()
    print("| graph | concepts | relations | `dlgraph render` | " + " | ".join(names) + " |")
    print("|---|---:|---:|---:|" + "---:|" * len(names))
    for label, n, m, seconds, timings in rows:
        cells = " | ".join(f"{timings[name]:.0f} ms" for name in names)
        print(f"| {label} | {n} | {m} | {seconds:.2f} s | {cells} |")


if __name__ == "__main__":
    main()
