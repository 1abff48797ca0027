"""The concept map's data and HTML, checked without a browser: counts, styles, options, escaping, CLI."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import networkx as nx
import pytest

from dlgraph import graph, render, store
from dlgraph.errors import DlgraphError, UsageError
from dlgraph.graph import load_graph
from dlgraph.render import MapOptions
from dlgraph.vocabulary import FAMILIES, LINEAGE_TYPES, RELATION_TYPES

from .conftest import MINI

PAYLOAD = "<img src=x onerror=alert(1)>"
SCRIPT_PAYLOAD = "</script><script>window.__pwned = 1; alert(2)</script><!--"


def write_xss_graph(folder: Path) -> Path:
    """The mini graph with markup in one concept's name, alias and definition, and in an evidence."""
    dataset = store.load(MINI)
    for concept in dataset.concepts:
        if concept["id"] == "adam":
            concept["name"] = f"Adam {PAYLOAD}"
            concept["aliases"] = [f"{SCRIPT_PAYLOAD} alias"]
            concept["definition"] = f"Combines {PAYLOAD} and {SCRIPT_PAYLOAD} \u2028 line & more."
            concept["card"] = PAYLOAD
    for relation in dataset.relations:
        if relation["source"] == "adam":
            relation["evidence"] = f"evidence {PAYLOAD}"
    store.save(dataset, folder)
    return folder


@pytest.fixture(scope="module")
def mini():
    return load_graph(MINI)


@pytest.fixture(scope="module")
def bundled():
    return load_graph()


@pytest.fixture(scope="module")
def mini_data(mini):
    return render.map_data(mini)


def embedded(html: str) -> dict:
    """The JSON data block of a written page, parsed as the browser would."""
    match = re.search(r'<script type="application/json" id="dlgraph-data">(.*?)</script>', html, re.S)
    assert match, "the page has no data block"
    return json.loads(match.group(1))


# --- what is drawn -----------------------------------------------------------------------------------


def test_every_concept_and_relation_is_drawn_once(mini, mini_data):
    assert sorted(n["id"] for n in mini_data["nodes"]) == sorted(mini.concepts)
    assert len(mini_data["edges"]) == len(mini.dataset.relations) == 21
    ids = [e["id"] for e in mini_data["edges"]]
    assert len(set(ids)) == len(ids)
    drawn = {(e["from"], e["type"], e["to"]) for e in mini_data["edges"]}
    assert drawn == {(r["source"], r["type"], r["target"]) for r in mini.dataset.relations}


def test_nodes_show_the_name_and_topic_colour_and_kind_shape(mini, mini_data):
    nodes = {n["id"]: n for n in mini_data["nodes"]}
    assert nodes["mask-r-cnn"]["label"] == "Mask R-CNN"
    colours = {n["topic"]: n["color"]["background"] for n in mini_data["nodes"]}
    assert len(set(colours.values())) == len(colours), "two topics share a colour"
    legend = {t["id"]: t["colour"] for t in mini_data["legend"]["topics"]}
    assert legend == colours
    assert nodes["roi-pooling"]["shape"] != nodes["fast-r-cnn"]["shape"]  # component vs architecture
    assert sum(t["count"] for t in mini_data["legend"]["topics"]) == len(nodes)


def test_hubs_are_drawn_bigger(mini_data):
    sizes = {n["id"]: n["size"] for n in mini_data["nodes"]}
    assert sizes["adam"] > sizes["partner"]  # four relations against one


def test_edges_are_styled_by_family_from_the_vocabulary(mini_data):
    for edge in mini_data["edges"]:
        spec = RELATION_TYPES[edge["type"]]
        style = render.FAMILY_STYLES[spec.family]
        assert edge["family"] == spec.family
        assert edge["color"]["color"] == style.colour
        assert edge["arrows"] == ("" if spec.symmetric else "to")
    by_type = {e["type"]: e for e in mini_data["edges"]}
    assert by_type["improves-on"]["dashes"] is False  # lineage: solid
    assert by_type["combines"]["dashes"] == [8, 5]  # composition: dashed
    assert set(render.FAMILY_STYLES) == set(FAMILIES)
    legend = {t["id"]: t for t in mini_data["legend"]["types"]}
    assert (
        legend["improves-on"]["label"] == "improves on" and legend["improves-on"]["inverse"] == "improved by"
    )
    assert set(legend) == {e["type"] for e in mini_data["edges"]}


