"""The concept map in real headless Chromium, driven by Playwright: offline, complete, usable, safe.

Without Chromium or Playwright these tests skip and say why; with ``CI=true`` they fail instead, so CI
can never pass by silently skipping them.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from dlgraph import graph, render
from dlgraph.graph import load_graph
from dlgraph.render import MapOptions
from dlgraph.vocabulary import RELATION_TYPES

from .conftest import MINI
from .reliability import record
from .test_render import PAYLOAD, SCRIPT_PAYLOAD, write_xss_graph

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
]


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -e '.[test]'"
    if not CHROMIUM.is_file():
        return f"Chromium not found at {CHROMIUM}: apt-get install chromium"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _unavailable()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class MapPage:
    """One opened map with everything it did recorded: requests, dialogs, script errors."""

    def __init__(self, browser, html: Path, viewport: tuple[int, int] = (1600, 1000), touch: bool = False):
        self.context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, has_touch=touch
        )
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.url = html.resolve().as_uri()
        self.page.goto(self.url)
        self.page.wait_for_function("document.body.dataset.state === 'ready'", timeout=30_000)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def highlighted(self) -> tuple[set[str], set[str]]:
        nodes = self.js("dlgraph.nodes.get({filter: n => n.dlHighlight === true}).map(n => n.id)")
        edges = self.js("dlgraph.edges.get({filter: e => e.dlHighlight === true}).map(e => e.id)")
        return set(nodes), set(edges)

    def click_node(self, cid: str) -> None:
        """Bring the node to the middle at zoom 1, then click where it is drawn, as a user would."""
        x, y = self.js(
            """id => {
                const net = dlgraph.network;
                net.moveTo({position: net.getPosition(id), scale: 1.0});
                const p = net.canvasToDOM(net.getPosition(id));
                const box = document.getElementById('map').getBoundingClientRect();
                return [box.left + p.x, box.top + p.y];
            }""",
            cid,
        )
        self.page.mouse.click(x, y)

    def settle(self) -> None:
        """Wait until no view glide is running."""
        self.page.wait_for_function("!dlgraph.state.gliding", timeout=10_000)

    def on_screen(self, cid: str) -> tuple[float, float]:
        """Where a node is drawn, relative to the middle of the map box, in CSS pixels."""
        return tuple(
            self.js(
                """id => { const net = dlgraph.network; const p = net.canvasToDOM(net.getPosition(id));
                    const box = document.getElementById('map').getBoundingClientRect();
                    return [p.x - box.width / 2, p.y - box.height / 2]; }""",
                cid,
            )
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def bundled():
    return load_graph()


@pytest.fixture(scope="module")
def bundled_html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("map") / "concept_map.html"
    render.write_map(load_graph(), out)
    return out


@pytest.fixture
def bundled_page(browser, bundled_html):
    page = MapPage(browser, bundled_html)
    yield page
    page.close()


def test_page_loads_with_zero_network_requests_and_no_errors(bundled_page):
    assert bundled_page.requests == [bundled_page.url]
    assert bundled_page.errors == []
    assert bundled_page.js("typeof vis.Network") == "function"


def test_drawn_nodes_and_edges_are_the_graph(bundled_page, bundled):
    data = bundled_page.js(
        """() => ({
            nodes: dlgraph.nodes.getIds(), edges: dlgraph.edges.get().map(e => [e.from, e.type, e.to]),
            drawnNodes: dlgraph.network.body.nodeIndices.length,
            drawnEdges: dlgraph.network.body.edgeIndices.length,
        })"""
    )
    assert sorted(data["nodes"]) == sorted(bundled.concepts)
    assert data["drawnNodes"] == len(bundled.concepts) == 139
    assert data["drawnEdges"] == len(bundled.dataset.relations) == 304
    assert sorted(map(tuple, data["edges"])) == sorted(
        (r["source"], r["type"], r["target"]) for r in bundled.dataset.relations
    )


def test_search_by_alias_focuses_and_shows_the_card(bundled_page, bundled):
    page = bundled_page.page
    page.fill("#search", "backprop")
    page.press("#search", "Enter")
    page.wait_for_selector("#card:not([hidden])")
    assert page.text_content("#card h2") == "Backpropagation"
    assert bundled_page.js("dlgraph.network.getSelectedNodes()") == ["backpropagation"]
    options = bundled_page.js("[...document.querySelectorAll('#concept-names option')].map(o => o.value)")
    assert "backprop" in options and "Mask R-CNN" in options


def test_clicking_a_node_shows_its_card_and_relations_jump(bundled_page, bundled):
    page = bundled_page.page
    bundled_page.click_node("faster-r-cnn")
    page.wait_for_selector("#card[data-concept='faster-r-cnn']")
    card = page.text_content("#card")
    assert page.text_content("#card h2") == "Faster R-CNN"
    assert bundled.concepts["faster-r-cnn"]["definition"] in card
    assert "Faster R-CNN extended by…" in card and "Faster R-CNN improves on…" in card
    prereqs = page.eval_on_selector_all("#card ol.prereqs li", "items => items.map(i => i.textContent)")
    assert prereqs == [p["name"] for p in graph.prerequisites(bundled, "faster-r-cnn")["prerequisites"]]
    levels = page.eval_on_selector_all("#card ol.prereqs li", "items => items.map(i => +i.dataset.level)")
    assert levels[0] == 1 and levels == sorted(levels) and levels[-1] > 2  # a plan in levels
    assert f"{levels[-1]} levels" in page.text_content("#card h3 >> text=Study first")
    page.click("#card button.jump[data-target='mask-r-cnn']")
    page.wait_for_selector("#card[data-concept='mask-r-cnn']")
    assert page.text_content("#card h2") == "Mask R-CNN"


def test_study_order_in_the_page_is_graph_prerequisites(bundled_page, bundled):
    ids = sorted(bundled.concepts)
    orders = bundled_page.js("ids => ids.map(id => dlgraph.studyOrder(id))", ids)
    for cid, mine in zip(ids, orders, strict=True):
        expected = graph.prerequisites(bundled, cid)["prerequisites"]
        assert mine == [
            {
                "id": p["id"],
                "name": p["name"],
                "reason": p["reason"],
                "edge": render.edge_id(p["relation"]),
                "depth": p["depth"],
            }
            for p in expected
        ], cid
    assert sum(map(len, orders)) > 500  # the bundled graph has real study lists to compare


def test_cli_path_page_highlights_exactly_the_path(browser, bundled, tmp_path):
    out = tmp_path / "path.html"
    render.write_map(bundled, out, MapOptions(path=("r-cnn", "mask-r-cnn")))
    page = MapPage(browser, out)
    try:
        nodes, edges = page.highlighted()
        expected = graph.path(bundled, "r-cnn", "mask-r-cnn")
        assert nodes == {step["id"] for step in expected["path"]}
        assert edges == {render.edge_id(e) for e in expected["edges"]}
        faded = page.js("dlgraph.nodes.get({filter: n => n.dlHighlight === false}).length")
        assert faded == len(bundled.concepts) - len(nodes)
        assert (
            page.page.text_content("#status")
            == "Path (lineage): R-CNN → Fast R-CNN → Faster R-CNN → Mask R-CNN"
        )
    finally:
        page.close()


def test_cli_prereqs_page_highlights_the_prerequisites(browser, bundled, tmp_path):
    out = tmp_path / "adam.html"
    render.write_map(bundled, out, MapOptions(prereqs="adam"))
    page = MapPage(browser, out)
    try:
        nodes, _ = page.highlighted()
        expected = graph.prerequisites(bundled, "adam")["prerequisites"]
        assert nodes == {"adam", *(p["id"] for p in expected)}
    finally:
        page.close()


def test_picking_two_concepts_in_the_page_highlights_the_path(bundled_page, bundled):
    page = bundled_page.page
    page.fill("#path-from", "R-CNN")
    page.fill("#path-to", "mask rcnn")
    page.click("#path-go")
    nodes, edges = bundled_page.highlighted()
    expected = graph.path(bundled, "r-cnn", "mask-r-cnn")
    assert nodes == {s["id"] for s in expected["path"]}
    assert edges == {render.edge_id(e) for e in expected["edges"]}
    page.click("#clear")
    assert bundled_page.highlighted() == (set(), set())
    assert bundled_page.js("dlgraph.nodes.get({filter: n => n.dlHighlight === false}).length") == 0
    assert bundled_page.js(
        "dlgraph.edges.get().every(e => e.color.opacity === (e.cross ? 0.22 : 1) && !e.hidden)"
    )


def test_a_highlighted_path_stays_visible_through_filters(bundled_page, bundled):
    page = bundled_page.page
    page.uncheck("#legend-types input[value='uses']")
    page.uncheck("#legend-topics input[value='object-detection']")
    page.fill("#path-from", "selective search")
    page.fill("#path-to", "RoI Pooling")
    page.click("#path-go")
    expected = graph.path(bundled, "selective-search", "roi-pooling")
    assert expected["kind"] == "any" and any(e["type"] == "uses" for e in expected["edges"])
    shown = bundled_page.js("dlgraph.edges.get({filter: e => !e.hidden && e.type === 'uses'}).map(e => e.id)")
    assert set(shown) == {render.edge_id(e) for e in expected["edges"] if e["type"] == "uses"}
    hidden = bundled_page.js("dlgraph.nodes.get({filter: n => n.hidden}).map(n => n.id)")
    assert not set(hidden) & {s["id"] for s in expected["path"]}
    page.click("#clear")
    assert bundled_page.js("dlgraph.edges.get({filter: e => !e.hidden && e.type === 'uses'}).length") == 0


def test_in_page_paths_agree_with_graph_path(bundled_page, bundled):
    """The page's path search mirrors graph.path: same nodes and relations, lineage or not, either way."""
    rng = random.Random(5)
    ids = sorted(bundled.concepts)
    pairs = [("r-cnn", "mask-r-cnn"), ("mask-r-cnn", "r-cnn"), ("alexnet", "resnet")]
    pairs += [tuple(rng.sample(ids, 2)) for _ in range(150)]
    found = bundled_page.js("pairs => pairs.map(([a, b]) => dlgraph.findPath(a, b))", pairs)
    kinds = set()
    for (a, b), mine in zip(pairs, found, strict=True):
        expected = graph.path(bundled, a, b)
        if not expected["found"]:
            assert mine is None, (a, b)
            continue
        kinds.add((expected["kind"], expected["reversed"]))
        assert mine["nodes"] == [s["id"] for s in expected["path"]], (a, b)
        assert mine["edges"] == [render.edge_id(e) for e in expected["edges"]], (a, b)
    assert {("lineage", False), ("lineage", True), ("any", False)} <= kinds


