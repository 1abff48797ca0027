"""Plain-text reports of query results, as the CLI prints them. Pure: data in, lines out.

Styling goes through ``style`` (click.style or a no-op), so tests and pipes get plain text.
"""

from __future__ import annotations

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


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, in the plural unless ``n`` is 1.

    >>> count(1, "concept"), count(0, "concept"), count(2, "reviewed concept")
    ('1 concept', '0 concepts', '2 reviewed concepts')
    """
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


def _steps(n: int) -> str:
    return count(n, "lineage step")


#: The widest line a report prints; the CLI narrows it to the terminal's width when it prints to one.
LINE_WIDTH = 100


def wrap(
    text: str, indent: str = "", width: int | None = None, *, subsequent: str | None = None
) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken between words, in linear time.

    Runs of whitespace become one space; a word longer than a line is cut into line-sized pieces.
    Lines after the first start with ``subsequent`` (default: ``indent``). Unlike
    :func:`textwrap.wrap`, a definition of megabytes takes milliseconds, not seconds.

    >>> wrap("one two three four", "  ", 11)
    ['  one two', '  three', '  four']
    >>> wrap("a " + "x" * 12, "", 5)
    ['a', 'xxxxx', 'xxxxx', 'xx']
    """
    width = width or LINE_WIDTH
    first, rest = indent, indent if subsequent is None else subsequent
    lines: list[str] = []
    words: list[str] = []
    room = max(width - len(first), 1)
    used = -1  # the length of the line being filled, counting one space before each word
    for word in text.split():
        if used + 1 + len(word) <= room:
            used += 1 + len(word)
            words.append(word)
            continue
        if words:
            lines.append((rest if lines else first) + " ".join(words))
            room = max(width - len(rest), 1)
        start = 0
        while len(word) - start > room:  # each piece is sliced once: linear in the word's length
            lines.append((rest if lines else first) + word[start : start + room])
            start += room
            room = max(width - len(rest), 1)
        words, used = [word[start:]], len(word) - start
    if words or not lines:
        lines.append((rest if lines else first) + " ".join(words))
    return lines


def fit(line: str, subsequent: str = "  ", width: int | None = None) -> list[str]:
    """A formatted line as it is when it fits in ``width``, else wrapped between words.

    Its own indentation and inner spacing are kept when it fits (aligned columns, ``  (needs …)``).

    >>> fit("  improves on: Adagrad", "    ")
    ['  improves on: Adagrad']
    >>> fit("  uses: A, B", "        ", 10)
    ['  uses: A,', '        B']
    """
    width = width or LINE_WIDTH
    if len(line) <= width and "\n" not in line:
        return [line]
    # The first line as written up to its last space that fits (its columns stay aligned), then words.
    cut = line.rfind(" ", 0, width + 1)
    if "\n" in line or not line[:cut].strip():
        body = line.lstrip(" ")
        return wrap(body, line[: len(line) - len(body)], width, subsequent=subsequent)
    return [line[:cut].rstrip(), *wrap(line[cut:], subsequent, width)]


def _wrap(text: str, indent: str, width: int | None = None) -> list[str]:
    return wrap(text, indent, width)


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
        lines += [style(line, bold=True) for line in fit(" → ".join(names))]
        lines.append(f"{newer} descends from {older} in {_steps(len(names) - 1)}.")
    else:
        if result["fallback"]:
            lines.append(f"No lineage path between {a} and {b}.")
            lines.append("Shortest connection through any relation (not a lineage):")
        lines += [style(line, bold=True) for line in fit(" → ".join(names))]
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
    skipped = result.get("skipped")
    if skipped:
        # Say which and where "known" came from: a surprise here is usually an old progress file.
        source = result.get("known_from") or "--known"
        names = ", ".join(k["name"] for k in skipped)
        lines += wrap(
            f"Already known from {source}, skipped with what only they need "
            f"({count(len(skipped), 'concept')}): {names}",
            "",
            subsequent="  ",
        )
    elif result["known"] and skipped is None:
        lines.append(f"Already known (skipped with what only they need): {len(result['known'])}")
    if not items:
        lines.append(f"Nothing to study before {name}.")
        return lines
    lines.append(
        style(f"Study order for {name} ({count(len(items), 'concept')}, prerequisites first):", bold=True)
    )
    width = len(str(len(items)))
    for i, item in enumerate(items, 1):
        lines.append(f"{i:>{width}}. " + style(item["name"], bold=True) + f"  [depth {item['depth']}]")
        pad = " " * (width + 2)
        lines += _wrap(item["definition"], pad)
        why = wrap(item["reason"], pad + "why: ", subsequent=pad + "     ")
        lines += [pad + style("why: ", dim=True) + why[0][len(pad) + 5 :], *why[1:]]
    lines.append(f"{' ' * width}  then: {name}")
    return lines


