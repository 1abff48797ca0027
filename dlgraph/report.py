"""Plain-text reports of query results, as the CLI prints them. Pure: data in, lines out.

Styling goes through ``style`` (click.style or a no-op), so tests and pipes get plain text.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from .vocabulary import FAMILIES, KINDS, RELATION_TYPES, TOPICS

Style = Callable[..., str]


def plain(text: str, **_: Any) -> str:
    return text


def step_label(edge: dict[str, str], walking_from: str) -> str:
    """How a relation reads when walked from ``walking_from``: its label forwards, its inverse backwards."""
    spec = RELATION_TYPES[edge["type"]]
    return spec.label if edge["source"] == walking_from or spec.symmetric else spec.inverse


def _steps(n: int) -> str:
    return f"{n} lineage step" + ("" if n == 1 else "s")


def _wrap(text: str, indent: str, width: int = 100) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width, initial_indent=indent, subsequent_indent=indent) or [
        indent
    ]


def path_report(result: dict[str, Any], style: Style = plain) -> list[str]:
    a, b = result["source"]["name"], result["target"]["name"]
    if not result["found"]:
        return [f"{a} and {b} are not connected by any relation."]
    names = [p["name"] for p in result["path"]]
    lines: list[str] = []
    if result["kind"] == "lineage":
        newer, older = (a, b) if result["reversed"] else (b, a)
        if result["reversed"]:
            lines.append(f"Note: it is the other way round: {newer} descends from {older}.")
        lines.append(style(" → ".join(names), bold=True))
        lines.append(f"{newer} descends from {older} in {_steps(len(names) - 1)}.")
    else:
        if result["fallback"]:
            lines.append(f"No lineage path between {a} and {b}.")
            lines.append("Shortest connection through any relation (not a lineage):")
        lines.append(style(" → ".join(names), bold=True))
    lines.append("")
    steps = zip(result["edges"], pairwise(result["path"]), strict=True)
    for i, (edge, (here, there)) in enumerate(steps, 1):
        label = step_label(edge, here["id"])
        lines.append(f"{i}. {here['name']} " + style(f"—{label}→", fg="cyan") + f" {there['name']}")
        lines += _wrap(edge["evidence"], "   ")
    if result["alternatives"] > 1:
        lines.append("")
        lines.append(f"{result['alternatives']} equally good chains exist; this is the alphabetically first.")
    return lines


def prereqs_report(result: dict[str, Any], style: Style = plain) -> list[str]:
    name = result["concept"]["name"]
    items = result["prerequisites"]
    lines = []
    if result["known"]:
        lines.append(f"Already known (skipped with what only they need): {len(result['known'])}")
    if not items:
        lines.append(f"Nothing to study before {name}.")
        return lines
    lines.append(style(f"Study order for {name} ({len(items)} concepts, prerequisites first):", bold=True))
    width = len(str(len(items)))
    for i, item in enumerate(items, 1):
        lines.append(f"{i:>{width}}. " + style(item["name"], bold=True) + f"  [depth {item['depth']}]")
        pad = " " * (width + 2)
        lines += _wrap(item["definition"], pad)
        lines.append(pad + style("why: ", dim=True) + item["reason"])
    lines.append(f"{' ' * width}  then: {name}")
    return lines


def next_report(result: dict[str, Any], style: Style = plain) -> list[str]:
    rows = result["results"]
    if not result["known"]:
        head = f"Starting points: {len(rows)} concepts need nothing else first."
    else:
        head = f"Unlocked by what you know: {len(rows)} concepts."
    lines = [style(head, bold=True)]
    for row in rows:
        needs = f"  (needs {', '.join(row['requires'])})" if row["requires"] else ""
        lines.append(f"  {row['name']}{needs}")
    return lines


def lineage_report(result: dict[str, Any], style: Style = plain) -> list[str]:
    lines = [style(result["concept"]["name"], bold=True)]
    for title, tree in (
        ("descends from:", result["ancestor_tree"]),
        ("leads to:", result["descendant_tree"]),
    ):
        lines.append(f"  {title}" + ("" if tree else " nothing"))
        lines += _tree_lines(tree, "    ")
    return lines


def _tree_lines(branches: list[dict[str, Any]], indent: str) -> list[str]:
    lines = []
    for branch in branches:
        more = " (see above)" if branch["repeat"] and not branch["children"] else ""
        lines.append(f"{indent}{branch['label']} {branch['name']}{more}")
        lines += _tree_lines(branch["children"], indent + "  ")
    return lines


def show_report(result: dict[str, Any], style: Style = plain) -> list[str]:
    lines = [style(result["name"], bold=True) + f"  ({result['id']})"]
    lines.append(f"topic: {result['topic']} · kind: {result['kind']}")
    if result["aliases"]:
        lines.append("aliases: " + ", ".join(result["aliases"]))
    lines.append(
        "card: " + (result["card"] if result["card"] is not None else "(none: mentioned in other cards)")
    )
    lines.append("definition:")
    lines += _wrap(result["definition"], "  ")
    if result["groups"]:
        lines.append("")
        width = max(len(label) for label in result["groups"])
        for label, refs in result["groups"].items():
            lines.append(f"{label:>{width}}: " + ", ".join(r["name"] for r in refs))
    return lines


#: How ``show --why`` names where a relation comes from.
_ORIGIN_WORDS = {
    "extracted": "a card states it",
    "field": "the field graph",
    "curated": "curated by hand",
}


def why_report(result: dict[str, Any], style: Style = plain) -> list[str]:
    """``show --why``: the card, then every relation with where it comes from and the text behind it
    (the card sentence extraction read, or the field's rationale and its reference)."""
    lines = show_report(result, style)
    if not result["relations"]:
        return lines
    lines += ["", style("Why each relation", bold=True)]
    for r in result["relations"]:
        origin = _ORIGIN_WORDS.get(r["origin"], r["origin"])
        source, target = r["names"]
        lines.append(f"{source} {r['type']} {target}  ({origin})")
        lines += _wrap(r["evidence"], "  ")
        if r.get("reference"):
            lines.append(f"  reference: {r['reference']}")
    return lines


def search_report(result: dict[str, Any], style: Style = plain) -> list[str]:
    rows = result["results"]
    if not rows:
        return [f"No concept matches {result['query']!r}."]
    return [f"{row['score']:>5}  {row['name']}  ({row['id']}, {row['match']})" for row in rows]


def list_report(result: dict[str, Any], style: Style = plain) -> list[str]:
    rows = result["results"]
    if not rows:
        return ["No concepts match."]
    w_id = max(len(r["id"]) for r in rows)
    w_name = max(len(r["name"]) for r in rows)
    return [f"{r['id']:<{w_id}}  {r['name']:<{w_name}}  {r['topic']}  {r['kind']}" for r in rows]


def types_table() -> list[dict[str, Any]]:
    """The relation vocabulary as rows (for ``dlgraph types`` and the README)."""
    return [
        {
            "type": spec.name,
            "label": spec.label,
            "inverse": spec.inverse,
            "family": spec.family,
            "prerequisite": spec.prerequisite,
            "symmetric": spec.symmetric,
            "description": spec.description,
        }
        for spec in RELATION_TYPES.values()
    ]


def types_report(style: Style = plain) -> list[str]:
    rows = types_table()
    w_type = max(len(r["type"]) for r in rows)
    w_inverse = max(len(r["inverse"]) for r in rows)
    order = {"target": "target first", "source": "source first", None: "no order"}
    lines = []
    for family in FAMILIES:
        lines.append(style(family, bold=True))
        for row in (r for r in rows if r["family"] == family):
            lines.append(
                f"  {row['type']:<{w_type}}  inverse: {row['inverse']:<{w_inverse}}  "
                f"{order[row['prerequisite']]:<12}  {row['description']}"
            )
    lines.append("")
    lines.append(style("topics", bold=True))
    lines += [f"  {k:<23} {v}" for k, v in TOPICS.items()]
    lines.append(style("kinds", bold=True))
    lines += [f"  {k:<23} {v}" for k, v in KINDS.items()]
    return lines


def validate_report(result: dict[str, Any], style: Style = plain) -> list[str]:
    lines = []
    for problem in result["errors"]:
        lines.append(style("error: ", fg="red") + problem)
    for warning in result["warnings"]:
        lines.append(style("warning: ", fg="yellow") + warning)
    verdict = "valid" if result["valid"] else f"NOT valid ({len(result['errors'])} errors)"
    lines.append(
        f"{result['directory']}: {verdict}: {result['concepts']} concepts, {result['relations']} relations"
    )
    return lines


def gaps_report(result: dict[str, Any], style: Style = plain) -> list[str]:
    """``dlgraph gaps``: per deck concept, the field concepts it builds on that the deck lacks."""
    lines = [
        f"{result['linked']} of your {result['concepts']} concepts are in the field graph; "
        f"{result['missing']} concepts they build on are not in your deck."
    ]
    for group in result["gaps"]:
        names = ", ".join(m["name"] for m in group["missing"])
        lines += ["", style(group["name"], bold=True) + f": your deck covers it but not {names}"]
        lines += [f"  {m['name']}: {m['sentence']}" for m in group["missing"]]
    return lines