def test_topic_and_relation_filters_hide_and_show(bundled_page, bundled):
    page = bundled_page.page
    detection = sum(c["topic"] == "object-detection" for c in bundled.concepts.values())
    page.uncheck("#legend-topics input[value='object-detection']")
    hidden = bundled_page.js("dlgraph.nodes.get({filter: n => n.hidden}).map(n => n.topic)")
    assert len(hidden) == detection and set(hidden) == {"object-detection"}
    uses = sum(r["type"] == "uses" for r in bundled.dataset.relations)
    page.uncheck("#legend-types input[value='uses']")
    assert bundled_page.js("dlgraph.edges.get({filter: e => e.hidden}).length") == uses
    page.check("#legend-topics input[value='object-detection']")
    page.check("#legend-types input[value='uses']")
    assert bundled_page.js("dlgraph.nodes.get({filter: n => n.hidden}).length + "
                           "dlgraph.edges.get({filter: e => e.hidden}).length") == 0  # fmt: skip


def test_markup_in_a_card_runs_nothing_and_shows_as_text(browser, tmp_path):
    cg = load_graph(write_xss_graph(tmp_path / "xss"))
    out = tmp_path / "xss.html"
    render.write_map(cg, out, MapOptions(edge_labels=True, title=PAYLOAD))
    page = MapPage(browser, out)
    try:
        name = f"Adam {PAYLOAD}"
        assert page.page.title() == PAYLOAD
        page.page.fill("#search", name)
        page.page.press("#search", "Enter")
        page.page.wait_for_selector("#card[data-concept='adam']")
        assert page.page.text_content("#card h2") == name
        assert page.page.text_content("#card .aliases") == f"Also called: {SCRIPT_PAYLOAD} alias"
        assert PAYLOAD in page.page.text_content("#card .definition")
        # Hover the node so vis-network shows its tooltip, then the edge list in the legend.
        page.click_node("rmsprop")
        page.click_node("adam")
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        # vis-network shows a tooltip only after the pointer rests on a node that is not moving; the view
        # may still be animating towards the clicked node, so re-aim and re-hover until it appears (a busy
        # machine draws slowly: each try waits 3 s).
        page.settle()
        for attempt in range(10):
            page.page.mouse.move(10, 10)
            x, y = page.js(
                """() => { const net = dlgraph.network; const p = net.canvasToDOM(net.getPosition('adam'));
                    const box = document.getElementById('map').getBoundingClientRect();
                    return [box.left + p.x, box.top + p.y]; }"""
            )
            page.page.mouse.move(x + attempt % 3, y)
            try:
                page.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=3000)
                break
            except PlaywrightTimeout:
                continue
        else:
            pytest.fail("the node's tooltip never appeared")
        assert name in page.page.text_content("div.vis-tooltip")
        injected = page.js("document.querySelectorAll('body img, #card script, .vis-tooltip img').length")
        assert injected == 0
        assert page.dialogs == [] and page.errors == [] and page.requests == [page.url]
        assert page.js("typeof window.__pwned") == "undefined"
        record("HTML safety", "concept map in Chromium: `</script>` and `onerror` in a card and the title")
    finally:
        page.close()


