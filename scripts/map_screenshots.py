"""Refresh the README's concept map screenshots in docs/images from a real headless Chromium.

Usage: python scripts/map_screenshots.py [--out docs/images]

- concept_map.png: the bundled map at 1440×900 with Faster R-CNN found and its card open;
- concept_map_phone.png: `render --path R-CNN "Mask R-CNN"` at 390×844, as a phone opens it.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from dlgraph import render
from dlgraph.graph import load_graph

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]


def shoot(browser, html: Path, size: tuple[int, int], out: Path, find: str | None = None) -> None:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(html.resolve().as_uri())
    page.wait_for_function("document.body.dataset.state === 'ready'", timeout=60_000)
    if find:
        page.fill("#search", find)
        page.press("#search", "Enter")
        page.wait_for_function("!dlgraph.state.gliding", timeout=10_000)
    page.mouse.move(0, 0)  # no hover dimming in the picture
    page.screenshot(path=str(out))
    page.close()
    print(f"wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    cg = load_graph()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        whole, path = Path(tmp) / "map.html", Path(tmp) / "path.html"
        render.write_map(cg, whole)
        render.write_map(cg, path, render.MapOptions(path=("r-cnn", "mask-r-cnn")))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        shoot(browser, whole, (1440, 900), args.out / "concept_map.png", find="Faster R-CNN")
        shoot(browser, path, (390, 844), args.out / "concept_map_phone.png")
        browser.close()


if __name__ == "__main__":
    main()
