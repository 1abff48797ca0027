"""The concept map: a :class:`~dlgraph.graph.ConceptGraph` drawn as one self-contained HTML page.

pyvis builds the vis-network nodes, edges and options; dlgraph's own template (``templates/``) writes
them out with vis-network's script and style inlined from the pyvis package, so the page makes no
network request (pyvis's stock template loads Bootstrap and tom-select from CDNs). Everything the page
shows about a concept travels as JSON data and is inserted with ``textContent``, never as HTML.

Examples
--------
>>> embed_json({"answer": "</script><img src=x onerror=alert(1)>"})
'{"answer":"\\\\u003c/script\\\\u003e\\\\u003cimg src=x onerror=alert(1)\\\\u003e"}'
>>> sorted(FAMILY_STYLES) == sorted(FAMILIES)
True
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from . import graph, outputs
from .errors import DlgraphError, UsageError
from .graph import ConceptGraph
from .vocabulary import FAMILIES, KINDS, LINEAGE_TYPES, RELATION_TYPES, TOPICS

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_OUTPUT = Path("out") / "concept_map.html"
VIS_VERSION = "vis-9.1.2"

#: Seed of every random choice in the layout, so the same graph always draws the same map.
LAYOUT_SEED = 7
#: Roughly the room, in pixels, that one labelled node needs; clusters grow with its square.
NODE_SPACING = 120.0
#: Node label size in pixels at zoom 1.
LABEL_FONT = 18
#: Pull of every node towards the middle of its cluster, next to 1 for a relation and 3 for lineage.
GRAVITY = 0.15
#: Below this many concepts (or with a single topic) one spring layout places everything.
CLUSTER_MIN = 40
#: Above this many concepts edges are drawn straight: curves cost drawing time on big maps.
CURVED_EDGES_MAX = 600
#: On a map above CURVED_EDGES_MAX concepts, zoomed out below this scale, the page draws edges without
#: dashes or arrowheads and node borders solid, except what is highlighted: there an arrowhead is under
#: 5 px and a dash under 3 px on screen, and drawing them took most of each frame.
FAR_SCALE = 0.4

#: Tableau-like colours, distinct enough side by side; topics take them in vocabulary order.
TOPIC_COLOURS = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#6b6ecf",
    "#8ca252", "#bd9e39", "#ad494a", "#a55194", "#3182bd",
)  # fmt: skip
#: Shapes whose label sits below them (box or ellipse would squeeze it inside); kinds take them in order
#: and the kinds past the last shape reuse them with a dashed border.
KIND_SHAPES = ("dot", "square", "diamond", "triangle", "hexagon", "star", "triangleDown")
#: With ``--progress``: the fill of a concept never reviewed, and the red → yellow → green scale of recall
#: probability (FSRS retrievability) for the reviewed ones. The topic colour moves to a thin ring.
NEVER_REVIEWED = "#c8c8c8"
MASTERY_SCALE = ((0.0, "#d73027"), (0.5, "#fee08b"), (1.0, "#1a9850"))
MASTERY_BORDER = 2


@dataclass(frozen=True)
class FamilyStyle:
    """How every relation type of one family is drawn."""

    colour: str
    width: float
    dashes: bool | tuple[int, ...]


FAMILY_STYLES: dict[str, FamilyStyle] = {
    "lineage": FamilyStyle("#37474f", 2.6, False),
    "composition": FamilyStyle("#1e88e5", 1.5, (8, 5)),
    "taxonomy": FamilyStyle("#8e24aa", 1.5, (2, 4)),
    "association": FamilyStyle("#9e9e9e", 1.2, (12, 4, 2, 4)),
}


@dataclass(frozen=True)
class MapOptions:
    """What to draw: the whole graph or a part of it, and what to highlight."""

    focus: str | None = None
    depth: int | None = None
    topic: str | None = None
    path: tuple[str, str] | None = None
    prereqs: str | None = None
    edge_labels: bool = False
    title: str = "dlgraph concept map"
    #: Recall probability per reviewed concept (:func:`dlgraph.progress.mastery`); None draws by topic.
    mastery: dict[str, float] | None = None
    #: Ids of the concepts already known (``--known``, else :func:`dlgraph.progress.known_concepts`):
    #: study plans leave them out with what only they need, as ``dlgraph prereqs`` does.
    known: tuple[str, ...] = ()


# --- which concepts, which highlight -----------------------------------------------------------------


def select(cg: ConceptGraph, options: MapOptions) -> list[str]:
    """The ids on the map: everything, one topic, and/or the neighbourhood of ``focus``; sorted."""
    if options.depth is not None and options.focus is None:
        raise UsageError("--depth needs --focus: it counts steps away from the focused concept")
    if options.depth is not None and options.depth < 1:
        raise UsageError("--depth must be 1 or more")
    chosen = set(cg.concepts)
    if options.topic is not None:
        chosen = graph.topic_members(cg, options.topic)
    if options.focus is not None:
        centre = cg.resolve(options.focus)
        chosen = (chosen & graph.neighbourhood(cg, centre, options.depth or 1)) | {centre}
    return sorted(chosen, key=cg.sort_key)


def highlight(cg: ConceptGraph, options: MapOptions) -> dict[str, Any] | None:
    """The nodes and edges ``--path`` or ``--prereqs`` asks to stand out, with a caption; else None."""
    if options.path and options.prereqs:
        raise UsageError("choose one of --path and --prereqs")
    if options.path:
        found = graph.path(cg, *options.path)
        ends = f"{found['source']['name']} and {found['target']['name']}"
        if not found["found"]:
            raise DlgraphError(f"{ends} are not connected; no map written")
        names = [step["name"] for step in found["path"]]
        kind = "lineage" if found["kind"] == "lineage" else "connection through any relation"
        return {
            "mode": "path",
            "nodes": [step["id"] for step in found["path"]],
            "edges": [edge_id(e) for e in found["edges"]],
            "caption": f"Path ({kind}): " + " → ".join(names),
        }
    if options.prereqs:
        # `dlgraph prereqs`'s own plan: what is known is left out (not drawn as known), as there.
        found = graph.prerequisites(cg, options.prereqs, known=options.known)
        target = found["concept"]
        items = found["prerequisites"]
        skipped = found.get("skipped", [])
        caption = f"Study before {target['name']} ({len(items)}): " + (
            ", ".join(item["name"] for item in items) or "nothing"
        )
        if skipped:
            caption += f"; already known ({len(skipped)}): " + ", ".join(k["name"] for k in skipped)
        return {
            "mode": "prereqs",
            "nodes": [target["id"], *(item["id"] for item in items)],
            "edges": [edge_id(item["relation"]) for item in items],
            "known": [k["id"] for k in skipped],
            "caption": caption,
        }
    return None


def edge_id(relation: dict[str, Any]) -> str:
    """The vis-network id of a relation: unique because the store forbids duplicate relations."""
    return f"{relation['source']}|{relation['type']}|{relation['target']}"


# --- layout ------------------------------------------------------------------------------------------


def layout(
    cg: ConceptGraph, ids: list[str], group_of: dict[str, str] | None = None
) -> dict[str, tuple[float, float]]:
    """Seeded positions in pixels: each cluster laid out by a spring model, clusters kept apart.

    A cluster is a topic, or the group ``group_of`` gives (see :func:`clusters`). Grouping keeps the
    map readable at a glance (colour and place agree), and lineage edges pull three times harder than
    others so chains of methods sit together. On maps small enough for it to be cheap, labels inside a
    cluster are pushed apart until none overlap.
    """
    springs = _spring_graph(cg, ids)
    groups: dict[str, list[str]] = {}
    if len(ids) < CLUSTER_MIN:
        groups[""] = list(ids)
    else:
        for cid in ids:
            groups.setdefault(group_of[cid] if group_of else cg.concepts[cid]["topic"], []).append(cid)
    topics = sorted(groups, key=_topic_rank)
    boxes = {cid: _label_box(cg, cid) for cid in ids}
    inner: dict[str, dict[str, tuple[float, float]]] = {}
    radii: dict[str, float] = {}
    for topic in topics:
        placed = _spring(_ordered_subgraph(springs, groups[topic]), _radius(len(groups[topic])))
        placed = _lineage_left_to_right(cg, placed)
        if len(ids) <= CURVED_EDGES_MAX:
            placed = _separate_labels(placed, boxes)
        inner[topic] = placed
        radii[topic] = max(math.hypot(x, y) + boxes[cid][0] / 2 for cid, (x, y) in placed.items())
    centres = _place_clusters(springs, groups, topics, radii) if len(topics) > 1 else {topics[0]: (0.0, 0.0)}
    # Screens are wider than tall: turn a tall arrangement of clusters on its side. Only the centres
    # turn, so the label spacing inside each cluster stays horizontal.
    width = max(x + radii[t] for t, (x, _) in centres.items()) - min(
        x - radii[t] for t, (x, _) in centres.items()
    )
    height = max(y + radii[t] for t, (_, y) in centres.items()) - min(
        y - radii[t] for t, (_, y) in centres.items()
    )
    if height > width:
        centres = {t: (y, -x) for t, (x, y) in centres.items()}
    return {
        cid: (round(cx + x, 1), round(cy + y, 1))
        for topic, (cx, cy) in centres.items()
        for cid, (x, y) in inner[topic].items()
    }


def _spring_graph(cg: ConceptGraph, ids: list[str]):
    """The undirected graph the spring layout pulls on, built in a fixed order.

    Every node and edge is added in ``ids`` order, never by iterating a set or a networkx subgraph
    view (which walks a set of node ids, in string-hash order): the seeded layout starts from the
    node order, so the same graph gives the same map in every process, whatever ``PYTHONHASHSEED``.
    """
    import networkx as nx

    on_map = set(ids)
    springs = nx.Graph()
    springs.add_nodes_from(ids)
    for source in ids:
        for _, target, kind in cg.relations.out_edges(source, keys=True):
            if target not in on_map:
                continue
            weight = 3.0 if kind in LINEAGE_TYPES else 1.0
            if springs.get_edge_data(source, target, {}).get("weight", 0.0) < weight:
                springs.add_edge(source, target, weight=weight)
    return springs


def _ordered_subgraph(springs, members: list[str]):
    """A copy of ``springs`` on ``members``, nodes in ``members`` order and edges in node order."""
    import networkx as nx

    inside = set(members)
    part = nx.Graph()
    part.add_nodes_from(members)
    part.add_edges_from((u, v, springs.edges[u, v]) for u in members for v in springs.adj[u] if v in inside)
    return part


def _label_box(cg: ConceptGraph, cid: str) -> tuple[float, float]:
    return label_box(cg.concepts[cid]["name"], _node_size(cg, cid))


def label_box(label: str, size: float) -> tuple[float, float]:
    """Roughly the width and height, in pixels at zoom 1, of a node of this size with its label drawn
    under it (the page estimates it the same way for the study view: ``labelBox`` in the script)."""
    return max(2 * size, 0.56 * LABEL_FONT * len(label)), 2 * size + LABEL_FONT * 1.3


#: How far right of what it descends from a concept is placed, at least, within a cluster.
LINEAGE_STEP = 0.8 * NODE_SPACING


def _lineage_left_to_right(
    cg: ConceptGraph, placed: dict[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    """Shift nodes sideways until, within the cluster, every lineage relation reads older → newer
    from left to right (R-CNN, then Fast R-CNN, then Faster R-CNN), as the path captions read.

    Only x moves, a few relaxation passes over the cluster's lineage edges (cycles just stop early),
    so the spring layout's vertical arrangement is kept.
    """
    xy = {cid: list(p) for cid, p in placed.items()}
    chains = [(newer, older) for newer in sorted(xy) for older in cg.lineage.successors(newer) if older in xy]
    for _ in range(50):
        moved = False
        for newer, older in chains:
            short = LINEAGE_STEP - (xy[newer][0] - xy[older][0])
            if short > 0.5:
                xy[newer][0] += short / 2
                xy[older][0] -= short / 2
                moved = True
        if not moved:
            break
    return {cid: (x, y) for cid, (x, y) in xy.items()}


#: Cell of the grid index that finds overlapping label boxes: about one short label wide, two high.
LABEL_CELL = (120.0, 48.0)


def _separate_labels(
    placed: dict[str, tuple[float, float]], boxes: dict[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    """Push apart nodes whose label boxes overlap, along the axis that needs the smaller move.

    Each pass files every box under the grid cells it covers and compares only boxes that share a
    cell, instead of every pair: near-linear where all-pairs passes took 17 of 20 seconds of a
    484-concept render. A pass that moves nothing ends the loop; nothing moved during it, so its grid
    was exact and no overlap was missed.
    """
    ids = sorted(placed)
    xy = {cid: list(placed[cid]) for cid in ids}
    pad = 6.0
    cell_w, cell_h = LABEL_CELL
    for _ in range(60):
        grid: dict[tuple[int, int], list[str]] = {}
        for cid in ids:
            x, y = xy[cid]
            half_w, half_h = boxes[cid][0] / 2 + pad / 2, boxes[cid][1] / 2 + pad / 2
            for gx in range(math.floor((x - half_w) / cell_w), math.floor((x + half_w) / cell_w) + 1):
                for gy in range(math.floor((y - half_h) / cell_h), math.floor((y + half_h) / cell_h) + 1):
                    grid.setdefault((gx, gy), []).append(cid)
        moved = False
        seen: set[tuple[str, str]] = set()
        for members in grid.values():
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    if (a, b) in seen:
                        continue
                    seen.add((a, b))
                    dx = xy[b][0] - xy[a][0]
                    dy = xy[b][1] - xy[a][1]
                    over_x = (boxes[a][0] + boxes[b][0]) / 2 + pad - abs(dx)
                    over_y = (boxes[a][1] + boxes[b][1]) / 2 + pad - abs(dy)
                    if over_x <= 0 or over_y <= 0:
                        continue
                    moved = True
                    if over_x < over_y:
                        step = (over_x / 2 + 0.5) * (1 if dx >= 0 else -1)
                        xy[a][0] -= step
                        xy[b][0] += step
                    else:
                        step = (over_y / 2 + 0.5) * (1 if dy >= 0 else -1)
                        xy[a][1] -= step
                        xy[b][1] += step
        if not moved:
            break
    return {cid: (x, y) for cid, (x, y) in xy.items()}


def _node_size(cg: ConceptGraph, cid: str) -> float:
    """Bigger for concepts with more relations (square root, so hubs do not swamp the map)."""
    return round(9 + 3.2 * math.sqrt(cg.relations.degree(cid)), 1)


def _radius(count: int) -> float:
    return NODE_SPACING * math.sqrt(count / math.pi) + NODE_SPACING / 2


def _spring(g, radius: float) -> dict[str, tuple[float, float]]:
    import networkx as nx

    if len(g) == 1:
        return {next(iter(g)): (0.0, 0.0)}
    # A weak spring from every node to a hidden hub acts as gravity: without it, concepts with no
    # link inside the cluster drift to the rim and the rescale squeezes everyone else into a knot.
    pulled = nx.Graph(g)
    hub = ("hub",)
    pulled.add_edges_from(((hub, cid) for cid in g), weight=GRAVITY)
    # Fewer iterations on big clusters: each one costs the square of the cluster's size, and on maps that
    # big the first look matters less than drawing at once.
    iterations = 80 if len(g) < 150 else 40
    try:
        placed = nx.spring_layout(
            pulled, seed=LAYOUT_SEED, iterations=iterations, weight="weight", scale=None
        )
    except ImportError:
        # networkx needs scipy for 500 nodes or more, and nothing dlgraph depends on brings it along.
        placed = nx.forceatlas2_layout(pulled, max_iter=iterations, seed=LAYOUT_SEED, weight="weight")
    placed.pop(hub)
    points = {cid: (float(x), float(y)) for cid, (x, y) in placed.items()}
    xs = [x for x, _ in points.values()]
    ys = [y for _, y in points.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    far = max(math.hypot(x - cx, y - cy) for x, y in points.values()) or 1.0
    return {cid: ((x - cx) / far * radius, (y - cy) / far * radius) for cid, (x, y) in points.items()}


def _place_clusters(springs, groups, topics, radii) -> dict[str, tuple[float, float]]:
    """Cluster centres: topics that share many relations sit close, and no two clusters overlap."""
    import networkx as nx

    between = nx.Graph()
    between.add_nodes_from(topics)
    topic_of = {cid: t for t in topics for cid in groups[t]}
    for u, v in springs.edges():
        a, b = topic_of[u], topic_of[v]
        if a != b:
            old = between.get_edge_data(a, b, {}).get("weight", 0)
            between.add_edge(a, b, weight=old + 1)
    # Start packed too tight and let the separation below push clusters apart until they just touch.
    spread = math.sqrt(sum(r * r for r in radii.values())) * 0.9
    raw = nx.spring_layout(between, seed=LAYOUT_SEED, weight="weight", scale=spread)
    centres = {t: [float(raw[t][0]), float(raw[t][1])] for t in topics}
    gap = NODE_SPACING  # room for the topic's name above each cluster
    # Push overlapping pairs apart until none overlap; a handful of topics settles in a few passes.
    for _ in range(200):
        moved = False
        for i, a in enumerate(topics):
            for b in topics[i + 1 :]:
                dx = centres[b][0] - centres[a][0]
                dy = centres[b][1] - centres[a][1]
                dist = math.hypot(dx, dy) or 1e-6
                short = radii[a] + radii[b] + gap - dist
                if short > 0:
                    ux, uy = (dx, dy) if dist > 1e-6 else (1.0, 0.0)
                    norm = math.hypot(ux, uy)
                    push = short / 2 + 0.5
                    centres[a][0] -= ux / norm * push
                    centres[a][1] -= uy / norm * push
                    centres[b][0] += ux / norm * push
                    centres[b][1] += uy / norm * push
                    moved = True
        if not moved:
            break
    return {t: (c[0], c[1]) for t, c in centres.items()}


# --- the study view: a concept's prerequisites laid out in levels ------------------------------------

#: Room left between two study levels (columns) and between two concepts of one level (rows), beyond
#: the widest label box and the tallest node of the plan.
STUDY_GAP = (56.0, 30.0)


def study_layout(
    levels: list[list[str]],
    boxes: dict[str, tuple[float, float]],
    anchor: tuple[float, float],
    *,
    down: bool = False,
) -> dict[str, tuple[int, int]]:
    """Where the study view draws a learning plan: a column per study level, left to right, or with
    ``down`` (a map taller than wide, as on a phone) a row per level, top to bottom.

    ``levels`` are :func:`dlgraph.graph.study_levels` (the concept studied for is alone in the last
    one); ``boxes`` the :func:`label_box` of each concept; ``anchor`` the concept's own place on the
    map, where it stays. Across: each column lists its level top to bottom in study order, centred on
    the anchor's height, one row per tallest box of the plan plus a gap; going left from the anchor,
    the next column is half the widest box of each of the two columns plus a gap further on (an empty
    level, as the page may have for concepts off its map, counts as width 0). Down: each row lists its
    level left to right in study order, neighbours half of each one's box plus a gap apart, centred on
    the anchor's x; rows are the tallest box plus a gap apart, going up from the anchor. Whole pixels,
    halves rounded up.

    The page's card button ("Study view") lays a plan out by this same rule (``studyLayout`` in
    ``templates/concept_map.js``), and browser tests check the two agree.

    >>> boxes = {"a": (100.0, 40.0), "b": (60.0, 40.0), "t": (80.0, 40.0)}
    >>> study_layout([["a", "b"], ["t"]], boxes, (10.0, 0.0))
    {'a': (-136, -35), 'b': (-136, 35), 't': (10, 0)}
    >>> study_layout([["a", "b"], ["t"]], boxes, (10.0, 0.0), down=True)
    {'a': (-58, -70), 'b': (78, -70), 't': (10, 0)}
    """
    members = [cid for level in levels for cid in level]
    if not members:
        return {}
    gap_x, gap_y = STUDY_GAP
    step_y = max(boxes[cid][1] for cid in members) + gap_y
    last = len(levels) - 1
    placed = {}
    if down:
        for i, level in enumerate(levels):
            xs = [0.0] * len(level)
            for j in range(1, len(level)):
                xs[j] = xs[j - 1] + ((boxes[level[j - 1]][0] + boxes[level[j]][0]) / 2 + gap_x)
            shift = anchor[0] - xs[-1] / 2 if xs else 0.0
            y = anchor[1] - (last - i) * step_y
            for j, cid in enumerate(level):
                placed[cid] = (_whole(xs[j] + shift), _whole(y))
        return placed
    widths = [max((boxes[cid][0] for cid in level), default=0.0) for level in levels]
    xs = [anchor[0]] * len(levels)
    for i in range(last - 1, -1, -1):
        xs[i] = xs[i + 1] - ((widths[i] + widths[i + 1]) / 2 + gap_x)
    for i, level in enumerate(levels):
        for j, cid in enumerate(level):
            placed[cid] = (_whole(xs[i]), _whole(anchor[1] + (j - (len(level) - 1) / 2) * step_y))
    return placed


def _whole(value: float) -> int:
    # floor(v + 0.5), not round(): Python rounds halves to even, the page's Math.round up.
    return math.floor(value + 0.5)


def study_plan(cg: ConceptGraph, marked: dict[str, Any], nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``--prereqs`` highlight with its plan: the study ``levels`` and the ``plans`` (positions,
    ``across`` and ``down``) the study view draws them at (:func:`study_layout`), from the vis
    ``nodes`` (their place and size). The page takes ``down`` when its map is taller than wide."""
    levels = graph.study_levels(cg, graph.prerequisite_view(cg, marked["nodes"]))
    drawn = {n["id"]: n for n in nodes}
    boxes = {cid: label_box(drawn[cid]["label"], drawn[cid]["size"]) for level in levels for cid in level}
    target = drawn[marked["nodes"][0]]
    anchor = (target["x"], target["y"])
    plans = {
        way: {cid: list(xy) for cid, xy in study_layout(levels, boxes, anchor, down=way == "down").items()}
        for way in ("across", "down")
    }
    return {**marked, "levels": levels, "plans": plans}