def test_screenshot_for_humans(browser, bundled_html, bundled):
    """Saves out/concept_map.png: the bundled map as a student first sees it, plus a zoomed view."""
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    page = MapPage(browser, bundled_html)
    try:
        page.page.screenshot(path=str(out / "concept_map.png"))
        page.page.fill("#search", "Faster R-CNN")
        page.page.press("#search", "Enter")
        page.page.wait_for_timeout(600)  # the focus animation
        page.page.screenshot(path=str(out / "concept_map_card.png"))
        assert (out / "concept_map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        visible = page.js("dlgraph.network.getScale()")
        assert visible >= 1.0  # the search zoomed in far enough to read labels
    finally:
        page.close()


def test_mini_map_focus_page_draws_only_the_neighbourhood(browser, tmp_path):
    out = tmp_path / "focus.html"
    cg = load_graph(MINI)
    render.write_map(cg, out, MapOptions(focus="fast-r-cnn"))
    page = MapPage(browser, out)
    try:
        drawn = page.js("dlgraph.nodes.getIds()")
        assert sorted(drawn) == sorted(render.select(cg, MapOptions(focus="fast-r-cnn")))
        assert page.js("dlgraph.network.body.edgeIndices.length") == 5
    finally:
        page.close()


def test_the_study_view_of_a_part_numbers_each_concept_on_its_prereqs_line(browser, tmp_path):
    out = tmp_path / "focus.html"
    cg = load_graph(MINI)
    render.write_map(cg, out, MapOptions(focus="adam"))
    plan = graph.prerequisites(cg, "adam")["prerequisites"]
    order = [p["id"] for p in plan]
    page = MapPage(browser, out)
    try:
        drawn = set(page.js("dlgraph.nodes.getIds()"))
        off = [cid for cid in order if cid not in drawn]
        assert off and off[0] != order[-1]  # a step off this map, with steps after it on it
        page.js("() => dlgraph.select('adam')")
        page.page.wait_for_selector("#card[data-concept='adam']")
        steps = page.page.eval_on_selector_all(
            "#card ol.prereqs li", "items => items.map(i => [i.firstChild.textContent, +i.dataset.step])"
        )
        assert steps == [[p["name"], i] for i, p in enumerate(plan, 1)]
        page.page.click("#card .actions button >> text=Study view")
        page.page.wait_for_function(f"(dlgraph.state.numbered || []).length === {len(order)}")
        numbered = page.js("Array.from(dlgraph.state.numbered, id => id || null)")
        assert numbered == [cid if cid in drawn else None for cid in order]
    finally:
        page.close()


def drawn_colour(page: MapPage, cid: str) -> tuple[int, int, int]:
    """The pixel the canvas shows at a node's centre, with the node brought to the middle at zoom 1."""
    return tuple(
        page.js(
            """id => {
                const net = dlgraph.network;
                net.moveTo({position: net.getPosition(id), scale: 1.0});
                net.redraw();
                const canvas = document.querySelector('#map canvas');
                const p = net.canvasToDOM(net.getPosition(id));
                const ratio = canvas.width / canvas.clientWidth;
                const [x, y] = [Math.round(p.x * ratio), Math.round(p.y * ratio)];
                const pixel = canvas.getContext('2d').getImageData(x, y, 1, 1);
                return Array.from(pixel.data.slice(0, 3));
            }""",
            cid,
        )
    )


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def test_progress_map_draws_reviewed_concepts_in_their_mastery_colour(browser, run, tmp_path):
    from dlgraph import progress

    pfile = tmp_path / "progress.sqlite3"
    studied = run("study", "adam", "--progress", str(pfile), "--ratings", "-", input="good\neasy\n")
    assert studied.exit_code == 0, studied.output
    out = tmp_path / "mastery.html"
    result = run("render", "--progress", str(pfile), "-o", str(out))
    assert result.exit_code == 0, result.output
    recall = progress.mastery(pfile)
    page = MapPage(browser, out)
    try:
        assert page.errors == []
        reviewed = drawn_colour(page, "gradient-descent")
        never = drawn_colour(page, "dqn")
        assert reviewed != never
        expected = _rgb(render.mastery_colour(recall["gradient-descent"]))
        assert all(abs(a - b) <= 3 for a, b in zip(reviewed, expected, strict=True)), (reviewed, expected)
        assert all(abs(a - b) <= 3 for a, b in zip(never, _rgb(render.NEVER_REVIEWED), strict=True)), never
        legend = page.page.locator("#legend-mastery")
        assert legend.is_visible()
        assert page.page.locator("#mastery-scale span").count() == 11
        assert "never reviewed" in legend.inner_text()
        assert page.page.text_content("#mastery-count") == "18 of 20"
        page.click_node("gradient-descent")
        assert page.page.text_content("#card .mastery").startswith("Mastery: recall ")
        # Adam's card lists the plan `dlgraph prereqs` prints with this progress: what was reviewed
        # left out (with what only it needs) and folded away, the rest numbered as the terminal's
        # lines and as its study view numbers them on the map.
        page.js("() => dlgraph.select('adam')")
        page.page.wait_for_selector("#card[data-concept='adam']")
        plan = graph.prerequisites(load_graph(MINI), "adam", known=recall)
        order = [p["id"] for p in plan["prerequisites"]]
        folded = [k["id"] for k in plan["skipped"]]
        assert folded and order
        summary = page.page.text_content("#card details.known summary")
        assert summary == f"Already known ({len(folded)})"
        hidden = page.page.eval_on_selector_all(
            "#card details.known .jump", "items => items.map(i => i.dataset.target)"
        )
        assert hidden == folded
        steps = page.page.eval_on_selector_all(
            "#card ol.prereqs li",
            "items => items.map(i => [i.querySelector('.jump').dataset.target, +i.dataset.step])",
        )
        assert steps == [[cid, i] for i, cid in enumerate(order, 1)]
        page.js("() => dlgraph.showPrereqs('adam')")
        page.page.wait_for_function(f"(dlgraph.state.numbered || []).length === {len(order)}")
        assert page.js("dlgraph.state.numbered") == order
        assert page.js("dlgraph.state.highlight.known") == folded
    finally:
        page.close()


def test_plain_map_has_no_mastery_legend(bundled_page):
    assert not bundled_page.page.locator("#legend-mastery").is_visible()
    assert bundled_page.js("dlgraph.data.mastery") is None


# --- any screen ----------------------------------------------------------------------------------------

SCREENS = {"phone": (390, 844), "tablet": (768, 1024), "desktop": (1440, 900)}


def layout_facts(page: MapPage) -> dict:
    return page.js(
        """() => {
            const box = (id) => document.getElementById(id).getBoundingClientRect();
            const shown = (id) => {
                const style = getComputedStyle(document.getElementById(id));
                const r = box(id);
                return style.visibility !== 'hidden' && style.display !== 'none' && r.width > 0
                    && r.right > 0 && r.left < innerWidth && r.top < innerHeight;
            };
            const map = box('map');
            const canvas = document.querySelector('#map canvas');
            return {
                sideways: document.documentElement.scrollWidth - document.documentElement.clientWidth,
                mapShare: (map.width * map.height) / (innerWidth * innerHeight),
                canvasWidth: canvas.width,
                legend: shown('legend'), panel: shown('panel'),
                toggles: shown('legend-toggle') && shown('card-toggle'),
            };
        }"""
    )


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_map_fits_every_screen_and_the_side_panels_get_out_of_the_way(browser, bundled_html, screen):
    page = MapPage(browser, bundled_html, SCREENS[screen])
    try:
        facts = layout_facts(page)
        assert facts["sideways"] == 0 and facts["canvasWidth"] > 0
        if screen == "desktop":
            assert facts["legend"] and facts["panel"] and not facts["toggles"]
            return
        # Narrow: the map has the screen; legend and card wait behind their buttons.
        assert facts["mapShare"] >= (0.5 if screen == "phone" else 0.7), facts
        assert facts["toggles"] and not facts["legend"] and not facts["panel"]
        page.page.click("#legend-toggle")
        page.page.wait_for_function(
            "getComputedStyle(document.getElementById('legend')).visibility === 'visible'"
        )
        page.page.uncheck("#legend-topics input[value='object-detection']")
        assert page.js("dlgraph.nodes.get({filter: n => n.hidden}).length") > 0
        page.page.click("#legend-toggle")
        page.page.wait_for_function(
            "getComputedStyle(document.getElementById('legend')).visibility === 'hidden'"
        )
        page.click_node("adam")  # a tap on a node opens its card as a bottom sheet
        page.page.wait_for_selector("#card[data-concept='adam']")
        # The sheet slides up for 0.2 s: wait until it is all on screen.
        page.page.wait_for_function(
            "(() => { const r = document.getElementById('panel').getBoundingClientRect(); "
            "return r.bottom <= innerHeight + 1 && getComputedStyle(document.getElementById('panel'))"
            ".transform === 'none'; })()"
        )
        facts = layout_facts(page)
        assert facts["panel"] and not facts["legend"] and facts["sideways"] == 0
        page.settle()
        x, y = page.on_screen("adam")  # centred in the part of the map the sheet leaves free
        sheet = page.js("document.getElementById('panel').getBoundingClientRect().top")
        top = page.js("document.getElementById('map').getBoundingClientRect().top")
        map_height = page.js("document.getElementById('map').getBoundingClientRect().height")
        assert abs(x) <= 2 and top + map_height / 2 + y < sheet
    finally:
        page.close()


def test_nothing_scrolls_sideways_at_320_pixels(browser, tmp_path, bundled):
    out = tmp_path / "long.html"
    render.write_map(bundled, out, MapOptions(prereqs="mask-r-cnn", title="A rather long map title " * 3))
    page = MapPage(browser, out, (320, 640))
    try:
        assert layout_facts(page)["sideways"] == 0
    finally:
        page.close()


# --- Find -------------------------------------------------------------------------------------------------


def cli_answer(cg, text: str) -> dict:
    """What the CLI's resolver makes of a typed name, in the shape of the page's resolve()."""
    from dlgraph.errors import AmbiguousConcept, ConceptNotFound

    by_name = {c["name"]: cid for cid, c in cg.concepts.items()}
    try:
        match = cg.match(text)
    except AmbiguousConcept as exc:
        return {"ids": [by_name[n] for n in exc.candidates], "ambiguous": True}
    except ConceptNotFound as exc:
        return {"ids": [by_name[n] for n in exc.suggestions], "ambiguous": False}
    return {"id": match.id, "exact": match.exact}


def test_find_resolves_names_exactly_as_the_cli_does(bundled_page, bundled):
    typed = ["adm", "adam optimizer", "the Adam optimizer", "resnt", "transformers", "yolo v3", "YOLOv3",
             "mask rcnn", "backprop", "Faster", "batch norms", "convolutional network", "xyzzy", "attention",
             "lstm", "vits", "gradient decent", "dropout regularization", "R-CNN", "rcnn", "gan"]  # fmt: skip
    rng = random.Random(3)
    for c in rng.sample(sorted(bundled.concepts.values(), key=lambda c: c["id"]), 60):
        name = c["name"]
        i = rng.randrange(len(name))
        typed += [name[:i] + name[i + 1 :], name.upper() + "s", name[: max(3, len(name) // 2)]]
    mine = bundled_page.js("texts => texts.map(t => dlgraph.resolve(t))", typed)
    for text, answer in zip(typed, mine, strict=True):
        assert answer == cli_answer(bundled, text), text
    assert mine[0] == {"id": "adam", "exact": False} and mine[1] == {"id": "adam", "exact": True}
    assert sum("id" in a for a in mine) > 100 and sum("ids" in a and a["ids"] != [] for a in mine) > 5


def test_find_enter_once_leaves_the_concept_centred_through_mouse_moves(browser, bundled_html):
    page = MapPage(browser, bundled_html, SCREENS["desktop"])
    try:
        page.page.fill("#search", "adam optimizer")
        page.page.press("#search", "Enter")
        page.page.click("#map", position={"x": 5, "y": 5})  # blur: the box's change event fires now
        page.page.fill("#search", "adm")
        page.page.press("#search", "Enter")
        page.page.locator("#search").blur()
        assert page.js("dlgraph.state.finds") == 2  # two Enters, two look-ups, whatever change does
        page.settle()
        box = page.js("(() => { const b = document.getElementById('map').getBoundingClientRect(); "
                      "return [b.left, b.top, b.width, b.height]; })()")  # fmt: skip
        for step in range(12):
            page.page.mouse.move(box[0] + 40 + step * 60, box[1] + 30 + step * 50)
        page.page.wait_for_timeout(100)  # a stray animation would have pulled the view by now
        x, y = page.on_screen("adam")
        assert abs(x) <= 2 and abs(y) <= 2, (x, y)
        assert page.js("dlgraph.network.getSelectedNodes()") == ["adam"]
        assert page.page.text_content("#card h2") == "Adam"
        assert page.page.text_content("#status") == "Taking “adm” to mean Adam."
        page.page.fill("#search", "Faster")
        page.page.press("#search", "Enter")
        page.page.click("#status button.jump >> nth=0")
        assert page.js("dlgraph.network.getSelectedNodes()") != ["adam"]
    finally:
        page.close()


# --- highlights ------------------------------------------------------------------------------------------


def test_in_page_prerequisite_highlight_is_dlgraph_prereqs(bundled_page, run):
    from dlgraph import store

    page = bundled_page.page
    for cid in ("adam", "mask-r-cnn", "transformer", "dqn"):
        answer = run("prereqs", cid, "--json", data_dir=store.bundled_data_dir())
        assert answer.exit_code == 0, answer.output
        expected = json.loads(answer.stdout)["prerequisites"]
        if cid == "adam":  # once the way a student does it: the card's button
            bundled_page.js("() => dlgraph.select('adam')")  # the card, as a click or Find shows it
            page.wait_for_selector("#card[data-concept='adam']")
            page.click("#card .actions button >> text=Study view")
        else:
            bundled_page.js("id => dlgraph.showPrereqs(id)", cid)
        nodes, edges = bundled_page.highlighted()
        assert nodes == {cid, *(p["id"] for p in expected)}, cid
        assert edges == {render.edge_id(p["relation"]) for p in expected}, cid
    assert len(expected) > 3
    # Numbered in study order on the map, one badge per prerequisite.
    page.wait_for_function(f"dlgraph.state.badges === {len(expected)}")
    # What stands out is drawn last, so no faded node or label covers it.
    order = bundled_page.js("dlgraph.network.body.nodeIndices")
    assert set(order[-len(nodes) :]) == nodes


def test_path_page_opens_on_the_path_with_legible_labels_and_esc_shows_all(browser, bundled, tmp_path):
    out = tmp_path / "path.html"
    render.write_map(bundled, out, MapOptions(path=("r-cnn", "mask-r-cnn")))
    for screen in ("phone", "desktop"):
        page = MapPage(browser, out, SCREENS[screen])
        try:
            font = render.LABEL_FONT * page.js("dlgraph.state.firstScale")
            assert font >= 11, (screen, font)
            width, height = page.js(
                "(() => { const b = document.getElementById('map').getBoundingClientRect(); "
                "return [b.width, b.height]; })()"
            )
            for step in ("r-cnn", "fast-r-cnn", "faster-r-cnn", "mask-r-cnn"):
                x, y = page.on_screen(step)
                assert abs(x) < width / 2 - 20 and abs(y) < height / 2 - 20, (screen, step)
            # Arrows follow the caption, R-CNN → … → Mask R-CNN, whatever way each relation points.
            arrows = page.js(
                "dlgraph.edges.get({filter: e => e.dlHighlight}).map(e => [e.from, e.to, e.arrows])"
            )
            heads = {to if way == "to" else source for source, to, way in arrows}
            assert heads == {"fast-r-cnn", "faster-r-cnn", "mask-r-cnn"}
            if screen == "desktop":
                page.page.keyboard.press("Escape")
                page.settle()
                assert page.highlighted() == (set(), set())
                assert page.js("dlgraph.network.getScale()") < page.js("dlgraph.state.firstScale")
        finally:
            page.close()


# --- readable at a glance ----------------------------------------------------------------------------------


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    return [
        (a["id"], b["id"])
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]
    ]  # fmt: skip


def test_first_paint_labels_every_topic_legibly_and_zooming_in_shows_more(browser, bundled_html, bundled):
    page = MapPage(browser, bundled_html, SCREENS["desktop"])
    try:
        labels = page.js("dlgraph.state.labels")
        concepts = [label for label in labels if not label["id"].startswith("topic:")]
        titles = {label["id"][len("topic:") :] for label in labels if label["id"].startswith("topic:")}
        assert len(concepts) >= 40 and min(label["size"] for label in labels) >= 11
        assert overlapping(labels) == []
        assert titles == {bundled.concepts[c]["topic"] for c in bundled.concepts}  # no title left out
        assert {bundled.concepts[label["id"]]["topic"] for label in concepts} == titles
        # Cross-topic relations are faint until their concept is hovered.
        faint = page.js("dlgraph.edges.get({filter: e => e.cross}).map(e => e.color.opacity)")
        assert faint and set(faint) == {0.22}
        page.js("dlgraph.network.moveTo({position: dlgraph.network.getPosition('cnn'), scale: 1.2})")
        page.page.wait_for_function("dlgraph.state.labels.some(l => l.size > 20)")
        closer = {label["id"] for label in page.js("dlgraph.state.labels")}
        assert closer - {label["id"] for label in concepts}  # labels that had no room before
        assert overlapping(page.js("dlgraph.state.labels")) == []
    finally:
        page.close()


def test_a_one_topic_map_shows_communities_and_hides_loose_links_saying_so(browser, tmp_path):
    from .test_render import one_topic_graph

    out = tmp_path / "one-topic.html"
    render.write_map(one_topic_graph(), out)
    page = MapPage(browser, out, SCREENS["desktop"])
    try:
        colours = page.js("new Set(dlgraph.nodes.get().map(n => n.color.background)).size")
        assert colours >= 3
        assert page.page.text_content("#legend-topics-title").startswith("Clusters")
        hidden = page.js("dlgraph.edges.get({filter: e => e.hidden}).map(e => e.type)")
        assert hidden and set(hidden) == {"related-to"}
        assert "“related to” is hidden at first" in page.page.text_content("#related-note")
        page.page.check("#legend-types input[value='related-to']")
        assert page.js("dlgraph.edges.get({filter: e => e.hidden}).length") == 0
    finally:
        page.close()


# --- accessible ------------------------------------------------------------------------------------------


def test_keyboard_route_from_the_concept_list_to_a_card_and_its_links(bundled_page):
    page = bundled_page.page
    label = page.get_attribute("#map canvas", "aria-label")
    assert label.startswith("Concept map of 139 concepts and 304 relations")
    page.fill("#list-filter", "rms")
    shown = page.eval_on_selector_all(
        "#concept-list li:not([hidden])", "items => items.map(i => i.textContent)"
    )
    assert shown == ["RMSprop"]
    page.focus("#list-filter")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("#card[data-concept='rmsprop']")
    assert bundled_page.js("dlgraph.network.getSelectedNodes()") == ["rmsprop"]
    # The card's links are buttons: Tab reaches them and Enter follows one.
    for _ in range(80):
        page.keyboard.press("Tab")
        if bundled_page.js(
            "!!document.activeElement.closest('#card') && document.activeElement.matches('.jump')"
        ):
            break
    else:
        pytest.fail("Tab never reached a link of the card")
    target = bundled_page.js("document.activeElement.dataset.target")
    assert target != "rmsprop"
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#card[data-concept='{target}']")


def test_a_card_lists_the_relations_still_to_confirm(browser, tmp_path):
    import shutil

    folder = tmp_path / "graph"
    shutil.copytree(MINI, folder)
    relations = json.loads((folder / "relations.json").read_text(encoding="utf-8"))
    guess = next(r for r in relations if r["source"] == "fast-r-cnn")
    guess["origin"] = "extracted"  # not yet confirmed in dlgraph review
    (folder / "relations.json").write_text(json.dumps(relations), encoding="utf-8")
    cg = load_graph(folder)
    out = tmp_path / "map.html"
    render.write_map(cg, out, MapOptions())
    page = MapPage(browser, out)
    try:
        page.js("() => dlgraph.select('fast-r-cnn')")  # the card, as Find or a click shows it
        page.page.wait_for_selector("#card[data-concept='fast-r-cnn']")
        listed = page.page.eval_on_selector_all(
            "#card ul.unconfirmed li", "items => items.map(i => i.textContent)"
        )
        label = RELATION_TYPES[guess["type"]].label
        assert listed == [f"{cg.name(guess['source'])} {label} {cg.name(guess['target'])}"]
        # The other end's card says so too (shown directly: a second click can land under the sheet).
        page.js(f"() => dlgraph.select({json.dumps(guess['target'])})")
        page.page.wait_for_selector(f"#card[data-concept='{guess['target']}']")
        target_list = page.page.eval_on_selector_all("#card ul.unconfirmed li", "items => items.length")
        assert target_list == 1
    finally:
        page.close()


# --- the study view: a learning plan in levels ------------------------------------------------------------

MOVED_FROM_THE_MAP = """() => { const net = dlgraph.network;
    return dlgraph.data.nodes.filter(n => { const p = net.getPosition(n.id);
        return p.x !== parseInt(n.x) || p.y !== parseInt(n.y); }).map(n => n.id); }"""


def drawn_at(page: MapPage) -> dict[str, tuple[float, float]]:
    """Where vis-network has each node now, in map coordinates."""
    places = page.js("dlgraph.network.getPositions()")
    return {cid: (p["x"], p["y"]) for cid, p in places.items()}


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_prereqs_page_lays_the_plan_out_in_levels_numbered_as_the_cli_orders_it(
    browser, run, tmp_path, screen
):
    from dlgraph import store

    out = tmp_path / "adam.html"
    written = run("render", "--prereqs", "Adam", "-o", str(out), data_dir=store.bundled_data_dir())
    assert written.exit_code == 0, written.output
    answer = run("prereqs", "Adam", "--json", data_dir=store.bundled_data_dir())
    order = [p["id"] for p in json.loads(answer.stdout)["prerequisites"]]
    # Levels left to right on a wide map, top to bottom on a phone's tall one.
    way, axis = ("across", 0) if screen == "desktop" else ("down", 1)
    page = MapPage(browser, out, SCREENS[screen])
    try:
        at = drawn_at(page)
        plan = {"adam", *order}
        assert all(at[cid][axis] < at["adam"][axis] for cid in order)  # the concept last
        # Every prerequisite relation inside the plan goes from a lower level to a higher one.
        needs = page.js("dlgraph.data.prereq.needs")
        inside = [(cid, need) for cid in plan for need, _ in needs.get(cid, []) if need in plan]
        assert len(inside) > len(order) and all(at[need][axis] < at[cid][axis] for cid, need in inside)
        assert len({at[cid][axis] for cid in plan}) == len(page.js("dlgraph.state.highlight.levels")) > 3
        # Numbered on the map in the CLI's study order.
        page.page.wait_for_function(f"(dlgraph.state.numbered || []).length === {len(order)}")
        assert page.js("dlgraph.state.numbered") == order
        # Drawn where Python placed it, and the page's own rule (the card's button) agrees.
        python = page.js(f"dlgraph.data.highlight.plans.{way}")
        assert {cid: list(at[cid]) for cid in plan} == python
        assert page.js("dlgraph.studyLayout('adam', dlgraph.studyOrder('adam')).positions") == python
        width, height = page.js(
            "(() => { const b = document.getElementById('map').getBoundingClientRect(); "
            "return [b.width, b.height]; })()"
        )
        for cid in plan:  # it opens fitted to the plan, from the first paint on
            x, y = page.on_screen(cid)
            assert abs(x) < width / 2 and abs(y) < height / 2, cid
        assert page.js("dlgraph.state.firstScale === dlgraph.network.getScale()")
        # Fit: back to the map's own layout, what the plan lit still lit.
        page.page.click("#fit")
        assert page.js(MOVED_FROM_THE_MAP) == []
        assert page.highlighted()[0] == plan
        # Esc from the study view: the whole map as it was, nothing highlighted.
        page.js("() => dlgraph.showPrereqs('adam')")
        again = drawn_at(page)
        assert {cid: list(again[cid]) for cid in plan} == python
        page.page.keyboard.press("Escape")
        page.settle()
        assert page.highlighted() == (set(), set())
        assert page.js(MOVED_FROM_THE_MAP) == []
        assert page.errors == []
    finally:
        page.close()


def test_the_cards_study_view_follows_the_same_rule_as_render_prereqs(bundled_page, bundled):
    page = bundled_page
    page.js("() => dlgraph.select('mask-r-cnn')")
    page.page.wait_for_selector("#card[data-concept='mask-r-cnn']")
    page.page.click("#card .actions button >> text=Study view")
    expected = render.map_data(bundled, MapOptions(prereqs="mask-r-cnn"))["highlight"]["plans"]["across"]
    at = drawn_at(page)
    assert {cid: list(at[cid]) for cid in expected} == expected
    # Every concept's plan, laid out by the page and by render.study_layout, from the same nodes.
    ids = sorted(bundled.concepts)
    plans = page.js(
        """ids => ids.map(id => [false, true].map(
            down => dlgraph.studyLayout(id, dlgraph.studyOrder(id), down).positions))""",
        ids,
    )
    drawn = {n["id"]: n for n in page.js("dlgraph.data.nodes")}
    for cid, mine in zip(ids, plans, strict=True):
        order = [p["id"] for p in graph.prerequisites(bundled, cid)["prerequisites"]]
        levels = graph.study_levels(bundled, graph.prerequisite_view(bundled, [cid, *order]))
        boxes = {c: render.label_box(drawn[c]["label"], drawn[c]["size"]) for c in [cid, *order]}
        anchor = (drawn[cid]["x"], drawn[cid]["y"])
        python = [render.study_layout(levels, boxes, anchor, down=down) for down in (False, True)]
        assert mine == [{c: list(xy) for c, xy in p.items()} for p in python], cid
    page.page.keyboard.press("Escape")
    page.settle()
    assert page.js(MOVED_FROM_THE_MAP) == []


def test_pinching_the_map_on_a_phone_zooms_it(browser, bundled_html):
    """Two fingers moving apart, as Chromium's own touch input (CDP), zoom about their middle."""
    page = MapPage(browser, bundled_html, SCREENS["phone"], touch=True)
    try:
        left, top, width, height = page.js(
            "(() => { const b = document.getElementById('map').getBoundingClientRect(); "
            "return [b.left, b.top, b.width, b.height]; })()"
        )
        cx, cy = left + width / 2, top + height / 2
        before = page.js("dlgraph.network.getScale()")
        under = page.js(f"dlgraph.network.DOMtoCanvas({{x: {width / 2}, y: {height / 2}}})")
        cdp = page.context.new_cdp_session(page.page)

        def fingers(kind: str, apart: float) -> None:
            points = [{"x": cx - apart, "y": cy, "id": 0}, {"x": cx + apart, "y": cy, "id": 1}]
            cdp.send(
                "Input.dispatchTouchEvent",
                {"type": kind, "touchPoints": [] if kind == "touchEnd" else points},
            )

        fingers("touchStart", 20)
        for step in range(1, 11):
            fingers("touchMove", 20 + 8 * step)
        fingers("touchEnd", 0)
        page.page.wait_for_function(f"dlgraph.network.getScale() > {2 * before}", timeout=10_000)
        page.js("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        after = page.js("dlgraph.network.getScale()")
        still = page.js(f"dlgraph.network.canvasToDOM({json.dumps(under)})")
        # What was between the fingers is still there (within a finger's width).
        assert abs(still["x"] - width / 2) < 40 and abs(still["y"] - height / 2) < 40, still
        assert after < 20 * before and page.errors == []
    finally:
        page.close()


# --- big maps: one drawing per action, less detail zoomed out ------------------------------------------

DRAWS = """async (code) => {
  let draws = 0;
  const count = () => draws++;
  dlgraph.network.on("afterDrawing", count);
  (new Function(code))();
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  dlgraph.network.off("afterDrawing", count);
  return draws;
}"""


def test_clearing_a_highlight_or_ticking_a_relation_type_draws_the_map_once(bundled_page):
    page = bundled_page
    page.js("dlgraph.showPath('r-cnn', 'mask-r-cnn')")
    page.settle()
    page.js("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    # vis-network drew after every DataSet update and unselectAll, then again at the next frame.
    assert page.js(DRAWS, "document.getElementById('clear').click()") == 1
    assert page.highlighted() == (set(), set())
    uses = "document.querySelector(\"#legend-types input[value='uses']\").click()"
    assert page.js(DRAWS, uses) == 1
    assert page.js("dlgraph.edges.get({filter: e => e.type === 'uses' && !e.hidden}).length") == 0
    assert page.errors == []


@pytest.fixture(scope="module")
def big_html(tmp_path_factory) -> Path:
    """A synthetic graph past render.CURVED_EDGES_MAX concepts, from the benchmarks' generator."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "benchmarks" / "synthetic.py")
    synthetic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synthetic)
    cg = graph.ConceptGraph(synthetic.make_graph(render.CURVED_EDGES_MAX + 50, seed=1))
    out = tmp_path_factory.mktemp("big") / "big.html"
    render.write_map(cg, out)
    return out


# How vis-network was told to draw each edge and node: dashes, arrowheads, dashed borders.
LOOKS = """() => ({
  scale: dlgraph.network.getScale(),
  edges: Object.fromEntries(dlgraph.edges.get().map((e) => [e.id, {
    dashes: e.dashes,
    arrows: typeof e.arrows === "string" ? e.arrows : (e.arrows.to && e.arrows.to.enabled ? "to" : "")
      + (e.arrows.from && e.arrows.from.enabled ? "from" : ""),
  }])),
  dashedNodes: dlgraph.nodes.get().filter((n) => n.shapeProperties && n.shapeProperties.borderDashes).length,
})"""


def _overlaps(box: dict, left: float, top: float, right: float, bottom: float) -> bool:
    return right >= box["left"] and left <= box["right"] and bottom >= box["top"] and top <= box["bottom"]


def test_a_big_map_zoomed_out_draws_plain_lines_except_the_highlight_and_all_detail_zoomed_in(
    browser, big_html
):
    page = MapPage(browser, big_html, (1440, 900))
    try:
        base = {e["id"]: e for e in page.js("dlgraph.data.edges")}
        dashed_kinds = page.js("dlgraph.data.nodes.filter(n => n.shapeProperties.borderDashes).length")
        assert dashed_kinds > 0 and any(e["dashes"] for e in base.values())
        far = page.js(LOOKS)
        assert far["scale"] < render.FAR_SCALE
        assert all(look == {"dashes": False, "arrows": ""} for look in far["edges"].values())
        assert far["dashedNodes"] == 0

        # A path keeps its dashes and the arrows that read along the caption; the rest stays plain.
        lineage = next(e for e in base.values() if e["type"] == "improves-on")
        page.js(f"dlgraph.showPath({lineage['to']!r}, {lineage['from']!r})")
        page.settle()
        page.js(f"dlgraph.network.moveTo({{scale: {render.FAR_SCALE / 2}}})")
        page.page.wait_for_function("dlgraph.state.far", timeout=10_000)
        _, on_path = page.highlighted()
        assert on_path
        looks = page.js(LOOKS)["edges"]
        for eid in on_path:
            assert looks[eid]["dashes"] == base[eid]["dashes"] and looks[eid]["arrows"] in ("to", "from")
        assert all(looks[eid] == {"dashes": False, "arrows": ""} for eid in base if eid not in on_path)

        # Zoomed in, the edges in and around the view get their family's dashes and their arrowhead
        # back, some nodes their dashed border; what lies further off stays plain. Panning there
        # brings its detail.
        page.js("dlgraph.reset()")
        page.settle()
        ids = sorted(page.js("dlgraph.data.nodes.map(n => n.id)"))
        seen = []
        for cid in (ids[0], ids[-1]):
            page.js(
                f"dlgraph.network.moveTo({{position: dlgraph.network.getPosition({cid!r}), "
                f"scale: {2 * render.FAR_SCALE}}})"
            )
            page.page.wait_for_function(
                "!dlgraph.state.far && dlgraph.state.view && (() => { const v = dlgraph.state.view;"
                " const c = dlgraph.network.getViewPosition(); return c.x > v.left && c.x < v.right"
                " && c.y > v.top && c.y < v.bottom; })()",
                timeout=10_000,
            )
            near = page.js(LOOKS)
            places = page.js("Object.fromEntries(dlgraph.data.nodes.map(n => [n.id, {x: n.x, y: n.y}]))")
            box = page.js("dlgraph.state.view")
            detailed = set()
            for eid, edge in base.items():
                ends = (places[edge["from"]], places[edge["to"]])
                xs, ys = [p["x"] for p in ends], [p["y"] for p in ends]
                if _overlaps(box, min(xs), min(ys), max(xs), max(ys)):
                    arrows = "" if edge["arrows"] == "" else "to"
                    assert near["edges"][eid] == {"dashes": edge["dashes"], "arrows": arrows}, eid
                    detailed.add(eid)
                else:
                    assert near["edges"][eid] == {"dashes": False, "arrows": ""}, eid
            assert 0 < len(detailed) < len(base)
            assert 0 < near["dashedNodes"] < dashed_kinds
            seen.append(detailed)
        assert seen[1] - seen[0], "panning brought no detail"
        assert page.errors == []
    finally:
        page.close()


def test_a_small_map_keeps_every_detail_at_any_zoom(bundled_page):
    page = bundled_page
    assert page.js("dlgraph.data.farScale") is None
    page.js(f"dlgraph.network.moveTo({{scale: {render.FAR_SCALE / 4}}})")
    page.js("() => new Promise(done => setTimeout(done, 600))")  # longer than the switch waits
    looks = page.js(LOOKS)
    base = {e["id"]: e for e in page.js("dlgraph.data.edges")}
    assert page.js("dlgraph.state.far") is False
    assert all(looks["edges"][eid]["dashes"] == e["dashes"] for eid, e in base.items())
    assert any(look["arrows"] for look in looks["edges"].values())
