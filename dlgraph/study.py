"""Study sessions as Anki runs them, in prerequisite order, with implicit credit down the graph.

Anki knows *when* to show a card, the prerequisite graph knows *what to learn first*; a session uses
both. Like Anki, it shows learning cards whose step is due, then the reviews that are due (most
overdue first, except that a concept whose good review would cover a due prerequisite goes before
it: repetition compression, :mod:`dlgraph.credit`), then new concepts in the study order of
:func:`dlgraph.graph.prerequisites` toward a target (or of the whole prerequisite DAG), each only
once its prerequisites have been reviewed (``prereq_reviews`` times, 1 by default). A new card
climbs the learning steps (1 and 10 minutes by default); a card rated *again* or *hard* comes back
later in the same session, and when nothing else is left the next learning card due within
:data:`LEARN_AHEAD` is shown early, as Anki does.
Scheduling is the ``fsrs`` package's (the scheduler modern Anki uses); storage is
:mod:`dlgraph.progress`; implicit credit (a good review of Adam partly reviews RMSprop) is
:mod:`dlgraph.credit`.

The card's front is the deck's question when the concept has a card, else "What is <name>?"; the
answer is the concept's definition (a deck concept's definition is its card's answer). The concept's
name is shown with the answer, not before, when the question does not already hold it, since it
would give the answer away ("CNN biological inspiration" is answered by Hubel and Wiesel).

Examples
--------
>>> parse_rating("Good"), parse_rating("1")
(3, 1)
>>> parse_steps("1m 10m 1d")
(datetime.timedelta(seconds=60), datetime.timedelta(seconds=600), datetime.timedelta(days=1))
"""

from __future__ import annotations

import os
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from . import graph
from .credit import CREDIT, LEARNING, RELEARNING, REVIEW, CreditRules, credit_targets, partial_review
from .errors import UsageError
from .progress import CardState, LogEntry, Progress, parse_utc, utc_text
from .vocabulary import TOPICS

RATINGS: dict[str, int] = {"again": 1, "hard": 2, "good": 3, "easy": 4}
RATING_NAMES: dict[int, str] = {value: name for name, value in RATINGS.items()}

Clock = Callable[[], datetime]

#: What ``dlgraph progress`` counts, said the same way in its text and JSON.
DEFINITION = "known = reviewed at least once; due = known and due for review now; new = never reviewed"

#: Anki's default learning steps (``--steps``), and its relearning step after a lapse.
DEFAULT_STEPS: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
RELEARNING_STEPS: tuple[timedelta, ...] = (timedelta(minutes=10),)
#: Anki's learn-ahead limit: with nothing else left, a learning card due this soon is shown early.
LEARN_AHEAD = timedelta(minutes=20)

_STEP = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


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


def parse_steps(text: str) -> tuple[timedelta, ...]:
    """Learning steps as Anki writes them (``1m 10m``, ``30s 5m 1h 1d``); ``""`` means none."""
    steps = []
    for word in text.replace(",", " ").split():
        found = _STEP.fullmatch(word.strip().casefold())
        if found is None or float(found[1]) <= 0:
            raise UsageError(f"--steps: {word!r} is not a step; write steps like '1m 10m' (s, m, h or d)")
        steps.append(timedelta(**{_UNITS[found[2]]: float(found[1])}))
    return tuple(steps)


def scheduler(steps: Iterable[timedelta] = DEFAULT_STEPS, *, fuzz: bool = True) -> Any:
    """An FSRS scheduler with these learning steps (Anki's relearning step; fuzz as Anki has it)."""
    from fsrs import Scheduler

    return Scheduler(learning_steps=tuple(steps), relearning_steps=RELEARNING_STEPS, enable_fuzzing=fuzz)


def schedule(
    stored: dict[str, Any] | None,
    concept_id: str,
    rating: int,
    now: datetime,
    steps: Iterable[timedelta] = DEFAULT_STEPS,
    *,
    fuzz: bool = True,
) -> dict[str, Any]:
    """The FSRS card after ``rating`` at ``now``; a concept never reviewed starts as a fresh card."""
    from fsrs import Rating

    reviewed, _log = scheduler(steps, fuzz=fuzz).review_card(
        _card(stored, concept_id, now), Rating(rating), now
    )
    return reviewed.to_dict()