# --- clusters: topics, or communities on a one-topic map --------------------------------------------------

#: On a one-topic map, communities smaller than this join one "loosely connected" cluster.
COMMUNITY_MIN = 3


@dataclass(frozen=True)
class Clusters:
    """What colours and groups the map's concepts: their topic, or their community."""

    #: "topic" or "community"
    by: str
    #: cluster id of every concept on the map
    of: dict[str, str]
    #: legend entries in drawing order: id, label, description, colour, count
    legend: list[dict[str, Any]]


def clusters(cg: ConceptGraph, ids: list[str]) -> Clusters:
    """Topics when the map has several; else (one topic, as a built deck often has) the map's
    communities (networkx Louvain, seeded), each titled by its best-connected concept and coloured
    the way topics are, so a one-topic map is not one colour and one hairball."""
    topics = {cg.concepts[cid]["topic"] for cid in ids}
    if len(topics) > 1 or len(ids) < CLUSTER_MIN:
        colours = topic_colours(topics)
        return Clusters(
            "topic",
            {cid: cg.concepts[cid]["topic"] for cid in ids},
            [
                {
                    "id": t,
                    "label": topic_label(t),
                    "description": TOPICS.get(t, t),
                    "colour": c,
                    "count": sum(cg.concepts[cid]["topic"] == t for cid in ids),
                }
                for t, c in colours.items()
            ],
        )
    import networkx as nx

    springs = _spring_graph(cg, ids)
    found = nx.community.louvain_communities(springs, weight="weight", seed=LAYOUT_SEED)
    found = sorted(
        (sorted(part, key=cg.sort_key) for part in found), key=lambda part: (-len(part), cg.sort_key(part[0]))
    )
    kept = [part for part in found if len(part) >= COMMUNITY_MIN][: len(TOPIC_COLOURS) - 1]
    loose = sorted(
        {cid for part in found for cid in part} - {cid for part in kept for cid in part}, key=cg.sort_key
    )
    of: dict[str, str] = {}
    legend = []
    for i, part in enumerate([*kept, loose] if loose else kept):
        gid = f"community-{i + 1:02d}"
        if part is loose:
            label, about = "Loosely connected", "concepts in no community of their own"
        else:
            centre = min(part, key=lambda cid: (-springs.degree(cid, weight="weight"), cg.sort_key(cid)))
            label = f"Around {cg.name(centre)}"
            about = f"a community of related concepts (networkx Louvain) around {cg.name(centre)}"
        of.update((cid, gid) for cid in part)
        legend.append(
            {"id": gid, "label": label, "description": about, "colour": TOPIC_COLOURS[i], "count": len(part)}
        )
    return Clusters("community", of, legend)