def test_edge_labels_only_when_asked(mini):
    plain = render.map_data(mini)
    labelled = render.map_data(mini, MapOptions(edge_labels=True))
    assert all("label" not in e for e in plain["edges"])
    assert all(e["label"] == RELATION_TYPES[e["type"]].label for e in labelled["edges"])


def test_card_has_relations_grouped_with_inverse_labels(mini_data):
    card = mini_data["cards"]["rmsprop"]
    groups = {g["label"]: [c["id"] for c in g["concepts"]] for g in card["groups"]}
    assert groups == {"improves on": ["adagrad"], "combined in": ["adam"], "improved by": ["adam"]}
    assert card["name"] == "RMSprop" and card["topic"] == "optimization"


def test_page_gets_the_prerequisite_graph_the_study_order_walks(mini, mini_data):
    needs = {cid: sorted(pairs) for cid, pairs in mini_data["prereq"]["needs"].items()}
    expected = {
        cid: sorted(
            [need, render.edge_id(mini.prereq.edges[cid, need]["relation"])] for need in mini.prereq[cid]
        )
        for cid in mini.prereq
        if mini.prereq.out_degree(cid)
    }
    assert needs == expected
    assert needs["adam"] == [
        ["adagrad", "adam|improves-on|adagrad"],
        ["momentum", "adam|combines|momentum"],
        ["rmsprop", "adam|combines|rmsprop"],
    ]
    assert mini_data["prereq"]["names"] == {}  # everything is on the map already


def test_a_part_of_the_graph_still_knows_prerequisites_outside_it(mini):
    data = render.map_data(mini, MapOptions(topic="cnn-architectures", focus="googlenet"))
    assert sorted(data["cards"]) == ["alexnet", "googlenet", "inception-resnet"]
    assert set(data["prereq"]["needs"]) == {"googlenet", "inception-resnet", "resnet"}
    assert data["prereq"]["names"] == {"resnet": "ResNet"}


# --- layout ------------------------------------------------------------------------------------------


def test_layout_is_deterministic_and_physics_is_off(mini):
    first, second = render.render_html(mini), render.render_html(mini)
    assert first == second
    data = embedded(first)
    assert data["options"]["physics"]["enabled"] is False
    points = [(n["x"], n["y"]) for n in data["nodes"]]
    assert len(set(points)) == len(points)


RENDER_IN_A_PROCESS = (
    "import sys; from dlgraph import graph, render; "
    "sys.stdout.write(render.render_html(graph.load_graph(), render.MapOptions(prereqs='adam')))"
)


def test_the_same_graph_renders_the_same_bytes_in_any_process():
    """String hashing differs between processes; a layout that walked a set would move every node."""
    pages = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", RENDER_IN_A_PROCESS], env=env, capture_output=True, check=True
        )
        pages.append(done.stdout)
    assert len(pages[0]) > 100_000 and b'"clustered":true' in pages[0] and b'"plans":{"across":{' in pages[0]
    assert pages[0] == pages[1]


def test_bundled_map_labels_do_not_overlap_within_a_topic(bundled):
    ids = sorted(bundled.concepts)
    positions = render.layout(bundled, ids)
    boxes = {cid: render._label_box(bundled, cid) for cid in ids}
    clashes = [
        (a, b)
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
        if bundled.concepts[a]["topic"] == bundled.concepts[b]["topic"]
        and abs(positions[a][0] - positions[b][0]) < (boxes[a][0] + boxes[b][0]) / 2
        and abs(positions[a][1] - positions[b][1]) < (boxes[a][1] + boxes[b][1]) / 2
    ]
    assert clashes == []