def _card(stored: dict[str, Any] | None, concept_id: str, now: datetime) -> Any:
    from fsrs import Card

    if stored is None:
        # A stable id from the concept id: fsrs's default (creation time) sleeps 1 ms per new card.
        return Card(card_id=zlib.crc32(concept_id.encode("utf-8")), due=now)
    return Card.from_dict(stored)


def replay(
    log: list[LogEntry], concept_id: str, steps: Iterable[timedelta] = DEFAULT_STEPS
) -> dict[str, Any]:
    """A concept's FSRS card from its whole review log, in time order: ratings given here, reviews
    imported from Anki, and implicit credit, each applied as it was (fsrs's ``reschedule_card``,
    with credit). No fuzz, so a replay is the same every time."""
    from fsrs import Rating

    sched = scheduler(steps, fuzz=False)
    card: dict[str, Any] | None = None
    for entry in sorted(log, key=lambda e: e.reviewed_at):
        if entry.kind == "implicit":
            if card is not None:
                card = partial_review(card, entry.credit or 0.0, entry.reviewed_at, sched)
            continue
        start = _card(card, concept_id, entry.reviewed_at)
        card = sched.review_card(start, Rating(entry.rating), entry.reviewed_at)[0].to_dict()
    if card is None:
        raise ValueError(f"{concept_id}: no review to replay")
    return card


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


def front(concept: dict[str, Any]) -> str:
    """The question a concept is asked with: its card's front, else one made from its name."""
    return concept["card"] or f"What is {concept['name']}?"


@dataclass(frozen=True)
class StudyCard:
    """One card to show: the question (front), the answer, and why it is shown now.

    ``reason`` is ``new``, ``review``, ``repeat`` (a learning step of this session) or
    ``prerequisite`` (asked first after a failed review of a concept that needs it).
    ``name_hidden`` says the question does not hold the concept's name, so it is shown with the answer.
    """

    id: str
    name: str
    topic: str
    kind: str
    question: str
    answer: str
    builds_on: list[str]
    new: bool
    due: datetime | None = None
    reason: str = "new"
    name_hidden: bool = False


