"""``dlgraph review``: a student confirms, rejects, retypes or reverses the relations of a built graph.

What needs a decision
    A relation is **confirmed** when its origin is ``curated`` (written by hand, or kept in a review);
    ``extracted`` and ``field`` relations are **pending** until someone confirms them. The map and
    ``--stats`` use the same rule (:func:`confirmed`).

In what order
    Most uncertain first, then most consequential. Uncertainty is a tier, from what the relation rests on:

    0. extracted ``related-to``: no cue typed it (or only a loose one: "compare with", "predicts");
    1. extracted with a weak cue: no cue phrase of its type typed it, or only a weak one ("with",
       "via", "through"; see :mod:`dlgraph.extract.cues`);
    2. extracted with a cue ("combines", "replaces ... with") or typed by the card's form (a
       definition's head noun, a list it announces);
    3. a field relation: someone wrote it for the field graph, with a rationale.

    What typed it is the ``cue`` extraction stored with the relation; for a relation without one
    (written before it was stored) the evidence is read again for its type's cue phrases.

    Within a tier, a relation that alone puts concepts in the study order comes first, the one that
    settles most pairs first (:func:`only_through`: the "X comes after Y" pairs no other chain of
    prerequisites gives); then one that **closes a loop** (its two concepts are joined another way
    too, so deciding it confirms or contradicts a second route); then by name. The queue is ranked
    once, when the review starts, so that "12 of 40" means the same thing throughout; what a relation
    is shown to settle is worked out again just before it is shown (:func:`assess`), since earlier
    decisions change it.

What a decision does, saved at once
    ``keep``: the relation becomes ``curated``. ``reject``: it leaves ``relations.json`` and joins
    ``rejected.json``, which every build honours. ``retype`` and ``reverse``: the user's version is
    written as ``curated`` and the proposal as it was found joins ``rejected.json``, so a rebuild
    cannot bring it back beside the user's. A retype or reverse that would close a lineage or
    prerequisite cycle, or duplicate a relation, is refused
    (:class:`~dlgraph.errors.DecisionRefused`) and nothing changes.
    Every decision is also logged in ``decisions.json`` (:data:`DECISIONS_FILE`), which lets
    ``dlgraph build --report`` say how many decisions it honoured (:func:`honoured`). The effect
    itself lives in ``relations.json`` and ``rejected.json``: deleting the log forgets no decision.
    The three files of one decision go through :func:`dlgraph.store.save_files` in one call.

What a decision settled
    :func:`consequences` diffs the study-order pairs (every "X comes after Y" the prerequisite view
    implies, transitively) before and after the decision, and says what changed: "Adam now comes
    after RMSprop in the study order", "rejecting this also drops 2 relations that only it implied".

Examples
--------
>>> confirmed({"origin": "curated"}), confirmed({"origin": "field"})
(True, False)
>>> parse_answer("t uses"), parse_answer("Y"), parse_answer("reverse")
(('retype', 'uses'), ('keep', None), ('reverse', None))
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import store
from .errors import DecisionRefused, DlgraphError, InvalidData, UsageError
from .vocabulary import LINEAGE_TYPES, RELATION_TYPES, prereq_edge

if TYPE_CHECKING:
    import networkx as nx

    from .graph import ConceptGraph

#: The log of review decisions, beside ``relations.json``: a JSON array, one decision a line, in the
#: order they were made: ``{"source", "type", "target"`` (the relation as it was proposed),
#: ``"origin"`` (``extracted`` or ``field``), ``"decision"`` (``keep``, ``reject``, ``retype``,
#: ``reverse``), ``"now"`` (``{"source", "type", "target"}`` of the relation the decision left, or
#: ``null`` for a rejection)``}``.
DECISIONS_FILE = store.DECISIONS_FILE
DECISIONS = ("keep", "reject", "retype", "reverse")

#: What a student types: a key or its word. ``t`` takes the new type after a space (``t uses``).
ANSWERS: dict[str, str] = {
    "y": "keep",
    "yes": "keep",
    "keep": "keep",
    "n": "reject",
    "no": "reject",
    "reject": "reject",
    "t": "retype",
    "type": "retype",
    "retype": "retype",
    "r": "reverse",
    "reverse": "reverse",
    "s": "skip",
    "skip": "skip",
    "q": "stop",
    "quit": "stop",
    "stop": "stop",
}
KEYS_HELP = "y keep · n reject · t type · r reverse · s skip · q stop"

TIERS = (
    "extracted, no cue (related-to)",
    "extracted, weak cue",
    "extracted, with a cue",
    "field relation",
)

Triple = tuple[str, str, str]


def confirmed(relation: dict[str, Any]) -> bool:
    """Whether a relation is settled: written by hand, or kept in a review (origin ``curated``)."""
    return relation.get("origin") == "curated"


def triple(r: dict[str, Any]) -> Triple:
    return (r["source"], r["type"], r["target"])


def _same(a: dict[str, Any], b: Triple) -> bool:
    """Whether relation ``a`` is the relation ``b`` (a symmetric one in either direction)."""
    if triple(a) == b:
        return True
    return RELATION_TYPES[b[1]].symmetric and triple(a) == (b[2], b[1], b[0])


def parse_answer(text: str) -> tuple[str, str | None]:
    """``(action, type)`` from one answer line: ``y``, ``n``, ``t TYPE``, ``r``, ``s``, ``q`` or their
    words. The type is given as typed (a name or a number, see :func:`parse_type`)."""
    word, _, rest = text.strip().partition(" ")
    action = ANSWERS.get(word.casefold())
    if action is None:
        raise UsageError(f"{text.strip()!r} is not an answer; use {KEYS_HELP}")
    if action != "retype" and rest.strip():
        raise UsageError(f"{word!r} takes nothing after it; only t takes a type (t uses)")
    return action, (rest.strip() or None) if action == "retype" else None


def parse_type(text: str) -> str:
    """A relation type from its name (``uses``, ``is-a``, ``is a``) or its number in ``dlgraph types``."""
    word = text.strip().casefold()
    names = list(RELATION_TYPES)
    if word.isdigit() and 1 <= int(word) <= len(names):
        return names[int(word) - 1]
    slug = re.sub(r"[\s_]+", "-", word)
    if slug in RELATION_TYPES:
        return slug
    for name, spec in RELATION_TYPES.items():
        if word == spec.label:
            return name
    raise UsageError(f"{text.strip()!r} is not a relation type; give a number 1-{len(names)} or a name")


def type_menu() -> list[str]:
    """The numbered vocabulary a ``t`` answer picks from."""
    return [f"{i:>2} {name:<15} {spec.label}" for i, (name, spec) in enumerate(RELATION_TYPES.items(), 1)]


# --- which relations, in what order ------------------------------------------------------------------


@dataclass
class Item:
    """One relation waiting for a decision, with why it is where it is in the queue."""

    relation: dict[str, Any]
    tier: int
    cue: str | None  # the cue phrase of its type found in the evidence, if any
    settles: list[tuple[str, str]]  # study-order pairs (after, before) only this relation gives
    loop: bool  # its two concepts are joined another way too

    @property
    def why(self) -> str:
        said = self.relation.get(store.CUE_KEY)
        if self.tier == 0 and self.cue:
            parts = [f"extracted, loose cue {self.cue!r} (related-to)"]
        elif self.tier == 1 and not self.cue:
            parts = [f"extracted, no cue for {self.relation['type']} in its sentence"]
        elif self.tier == 2 and not self.cue and said:
            parts = [f"extracted, typed by {said}"]  # the definition's head noun, a list, an example
        else:
            parts = [TIERS[self.tier] + (f" ({self.cue!r})" if self.cue and self.tier in (1, 2) else "")]
        if self.settles:
            parts.append(
                f"alone orders {len(self.settles)} study pair" + ("s" if len(self.settles) > 1 else "")
            )
        if self.loop:
            parts.append("closes a loop")
        return " · ".join(parts)


def _cue(relation: dict[str, Any], target_names: list[str]) -> tuple[int, str | None]:
    """The uncertainty tier of a pending relation and the cue phrase it rests on: what extraction
    recorded as typing it (``cue``), else the cue nearest before the target in the target's clause
    of the evidence (a strong cue before a weak one wins, as in extraction)."""
    if relation["origin"] == "field":
        return 3, None
    from .extract.cues import CUE_PHRASES, WEAK_CUES, cue_phrase

    said = relation.get(store.CUE_KEY)
    phrase = cue_phrase(said) if isinstance(said, str) else None
    if relation["type"] == "related-to":
        return 0, phrase
    if isinstance(said, str):
        if phrase is None:
            return (1 if said.startswith("no cue") else 2), None  # a definition's form types it too
        return (1 if phrase in WEAK_CUES else 2), phrase

    _, _, sentence = relation["evidence"].partition(": ")
    text = " " + " ".join(re.findall(r"[\w.;-]+", (sentence or relation["evidence"]).casefold())) + " "
    at = min((i for name in target_names if (i := text.find(f" {name.casefold()} ")) >= 0), default=len(text))
    clause = " " + re.split(r"[;]| \. |\. ", text[:at])[-1].replace(",", " ") + " "
    found = sorted(
        ((clause.rfind(f" {p} "), p) for p in CUE_PHRASES.get(relation["type"], ()) if f" {p} " in clause),
        reverse=True,
    )
    strong = [p for _, p in found if p not in WEAK_CUES]
    if strong:
        return 2, strong[0]
    return 1, (found[0][1] if found else None)


def pending(cg: ConceptGraph, *, concept: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
    """The relations that need a decision, optionally only ``concept``'s (an id) or one type's."""
    return [
        r
        for r in cg.dataset.relations
        if not confirmed(r)
        and (concept is None or concept in (r["source"], r["target"]))
        and (kind is None or r["type"] == kind)
    ]


def queue(cg: ConceptGraph, *, concept: str | None = None, kind: str | None = None) -> list[Item]:
    """The pending relations in review order: most uncertain first, then most consequential (see
    the module docstring)."""
    items = assess(cg, pending(cg, concept=concept, kind=kind))
    items.sort(
        key=lambda i: (
            i.tier,
            -len(i.settles),
            not i.loop,
            cg.sort_key(i.relation["source"]),
            i.relation["type"],
            cg.sort_key(i.relation["target"]),
        )
    )
    return items


def assess(cg: ConceptGraph, relations: list[dict[str, Any]], reach: Reach | None = None) -> list[Item]:
    """Each relation's tier, cue, the study pairs only it gives and whether it closes a loop, in ``cg``
    as it is now (the CLI asks again before showing a relation, as earlier decisions change these).
    ``reach`` is ``cg``'s :class:`Reach`, when the caller has it already."""
    import networkx as nx

    if not relations:
        return []
    reach = reach or Reach(cg.prereq)
    undirected = nx.Graph()
    undirected.add_nodes_from(cg.concepts)
    undirected.add_edges_from((r["source"], r["target"]) for r in cg.dataset.relations)
    bridges = {frozenset(e) for e in nx.bridges(undirected)}
    per_pair = Counter(frozenset((r["source"], r["target"])) for r in cg.dataset.relations)
    per_edge = Counter(e for r in cg.dataset.relations if (e := prereq_edge(r)))
    items = []
    for r in relations:
        target = cg.concepts[r["target"]]
        tier, cue = _cue(r, [target["name"], *target["aliases"]])
        edge = prereq_edge(r)
        settles = reach.only_through(*edge) if edge and per_edge[edge] == 1 else []
        pair = frozenset((r["source"], r["target"]))
        items.append(Item(r, tier, cue, settles, per_pair[pair] > 1 or pair not in bridges))
    return items