# --- the data the page gets ---------------------------------------------------------------------------


def _topic_rank(topic: str) -> tuple[int, str]:
    """Vocabulary topics first, in vocabulary order; other topics after them, alphabetically."""
    order = list(TOPICS)
    return (order.index(topic), "") if topic in order else (len(order), topic)


def topic_colours(topics: set[str] | list[str]) -> dict[str, str]:
    """A colour per topic, fixed by the vocabulary order so a topic keeps its colour on every map;
    topics outside the vocabulary get evenly spread hues after the palette."""
    vocabulary = list(TOPICS)
    others = sorted(set(topics) - set(vocabulary))
    colours = {}
    for topic in sorted(set(topics), key=_topic_rank):
        index = vocabulary.index(topic) if topic in TOPICS else len(vocabulary) + others.index(topic)
        if index < len(TOPIC_COLOURS):
            colours[topic] = TOPIC_COLOURS[index]
        else:
            colours[topic] = _hsl_hex((index * 137.508) % 360, 0.55, 0.5)
    return colours


def _hsl_hex(hue: float, saturation: float, lightness: float) -> str:
    import colorsys

    r, g, b = colorsys.hls_to_rgb(hue / 360, lightness, saturation)
    return "#" + "".join(f"{round(c * 255):02x}" for c in (r, g, b))