def test_lineage_neighbours_sit_closer_than_average(bundled):
    positions = render.layout(bundled, sorted(bundled.concepts))

    def gap(u: str, v: str) -> float:
        (x1, y1), (x2, y2) = positions[u], positions[v]
        return ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5

    lineage = [gap(u, v) for u, v in bundled.lineage.edges()]
    others = [gap(u, v) for u, v, k in bundled.relations.edges(keys=True) if k not in LINEAGE_TYPES]
    assert sum(lineage) / len(lineage) < sum(others) / len(others)


def test_lineage_reads_older_to_newer_left_to_right_within_a_topic(bundled):
    positions = render.layout(bundled, sorted(bundled.concepts))
    same_topic = [
        (newer, older)
        for newer, older in bundled.lineage.edges()
        if bundled.concepts[newer]["topic"] == bundled.concepts[older]["topic"]
    ]
    rightwards = [positions[newer][0] > positions[older][0] for newer, older in same_topic]
    assert len(same_topic) > 20 and sum(rightwards) / len(rightwards) >= 0.9
    assert positions["r-cnn"][0] < positions["fast-r-cnn"][0] < positions["faster-r-cnn"][0]


def test_a_big_topic_is_laid_out_without_scipy(monkeypatch):
    """networkx's spring layout needs scipy from 500 nodes on; the map must not."""
    concepts = [
        {"id": f"c{i}", "name": f"Concept {i}", "aliases": [], "topic": "training", "kind": "concept",
         "definition": "synthetic", "card": None}
        for i in range(520)
    ]  # fmt: skip
    relations = [
        {
            "source": f"c{i}",
            "type": "uses",
            "target": f"c{i // 2}",
            "evidence": "synthetic",
            "origin": "curated",
        }
        for i in range(1, 520)
    ]
    cg = graph.ConceptGraph(store.Dataset(concepts, relations))
    monkeypatch.setitem(sys.modules, "scipy", None)  # any `import scipy` now raises ImportError
    positions = render.layout(cg, sorted(cg.concepts))
    assert len(set(positions.values())) == 520


# --- parts of the graph and highlights -------------------------------------------------------------------


def test_focus_keeps_the_neighbourhood_within_depth(mini):
    one = render.select(mini, MapOptions(focus="fast-r-cnn"))
    assert set(one) == {"fast-r-cnn", "r-cnn", "faster-r-cnn", "roi-pooling", "selective-search"}
    two = render.select(mini, MapOptions(focus="fast-r-cnn", depth=2))
    undirected = mini.relations.to_undirected()
    assert set(two) == set(nx.ego_graph(undirected, "fast-r-cnn", radius=2)) and "mask-r-cnn" in two
    data = render.map_data(mini, MapOptions(focus="fast-r-cnn"))
    assert {e["from"] for e in data["edges"]} | {e["to"] for e in data["edges"]} <= set(one)
    assert len(data["edges"]) == 5


