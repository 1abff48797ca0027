"""Extraction quality against the gold we annotated (tests/data/gold/): floors that catch a regression.

The floors sit a little under today's figures, which are still under issue 13's goals (relation
precision >= 90%, recall >= 70%, concept precision >= 90%, related-to <= 30%); the exact figures,
and every false positive and negative, come from ``python benchmarks/quality.py``.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "gold"

FLOORS = {
    # Floors raised on 2026-12-02 (fourth session) to a few points under the figures then: seed
    # 91/81/70/30/52%, glossary 89/75/60/29/60%, held-out 92/62/51/29/51%. Concept recall floors
    # added in the fifth session, a few points under seed 76%, glossary 91%, holdout 70%, holdout2
    # 68%, holdout3 46%, holdout4 66% (field concepts a card names now join through any deck concept).
    # Relation floors raised in the sixth session to a few points under its end figures (precision,
    # exact precision, recall): seed 82/70/36%, glossary 78/64/37%, holdout 66/54/34%, holdout2
    # 52/39/20%, holdout3 65/38/18%, holdout4 55/33/23%.
    "seed": {
        "concept_precision": 0.88,
        "concept_recall": 0.72,
        "relation_precision_any": 0.76,
        "relation_precision_exact": 0.65,
        "relation_recall_any": 0.32,
        "graph_recall_any": 0.48,
    },
    "glossary": {
        "concept_precision": 0.86,
        "concept_recall": 0.87,
        "relation_precision_any": 0.70,
        "relation_precision_exact": 0.59,
        "relation_recall_any": 0.33,
        "graph_recall_any": 0.56,
    },
    # Written for this project and annotated blind; no rule was written looking at it before its
    # first measurement (at 3f84a09: relation precision 30%, exact 22%, recall 16%).
    "holdout": {
        "concept_precision": 0.89,
        "concept_recall": 0.66,
        "relation_precision_any": 0.61,
        "relation_precision_exact": 0.50,
        "relation_recall_any": 0.30,
        "graph_recall_any": 0.47,
    },
    # A second deck written and annotated blind (Anki plain text, six other topics). Its first
    # measurement, at c0c53f5: relation precision 40%, exact 30%, recall 12%, graph recall 37%.
    # Its misses were not read until 2026-12-02 (fifth session), when its false positives and negatives
    # were read and three rules drew on them (comparative phrases, term-before-colon questions, a
    # contrast before a gerund): from then on it is a development deck, not a blind one.
    "holdout2": {
        "concept_precision": 0.85,
        "concept_recall": 0.64,
        "relation_precision_any": 0.47,
        "relation_precision_exact": 0.34,
        "relation_recall_any": 0.17,
        "graph_recall_any": 0.33,
    },
    # A third blind deck (Obsidian, eight more topics), measured once at db84f8a and not read since:
    # relation precision 61%, exact 34%, recall 16%, graph recall 25% (ef2eb43: 51%, 29%, 13%, 18%).
    "holdout3": {
        "concept_precision": 0.80,
        "concept_recall": 0.42,
        "relation_precision_any": 0.55,
        "relation_precision_exact": 0.33,
        "relation_recall_any": 0.15,
        "graph_recall_any": 0.22,
    },
    # A fourth blind deck (Quizlet, 50 cards over the whole course), first measured at 9e4e6bd:
    # relation precision 47%, exact 21%, recall 18%, graph recall 40% (the code before that
    # session's rules, 8d987ee: 47%, 22%, 18%, 39%). Its misses are not read.
    "holdout4": {
        "concept_precision": 0.85,
        "concept_recall": 0.62,
        "relation_precision_any": 0.50,
        "relation_precision_exact": 0.28,
        "relation_recall_any": 0.20,
        "graph_recall_any": 0.35,
    },
}
# The gold decks are themselves about half related-to (glossary 48%, held-out 49%). A co-occurrence
# with no cue now links to the card's term only in the answer's opening statement, so the share fell
# (glossary 51% -> 43%, held-out 66% -> 45%, seed 30% -> 20%).
CEILINGS = {
    "seed": {"related_to_share": 0.30},
    "glossary": {"related_to_share": 0.47},
    "holdout": {"related_to_share": 0.48},
    "holdout2": {"related_to_share": 0.45},
    "holdout3": {"related_to_share": 0.45},
    "holdout4": {"related_to_share": 0.40},
}


def _quality():
    spec = importlib.util.spec_from_file_location("quality", ROOT / "benchmarks" / "quality.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_extraction_with_the_field_stays_above_its_floors(name):
    gold = json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))
    result = _quality().evaluate(gold, use_field=True)
    for key, floor in FLOORS[name].items():
        assert result[key] >= floor, (key, result[key])
    for key, ceiling in CEILINGS[name].items():
        assert result[key] <= ceiling, (key, result[key])


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_gold_is_well_formed(name):
    gold = json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))
    assert gold["rules"] and gold["cards"]
    for card in gold["cards"]:
        names = {n.casefold() for n in [*card["subject"], *card["concepts"]]}
        for source, kind, target in card["relations"]:
            assert kind in {
                "improves-on",
                "extends",
                "simplifies",
                "inspired-by",
                "combines",
                "uses",
                "part-of",
                "is-a",
                "addresses",
                "measures",
                "alternative-to",
                "related-to",
            }
            assert source.casefold() in names and target.casefold() in names, (
                card["question"],
                source,
                target,
            )
