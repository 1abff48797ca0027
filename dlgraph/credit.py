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
  learned, not remembered).

A credit ``w`` (0 to 1) is a fraction of a ``good`` review (:func:`partial_review`): the memory's
stability moves ``w`` of the way toward what a full good review would give it, its difficulty and
last review time stay, so its next due date moves later and nothing else changes.

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
    #: How many times credit may postpone a prerequisite between two reviews the learner gives it:
    #: credit can stand in for a review, not for every review (at no real transfer, credit from
    #: many dependents would otherwise stretch a prerequisite's intervals without end).
    max_in_a_row: int = 2
    #: A known prerequisite whose recall odds are under this is *shaky*: after a failed review of a
    #: concept that needs it, the weakest shaky prerequisite is asked first.
    shaky: float = 0.8


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
    or if credit already postponed it ``rules.max_in_a_row`` times since the learner last reviewed it.

    Stability moves ``credit`` of the way toward a full good review's; difficulty and the last
    review time stay, so recall odds rise and the due date moves later (never earlier). The card
    dict counts the credits in a row (``implicit_in_a_row``); a review the learner gives starts a new
    dict, without it.
    """
    from fsrs import Card, Rating

    if card.get("state") != REVIEW or not card.get("stability") or credit <= 0:
        return card
    in_a_row = int(card.get("implicit_in_a_row", 0))
    if in_a_row >= rules.max_in_a_row:
        return card
    before = Card.from_dict(card)
    full, _ = scheduler.review_card(before, Rating.Good, review_datetime=now)
    stability = before.stability + min(credit, 1.0) * max(0.0, full.stability - before.stability)
    after = Card.from_dict(card)
    after.stability = stability
    assert before.last_review is not None
    due = before.last_review + timedelta(days=interval_days(stability, scheduler))
    after.due = max(before.due, due)
    return {**after.to_dict(), "implicit_in_a_row": in_a_row + 1}


def interval_days(stability: float, scheduler: Scheduler) -> int:
    """Whole days until recall odds fall to the scheduler's desired retention (FSRS's own formula)."""
    decay = -scheduler.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    days = stability / factor * (scheduler.desired_retention ** (1 / decay) - 1)
    return int(min(max(round(days), 1), scheduler.maximum_interval))
