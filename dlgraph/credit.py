"""Implicit credit down the prerequisite graph: a good review of a concept partly reviews what it builds on.

Math Academy's FIRe scheduler lets a successful review of an advanced topic count, discounted, as
practice of the topics it is made of: answering Adam exercises RMSprop and momentum, so the learner
is not asked RMSprop the day after. dlgraph does the same on its prerequisite view. Every number of
the rule lives in :data:`CREDIT`, the one place to read or tune it:

- only a ``good`` or ``easy`` review gives credit (never ``again`` or ``hard``);
- credit flows along prerequisite edges of the types in ``weights`` (``uses``, ``combines``,
  ``extends``, ``improves-on``, ``simplifies``, ``is-a``), each with its own weight: a concept that
  *combines* another exercises it more than one that merely *improves on* it;
- a path's credit is the product of its edges' weights times ``depth_discount`` for every step past
  the first; a prerequisite reached by several paths takes the best one; paths stop after
  ``max_depth`` steps or when the credit falls under ``min_credit``;
- only a prerequisite in FSRS's *review* state takes credit (one still in learning steps is being
  learned, not remembered), and only when it is nearly due: FSRS's recall odds for it under
  ``recall_below`` (0.95; the scheduler asks at 0.9);
- credit never moves a prerequisite's next review past the day its recall odds, from the stability
  of the learner's last real review of it alone, fall to ``floor`` (0.85);
- repetition compression (FIRe chooses which reviews to give so that one covers others): when a
  prerequisite is due, a session first asks a concept that credits it, if that concept is in review,
  due within ``compress_days`` (0: due today too, so only the order of the day's reviews changes)
  and recalled with odds of at least ``compress_recall`` (0.85), and if its credit would postpone
  the prerequisite past now; the one that covers the most due prerequisites goes first. Its good
  review then stands in for theirs; after ``again`` they are still asked.

A credit ``w`` (0 to 1) is a fraction of a ``good`` review (:func:`partial_review`): the memory's
stability moves ``w`` of the way toward what a full good review would give it, its difficulty and
last review time stay, so its next due date moves later (up to the floor's day) and nothing else
changes.

Why the last two rules. How much answering a concept really exercises what it builds on is not
known; when it exercises nothing, every credit is a review skipped for nothing, and a foundation
with many dependents is credited by each of them until its intervals stretch with no real review
(benchmarks/results.md, issue 17: 11 points of retention lost in simulation). A review of a fresh
memory does little (FSRS's own stability gain is near zero at high recall odds; FIRe discounts such
credit too), so credit is kept for memories close to their review, where it can stand in for one.
And the floor bounds the cost when the credit was wrong, in the quantity it costs: the recall odds
the learner's own reviews promise are never let below ``floor`` before the learner is asked again,
however many dependents credit it. Credit can postpone a review; it cannot stand in for all of them.
(That last review's stability is FSRS's, computed from the credited one before it, so the bound is
the learner's own only until the first credited cycle; it still holds each cycle's postponement.)
Measured in benchmarks/results.md: it keeps retention at no transfer within 2 points; at transfer
0.3 it saves 15% of the cards shown and 21% of the reviews (Anki's Review and Relearn) on the bundled
graph, 7% and 11% on the field graph, so the 20% issue 17 asked for is reached only in reviews, only
on the bundled graph.

Examples
--------
>>> CREDIT.weights["combines"], CREDIT.depth_discount
(0.6, 0.5)
>>> round(path_credit(["combines", "improves-on"]), 2)  # Adam -> RMSprop -> Adagrad
0.12
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fsrs import Scheduler

    from .graph import ConceptGraph

#: FSRS's card states, as ``Card.to_dict()`` stores them.
LEARNING, REVIEW, RELEARNING = 1, 2, 3


@dataclass(frozen=True)
class CreditRules:
    """Every parameter of implicit credit (see the module docstring for how each is used)."""

    weights: Mapping[str, float] = field(
        default_factory=lambda: {
            "combines": 0.6,
            "extends": 0.6,
            "uses": 0.5,
            "improves-on": 0.4,
            "simplifies": 0.4,
            "is-a": 0.3,
        }
    )
    depth_discount: float = 0.5
    max_depth: int = 3
    min_credit: float = 0.05
    #: Ratings that give credit: good (3) and easy (4).
    ratings: frozenset[int] = frozenset({3, 4})
    #: Credit only a prerequisite whose recall odds (FSRS's, credit included) are under this: a
    #: nearly due memory, as a review of a fresh one does little.
    recall_below: float = 0.95
    #: Credit never postpones a review past the day the recall odds from the learner's last real
    #: review alone (no credit) fall to this: what a wrong credit may cost is bounded (``None``:
    #: no bound).
    floor: float | None = 0.85
    #: A known prerequisite whose recall odds are under this is *shaky*: after a failed review of a
    #: concept that needs it, the weakest shaky prerequisite is asked first.
    shaky: float = 0.8
    #: Repetition compression (FIRe): when a prerequisite is due, ask first a concept that credits
    #: it and is itself in review, due within this many days (0: due today) and recalled with odds
    #: of at least ``compress_recall``, so that its good review covers the prerequisite (``None``:
    #: off, reviews in due order).
    compress_days: float | None = 0.0
    compress_recall: float = 0.85


CREDIT = CreditRules()


def path_credit(types: Sequence[str], rules: CreditRules = CREDIT) -> float:
    """The credit one path of prerequisite edges (their relation types, nearest first) carries."""
    credit = 1.0
    for depth, kind in enumerate(types):
        credit *= rules.weights.get(kind, 0.0) * (rules.depth_discount if depth else 1.0)
    return credit


def credit_targets(cg: ConceptGraph, cid: str, rules: CreditRules = CREDIT) -> dict[str, float]:
    """Each prerequisite of ``cid`` that a good review of it credits, with the best path's credit."""
    best: dict[str, float] = {}
    frontier = [(cid, 1.0)]
    for depth in range(rules.max_depth):
        reached: dict[str, float] = {}
        for node, credit in frontier:
            for need, relation in cg.requires(node).items():
                weight = rules.weights.get(relation["type"], 0.0)
                value = credit * weight * (rules.depth_discount if depth else 1.0)
                if value < rules.min_credit or need == cid or value <= best.get(need, 0.0):
                    continue
                best[need] = value
                reached[need] = max(value, reached.get(need, 0.0))
        frontier = sorted(reached.items())
    return best