@dataclass(frozen=True)
class Outcome:
    """What one rating did: when the card is due again, the credit it gave, what is asked first now."""

    next_due: timedelta
    credited: dict[str, float] = field(default_factory=dict)
    first: str | None = None


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
    steps: tuple[timedelta, ...] = DEFAULT_STEPS
    implicit: bool = True
    rules: CreditRules = CREDIT
    fuzz: bool = True  # FSRS's interval fuzz, as Anki has it; off for simulations that must repeat
    shown: list[str] = field(default_factory=list)
    ratings: Counter[str] = field(default_factory=Counter)
    new_shown: int = 0
    repeats: int = 0
    credited: list[tuple[str, str, float]] = field(default_factory=list)  # (cause, prerequisite, credit)
    first: list[str] = field(default_factory=list)  # prerequisites to ask before anything else

    def __post_init__(self) -> None:
        if self.limit < 0 or self.prereq_reviews < 0:
            raise UsageError("--limit and --prereq-reviews must be 0 or more")
        self._order = study_order(self.cg, self.target, self.store.reviewed_ids())
        self._scheduler = scheduler(self.steps)
        self._reviewed: set[str] = set()  # review-state cards rated in this session
        self._targets: dict[str, dict[str, float]] = {}  # credit_targets, by concept (the graph stays)

    def _states(self) -> dict[str, CardState]:
        return {cid: s for cid, s in self.store.cards().items() if cid in self.cg.concepts}

    def next_card(self) -> StudyCard | None:
        """As Anki: a due learning step, the most overdue review, the next unlocked new concept, then
        (nothing else left) the next learning card due within :data:`LEARN_AHEAD`, shown early."""
        states = self._states()
        now = self.clock()
        if self.first:
            cid = self.first[0]
            return self._card(cid, new=cid not in states, reason="prerequisite")
        learning = [s for s in states.values() if s.card.get("state") in (LEARNING, RELEARNING)]
        due = [s for s in learning if s.due <= now]
        if due:
            return self._state_card(min(due, key=self._by_due), "repeat")
        reviews = [s for s in self._due_reviews(states, now)]
        if reviews:
            cover = self._covering(reviews, states, now)
            return self._state_card(cover or min(reviews, key=self._by_due), "review")
        if self.new_shown < self.limit:
            for cid in self._order:
                if cid not in states and self._unlocked(cid, states):
                    return self._card(cid, new=True)
        ahead = [s for s in learning if s.due <= now + LEARN_AHEAD]
        if ahead:
            return self._state_card(min(ahead, key=self._by_due), "repeat")
        return None

    def _covering(
        self, due: list[CardState], states: dict[str, CardState], now: datetime
    ) -> CardState | None:
        """Repetition compression (``rules.compress_days``): the review-state concept, due within the
        window and well recalled, whose good review would postpone the most due prerequisites past
        now; None when off, without implicit credit, or when no such concept exists."""
        from fsrs import Card

        rules = self.rules
        if not self.implicit or rules.compress_days is None:
            return None
        horizon = now + timedelta(days=rules.compress_days)
        due_ids = {s.concept_id for s in due}
        best: tuple[tuple[int, datetime, str, str], CardState] | None = None
        for s in states.values():
            if s.card.get("state") != REVIEW or s.due > horizon or s.concept_id in self._reviewed:
                continue
            needs = self._targets.get(s.concept_id)
            if needs is None:
                needs = self._targets[s.concept_id] = credit_targets(self.cg, s.concept_id, rules)
            covered = [
                p
                for p, w in needs.items()
                if p in due_ids
                and parse_utc(partial_review(states[p].card, w, now, self._scheduler, rules)["due"]) > now
            ]
            if not covered:
                continue
            if self._scheduler.get_card_retrievability(Card.from_dict(s.card), now) < rules.compress_recall:
                continue
            key = (-len(covered), *self._by_due(s))
            if best is None or key < best[0]:
                best = (key, s)
        return best[1] if best else None

    def _by_due(self, s: CardState) -> tuple[datetime, str, str]:
        return (s.due, *self.cg.sort_key(s.concept_id))

    def _due_reviews(self, states: dict[str, CardState], now: datetime) -> list[CardState]:
        return [
            s
            for s in states.values()
            if s.card.get("state", REVIEW) == REVIEW and s.due <= now and s.concept_id not in self._reviewed
        ]

    def _state_card(self, state: CardState, reason: str) -> StudyCard:
        return self._card(state.concept_id, new=False, due=state.due, reason=reason)

    def counts(self, current: StudyCard) -> dict[str, int]:
        """The progress line's numbers: this card's number, the session's (estimated) total, the
        learning cards that come back, the reviews due and the new cards still to come."""
        states = self._states()
        now = self.clock()
        soon = now + LEARN_AHEAD
        repeat = sum(
            1
            for s in states.values()
            if s.card.get("state") in (LEARNING, RELEARNING) and s.due <= soon and s.concept_id != current.id
        )
        reviews = sum(1 for s in self._due_reviews(states, now) if s.concept_id != current.id)
        reviews += sum(1 for cid in self.first if cid != current.id)
        fresh = sum(1 for cid in self._order if cid not in states and cid != current.id)
        new_left = max(0, min(self.limit - self.new_shown - int(current.new), fresh))
        number = len(self.shown) + 1
        return {
            "number": number,
            "total": number + repeat + reviews + new_left,
            "repeat": repeat,
            "reviews": reviews,
            "new": new_left,
        }

    def waiting(self) -> list[str]:
        """New concepts on the way that wait for a prerequisite to be reviewed (enough times)."""
        states = self.store.cards()
        return [cid for cid in self._order if cid not in states and not self._unlocked(cid, states)]

    def _unlocked(self, cid: str, states: dict[str, CardState]) -> bool:
        def reviews(p: str) -> int:
            return states[p].reviews if p in states else 0

        return all(reviews(p) >= self.prereq_reviews for p in self.cg.prereq.successors(cid))

    def _card(
        self, cid: str, *, new: bool, due: datetime | None = None, reason: str | None = None
    ) -> StudyCard:
        concept = self.cg.concepts[cid]
        needs = sorted((self.cg.name(p) for p in self.cg.prereq.successors(cid)), key=str.casefold)
        question = front(concept)
        hidden = concept["name"].casefold() not in question.casefold()
        return StudyCard(
            cid,
            concept["name"],
            concept["topic"],
            concept["kind"],
            question,
            concept["definition"],
            needs,
            new,
            due,
            reason or ("new" if new else "review"),
            hidden,
        )

    def rate(self, card: StudyCard, rating: int) -> Outcome:
        """Save one rating (one transaction), then the implicit credit it gives (a second one).

        A good or easy rating credits the prerequisites (:mod:`dlgraph.credit`); a failed one
        (``again``) asks the weakest shaky prerequisite of the card first, if it has one.
        """
        now = self.clock()
        stored = self.store.record(
            card.id, rating, lambda old: schedule(old, card.id, rating, now, self.steps, fuzz=self.fuzz), now
        )
        self.shown.append(card.id)
        self.ratings[RATING_NAMES[rating]] += 1
        if card.new:
            self.new_shown += 1
        if card.reason == "repeat":
            self.repeats += 1
        if self.first and self.first[0] == card.id:
            self.first.pop(0)
        if stored.get("state") == REVIEW:
            self._reviewed.add(card.id)
        credited: dict[str, float] = {}
        if self.implicit and rating in self.rules.ratings:
            targets = credit_targets(self.cg, card.id, self.rules)
            if targets:
                credited = self.store.record_implicit(
                    card.id,
                    targets,
                    lambda old, w: partial_review(old, w, now, self._scheduler, self.rules),
                    now,
                )
                self.credited += [(card.id, cid, w) for cid, w in credited.items()]
        weakest = self.weakest_prerequisite(card.id) if rating == 1 else None
        if weakest is not None and weakest not in self.first:
            self.first.append(weakest)
        return Outcome(datetime.fromisoformat(stored["due"]) - now, credited, weakest)

    def weakest_prerequisite(self, cid: str) -> str | None:
        """The direct prerequisite of ``cid`` least likely recalled now, if any is shaky (recall odds
        under ``rules.shaky``, or never reviewed)."""
        from fsrs import Card

        states = self.store.cards()
        now = self.clock()
        odds = {}
        for need in self.cg.prereq.successors(cid):
            state = states.get(need)
            odds[need] = (
                0.0
                if state is None
                else float(self._scheduler.get_card_retrievability(Card.from_dict(state.card), now))
            )
        shaky = [p for p, r in odds.items() if r < self.rules.shaky]
        return min(shaky, key=lambda p: (odds[p], *self.cg.sort_key(p))) if shaky else None

    def summary(self) -> dict[str, Any]:
        states = self._states()
        now = self.clock()
        upcoming = [s.due for s in states.values()]
        learning = [s for s in states.values() if s.card.get("state") in (LEARNING, RELEARNING)]
        return {
            "progress_file": str(self.store.path),
            "target": self.cg.ref(self.target) if self.target else None,
            "reviewed": len(self.shown),
            "new": self.new_shown,
            "repeats": self.repeats,
            "limit": self.limit,
            "ratings": {name: self.ratings[name] for name in RATINGS},
            "waiting": [self.cg.ref(c) for c in self.waiting()],
            "to_learn": sum(1 for cid in self._order if cid not in states),
            "learning": len(learning),
            "learning_due": utc_text(min(s.due for s in learning)) if learning else None,
            "implicit": [
                {"from": self.cg.ref(cause), "concept": self.cg.ref(cid), "credit": round(w, 3)}
                for cause, cid, w in self.credited
            ],
            "now": utc_text(now),
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


def progress_view(
    cg: graph.ConceptGraph,
    path: str | os.PathLike[str],
    *,
    from_anki: str | os.PathLike[str] | None = None,
    steps: Iterable[timedelta] = DEFAULT_STEPS,
    now: datetime | None = None,
    listing: bool = False,
    graph: str | None = None,
) -> dict[str, Any]:
    """``dlgraph progress``: :func:`progress_summary` with the Anki history and the implicit reviews
    (and with ``listing``, every known concept with its next review, those due first).

    With ``from_anki``, that file's review history is imported into the progress file first (made
    if need be). Without it, the history of the Anki deck the graph was built from (if any) is
    counted as it would be imported, but nothing is written.
    """
    from . import anki_history
    from .errors import DeckError

    where = Path(path)
    anki: dict[str, Any] | None = None
    if from_anki is not None:
        found = anki_history.history(cg, from_anki)
        assert found is not None
        with Progress.open(where, graph=graph) as store:
            anki = anki_history.sync(store, found[1], steps, found[0])
    states: dict[str, CardState] | None = None
    log: list[LogEntry] = []
    if where.exists():
        with Progress.open(where, create=False, graph=graph) as store:
            states, log = store.cards(), store.log()
    if from_anki is None:
        try:
            built = anki_history.history(cg)
        except DeckError:
            built = None
        if built is not None:
            source, reviews = built
            if reviews:
                states = anki_history.merged_states(states or {}, log, reviews, steps)
            total = sum(len(e) for e in reviews.values())
            anki = {"source": str(source), "added": 0, "concepts": 0, "reviews": total, "known": len(reviews)}
    result = progress_summary(cg, states, str(where), now)
    result["anki"] = anki
    implicit = [e for e in log if e.kind == "implicit" and e.concept_id in cg.concepts]
    result["implicit"] = {
        "count": len(implicit),
        "concepts": len({e.concept_id for e in implicit}),
        "recent": [
            {
                "concept": cg.ref(e.concept_id),
                "from": cg.ref(e.cause) if e.cause in cg.concepts else {"id": e.cause, "name": e.cause},
                "credit": round(e.credit or 0.0, 3),
                "at": utc_text(e.reviewed_at),
            }
            for e in reversed(implicit[-5:])
        ],
    }
    if listing:
        now_at = parse_utc(result["now"])
        known = sorted(
            (s for cid, s in (states or {}).items() if cid in cg.concepts),
            key=lambda s: (s.due, cg.sort_key(s.concept_id)),
        )
        result["concepts"] = [
            {
                **cg.ref(s.concept_id),
                "topic": cg.concepts[s.concept_id]["topic"],
                "reviews": s.reviews,
                "due": utc_text(s.due),
                "status": "due" if s.due <= now_at else "known",
            }
            for s in known
        ]
    return result


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
        n = len(result["not_in_graph"])
        lines.append(f"{_count(n, 'reviewed concept')} {'is' if n == 1 else 'are'} not in this graph.")
    anki = result.get("anki")
    if anki:
        lines.append("")
        if anki.get("message"):
            lines.append(anki["message"])
        else:
            lines.append(
                f"Anki history: {_count(anki['reviews'], 'review')} of {_count(anki['known'], 'concept')} "
                f"in {anki['source']}, counted above."
            )
    implicit = result.get("implicit")
    if implicit and implicit["count"]:
        lines.append("")
        lines.append(
            f"Implicit reviews: {implicit['count']} of {_count(implicit['concepts'], 'concept')} (credit a "
            "good review of a concept gave what it builds on); latest:"
        )
        for row in implicit["recent"]:
            lines.append(f"  {row['concept']['name']} from {row['from']['name']} ({row['credit']:.2f})")
    return lines


def session_report(summary: dict[str, Any], why: str, style: Callable[..., str]) -> list[str]:
    """The end of a ``dlgraph study`` session: what was rated, what waits, when to come back.

    ``why`` is how it ended early (``stopped``, ``end of input``, ``end of ratings``), or empty.
    """
    lines = []
    if summary["reviewed"] == 0 and not why and summary["limit"] == 0:
        lines.append(
            "Nothing due for review, and --limit 0 introduces no new concept; raise --limit to learn."
        )
    elif summary["reviewed"] == 0 and not why:
        lines.append("Nothing to study now: no card is due and no new concept is ready.")
    else:
        counts = ", ".join(f"{name} {count}" for name, count in summary["ratings"].items())
        head = f"{why[0].upper()}{why[1:]}. " if why else ""
        reviews = summary["reviewed"] - summary["new"] - summary["repeats"]
        repeats = f", {_count(summary['repeats'], 'repeat')}" if summary["repeats"] else ""
        lines.append(
            style(f"{head}Session over: {_count(summary['reviewed'], 'card')}", bold=True)
            + f" ({summary['new']} new, {_count(reviews, 'review')}{repeats}): {counts}."
        )
    if summary["implicit"]:
        names = sorted({c["concept"]["name"] for c in summary["implicit"]}, key=str.casefold)
        more = f" and {len(names) - 5} more" if len(names) > 5 else ""
        lines.append(
            f"Implicit credit: {_count(len(names), 'prerequisite')} reviewed in part by the cards that "
            f"build on them ({', '.join(names[:5])}{more})."
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
    now = datetime.fromisoformat(summary["now"].replace("Z", "+00:00"))
    if summary["learning"]:
        step = datetime.fromisoformat(summary["learning_due"].replace("Z", "+00:00"))
        lines.append(
            f"{_count(summary['learning'], 'card')} still in learning steps: the next one is due "
            f"{when(step, now)}."
        )
    if summary["next_due"] and summary["next_due"] != summary["learning_due"]:
        due = datetime.fromisoformat(summary["next_due"].replace("Z", "+00:00"))
        lines.append(f"Next review: {due:%Y-%m-%d %H:%M} UTC ({when(due, now)}).")
    return lines


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
