"""Time from `dlgraph render` start to a stable, drawn map in headless Chromium, against pyvis's stock page.

Usage: python benchmarks/render_speed.py [--runs N] [--sizes 500,2000]

For the bundled graph and seeded synthetic graphs (benchmarks/synthetic.py, written to a temp folder),
each run times one whole `dlgraph render` process (Python start, load, layout, write) plus loading the
page in an already running headless Chromium until the map has drawn (dlgraph's page turns physics off,
so the first drawing is the stable one). The baseline is pyvis's stock `Network()` with its default
options and template on the same graph, written by one Python process, timed until vis-network reports
`stabilizationIterationsDone`: when pyvis hides its loading bar and the map first stands still enough
to use (its physics keeps running after that, and on the synthetic graphs never reports `stabilized`).
Its default `cdn_resources="local"` fetches vis-network from a CDN and so never draws offline; the
baseline therefore uses `"in_line"` (the only stock setting that can work offline), and the page's other
CDN requests (Bootstrap) are refused at once, and counted.

Target (issue 5): <= 3 s at 2,000 concepts. Prints a markdown table of medians; asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_graph  # noqa: E402

from dlgraph import store  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
STOCK_TIMEOUT_MS = 180_000

# Built the way pyvis's documentation shows: Network() with defaults, one add_node / add_edge each.
STOCK_SCRIPT = """
import json, sys
from pathlib import Path
from pyvis.network import Network
folder, out = Path(sys.argv[1]), sys.argv[2]
concepts = json.loads((folder / "concepts.json").read_text(encoding="utf-8"))
relations = json.loads((folder / "relations.json").read_text(encoding="utf-8"))
net = Network(directed=True, cdn_resources="in_line")
for c in concepts:
    net.add_node(c["id"], label=c["name"], title=c["definition"])
for r in relations:
    net.add_edge(r["source"], r["target"], title=r["type"])
net.write_html(out)
"""

# Catches the stock page's global `network` as it is assigned, to hear its `stabilized` event.
WATCH_STOCK = """
(() => {
  let current;
  Object.defineProperty(window, "network", {
    configurable: true,
    get() { return current; },
    set(value) {
      current = value;
      value.once("stabilizationIterationsDone", () => { window.__stable = true; });
    },
  });
})();
"""


def time_dlgraph(browser, folder: Path, out: Path) -> tuple[float, float]:
    """Seconds for the render process, and in total until the page has drawn."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "dlgraph", "--data-dir", str(folder), "render", "-o", str(out), "--force"],
        check=True,
        capture_output=True,
    )
    written = time.perf_counter()
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(out.resolve().as_uri())
    page.wait_for_function("document.body.dataset.state === 'ready'", timeout=STOCK_TIMEOUT_MS)
    done = time.perf_counter()
    assert requests == [out.resolve().as_uri()], requests
    page.close()
    return written - start, done - start


def time_stock(browser, folder: Path, out: Path) -> tuple[float, float, int]:
    """Seconds for the pyvis process, in total until stabilised, and the CDN requests it tried."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", STOCK_SCRIPT, str(folder), str(out)], check=True, capture_output=True
    )
    written = time.perf_counter()
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.add_init_script(WATCH_STOCK)
    blocked: list[str] = []

    def refuse(route) -> None:
        blocked.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^https?://"), refuse)
    page.goto(out.resolve().as_uri())
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function("window.__stable === true", timeout=STOCK_TIMEOUT_MS, polling=20)
        done = time.perf_counter() - start
    except PlaywrightTimeout:
        done = float("inf")
    page.close()
    return written - start, done, len(blocked)


def _seconds(value: float) -> str:
    return f"> {STOCK_TIMEOUT_MS / 1000:.0f}" if value == float("inf") else f"{value:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of dlgraph per graph")
    parser.add_argument(
        "--stock-runs", type=int, default=1, help="runs of stock pyvis (minutes each at 2,000)"
    )
    parser.add_argument("--sizes", default="500,2000", help="synthetic graph sizes, comma-separated")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        root = Path(tmp)
        graphs = [("bundled", store.bundled_data_dir())]
        for size in (int(s) for s in args.sizes.split(",") if s):
            graphs.append((f"synthetic {size}", write_graph(size, root / f"g{size}")))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        time_dlgraph(browser, graphs[0][1], root / "warm.html")  # warm-up: pyc files, disk cache
        rows = []
        for label, folder in graphs:
            dataset = store.load(folder)
            ours = [time_dlgraph(browser, folder, root / "ours.html") for _ in range(args.runs)]
            stock = [time_stock(browser, folder, root / "stock.html") for _ in range(args.stock_runs)]
            rows.append(
                (
                    label,
                    len(dataset.concepts),
                    len(dataset.relations),
                    statistics.median(t[0] for t in ours),
                    statistics.median(t[1] for t in ours),
                    statistics.median(t[0] for t in stock),
                    statistics.median(t[1] for t in stock),
                    stock[0][2],
                )
            )
            print(f"done: {label}", file=sys.stderr)
        browser.close()

    print(f"seconds from process start; median of {args.runs} dlgraph runs and {args.stock_runs} stock runs")
    print()
    print("| graph | concepts | relations | dlgraph render | dlgraph drawn | pyvis stock write "
          "| pyvis stock stabilised | stock CDN requests |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, n, m, ours_write, ours_drawn, stock_write, stock_drawn, cdn in rows:
        print(
            f"| {label} | {n} | {m} | {ours_write:.2f} | **{ours_drawn:.2f}** | {stock_write:.2f} "
            f"| {_seconds(stock_drawn)} | {cdn} |"
        )


if __name__ == "__main__":
    main()