def _darker(colour: str, factor: float = 0.7) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c * factor):02x}" for c in (r, g, b))


def mastery_colour(recall: float | None) -> str:
    """The fill of a concept on a ``--progress`` map: grey if never reviewed, else its place on the scale.

    >>> mastery_colour(None), mastery_colour(0.0), mastery_colour(1.0), mastery_colour(0.25)
    ('#c8c8c8', '#d73027', '#1a9850', '#ea8859')
    """
    if recall is None:
        return NEVER_REVIEWED
    recall = min(1.0, max(0.0, recall))
    for (low, start), (high, end) in pairwise(MASTERY_SCALE):
        if recall <= high:
            share = (recall - low) / (high - low)
            a = [int(start[i : i + 2], 16) for i in (1, 3, 5)]
            b = [int(end[i : i + 2], 16) for i in (1, 3, 5)]
            return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))
    return MASTERY_SCALE[-1][1]


def topic_label(topic: str) -> str:
    """The short title of a topic: its vocabulary description up to the colon, else the slug."""
    return TOPICS[topic].split(":")[0] if topic in TOPICS else topic


def kind_shapes() -> dict[str, dict[str, Any]]:
    """vis-network shape per kind (vocabulary order), with a dashed border once the shapes run out."""
    return {
        kind: {"shape": KIND_SHAPES[i % len(KIND_SHAPES)], "dashed": i >= len(KIND_SHAPES)}
        for i, kind in enumerate(KINDS)
    }