def partial_review(
    card: dict[str, Any], credit: float, now: datetime, scheduler: Scheduler, rules: CreditRules = CREDIT
) -> dict[str, Any]:
    """The FSRS card after ``credit`` (0 to 1) of a good review at ``now``; unchanged if not in review,
    if its recall odds are ``rules.recall_below`` or more, or if its due date is at the floor already.

    Stability moves ``credit`` of the way toward a full good review's; difficulty and the last
    review time stay, so recall odds rise and the due date moves later (never earlier), but never
    past the day the stability the learner's last real review gave it (kept in the card dict as
    ``implicit_base`` at the first credit; a review the learner gives starts a new dict, without
    it) brings recall odds down to ``rules.floor``.
    """
    from fsrs import Card, Rating

    if card.get("state") != REVIEW or not card.get("stability") or credit <= 0:
        return card
    before = Card.from_dict(card)
    if scheduler.get_card_retrievability(before, now) >= rules.recall_below:
        return card
    assert before.last_review is not None
    base = float(card.get("implicit_base", before.stability))
    if rules.floor is not None:
        latest = before.last_review + timedelta(days=interval_days(base, scheduler, rules.floor))
        if before.due >= latest:
            return card
    full, _ = scheduler.review_card(before, Rating.Good, review_datetime=now)
    stability = before.stability + min(credit, 1.0) * max(0.0, full.stability - before.stability)
    after = Card.from_dict(card)
    after.stability = stability
    due = before.last_review + timedelta(days=interval_days(stability, scheduler))
    if rules.floor is not None:
        due = min(due, latest)
    after.due = max(before.due, due)
    return {**after.to_dict(), "implicit_base": base}


def interval_days(stability: float, scheduler: Scheduler, retention: float | None = None) -> int:
    """Whole days until recall odds fall to ``retention`` (the scheduler's desired retention if not
    given; FSRS's own formula)."""
    decay = -scheduler.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    days = stability / factor * ((retention or scheduler.desired_retention) ** (1 / decay) - 1)
    return int(min(max(round(days), 1), scheduler.maximum_interval))