def next_report(result: dict[str, Any], style: Style = plain) -> list[str]:
    rows = result["results"]
    lines = []
    if result["known"] and not rows and result.get("starting_points") is not None:
        # Nothing builds on what is known alone: offer where else one can begin instead of "0".
        rows = result["starting_points"]
        lines.append(f"Nothing is unlocked by what you know ({count(len(result['known']), 'concept')}) yet.")
    need = "needs" if len(rows) == 1 else "need"
    if result["known"] and not result["results"] and result.get("starting_points") is not None:
        head = (
            f"Starting points you have not studied: {count(len(rows), 'concept')} {need} nothing else first."
        )
    elif not result["known"]:
        head = f"Starting points: {count(len(rows), 'concept')} {need} nothing else first."
    else:
        head = f"Unlocked by what you know: {count(len(rows), 'concept')}."
    lines.append(style(head, bold=True))
    for row in rows:
        needs = f"  (needs {', '.join(row['requires'])})" if row["requires"] else ""
        lines += fit(f"  {row['name']}{needs}", "      ")
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
        lines += fit("aliases: " + ", ".join(result["aliases"]))
    card = result["card"] if result["card"] is not None else "(none: mentioned in other cards)"
    lines += fit("card: " + card)
    lines.append("definition:")
    lines += _wrap(result["definition"], "  ")
    if result["groups"]:
        lines.append("")
        width = max(len(label) for label in result["groups"])
        for label, refs in result["groups"].items():
            names = ", ".join(r["name"] for r in refs)
            lines += fit(f"{label:>{width}}: {names}", " " * (width + 2))
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
        if r.get("cue"):
            lines.append(f"  typed by: {r['cue']}")
        lines += _wrap(r["evidence"], "  ")
        if r.get("reference"):
            lines.append(f"  reference: {r['reference']}")
    return lines


def search_report(result: dict[str, Any], style: Style = plain) -> list[str]:
    rows = result["results"]
    if not rows:
        return [f"No concept matches {result['query']!r}."]
    width = max(len(row["name"]) for row in rows)
    return [f"{row['score']:>5}  {row['name']:<{width}}  ({row['id']}, {row['match']})" for row in rows]


def list_report(result: dict[str, Any], style: Style = plain) -> list[str]:
    rows = result["results"]
    if not rows:
        return ["No concepts match."]
    w_id, w_name, w_topic = (max(len(r[k]) for r in rows) for k in ("id", "name", "topic"))
    return [
        f"{r['id']:<{w_id}}  {r['name']:<{w_name}}  {r['topic']:<{w_topic}}  {r['kind']}".rstrip()
        for r in rows
    ]


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


def types_report(
    style: Style = plain, rows: list[dict[str, Any]] | None = None, *, vocabulary: bool = True
) -> list[str]:
    """``dlgraph types``: the relation types by family (``rows``: only those), then topics and kinds."""
    rows = types_table() if rows is None else rows
    w_type = max(len(r["type"]) for r in rows)
    w_inverse = max(len(r["inverse"]) for r in rows)
    order = {"target": "target first", "source": "source first", None: "no order"}
    lines = []
    for family in (f for f in FAMILIES if any(r["family"] == f for r in rows)):
        lines.append(style(family, bold=True))
        for row in (r for r in rows if r["family"] == family):
            head = f"  {row['type']:<{w_type}}  inverse: {row['inverse']:<{w_inverse}}  "
            head += f"{order[row['prerequisite']]:<12}  "
            lines += fit(head + row["description"], " " * len(head))
    if not vocabulary:
        return lines
    lines.append("")
    lines.append(style("topics", bold=True))
    lines += [f"  {k:<23} {v}" for k, v in TOPICS.items()]
    lines.append(style("kinds", bold=True))
    lines += [f"  {k:<23} {v}" for k, v in KINDS.items()]
    return lines


def validate_report(result: dict[str, Any], style: Style = plain) -> list[str]:
    lines = []
    for label, colour, items in (
        ("error: ", "red", result["errors"]),
        ("warning: ", "yellow", result["warnings"]),
    ):
        for item in items:
            first, *rest = fit(label + item, "  ")
            lines += [style(label, fg=colour) + first[len(label) :], *rest]
    verdict = "valid" if result["valid"] else f"NOT valid ({count(len(result['errors']), 'error')})"
    lines.append(
        f"{result['directory']}: {verdict}: {count(result['concepts'], 'concept')}, "
        f"{count(result['relations'], 'relation')}"
    )
    return lines


def gaps_report(result: dict[str, Any], style: Style = plain) -> list[str]:
    """``dlgraph gaps``: per deck concept, the field concepts it builds on that the deck lacks."""
    are = "is" if result["linked"] == 1 else "are"
    missing = "is" if result["missing"] == 1 else "are"
    lines = wrap(
        f"{result['linked']} of your {count(result['concepts'], 'concept')} {are} in the field graph; "
        f"{count(result['missing'], 'concept')} they build on {missing} not in your deck."
    )
    for group in result["gaps"]:
        names = ", ".join(m["name"] for m in group["missing"])
        head = fit(f"{group['name']}: your deck covers it but not {names}")
        lines += ["", style(group["name"], bold=True) + head[0][len(group["name"]) :], *head[1:]]
        for m in group["missing"]:
            lines += fit(f"  {m['name']}: {m['sentence']}", "    ")
    return lines