def map_data(cg: ConceptGraph, options: MapOptions | None = None) -> dict[str, Any]:
    """Everything the page needs, as plain JSON-ready data: the vis nodes, edges and options (built by
    pyvis), one card per concept, the legend and the highlight."""
    options = options or MapOptions()
    ids = select(cg, options)
    marked = highlight(cg, options)
    if marked:
        # A highlighted path or prerequisite set is always drawn whole, even outside --focus/--topic.
        extra = set(marked["nodes"]) - set(ids)
        ids = sorted([*ids, *extra], key=cg.sort_key)
    on_map = set(ids)
    relations = [r for r in cg.dataset.relations if r["source"] in on_map and r["target"] in on_map]
    grouped = clusters(cg, ids)
    net = network(cg, ids, relations, options, grouped)
    nodes, edges, _heading, _height, _width, vis_options = net.get_network_data()
    if marked and marked["mode"] == "prereqs":
        marked = study_plan(cg, marked, nodes)

    shapes = kind_shapes()
    topics = grouped.legend
    kinds_present = {cg.concepts[cid]["kind"] for cid in ids}
    kinds = [
        {
            "id": k,
            "description": KINDS[k],
            **shapes[k],
            "count": sum(cg.concepts[c]["kind"] == k for c in ids),
        }
        for k in KINDS
        if k in kinds_present
    ]
    types_present = {r["type"] for r in relations}
    types = [
        {
            "id": name,
            "label": spec.label,
            "inverse": spec.inverse,
            "family": spec.family,
            "description": spec.description,
            "count": sum(r["type"] == name for r in relations),
            **_edge_style(spec.family),
        }
        for name, spec in RELATION_TYPES.items()
        if name in types_present
    ]
    known = None if options.mastery is None else {c: options.mastery[c] for c in ids if c in options.mastery}
    return {
        "title": options.title,
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(vis_options),
        "cards": {cid: card(cg, cid) for cid in ids},
        "prereq": prerequisite_graph(cg, ids, options.known),
        "finder": finder_data(cg, ids),
        "relationLabels": {name: spec.label for name, spec in RELATION_TYPES.items()},
        "legend": {
            "topics": topics,
            "kinds": kinds,
            "types": types,
            "families": list(FAMILIES),
            "mastery": None if known is None else mastery_legend(len(known), len(ids)),
        },
        # Recall probability of each reviewed concept on the map, computed here (FSRS), never in the page.
        "mastery": known,
        "lineage": sorted(LINEAGE_TYPES),
        "relationOrder": list(RELATION_TYPES),
        "highlight": marked,
        "focus": cg.resolve(options.focus) if options.focus else None,
        "edgeLabels": options.edge_labels,
        "clustered": len(ids) >= CLUSTER_MIN and len(topics) > 1,
        "clusteredBy": grouped.by,
        "studyGap": list(STUDY_GAP),  # the study view's rule, for the card's button (study_layout)
        "farScale": FAR_SCALE if len(ids) > CURVED_EDGES_MAX else None,
    }