class Reach:
    """What every concept needs first, transitively, as bit sets over the prerequisite view (a DAG).

    ``bits[x]`` has a bit for every concept ``x`` comes after; a whole deck's closure is a few
    thousand integer ORs, cheap enough to compute before and after every decision.
    """

    def __init__(self, view: nx.DiGraph):
        import networkx as nx

        self.view = view
        self.order = list(nx.topological_sort(view))
        self.index = {node: i for i, node in enumerate(self.order)}
        self.bits: dict[str, int] = {}
        for node in reversed(self.order):
            self.bits[node] = self._from(node, self.bits)

    def _from(self, node: str, bits: dict[str, int], skip: str | None = None) -> int:
        total = 0
        for need in self.view.successors(node):
            if need != skip:
                total |= bits[need] | (1 << self.index[need])
        return total

    def members(self, bits: int) -> list[str]:
        """The concepts whose bits are set in ``bits``."""
        out = []
        while bits:
            low = bits & -bits
            out.append(self.order[low.bit_length() - 1])
            bits ^= low
        return out

    def pairs(self) -> set[tuple[str, str]]:
        """Every ``(after, before)`` pair of the study order."""
        return {(node, before) for node, bits in self.bits.items() for before in self.members(bits)}

    def only_through(self, after: str, before: str) -> list[tuple[str, str]]:
        """The study-order pairs that hold only because of the edge ``after -> before``: what
        rejecting it would drop (the pair itself included, unless another chain gives it too)."""
        import networkx as nx

        if not self.view.has_edge(after, before):
            return []
        changed = {after: self._from(after, self.bits, skip=before)}
        if changed[after] == self.bits[after]:
            return []
        for node in sorted(nx.ancestors(self.view, after), key=self.index.__getitem__, reverse=True):
            changed[node] = self._recompute(node, changed)
        return [
            (node, gone) for node, now in changed.items() for gone in self.members(self.bits[node] & ~now)
        ]

    def _recompute(self, node: str, changed: dict[str, int]) -> int:
        total = 0
        for need in self.view.successors(node):
            total |= changed.get(need, self.bits[need]) | (1 << self.index[need])
        return total


