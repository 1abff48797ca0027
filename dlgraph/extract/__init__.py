"""Concepts and typed relations from cards, with a rule-based spaCy pipeline.

A card's question names the subject (:mod:`.questions`); concepts mentioned in its answer are the
objects (:mod:`.mentions`). A relation cue earlier in the same clause ("combines", "replaces ...
with", "relies on") types the edge (:mod:`.cues`); without one the edge is ``related-to``, and only
from the answer's opening statement (a later clause with no cue is about something else). Every
relation keeps the sentence it came from (:mod:`.relations`). An answer's words, clauses and
sentences are read once (:mod:`.tokens`); phrases nobody listed may become new concepts
(:mod:`.phrases`); what was found becomes one relation per pair and type (:mod:`.edges`).

Nothing here loads a model by itself except :func:`make_pipeline` (:mod:`.pipeline`), which builds
the pipeline (``spacy.blank("en")`` unless a trained one is asked for); every other function takes
``nlp``.

Examples
--------
>>> concepts = [{"id": "adam", "name": "Adam", "aliases": [], "kind": "algorithm"},
...             {"id": "rmsprop", "name": "RMSprop", "aliases": [], "kind": "algorithm"}]
>>> nlp = make_pipeline(concepts)
>>> cards = [Card("Adam", "combines RMSProp and momentum")]
>>> [(r["source"], r["type"], r["target"]) for r in extract(cards, nlp, concepts, [["adam"]]).relations]
[('adam', 'combines', 'rmsprop')]
"""

from ..decks import Card
from .cues import CUE_PHRASES, CUES_KEY, FALLBACK_TYPE, cue_patterns
from .mentions import (
    CONCEPTS_KEY,
    EVERYDAY_WORDS,
    ConceptMatcher,
    case_sensitive,
    concept_patterns,
    everyday,
    label_variants,
    singular,
)
from .pipeline import make_pipeline
from .questions import card_concepts, concept_id, question_terms
from .relations import DeckExtraction, Extraction, extract, extract_deck

__all__ = [
    "CONCEPTS_KEY",
    "CUES_KEY",
    "CUE_PHRASES",
    "EVERYDAY_WORDS",
    "FALLBACK_TYPE",
    "Card",
    "ConceptMatcher",
    "DeckExtraction",
    "Extraction",
    "card_concepts",
    "case_sensitive",
    "concept_id",
    "concept_patterns",
    "cue_patterns",
    "everyday",
    "extract",
    "extract_deck",
    "label_variants",
    "make_pipeline",
    "question_terms",
    "singular",
]