def finder_data(cg: ConceptGraph, ids: list[str]) -> dict[str, Any]:
    """What the page's Find and Path boxes need to resolve a typed name by the CLI's own rules.

    The label table is :class:`dlgraph.names.Resolver`'s index of the map's concepts (every id, name and
    alias, normalized by :func:`dlgraph.names.normalize`), so the page never normalizes a concept's
    labels itself; it mirrors only ``Resolver.resolve``'s steps on what the user typed, with these
    same thresholds and filler words.
    """
    from .names import ACCEPT_RATIO, FILLER_WORDS, SUGGEST_RATIO, Resolver

    resolver = Resolver(cg.concepts[cid] for cid in ids)
    return {
        "labels": {
            key: [[cid, primary] for cid, primary in owners] for key, owners in resolver.labels.items()
        },
        "filler": sorted(FILLER_WORDS),
        "accept": ACCEPT_RATIO,
        "suggest": SUGGEST_RATIO,
    }


def mastery_legend(reviewed: int, total: int) -> dict[str, Any]:
    """The legend's mastery section: the colour scale in steps, the never-reviewed grey, and counts."""
    return {
        "never": NEVER_REVIEWED,
        "steps": [{"recall": r / 10, "colour": mastery_colour(r / 10)} for r in range(11)],
        "reviewed": reviewed,
        "total": total,
    }