def item_lines(cg: ConceptGraph, item: Item, style: Any = None) -> list[str]:
    """How the review shows a relation: its two concepts and direction, why it is asked, its evidence."""
    style = style or (lambda text, **_: text)
    r = item.relation
    spec = RELATION_TYPES[r["type"]]
    arrow = f"—{spec.label}—" if spec.symmetric else f"—{spec.label}→"
    lines = [
        style(cg.name(r["source"]), bold=True) + f" {arrow} " + style(cg.name(r["target"]), bold=True),
        f"  {r['type']} · {item.why}",
        f"  evidence: {r['evidence']}",
    ]
    if r.get(store.REFERENCE_KEY):
        lines.append(f"  reference: {r[store.REFERENCE_KEY]}")
    return lines


# --- what a decision settled --------------------------------------------------------------------------


def sentence(cg: ConceptGraph, r: dict[str, Any]) -> str:
    return f"{cg.name(r['source'])} {RELATION_TYPES[r['type']].label} {cg.name(r['target'])}"


def _after(cg: ConceptGraph, pair: tuple[str, str]) -> str:
    return f"{cg.name(pair[0])} after {cg.name(pair[1])}"


def _some(
    cg: ConceptGraph, pairs: list[tuple[str, str]], near: tuple[str, str] | None, limit: int = 3
) -> str:
    """A few pairs, those that share a concept with the decided relation (``near``) first."""
    ends = set(near or ())
    ranked = sorted(pairs, key=lambda p: (not (ends & set(p)), cg.sort_key(p[0]), cg.sort_key(p[1])))
    shown = ", ".join(_after(cg, p) for p in ranked[:limit])
    return shown + (f" and {len(ranked) - limit} more" if len(ranked) > limit else "")