def test_topic_keeps_one_topic(mini):
    data = render.map_data(mini, MapOptions(topic="optimization"))
    assert {n["topic"] for n in data["nodes"]} == {"optimization"}
    assert len(data["nodes"]) == 5 and len(data["edges"]) == 7


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            MapOptions(topic="cooking"),
            "no concept has topic 'cooking'; topics in this graph: cnn-architectures",
        ),
        (MapOptions(depth=2), "--depth needs --focus"),
        (MapOptions(path=("adam", "dqn"), prereqs="adam"), "choose one of --path and --prereqs"),
    ],
)
def test_bad_options_are_usage_errors(mini, options, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        render.map_data(mini, options)


def test_unconnected_path_is_an_error(mini):
    with pytest.raises(DlgraphError, match="Adam and DQN are not connected; no map written"):
        render.map_data(mini, MapOptions(path=("adam", "dqn")))


def test_path_highlight_is_graph_path(mini):
    data = render.map_data(mini, MapOptions(path=("r-cnn", "mask-r-cnn")))
    mark = data["highlight"]
    assert mark["nodes"] == ["r-cnn", "fast-r-cnn", "faster-r-cnn", "mask-r-cnn"]
    assert mark["edges"] == [
        "fast-r-cnn|improves-on|r-cnn",
        "faster-r-cnn|improves-on|fast-r-cnn",
        "mask-r-cnn|extends|faster-r-cnn",
    ]
    assert set(mark["edges"]) <= {e["id"] for e in data["edges"]}
    assert mark["caption"] == "Path (lineage): R-CNN → Fast R-CNN → Faster R-CNN → Mask R-CNN"


def test_prereq_highlight_and_highlight_outside_a_topic_is_still_drawn(mini):
    data = render.map_data(mini, MapOptions(prereqs="adam", topic="object-detection"))
    mark = data["highlight"]
    assert mark["nodes"] == ["adam", "gradient-descent", "adagrad", "momentum", "rmsprop"]
    drawn = {n["id"] for n in data["nodes"]}
    assert set(mark["nodes"]) <= drawn and "r-cnn" in drawn
    assert set(mark["edges"]) <= {e["id"] for e in data["edges"]}


# --- the study view: prerequisites laid out in levels ------------------------------------------------


def _plan(cg, cid: str) -> tuple[list[list[str]], dict[str, tuple[float, float]], list[str]]:
    """The study levels of one concept, the label boxes of the plan, and `dlgraph prereqs`'s order."""
    order = [p["id"] for p in graph.prerequisites(cg, cid)["prerequisites"]]
    levels = graph.study_levels(cg, graph.prerequisite_view(cg, [cid, *order]))
    boxes = {c: render._label_box(cg, c) for c in [cid, *order]}
    return levels, boxes, order


@pytest.mark.parametrize("down", [False, True], ids=["across", "down"])
def test_study_layout_puts_every_level_before_the_next_and_the_concept_last(bundled, down):
    axis = 1 if down else 0  # levels left to right, or top to bottom
    checked = 0
    for cid in sorted(bundled.concepts):
        levels, boxes, order = _plan(bundled, cid)
        placed = render.study_layout(levels, boxes, (100.0, -40.0), down=down)
        # The levels read in study order, the concept alone at the end, left where it is on the map.
        assert [c for level in levels for c in level] == [*order, cid], cid
        assert levels[-1] == [cid] and placed[cid] == (100, -40)
        level_of = {c: i for i, level in enumerate(levels) for c in level}
        for c in order:
            for need in bundled.requires(c):
                if need in level_of:  # a relation inside the plan goes from a lower level to a higher
                    assert placed[need][axis] < placed[c][axis], (cid, c, need)
                    checked += 1
        for level in levels:  # one line per level, in study order along it
            assert len({placed[c][axis] for c in level}) == 1
            along = [placed[c][1 - axis] for c in level]
            assert along == sorted(along)
        clashes = [
            (a, b)
            for i, a in enumerate(placed)
            for b in list(placed)[i + 1 :]
            if abs(placed[a][0] - placed[b][0]) < (boxes[a][0] + boxes[b][0]) / 2
            and abs(placed[a][1] - placed[b][1]) < (boxes[a][1] + boxes[b][1]) / 2
        ]
        assert clashes == [], cid
    assert checked > 300  # the bundled graph has real plans


def test_a_prereqs_page_carries_its_study_plan_and_other_pages_none(bundled):
    data = render.map_data(bundled, MapOptions(prereqs="adam"))
    mark = data["highlight"]
    levels, boxes, order = _plan(bundled, "adam")
    assert mark["nodes"] == ["adam", *order] and mark["levels"] == levels
    target = next(n for n in data["nodes"] if n["id"] == "adam")
    for way in ("across", "down"):
        expected = render.study_layout(levels, boxes, (target["x"], target["y"]), down=way == "down")
        assert mark["plans"][way] == {c: list(xy) for c, xy in expected.items()}
    assert mark["plans"]["across"] != mark["plans"]["down"]
    assert len(levels) > 3 and data["studyGap"] == list(render.STUDY_GAP)
    path = render.map_data(bundled, MapOptions(path=("r-cnn", "mask-r-cnn")))["highlight"]
    assert "plans" not in path


# --- the page ------------------------------------------------------------------------------------------


def test_embed_json_is_inert_inside_a_script_element():
    text = render.embed_json({"a": SCRIPT_PAYLOAD + "\u2028\u2029&"})
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in text
    assert json.loads(text) == {"a": SCRIPT_PAYLOAD + "\u2028\u2029&"}


def test_page_makes_no_request_to_anywhere(mini):
    html = render.render_html(mini)
    assert not re.search(r"<(script|img|iframe)[^>]*\ssrc=", html, re.I)
    assert not re.search(r"<link\b", html, re.I)
    assert not re.search(r"""url\(\s*['"]?(https?:)?//""", html, re.I)
    assert "default-src 'none'" in html  # and the browser is told to refuse any fetch anyway
    assert len(re.findall(r"^<script", html, re.M)) == 3  # data, vis-network, the app


def test_markup_in_cards_never_reaches_the_html_raw(tmp_path):
    cg = load_graph(write_xss_graph(tmp_path / "xss"))
    html = render.render_html(cg, MapOptions(title=f"Map {PAYLOAD}", edge_labels=True))
    assert PAYLOAD not in html and SCRIPT_PAYLOAD not in html and "<script>window.__pwned" not in html
    assert len(re.findall(r"</script>", html)) == len(re.findall(r"^<script", html, re.M)) == 3
    assert "<title>Map &lt;img src=x onerror=alert(1)&gt;</title>" in html
    data = embedded(html)
    assert data["cards"]["adam"]["name"] == f"Adam {PAYLOAD}"  # the text survives, as text
    assert data["cards"]["adam"]["aliases"] == [f"{SCRIPT_PAYLOAD} alias"]
    assert "\u2028" in data["cards"]["adam"]["definition"]
    assert all("title" not in item for item in data["nodes"] + data["edges"])  # tooltips are built as DOM


def test_app_script_never_writes_html():
    script = (render.TEMPLATES / "concept_map.js").read_text(encoding="utf-8")
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", script)


# --- the command -----------------------------------------------------------------------------------------


def test_render_writes_out_concept_map_by_default(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("render")
    assert result.exit_code == 0, result.output
    target = Path("out") / "concept_map.html"
    assert result.stdout == f"wrote {target}: 20 concepts, 21 relations\n"
    data = embedded(target.read_text(encoding="utf-8"))
    assert len(data["nodes"]) == 20


def test_render_path_option_writes_elsewhere_and_says_what_is_highlighted(run, tmp_path):
    out = tmp_path / "maps" / "rcnn.html"
    out.parent.mkdir()  # render makes no folder but out/, its default's
    result = run("render", "--path", "R-CNN", "mask rcnn", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"wrote {out}: 20 concepts, 21 relations\n"
        "Path (lineage): R-CNN → Fast R-CNN → Faster R-CNN → Mask R-CNN\n"
    )
    assert embedded(out.read_text(encoding="utf-8"))["highlight"]["nodes"][-1] == "mask-r-cnn"


def test_render_focus_and_edge_labels(run, tmp_path):
    out = tmp_path / "adam.html"
    result = run("render", "--focus", "Adam", "--depth", "1", "--edge-labels", "-o", str(out))
    assert result.stdout == f"wrote {out}: 4 concepts, 5 relations\n"
    assert embedded(out.read_text(encoding="utf-8"))["edgeLabels"] is True


def test_render_unknown_concept_suggests_names(run, tmp_path):
    result = run("render", "--prereqs", "Adamm", "-o", str(tmp_path / "x.html"))
    assert result.exit_code == 0  # a close fuzzy match is taken, with a note
    assert "note: taking 'Adamm' to mean 'Adam'" in result.stderr
    result = run("render", "--focus", "Mask R-CNX2", "-o", str(tmp_path / "y.html"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: no concept named 'Mask R-CNX2'; did you mean 'Mask R-CNN'")
    assert not (tmp_path / "y.html").exists()


def test_render_unwritable_path_is_a_clear_error(run, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run("render", "-o", str(blocker / "map.html"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {blocker / 'map.html'}: cannot write the map (")
    assert result.stderr.rstrip().endswith("choose another path with -o")
    assert "Traceback" not in result.output


def test_render_keeps_the_old_map_when_writing_fails(run, tmp_path):
    out = tmp_path / "map.html"
    out.write_text("old map", encoding="utf-8")
    result = run("render", "--path", "Adam", "DQN", "-o", str(out), "--force")
    assert result.exit_code == 1
    assert "Adam and DQN are not connected" in result.stderr
    assert out.read_text(encoding="utf-8") == "old map"


def test_render_open_hands_the_file_to_the_browser(tmp_path):
    """--open goes through the webbrowser module; $BROWSER makes it call a script we can inspect."""
    seen = tmp_path / "opened.txt"
    browser = tmp_path / "fake-browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{seen}"\n', encoding="utf-8")
    browser.chmod(browser.stat().st_mode | stat.S_IEXEC)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["BROWSER"] = str(browser)
    out = tmp_path / "open.html"
    done = subprocess.run(
        [sys.executable, "-m", "dlgraph", "--data-dir", str(MINI), "render", "--open", "-o", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert seen.read_text(encoding="utf-8") == out.resolve().as_uri()


def test_templates_are_package_data():
    names = {p.name for p in render.TEMPLATES.iterdir()}
    assert {"concept_map.html", "concept_map.js", "concept_map.css"} <= names


# --- what the learner knows: the plan `dlgraph prereqs` prints ----------------------------------------


def reviewed(pfile: Path, graph_dir: Path, *cids: str) -> Path:
    """A real progress file of the graph in ``graph_dir`` in which each of ``cids`` was rated Good once."""
    from dlgraph import progress
    from dlgraph.study import schedule

    when = datetime(2030, 1, 1, 12, tzinfo=timezone.utc)
    with progress.Progress.open(pfile, graph=progress.locate(pfile, graph_dir).graph) as store:
        for cid in cids:
            store.record(cid, 3, lambda old, cid=cid: schedule(old, cid, 3, when), when)
    return pfile


def numbered_lines(text: str) -> list[tuple[int, str]]:
    """The numbered lines of `dlgraph prereqs`: (number, concept name)."""
    return [(int(m[1]), m[2]) for m in re.finditer(r"^ *(\d+)\. (.+?)  \[depth \d+\]$", text, re.M)]


def test_render_prereqs_draws_the_plan_prereqs_prints_once_a_prerequisite_is_reviewed(run, mini, tmp_path):
    env = {"DLGRAPH_PROGRESS": str(reviewed(tmp_path / "progress.sqlite3", MINI, "adagrad"))}
    answer = run("prereqs", "adam", "--json", env=env)
    assert answer.exit_code == 0, answer.output
    plan = json.loads(answer.stdout)
    ids = [p["id"] for p in plan["prerequisites"]]
    assert plan["skipped"] == [{"id": "adagrad", "name": "Adagrad"}]
    # Knowing Adagrad reorders the plan, not only shortens it: RMSprop no longer waits for it.
    everything = [p["id"] for p in graph.prerequisites(mini, "adam")["prerequisites"]]
    assert "adagrad" in everything and ids != [c for c in everything if c != "adagrad"]

    out = tmp_path / "adam.html"
    result = run("render", "--prereqs", "adam", "-o", str(out), env=env)
    assert result.exit_code == 0, result.output
    mark = embedded(out.read_text(encoding="utf-8"))["highlight"]
    # The map numbers nodes[1:] 1, 2, 3...: the terminal's lines, one for one.
    names = {c: mini.name(c) for c in mark["nodes"]}
    assert numbered_lines(run("prereqs", "adam", env=env).stdout) == [
        (i, names[c]) for i, c in enumerate(mark["nodes"][1:], 1)
    ]
    assert mark["nodes"] == ["adam", *ids]
    assert mark["edges"] == [render.edge_id(p["relation"]) for p in plan["prerequisites"]]
    assert mark["known"] == [k["id"] for k in plan["skipped"]]
    assert [c for level in mark["levels"] for c in level] == [*ids, "adam"]
    assert set(mark["plans"]["across"]) == set(mark["plans"]["down"]) == {"adam", *ids}
    caption = (
        f"Study before Adam ({len(ids)}): {', '.join(p['name'] for p in plan['prerequisites'])}"
        "; already known (1): Adagrad"
    )
    assert mark["caption"] == caption and caption in result.stdout


def test_render_known_is_prereqs_known_and_an_empty_one_ignores_the_progress(run, tmp_path):
    env = {"DLGRAPH_PROGRESS": str(reviewed(tmp_path / "progress.sqlite3", MINI, "adagrad"))}
    for known in ("momentum,gradient descent", ""):
        plan = json.loads(run("prereqs", "adam", "--known", known, "--json", env=env).stdout)
        out = tmp_path / "known.html"
        result = run("render", "--prereqs", "adam", "--known", known, "-o", str(out), "--force", env=env)
        assert result.exit_code == 0, result.output
        mark = embedded(out.read_text(encoding="utf-8"))["highlight"]
        assert mark["nodes"] == ["adam", *(p["id"] for p in plan["prerequisites"])], known
        assert mark["known"] == [k["id"] for k in plan.get("skipped", [])], known
    assert mark["known"] == [] and "adagrad" in mark["nodes"]  # --known "": nothing known


def test_the_page_knows_what_is_known_for_every_cards_study_list(run, mini_dir, tmp_path):
    pfile = reviewed(tmp_path / "elsewhere.sqlite3", mini_dir, "adagrad", "alexnet")
    out = tmp_path / "map.html"
    # --progress FILE colours the map and says what is known: one file, so colours and plans agree.
    result = run("render", "--progress", str(pfile), "-o", str(out), data_dir=mini_dir)
    assert result.exit_code == 0, result.output
    data = embedded(out.read_text(encoding="utf-8"))
    assert data["prereq"]["known"] == ["adagrad", "alexnet"] == sorted(data["mastery"])
    assert data["highlight"] is None
    plain = tmp_path / "plain.html"
    assert run("render", "-o", str(plain), data_dir=mini_dir).exit_code == 0  # no progress yet
    assert embedded(plain.read_text(encoding="utf-8"))["prereq"]["known"] == []
    # Only what a study list on the map can reach is sent.
    part = render.map_data(load_graph(mini_dir), MapOptions(focus="rmsprop", known=("adagrad", "alexnet")))
    assert part["prereq"]["known"] == ["adagrad"]


# --- colouring by mastery (--progress) ------------------------------------------------------------------


def studied(run, tmp_path: Path) -> Path:
    """A real progress file: a CLI study session toward Adam, rated from a file (Adam itself unseen)."""
    pfile = tmp_path / "progress.sqlite3"
    ratings = tmp_path / "ratings.txt"
    ratings.write_text("good\neasy\n", encoding="utf-8")
    result = run("study", "adam", "--progress", str(pfile), "--ratings", str(ratings))
    assert result.exit_code == 0, result.output
    return pfile


def test_mastery_map_carries_recall_for_reviewed_concepts_only(run, mini, tmp_path):
    from dlgraph import progress

    recall = progress.mastery(studied(run, tmp_path))
    assert set(recall) == {"adagrad", "gradient-descent"}
    data = render.map_data(mini, MapOptions(mastery={**recall, "gone-from-the-graph": 0.5}))
    assert data["mastery"] == recall  # the concept not in the graph is dropped
    assert all(0.0 < value <= 1.0 for value in data["mastery"].values())
    topic = {t["id"]: t["colour"] for t in data["legend"]["topics"]}
    for node in data["nodes"]:
        expected = render.mastery_colour(recall.get(node["id"]))
        assert node["color"]["background"] == expected
        assert node["color"]["border"] == topic[node["topic"]]
    assert data["legend"]["mastery"]["reviewed"] == 2
    assert data["legend"]["mastery"]["total"] == 20
    assert render.map_data(mini)["mastery"] is None  # without --progress: topic colours, no mastery


def test_render_progress_embeds_the_study_session(run, tmp_path):
    pfile = studied(run, tmp_path)
    out = tmp_path / "mastery.html"
    result = run("render", "--progress", str(pfile), "-o", str(out))
    assert result.exit_code == 0, result.output
    data = embedded(out.read_text(encoding="utf-8"))
    assert sorted(data["mastery"]) == ["adagrad", "gradient-descent"]
    assert "adam" not in data["mastery"]


def test_render_progress_without_a_file_uses_the_environment(run, tmp_path):
    pfile = studied(run, tmp_path)
    out = tmp_path / "env.html"
    result = run("render", "--progress", "-o", str(out), env={"DLGRAPH_PROGRESS": str(pfile)})
    assert result.exit_code == 0, result.output
    assert sorted(embedded(out.read_text(encoding="utf-8"))["mastery"]) == ["adagrad", "gradient-descent"]
    missing = tmp_path / "nothing-yet.sqlite3"
    result = run("render", "--progress", str(missing), "-o", str(out), "--force")
    assert result.exit_code == 0
    assert f"note: no progress file at {missing}" in result.stderr
    assert embedded(out.read_text(encoding="utf-8"))["mastery"] == {}


def test_render_progress_with_a_corrupt_file_is_a_clear_error(run, tmp_path):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"this is not an sqlite database at all, just text" * 20)
    out = tmp_path / "never.html"
    result = run("render", "--progress", str(bad), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad}: not a dlgraph progress file, or it is damaged")
    assert "Traceback" not in result.output
    assert not out.exists()


# --- any graph ------------------------------------------------------------------------------------------


def one_topic_graph(groups: int = 3, size: int = 15) -> graph.ConceptGraph:
    """One topic, as a built deck often is: a few tight groups, loosely linked, many related-to links."""
    concepts = [
        {"id": f"g{g}c{i}", "name": f"Group {g} concept {i}", "aliases": [], "topic": "training",
         "kind": "concept", "definition": "synthetic", "card": None}
        for g in range(groups) for i in range(size)
    ]  # fmt: skip
    relations = []
    for g in range(groups):
        for i in range(1, size):
            relations.append((f"g{g}c{i}", "uses", f"g{g}c{(i - 1) // 2}"))
            relations.append((f"g{g}c{i}", "related-to", f"g{g}c{(i * 7) % i}"))
        relations.append((f"g{g}c1", "related-to", f"g{(g + 1) % groups}c2"))
    unique = sorted({r for r in relations if r[0] != r[2]})
    return graph.ConceptGraph(
        store.Dataset(
            concepts,
            [
                {"source": s, "type": t, "target": o, "evidence": "synthetic", "origin": "curated"}
                for s, t, o in unique
            ],  # fmt: skip
        )
    )


def test_a_one_topic_graph_is_clustered_by_its_communities_in_several_colours():
    cg = one_topic_graph()
    data = render.map_data(cg)
    colours = {n["color"]["background"] for n in data["nodes"]}
    legend = data["legend"]["topics"]
    assert data["clustered"] and data["clusteredBy"] == "community"
    assert len(colours) >= 3 and len(legend) >= 3 and sum(t["count"] for t in legend) == 45
    assert all(t["label"].startswith("Around Group ") for t in legend)
    # Each tight group is (mostly) one community: its members share a colour.
    for g in range(3):
        mine = [n["color"]["background"] for n in data["nodes"] if n["id"].startswith(f"g{g}c")]
        assert max(mine.count(c) for c in set(mine)) >= 12
    assert render.map_data(cg) == data  # seeded