def _edge_style(family: str) -> dict[str, Any]:
    style = FAMILY_STYLES[family]
    return {"colour": style.colour, "width": style.width, "dashes": style.dashes}


def card(cg: ConceptGraph, cid: str) -> dict[str, Any]:
    """The side panel of one concept: its fields and its relations grouped by (inverse) label."""
    concept = cg.concepts[cid]
    return {
        "name": concept["name"],
        "aliases": concept["aliases"],
        "definition": concept["definition"],
        "card": concept["card"],
        "topic": concept["topic"],
        "kind": concept["kind"],
        "groups": [
            {"label": label, "concepts": refs} for label, refs in graph.show(cg, cid)["groups"].items()
        ],
        # The edge ids of its relations still a guess (extracted or field, not yet reviewed).
        "unconfirmed": [edge_id(r) for r in graph.show(cg, cid)["relations"] if r["origin"] != "curated"],
    }


def prerequisite_graph(cg: ConceptGraph, ids: list[str], known: Iterable[str] = ()) -> dict[str, Any]:
    """What each concept needs directly (``cg.prereq``), for every concept the map's concepts lead to,
    and which of those are ``known``.

    The page orders a card's study list from this the way :func:`dlgraph.graph.prerequisites` does,
    leaving out the known concepts and what only they need.
    Embedding each card's finished list instead grows with the square of the graph: 16 MB of JSON
    for 2,000 synthetic concepts, against a few hundred kB for this.
    """
    reach = set(ids)
    stack = list(ids)
    while stack:
        for need in cg.prereq.successors(stack.pop()):
            if need not in reach:
                reach.add(need)
                stack.append(need)
    needs = {
        cid: [[need, edge_id(cg.prereq.edges[cid, need]["relation"])] for need in cg.prereq.successors(cid)]
        for cid in sorted(reach)
    }
    return {
        "needs": {cid: pairs for cid, pairs in needs.items() if pairs},
        "names": {cid: cg.name(cid) for cid in sorted(reach - set(ids))},
        "known": sorted(reach & set(known)),
    }