def _pairs(n: int, what: str = "relation") -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def consequences(
    before: ConceptGraph,
    after: ConceptGraph,
    action: str,
    old: dict[str, Any],
    new: dict[str, Any] | None,
    *,
    settles: list[tuple[str, str]] = (),  # type: ignore[assignment]
    reaches: tuple[Reach, Reach] | None = None,
) -> list[str]:
    """What a decision settled, in sentences, from the study-order pairs before and after it.

    A kept relation changes no pair; ``settles`` (:meth:`Reach.only_through` of it, before) says
    which pairs it now backs alone. ``reaches`` are the two graphs' :class:`Reach`, if known.
    """
    old_edge = prereq_edge(old)
    if action == "keep":
        if old_edge is None:
            return [f"confirmed; {old['type']} puts nothing in the study order"]
        if old_edge not in settles:
            return [f"confirmed: {_after(before, old_edge)}, which another chain of prerequisites gives too"]
        lines = [
            f"settled: {before.name(old_edge[0])} comes after {before.name(old_edge[1])} in the study order"
        ]
        more = [p for p in settles if p != old_edge]
        if more:
            lines.append(
                f"it alone also orders {_pairs(len(more), 'more pair')}: {_some(before, more, old_edge)}"
            )
        return lines
    was, now = (r.pairs() for r in reaches or (Reach(before.prereq), Reach(after.prereq)))
    lost, gained = sorted(was - now), sorted(now - was)
    lines = []
    new_edge = prereq_edge(new) if new else None
    if new_edge in gained:
        lines.append(
            f"{after.name(new_edge[0])} now comes after {after.name(new_edge[1])} in the study order"
        )
    if old_edge in lost:
        lines.append(f"{before.name(old_edge[0])} no longer comes after {before.name(old_edge[1])}")
    more_gained = [p for p in gained if p != new_edge]
    more_lost = [p for p in lost if p != old_edge]
    if more_gained:
        listed = _some(after, more_gained, new_edge)
        lines.append(f"and {_pairs(len(more_gained), 'more pair')} follow from it: {listed}")
    if more_lost:
        verb, only = ("rejecting this", "it") if action == "reject" else ("this", "the old reading")
        listed = _some(before, more_lost, old_edge)
        lines.append(f"{verb} also drops {_pairs(len(more_lost))} that only {only} implied: {listed}")
    if not lines:
        kept = f"; {_after(before, old_edge)} still holds through another chain" if old_edge in now else ""
        lines.append("the study order does not change" + kept)
    return lines


