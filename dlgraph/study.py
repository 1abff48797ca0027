"""Study sessions: FSRS spaced repetition over the concepts, new ones introduced in prerequisite order.

Anki knows *when* to show a card, the prerequisite graph knows *what to learn first*; a session uses
both. It shows the cards due for review first (most overdue first), then new concepts in the study
order of :func:`dlgraph.graph.prerequisites` toward a target (or of the whole prerequisite DAG), each
only once its prerequisites have been reviewed (``prereq_reviews`` times, 1 by default). Scheduling is
the ``fsrs`` package's (the scheduler modern Anki uses); storage is :mod:`dlgraph.progress`.

A card is a concept: the question is its name, the answer its definition and what it builds on.
Each card is shown at most once per session; a card rated *again* comes back in the next session.

Examples
--------
>>> parse_rating("Good"), parse_rating("1")
(3, 1)
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from . import graph
from .errors import UsageError
from .progress import CardState, Progress, utc_text
from .vocabulary import TOPICS

RATINGS: dict[str, int] = {"again": 1, "hard": 2, "good": 3, "easy": 4}
RATING_NAMES: dict[int, str] = {value: name for name, value in RATINGS.items()}

Clock = Callable[[], datetime]

#: What ``dlgraph progress`` counts, said the same way in its text and JSON.
DEFINITION = "known = reviewed at least once; due = known and due for review now; new = never reviewed"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def parse_rating(text: str) -> int:
    """1-4 from a rating word (again, hard, good, easy) or digit; anything else is a UsageError."""
    word = text.strip().casefold()
    if word in RATINGS:
        return RATINGS[word]
    if word in {"1", "2", "3", "4"}:
        return int(word)
    shown = text.strip() if len(text.strip()) <= 40 else text.strip()[:40] + "..."  # a line of /dev/zero
    raise UsageError(f"{shown!r} is not a rating; use again, hard, good, easy (or 1-4)")


def schedule(stored: dict[str, Any] | None, concept_id: str, rating: int, now: datetime) -> dict[str, Any]:
    """The FSRS card after ``rating`` at ``now``; a concept never reviewed starts as a fresh card."""
    from fsrs import Card, Rating, Scheduler

    if stored is None:
        # A stable id from the concept id: fsrs's default (creation time) sleeps 1 ms per new card.
        card = Card(card_id=zlib.crc32(concept_id.encode("utf-8")), due=now)
    else:
        card = Card.from_dict(stored)
    reviewed, _log = Scheduler().review_card(card, Rating(rating), review_datetime=now)
    return reviewed.to_dict()


def study_order(
    cg: graph.ConceptGraph, target: str | None = None, known: set[str] | None = None
) -> list[str]:
    """Concept ids in an order that puts every prerequisite first.

    Toward ``target``: :func:`dlgraph.graph.prerequisites` (what is ``known`` dropped, with what is
    needed only through it), then the target itself. The whole deck: the prerequisite DAG layer by
    layer, as ``prerequisites`` orders it, alphabetically within a layer.
    """
    if target is not None:
        plan = graph.prerequisites(cg, target, known=sorted(set(known or ()) & set(cg.concepts)))
        return [item["id"] for item in plan["prerequisites"]] + [plan["concept"]["id"]]
    return graph.layered_order(cg, cg.prereq)


@dataclass(frozen=True)
class StudyCard:
    """One card to show: the question, the answer, and why it is shown now."""

    id: str
    name: str
    topic: str
    kind: str
    answer: str
    builds_on: list[str]
    new: bool
    due: datetime | None = None


@dataclass
class Session:
    """A review session on one progress file; ask :meth:`next_card`, answer with :meth:`rate`.

    The queue is worked out afresh before every card from what the file holds, so ratings given in
    this session unlock new concepts at once, and a second session on the same file is respected.
    """

    cg: graph.ConceptGraph
    store: Progress
    target: str | None = None
    limit: int = 10
    prereq_reviews: int = 1
    clock: Clock = utc_now
    shown: list[str] = field(default_factory=list)
    ratings: Counter[str] = field(default_factory=Counter)
    new_shown: int = 0

    def __post_init__(self) -> None:
        if self.limit < 0 or self.prereq_reviews < 0:
            raise UsageError("--limit and --prereq-reviews must be 0 or more")
        self._order = study_order(self.cg, self.target, self.store.reviewed_ids())

    def next_card(self) -> StudyCard | None:
        """The most overdue due card, else the next new concept whose prerequisites are reviewed."""
        states = self.store.cards()
        now = self.clock()
        due = [s for s in states.values() if s.due <= now and s.concept_id in self.cg.concepts]
        due = [s for s in due if s.concept_id not in self.shown]
        if due:
            first = min(due, key=lambda s: (s.due, *self.cg.sort_key(s.concept_id)))
            return self._card(first.concept_id, new=False, due=first.due)
        if self.new_shown >= self.limit:
            return None
        for cid in self._order:
            if cid not in states and cid not in self.shown and self._unlocked(cid, states):
                return self._card(cid, new=True)
        return None

    def waiting(self) -> list[str]:
        """New concepts on the way that wait for a prerequisite to be reviewed (enough times)."""
        states = self.store.cards()
        return [
            cid
            for cid in self._order
            if cid not in states and cid not in self.shown and not self._unlocked(cid, states)
        ]

    def _unlocked(self, cid: str, states: dict[str, CardState]) -> bool:
        def reviews(p: str) -> int:
            return states[p].reviews if p in states else 0

        return all(reviews(p) >= self.prereq_reviews for p in self.cg.prereq.successors(cid))

    def _card(self, cid: str, *, new: bool, due: datetime | None = None) -> StudyCard:
        concept = self.cg.concepts[cid]
        needs = sorted((self.cg.name(p) for p in self.cg.prereq.successors(cid)), key=str.casefold)
        return StudyCard(
            cid, concept["name"], concept["topic"], concept["kind"], concept["definition"], needs, new, due
        )

    def rate(self, card: StudyCard, rating: int) -> timedelta:
        """Save one rating (one transaction) and return how long until the card is due again."""
        now = self.clock()
        stored = self.store.record(card.id, rating, lambda old: schedule(old, card.id, rating, now), now)
        self.shown.append(card.id)
        self.ratings[RATING_NAMES[rating]] += 1
        if card.new:
            self.new_shown += 1
        return datetime.fromisoformat(stored["due"]) - now

    def summary(self) -> dict[str, Any]:
        states = self.store.cards()
        upcoming = [s.due for s in states.values() if s.concept_id in self.cg.concepts]
        return {
            "progress_file": str(self.store.path),
            "target": self.cg.ref(self.target) if self.target else None,
            "reviewed": len(self.shown),
            "new": self.new_shown,
            "limit": self.limit,
            "ratings": {name: self.ratings[name] for name in RATINGS},
            "waiting": [self.cg.ref(c) for c in self.waiting()],
            "to_learn": sum(1 for cid in self._order if cid not in states),
            "next_due": utc_text(min(upcoming)) if upcoming else None,
        }


# --- progress summary ------------------------------------------------------------------------------


def progress_summary(
    cg: graph.ConceptGraph, states: dict[str, CardState] | None, path: str, now: datetime | None = None
) -> dict[str, Any]:
    """Known, due and new concepts per topic. Known = reviewed at least once; due = known and due now.

    ``states`` is None when there is no progress file yet: everything is new.
    """
    now = now or utc_now()
    exists = states is not None
    states = states or {}
    rows: dict[str, Counter[str]] = {}
    for cid, concept in cg.concepts.items():
        row = rows.setdefault(concept["topic"], Counter())
        row["total"] += 1
        state = states.get(cid)
        if state is None:
            row["new"] += 1
            continue
        row["known"] += 1
        if state.due <= now:
            row["due"] += 1
    order = [t for t in TOPICS if t in rows] + sorted(set(rows) - set(TOPICS))
    columns = ("known", "due", "new", "total")
    topics = [{"topic": t, **{c: rows[t][c] for c in columns}} for t in order]
    total = {c: sum(r[c] for r in topics) for c in columns}
    upcoming = [s.due for cid, s in states.items() if cid in cg.concepts]
    return {
        "progress_file": path,
        "exists": exists,
        "now": utc_text(now),
        "definition": DEFINITION,
        "topics": topics,
        "total": total,
        "next_due": utc_text(min(upcoming)) if upcoming else None,
        "not_in_graph": sorted(cid for cid in states if cid not in cg.concepts),
    }


def when(moment: datetime, now: datetime) -> str:
    """A due time as people say it: ``now``, ``in 10 minutes``, ``in 3 days``.

    >>> start = datetime(2030, 1, 1, tzinfo=timezone.utc)
    >>> when(start.replace(minute=10), start), when(start.replace(day=4), start)
    ('in 10 minutes', 'in 3 days')
    """
    return wait(moment - now)


def wait(delta: timedelta) -> str:
    """A time span as people say it, rounded to whole minutes, hours or days.

    >>> wait(timedelta(minutes=5, seconds=30)), wait(timedelta(hours=23))
    ('in 6 minutes', 'in 23 hours')
    """
    seconds = delta.total_seconds()
    if seconds <= 30:
        return "now"
    unit, size = ("minute", 60) if seconds < 3600 else ("hour", 3600) if seconds < 86400 else ("day", 86400)
    count = max(1, round(seconds / size))
    return f"in {count} {unit}" + ("" if count == 1 else "s")


def progress_report(result: dict[str, Any], style: Callable[..., str]) -> list[str]:
    """``dlgraph progress`` as text: one row per topic."""
    lines = [f"Progress file: {result['progress_file']}"]
    if not result["exists"]:
        lines.append("No reviews yet: run `dlgraph study` to start.")
    lines.append(DEFINITION[0].upper() + DEFINITION[1:] + ".")
    lines.append("")
    width = max(len(r["topic"]) for r in [*result["topics"], {"topic": "all topics"}])
    header = f"{'topic':<{width}}  {'known':>5}  {'due':>5}  {'new':>5}  {'total':>5}"
    lines.append(style(header, bold=True))
    for row in [*result["topics"], {"topic": "all topics", **result["total"]}]:
        lines.append(
            f"{row['topic']:<{width}}  {row['known']:>5}  {row['due']:>5}  {row['new']:>5}  {row['total']:>5}"
        )
    if result["next_due"]:
        now = datetime.fromisoformat(result["now"].replace("Z", "+00:00"))
        due = datetime.fromisoformat(result["next_due"].replace("Z", "+00:00"))
        lines.append("")
        lines.append(f"Next review: {due:%Y-%m-%d %H:%M} UTC ({when(due, now)}).")
    if result["not_in_graph"]:
        lines.append(f"{len(result['not_in_graph'])} reviewed concepts are not in this graph.")
    return lines


def session_report(summary: dict[str, Any], why: str, style: Callable[..., str]) -> list[str]:
    """The end of a ``dlgraph study`` session: what was rated, what waits, when to come back.

    ``why`` is how it ended early (``stopped``, ``end of input``, ``end of ratings``), or empty.
    """
    lines = []
    if summary["reviewed"] == 0 and not why:
        lines.append("Nothing to study now: no card is due and no new concept is ready.")
    else:
        counts = ", ".join(f"{name} {count}" for name, count in summary["ratings"].items())
        head = f"{why[0].upper()}{why[1:]}. " if why else ""
        reviews = summary["reviewed"] - summary["new"]
        lines.append(
            style(f"{head}Session over: {_count(summary['reviewed'], 'card')}", bold=True)
            + f" ({summary['new']} new, {_count(reviews, 'review')}): {counts}."
        )
    lines.append(f"Progress saved in {summary['progress_file']}.")
    goal = f" toward {summary['target']['name']}" if summary["target"] else ""
    if summary["to_learn"]:
        lines.append(f"{_count(summary['to_learn'], 'new concept')} still to learn{goal}.")
    else:
        lines.append(f"Every concept{goal} has been reviewed at least once.")
    # Only worth saying when the gate, not the limit or the learner, ended the new cards.
    if summary["waiting"] and not why and summary["new"] < summary["limit"]:
        names = [w["name"] for w in summary["waiting"]]
        more = f" and {len(names) - 5} more" if len(names) > 5 else ""
        lines.append(
            f"{_count(len(names), 'new concept')} waiting for prerequisites to be reviewed: "
            + ", ".join(names[:5])
            + more
            + "."
        )
    if summary["next_due"]:
        due = datetime.fromisoformat(summary["next_due"].replace("Z", "+00:00"))
        lines.append(f"Next review: {due:%Y-%m-%d %H:%M} UTC ({when(due, utc_now())}).")
    return lines


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