def network(
    cg: ConceptGraph,
    ids: list[str],
    relations: list[dict[str, Any]],
    options: MapOptions,
    grouped: Clusters | None = None,
):
    """The pyvis :class:`~pyvis.network.Network` of the map: styled nodes at fixed positions, typed edges.

    A node's ``topic`` is its cluster (:func:`clusters`): its topic, or its community on a one-topic map.
    """
    from pyvis.network import Network

    class FastNetwork(Network):
        def get_nodes(self):
            # add_edge checks both ends against this; pyvis returns a list, which is quadratic.
            return self.node_map.keys()

    net = FastNetwork(directed=True)
    grouped = grouped or clusters(cg, ids)
    positions = layout(cg, ids, grouped.of)
    colours = {entry["id"]: entry["colour"] for entry in grouped.legend}
    shapes = kind_shapes()
    by_mastery = options.mastery is not None
    for cid in ids:
        concept = cg.concepts[cid]
        colour = colours[grouped.of[cid]]
        shape = shapes[concept["kind"]]
        border = _darker(colour)
        extra: dict[str, Any] = {}
        if by_mastery:
            # Fill says how well it is known; a thin ring in the topic's colour keeps the topic readable
            # without covering the fill of small nodes.
            border = colour
            colour = mastery_colour(options.mastery.get(cid))
            extra["borderWidth"] = MASTERY_BORDER
        x, y = positions[cid]
        net.add_node(
            cid,
            label=concept["name"],
            shape=shape["shape"],
            color={
                "background": colour,
                "border": border,
                "highlight": {"background": colour, "border": "#111111"},
                "hover": {"background": colour, "border": "#111111"},
            },
            size=_node_size(cg, cid),
            x=x,
            y=y,
            topic=grouped.of[cid],
            kind=concept["kind"],
            shapeProperties={"borderDashes": [3, 2]} if shape["dashed"] else {"borderDashes": False},
            **extra,
        )
    curved = len(ids) <= CURVED_EDGES_MAX
    pairs: dict[frozenset[str], int] = {}
    for r in relations:
        spec = RELATION_TYPES[r["type"]]
        style = FAMILY_STYLES[spec.family]
        # Two relations between the same pair would be drawn on top of each other: bend each one more.
        pair = frozenset((r["source"], r["target"]))
        nth = pairs[pair] = pairs.get(pair, -1) + 1
        edge: dict[str, Any] = {
            "id": edge_id(r),
            "type": r["type"],
            "family": spec.family,
            "color": {"color": style.colour, "highlight": "#111111", "hover": style.colour},
            "width": style.width,
            "dashes": list(style.dashes) if isinstance(style.dashes, tuple) else style.dashes,
            "arrows": "" if spec.symmetric else "to",
            "evidence": r["evidence"],
            "confirmed": r["origin"] == "curated",  # pending until reviewed: dlgraph.review.confirmed
        }
        if not edge["confirmed"] and edge["arrows"]:
            # Still a guess (extracted or from the field, not yet reviewed): a thinner line with a
            # small arrowhead, so what a student confirmed stands out.
            edge["width"] = round(style.width * UNCONFIRMED_WIDTH, 2)
            edge["arrows"] = {"to": {"enabled": True, "scaleFactor": UNCONFIRMED_ARROW}}
        if curved:
            edge["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.08 + 0.14 * nth}
        elif nth:
            edge["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.15 * nth}
        if options.edge_labels:
            edge["label"] = spec.label
        net.add_edge(r["source"], r["target"], **edge)
    net.set_options(json.dumps(vis_options(len(ids))))
    return net


#: How an unconfirmed relation is drawn: its family's width times this, and an arrowhead this size.
UNCONFIRMED_WIDTH = 0.6
UNCONFIRMED_ARROW = 0.5


def vis_options(count: int) -> dict[str, Any]:
    """vis-network options: positions are precomputed, so physics stays off and the map is still."""
    return {
        "physics": {"enabled": False},
        "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": False},
        "nodes": {
            "font": {
                "size": LABEL_FONT,
                "face": "system-ui, sans-serif",
                "strokeWidth": 4,
                "strokeColor": "#ffffff",
            },
            "borderWidth": 1.5,
            "borderWidthSelected": 3,
        },
        "edges": {
            "smooth": False,
            "arrows": {"to": {"scaleFactor": 0.6}},
            "font": {"size": 11, "align": "middle", "color": "#444444", "strokeWidth": 3},
            "selectionWidth": 1.5,
            "hoverWidth": 0.8,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": count > CURVED_EDGES_MAX,
            # Thousands of dashed edges make each wheel-zoom frame slow; they come back when it stops.
            "hideEdgesOnZoom": count > CURVED_EDGES_MAX,
            "multiselect": False,
            "navigationButtons": False,
            "keyboard": {"enabled": True, "bindToWindow": False},
        },
    }


# --- the page ------------------------------------------------------------------------------------------


def embed_json(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``</script>``, ``<!--`` or line separators.

    ``<``, ``>`` and ``&`` only ever occur inside JSON strings, where ``\\u003c`` means the same.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _vis_asset(name: str) -> str:
    """vis-network's script or style, read from the pyvis package so it is inlined, not fetched."""
    import pyvis

    text = (Path(pyvis.__file__).parent / "templates" / "lib" / VIS_VERSION / name).read_text(
        encoding="utf-8"
    )
    # Inside <script> or <style> only a closing tag could end the element early.
    return text.replace("</script", "<\\/script").replace("</style", "<\\/style")


def render_html(cg: ConceptGraph, options: MapOptions | None = None) -> str:
    """The whole page as one string: vis-network, the app script and style, and the map's data."""
    return page(map_data(cg, options))


def page(data: dict[str, Any]) -> str:
    """Fill dlgraph's template with :func:`map_data`'s output; every asset is inlined."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, keep_trailing_newline=True
    )
    return env.get_template("concept_map.html").render(
        title=data["title"],
        vis_css=Markup(_vis_asset("vis-network.css")),
        vis_js=Markup(_vis_asset("vis-network.min.js")),
        app_css=Markup((TEMPLATES / "concept_map.css").read_text(encoding="utf-8")),
        app_js=Markup((TEMPLATES / "concept_map.js").read_text(encoding="utf-8")),
        data=Markup(embed_json(data)),
    )


def write_map(
    cg: ConceptGraph,
    output: str | os.PathLike[str] | None,
    options: MapOptions | None = None,
    *,
    force: bool = False,
) -> dict[str, Any]:
    """Render and write the page by the rules of :mod:`dlgraph.outputs` (``-`` is standard output);
    says what was drawn. A refused or unwritable path is a :class:`DlgraphError` (exit 1).

    Without ``output`` the page goes to :data:`DEFAULT_OUTPUT`, whose folder is made if missing
    (``created`` in the answer names it, so the caller can say so): the only folder ever made.
    """
    created = None
    if output is None:
        output = DEFAULT_OUTPUT
        if not output.parent.exists():
            try:
                output.parent.mkdir()
            except OSError as exc:
                raise DlgraphError(
                    f"{output.parent}: cannot make the folder ({exc.strerror or exc}); choose a path with -o"
                ) from None
            created = output.parent
    if Path(output).is_dir():
        example = Path(output) / "concept_map.html"
        raise DlgraphError(f"{output}: is a folder; give a file name such as {example}")
    if not cg.concepts:
        where = cg.dataset.directory or "the graph"
        raise DlgraphError(
            f"{where}: has no concepts, so there is no map to draw; build a graph from a deck first "
            "(dlgraph build DECK --out DIR)"
        )
    outputs.plan_file(output, force=force, what="the map")  # refuse before drawing, not after
    data = map_data(cg, options)
    html = page(data)
    encoded = html.encode("utf-8")
    plan = outputs.write_file(output, lambda out: out.write(encoded), force=force, what="the map")
    return {
        "output": Path(output),
        "stdout": plan.how == "stdout",
        "created": created,
        "concepts": len(data["nodes"]),
        "relations": len(data["edges"]),
        "highlight": data["highlight"]["caption"] if data["highlight"] else None,
    }