# --- applying decisions ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One applied decision: the relation as it was, the one it left (None when rejected), and what
    it settled."""

    action: str
    old: dict[str, Any]
    new: dict[str, Any] | None
    lines: list[str]


def check_writable(folder: Path) -> None:
    """Refuse to review a graph dlgraph ships: its files are inside the package (or the checkout's data)."""
    here = Path(folder).resolve()
    for shipped in (Path(__file__).resolve().parent, store.bundled_data_dir().resolve()):
        if here == shipped or shipped in here.parents:
            raise UsageError(
                f"{folder} ships with dlgraph and is never written; copy it (cp -r {folder} my-graph) "
                "and review the copy: dlgraph --data-dir my-graph review"
            )


class Review:
    """A review of one graph folder: applies decisions one at a time, each saved at once.

    The folder's ``relations.json``, ``rejected.json`` and ``decisions.json`` change together, in one
    :func:`dlgraph.store.save_files` call per decision. A ``relations.json`` changed by someone else
    since the review started is never overwritten.
    """

    def __init__(self, cg: ConceptGraph, folder: str | os.PathLike[str]):
        self.folder = Path(folder)
        check_writable(self.folder)
        self.cg = cg
        self.rejected = store.load_rejected(self.folder)
        self.decisions = load_decisions(self.folder)
        self.counts: Counter[str] = Counter()
        self._on_disk = self._relations_bytes()
        self._start = cg
        self._reach: Reach | None = None

    @property
    def reach(self) -> Reach:
        """The study-order closure of the graph as it is now, computed once per decision."""
        if self._reach is None:
            self._reach = Reach(self.cg.prereq)
        return self._reach

    def assess(self, item: Item) -> Item:
        """``item`` as the graph stands now: what it settles changes with earlier decisions."""
        if self.cg is self._start:
            return item
        return assess(self.cg, [self._current(item.relation)], self.reach)[0]

    def _relations_bytes(self) -> bytes:
        return store.read_bytes(self.folder / store.RELATIONS_FILE)

    def _current(self, relation: dict[str, Any]) -> dict[str, Any]:
        for r in self.cg.dataset.relations:
            if triple(r) == triple(relation):
                return r
        raise DecisionRefused(f"{' '.join(triple(relation))} is no longer in the graph")

    def apply(self, relation: dict[str, Any], action: str, new_type: str | None = None) -> Outcome:
        """Apply ``keep``, ``reject``, ``retype`` (to ``new_type``) or ``reverse`` to a pending relation
        and save it. Raises :class:`~dlgraph.errors.DecisionRefused` (nothing written) when the result
        would not be a valid graph."""
        from .graph import ConceptGraph, cycles

        before = self.cg
        old = self._current(relation)
        new = _changed(before, old, action, new_type)
        relations = [r for r in before.dataset.relations if r is not old]
        if new is not None:
            twin = next((r for r in relations if _same(r, triple(new))), None)
            if twin is not None:
                raise DecisionRefused(
                    f"{sentence(before, twin)} is already in the graph; reject this one (n) instead"
                )
            relations.append(new)
        dataset = store.Dataset(before.dataset.concepts, relations, self.folder)
        after = ConceptGraph(dataset)
        errors = store.problems(dataset)[0] or cycles(after)
        if errors:
            why = errors[0].removeprefix(f"{store.RELATIONS_FILE}: ")
            raise DecisionRefused(f"not changed: {sentence(before, new or old)} would break the graph: {why}")
        settles: list[tuple[str, str]] = []
        if action == "keep" and (edge := prereq_edge(old)):
            givers = sum(1 for r in before.dataset.relations if prereq_edge(r) == edge)
            settles = self.reach.only_through(*edge) if givers == 1 else []
        rejected = self.rejected
        if action != "keep" and not any(_same(r, triple(old)) for r in rejected["relations"]):
            reason = {"reject": "rejected in review", "reverse": "reversed in review"}.get(
                action, f"retyped in review as {new_type}"
            )
            rejected = {**rejected, "relations": [*rejected["relations"], {**_key(old), "reason": reason}]}
        record = {**_key(old), "origin": old["origin"], "decision": action, "now": _key(new) if new else None}
        self._save(relations, rejected, [*self.decisions, record])
        reaches = (self.reach, Reach(after.prereq))
        self.cg, self.rejected, self._reach = after, rejected, reaches[1]
        self.decisions.append(record)
        self.counts[action] += 1
        lines = consequences(before, after, action, old, new, settles=settles, reaches=reaches)
        return Outcome(action, old, new, lines)

    def skip(self) -> None:
        self.counts["skip"] += 1

    def _save(
        self, relations: list[dict[str, Any]], rejected: dict[str, list[Any]], decisions: list[Any]
    ) -> None:
        if self._relations_bytes() != self._on_disk:
            raise DlgraphError(
                f"{self.folder / store.RELATIONS_FILE} changed since the review started, so this decision "
                "was not saved; run `dlgraph review` again to go on"
            )
        text = store.dumps_relations(relations)
        files = {store.RELATIONS_FILE: text, DECISIONS_FILE: dumps_decisions(decisions)}
        if rejected is not self.rejected:
            files[store.REJECTED_FILE] = store.dumps_rejected(rejected)
        try:
            store.save_files(self.folder, files)
        except OSError as exc:
            raise DlgraphError(
                f"{self.folder}: cannot save the decision ({exc.strerror or exc}); it was not saved"
            ) from None
        self._on_disk = text.encode("utf-8")


def _key(r: dict[str, Any]) -> dict[str, str]:
    return {"source": r["source"], "type": r["type"], "target": r["target"]}


def _changed(
    cg: ConceptGraph, old: dict[str, Any], action: str, new_type: str | None
) -> dict[str, Any] | None:
    """The relation a decision leaves in place of ``old`` (None for a rejection); origin ``curated``."""
    if action == "reject":
        return None
    if action == "keep":
        return {**old, "origin": "curated"}
    if action == "retype":
        if new_type is None or new_type not in RELATION_TYPES:
            raise UsageError(f"t needs a relation type: a number 1-{len(RELATION_TYPES)} or a name")
        if new_type == old["type"]:
            raise DecisionRefused(f"it is already {new_type}; y keeps it as it is")
        new = {**old, "type": new_type, "origin": "curated"}
        if new_type not in LINEAGE_TYPES:
            new.pop(store.REFERENCE_KEY, None)
        return new
    if action == "reverse":
        if RELATION_TYPES[old["type"]].symmetric:
            raise DecisionRefused(f"{old['type']} reads the same both ways; t picks another type")
        new = {**old, "source": old["target"], "target": old["source"], "origin": "curated"}
        new.pop(store.REFERENCE_KEY, None)  # it named the work that introduced the old source
        return new
    raise UsageError(f"unknown decision {action!r}; one of {', '.join(DECISIONS)}")


# --- the decisions file, stats, and what a rebuild honoured -----------------------------------------------


def load_decisions(folder: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The folder's review decisions, oldest first (empty when it has no decisions file)."""
    path = Path(folder) / DECISIONS_FILE
    if not path.exists():
        return []
    data = store.read_json(path)
    ok = isinstance(data, list) and all(
        isinstance(d, dict)
        and all(isinstance(d.get(k), str) for k in ("source", "type", "target"))
        and d.get("decision") in DECISIONS
        and (
            d.get("now") is None
            or (isinstance(d["now"], dict) and all(isinstance(d["now"].get(k), str) for k in _TRIPLE_KEYS))
        )
        for d in data
    )
    if not ok:
        raise InvalidData(
            f'{path}: expected a list of {{"source", "type", "target", "decision", "now"}}; '
            "restore it, or delete it (the decisions themselves stay in relations.json and rejected.json)"
        )
    return data


_TRIPLE_KEYS = ("source", "type", "target")


def dumps_decisions(decisions: list[dict[str, Any]]) -> str:
    """The text of ``decisions.json``: one decision a line, in the order they were made."""
    lines = ["  " + json.dumps(d, ensure_ascii=False) for d in decisions]
    return "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"


def honoured(decisions: list[dict[str, Any]], relations: list[dict[str, Any]]) -> int:
    """How many decisions a set of relations keeps: each kept, retyped or reversed relation is there
    as the user left it (curated) with the proposal gone, and each rejected one is absent."""
    present = {triple(r): r for r in relations}

    def there(key: dict[str, str]) -> dict[str, Any] | None:
        t = (key["source"], key["type"], key["target"])
        spec = RELATION_TYPES.get(t[1])
        return present.get(t) or (present.get((t[2], t[1], t[0])) if spec and spec.symmetric else None)

    count = 0
    for d in decisions:
        old = there(d)
        if d["decision"] == "reject":
            count += old is None
            continue
        now = there(d["now"]) if d.get("now") else None
        moved = (d["source"], d["type"], d["target"]) != tuple(d["now"][k] for k in _TRIPLE_KEYS)
        count += now is not None and confirmed(now) and not (moved and old is not None)
    return count


def stats(cg: ConceptGraph, folder: str | os.PathLike[str]) -> dict[str, Any]:
    """How many relations are confirmed, pending and rejected, and what the reviews decided."""
    rejected = store.load_rejected(folder)
    decisions = load_decisions(folder)
    waiting = [r for r in cg.dataset.relations if not confirmed(r)]
    return {
        "directory": str(folder),
        "relations": len(cg.dataset.relations),
        "confirmed": len(cg.dataset.relations) - len(waiting),
        "pending": len(waiting),
        "rejected": len(rejected["relations"]),
        "pending_by_origin": dict(sorted(Counter(r["origin"] for r in waiting).items())),
        "pending_by_type": {t: n for t in RELATION_TYPES if (n := sum(r["type"] == t for r in waiting))},
        "decisions": {d: n for d in DECISIONS if (n := sum(x["decision"] == d for x in decisions))},
    }


def stats_lines(result: dict[str, Any], style: Any = None) -> list[str]:
    """``dlgraph review --stats`` as text."""
    origins = ", ".join(f"{n} {o}" for o, n in result["pending_by_origin"].items())
    lines = [
        f"{result['relations']} relations: {result['confirmed']} confirmed, {result['pending']} pending"
        + (f" ({origins})" if origins else "")
        + f"; {result['rejected']} rejected"
    ]
    if result["pending_by_type"]:
        lines.append(
            "pending by type: " + ", ".join(f"{t} {n}" for t, n in result["pending_by_type"].items())
        )
    if result["decisions"]:
        total = sum(result["decisions"].values())
        parts = ", ".join(f"{n} {DONE[d]}" for d, n in result["decisions"].items())
        lines.append(f"decided in review: {total} ({parts})")
    return lines


DONE = {"keep": "kept", "reject": "rejected", "retype": "retyped", "reverse": "reversed", "skip": "skipped"}


def summary_lines(review: Review, shown: int, total: int, why: str) -> list[str]:
    """The end of a review session: what was decided, what still waits, where it is saved."""
    decided = sum(review.counts[d] for d in DECISIONS)
    parts = ", ".join(f"{review.counts[d]} {DONE[d]}" for d in (*DECISIONS, "skip"))
    head = f"{why[0].upper()}{why[1:]}. " if why else ""
    left = sum(1 for r in review.cg.dataset.relations if not confirmed(r))
    lines = [f"{head}Reviewed {shown} of {total}: {parts}."]
    if decided:
        lines.append(
            f"Saved in {review.folder} ({store.RELATIONS_FILE}, {store.REJECTED_FILE}, {DECISIONS_FILE})."
        )
    lines.append(f"{left} relation{'' if left == 1 else 's'} still pending.")
    return lines
