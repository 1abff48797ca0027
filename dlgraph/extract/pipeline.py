"""The spaCy pipeline extraction runs: ``spacy.blank("en")`` (or an installed trained pipeline)
with a concept matcher and a cue ruler. The only place that loads a model."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import UsageError

if TYPE_CHECKING:
    from spacy.language import Language
from .cues import CUES_KEY, cue_patterns
from .mentions import ConceptMatcher

_GLUED = r"(?<=[a-z]{4})(?=[A-Z]{2,})"


_CAPITAL_STOP = r"(?<=[A-Z])\."


_BRACKET = r"(?<=\S)[()\[\]](?=\S)"


#: How many distinct whitespace-separated chunks the tokenizer remembers the tokens of. spaCy's
#: default, 10,000, is filled by the concept patterns alone (a field graph and a deck make some
#: 20,000 spellings), after which every word of every answer is split afresh: four times the work.
#: Each entry costs a few dozen bytes; the cache never changes what the tokens are.
TOKENIZER_CACHE = 250_000


def make_pipeline(concepts: Iterable[dict[str, Any]], model: str | None = None) -> Language:
    """A spaCy pipeline that marks concept mentions and relation cues.

    ``spacy.blank("en")`` by default; ``model`` names an installed trained pipeline (or its folder)
    whose parser then helps find subjects and objects. Two components do the work: a
    :class:`ConceptMatcher` over every spelling of the concept names and aliases, and a span ruler
    over the cue phrases. Without a parser or sentence recognizer, sentences end at ``.``, ``!`` and
    ``?`` (see :func:`.tokens.clauses`).
    """
    import spacy
    from spacy.language import Language

    if not Language.has_factory("dlgraph_concepts"):
        Language.factory("dlgraph_concepts")(ConceptMatcher)
    if model:
        try:
            nlp = spacy.load(model)
        except OSError:
            raise UsageError(
                f"no spaCy pipeline named {model!r} is installed; install it (e.g. `pip install "
                f"{model}` from a local wheel) or leave out --model to use the built-in rules"
            ) from None
    else:
        nlp = spacy.blank("en")
    # Split words glued to an acronym ("simplifiedLSTM", a typo the seed deck has) so both are seen.
    infixes = [*(nlp.Defaults.infixes or ()), _GLUED, _BRACKET]
    nlp.tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
    # "... cost of ViT. computes ..." ends a sentence: a period after a capital is a full stop here.
    suffixes = [*(nlp.Defaults.suffixes or ()), _CAPITAL_STOP]
    nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
    if hasattr(nlp.tokenizer, "max_cache_size"):  # raise the bound where this spaCy has one
        nlp.tokenizer.max_cache_size = max(nlp.tokenizer.max_cache_size, TOKENIZER_CACHE)
    matcher = nlp.add_pipe("dlgraph_concepts", name="concept_matcher", first=True)
    matcher.add_concepts(concepts)
    cues = nlp.add_pipe(
        "span_ruler",
        name="cue_ruler",
        after="concept_matcher",
        config={"spans_key": CUES_KEY, "phrase_matcher_attr": "LOWER", "validate": False},
    )
    cues.add_patterns(cue_patterns())
    return nlp
