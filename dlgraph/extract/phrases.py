"""Phrases that may name a concept nobody listed: candidate spans in an answer, whether a run of
words reads like a name, which candidates a deck accepts, acronyms that abbreviate a known name, and
the terms a card links."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..vocabulary import DEFAULT_KIND
from .mentions import singular
from .questions import concept_id, spells_initials, word_initials
from .tokens import ACRONYM, Surface, Word, is_acronym, is_coined

if TYPE_CHECKING:
    from spacy.tokens import Doc


def candidates(
    doc: Doc, words: list[Word], covered: list[bool], parsed: bool, surface: Surface | None = None
) -> list[tuple[int, int, str]]:
    """Spans that may name a concept nobody listed: acronyms, and runs of 2-3 content words (or a
    parser's noun chunks). Returns ``(start, end, surface text)``, in text order."""
    if surface is None:
        surface = Surface(doc, words)
    found = []
    if parsed:
        for chunk in doc.noun_chunks:
            start = chunk.start
            while start < chunk.end and (doc[start].is_stop or not doc[start].is_alpha):
                start += 1
            if chunk.end - start >= 2 and not any(covered[start : chunk.end]):
                found.append((start, chunk.end, surface(start, chunk.end)))

    def flush(run: list[int]) -> None:
        if 2 <= len(run) <= 3 and plausible_name(words, run):
            found.append((run[0], run[-1] + 1, surface(run[0], run[-1] + 1)))

    # Only the uncovered acronyms and content words can start or extend a candidate: visit those.
    length = len(words)
    run: list[int] = []
    for i in [i for i, w in enumerate(words) if (w.acronym or w.content) and not covered[i]]:
        word = words[i]
        if run and i != run[-1] + 1:
            if len(run) > 1:
                flush(run)  # a word in between ended the run
            run = []
        if word.acronym:
            # "RoI Align": capitalised words right after an acronym belong to the name.
            end = i + 1
            while end < min(length, i + 3) and not covered[end] and words[end].title:
                end += 1
            found.append((i, end, surface(i, end)))
            run = []  # the words right before an acronym lead into it: no name of their own
        elif not parsed:
            run.append(i)
    if len(run) > 1:
        flush(run)
    return found


#: Words that make a phrase a description rather than a name ("following formula", "vast majority").
_GENERIC = frozenset(
    [
        "following",
        "total",
        "large",
        "small",
        "vast",
        "certain",
        "different",
        "possible",
        "particular",
        "new",
        "real",
        "complete",
        "detailed",
        "far",
        "actual",
        "maximum",
        "minimum",
        "many",
        "several",
        "various",
        "whole",
        "entire",
        "main",
        "specific",
        "given",
        "same",
        "other",
        "number",
        "majority",
        "kind",
        "type",
        "way",
        "part",
        "set",
        "lot",
        "example",
        "case",
        "detail",
        "use",
        "result",
        "value",
        # adjectives that judge or count rather than name ("common label", "single iteration")
        "common",
        "correct",
        "incorrect",
        "single",
        "simple",
        "typical",
        "usual",
        "overall",
        "additional",
        "important",
        "useful",
        "first",
        "second",
        "last",
        "next",
        "previous",
        "term",
    ]
)

#: Comparatives that open a judgement, not a name: "fewer parameters", "lower variance", "more data".
#: Only a phrase's first word is checked (a known name such as "evidence lower bound" is matched by
#: the ruler before any phrase is looked for).
_COMPARATIVES = frozenset(
    """fewer more less lower higher smaller larger bigger better worse greater faster slower deeper
    shallower wider narrower longer shorter cheaper simpler stronger weaker""".split()
)

#: Frequent English verbs in their base form: a phrase that starts with one is a predicate ("learn
#: effective classifier", "classify image"), and one that ends with one is a clause ("word appear").
#: Verbs that are as often nouns of the field (train, test, model, run, update) are not listed.
VERBS = frozenset(
    """learn classify predict involve offer appear make take give find keep let help show become seem
    provide require allow contain include produce perform determine represent describe indicate
    identify calculate compute improve increase decrease reduce create generate build apply assign
    convert transform maintain enable ensure avoid prevent detect capture choose select obtain achieve
    affect cause depend refer consist differ occur happen tend try want need know think say see get go
    come put call mean decide explain understand discover recognize distinguish evaluate compare
    combine separate divide multiply add remove replace""".split()
)


def third_person(verb: str) -> str:
    """A verb's third person singular: "learn" -> "learns", "try" -> "tries", "match" -> "matches".

    >>> [third_person(v) for v in ("learn", "try", "match", "mix", "play")]
    ['learns', 'tries', 'matches', 'mixes', 'plays']
    """
    if verb.endswith(("s", "x", "z", "ch", "sh", "o")):
        return verb + "es"
    if verb.endswith("y") and verb[-2:-1] not in tuple("aeiou"):
        return verb[:-1] + "ies"
    return verb + "s"


def plausible_name(words: list[Word], run: list[int]) -> bool:
    """A run of content words reads like a name: no generic word at either end, no verb form at
    its end ("dataset containing", "students admitted") or its start ("contains feature", "making
    prediction": English compounds take a singular modifier, so a leading "-s" word is a verb), not
    the tail of a hyphenated modifier ("high-dimensional space"), and not a proper name from a
    made-up example ("Glubbdubdrib University": names of the field are written in lowercase in
    prose, or are known already)."""
    start = run[0]
    hyphenated = start > 0 and words[start - 1].text == "-"
    return _plausible_ends(words[start].lower, words[run[-1]].lower, words[start].title, hyphenated)


@lru_cache(maxsize=1 << 16)
def _plausible_ends(first: str, last: str, title: bool, hyphenated: bool) -> bool:
    """:func:`plausible_name` from what it looks at (asked once per distinct phrase end)."""
    if first in _GENERIC or first in _COMPARATIVES or singular(last) in _GENERIC or last.endswith("ed"):
        return False
    if first in VERBS or last in VERBS:
        return False
    if last.endswith("ing") and last not in NOUN_ING:
        return False
    if first.endswith("ing") and first not in NOUN_ING:
        return False
    if first.endswith("s") and not first.endswith(("ss", "us", "is")):
        return False
    if hyphenated:
        return False
    return not title


#: Words ending in -ing that name things in machine learning ("deep learning", "max pooling").
NOUN_ING = frozenset(
    [
        "learning",
        "training",
        "pooling",
        "embedding",
        "clustering",
        "encoding",
        "sampling",
        "scaling",
        "smoothing",
        "padding",
        "hashing",
        "bagging",
        "boosting",
        "programming",
        "processing",
        "engineering",
        "mapping",
        "labeling",
        "labelling",
        "modeling",
        "modelling",
        "testing",
        "tuning",
        "computing",
        "reasoning",
        "filtering",
        "binning",
        "bucketing",
        "crossing",
    ]
)


def accept_candidates(
    cards_of: dict[str, set[int]],
    forms: dict[str, dict[str, int]],
    topics: dict[str, str],
    concepts: Sequence[dict[str, Any]],
    min_count: int,
    linked: set[str] = frozenset(),  # type: ignore[assignment]
) -> dict[str, dict[str, Any]]:
    """Candidate key -> new concept, for acronyms, for phrases seen in ``min_count`` cards, and for
    terms a card links (``linked``)."""
    taken = {c["id"] for c in concepts}
    accepted = {}
    for key in sorted(cards_of, key=lambda k: (min(cards_of[k]), k)):
        name = max(forms[key].items(), key=itemgetter(1))[0]  # as Counter.most_common(1) picks
        head = name.split(" ")[0]  # an acronym, alone or leading a name ("RoI Align")
        acronym = is_acronym(head) or is_coined(head)
        if not acronym and key not in linked and len(cards_of[key]) < min_count:
            continue
        cid = concept_id(name, taken)
        taken.add(cid)
        aliases = [f for f, _ in Counter(forms[key]).most_common(4) if f != name]
        accepted[key] = {
            "id": cid,
            "name": name,
            "aliases": aliases[:3],
            "topic": topics[key],
            "kind": DEFAULT_KIND,
            "definition": "",
            "card": None,
        }
    return accepted


def acronym_expansions(
    accepted: dict[str, dict[str, Any]], concepts: Sequence[dict[str, Any]]
) -> dict[str, str]:
    """Candidate key -> known concept id, for proposed acronyms that abbreviate exactly one known
    concept's name ("AUC" and "area under the ROC curve"): an alias, not an empty new concept."""
    out = {}
    by_ends: dict[tuple[str, str], list[tuple[str, list[str]]]] | None = None
    for key, concept in accepted.items():
        acronym = concept["name"]
        if not (ACRONYM.match(acronym) and acronym.isupper()):
            continue
        if by_ends is None:
            # Initials must start and end as the acronym does: index the names by those two letters
            # once, rather than spelling out every concept's initials for every acronym.
            by_ends = {}
            for c in concepts:
                heads = word_initials(c["name"])
                if len(heads) >= 2:
                    by_ends.setdefault((heads[0], heads[-1]), []).append((c["id"], heads))
        letters = acronym.lower()
        near = by_ends.get((letters[0], letters[-1]), [])
        matches = {cid for cid, heads in near if spells_initials(letters, heads)}
        if len(matches) == 1:
            out[key] = matches.pop()
    return out


#: The longest link text taken as a term: a longer one is a phrase or a sentence.
MAX_LINK_WORDS = 5


def link_spans(
    doc: Doc, text: str, links: Sequence[tuple[str, str]], covered: list[bool]
) -> list[tuple[int, int, str, str]]:
    """Token spans of the terms a card links that no concept mention covers yet: the first place
    each link's shown text occurs in the answer. Returns ``(start, end, surface text, term)``."""
    spans = []
    lowered = None
    for link, term in links:
        if len(link.split()) > MAX_LINK_WORDS or len(term.split()) > MAX_LINK_WORDS:
            continue
        at = text.find(link)
        if at < 0:
            lowered = lowered if lowered is not None else text.lower()
            at = lowered.find(link.lower())
        if at < 0:
            continue
        span = doc.char_span(at, at + len(link), alignment_mode="expand")
        if span is None or any(covered[span.start : span.end]) or not any(t.is_alpha for t in span):
            continue
        spans.append((span.start, span.end, span.text, term))
    return spans
