"""Concepts and typed relations from cards, with a rule-based spaCy pipeline.

A card's question names the subject; concepts mentioned in its answer are the objects. A relation
cue earlier in the same clause ("combines", "replaces ... with", "relies on") types the edge;
without one the edge is ``related-to``. Every relation keeps the sentence it came from.

Nothing here loads a model by itself except :func:`make_pipeline`, which builds the pipeline
(``spacy.blank("en")`` unless a trained one is asked for); every other function takes ``nlp``.

Examples
--------
>>> concepts = [{"id": "adam", "name": "Adam", "aliases": [], "kind": "algorithm"},
...             {"id": "rmsprop", "name": "RMSprop", "aliases": [], "kind": "algorithm"}]
>>> nlp = make_pipeline(concepts)
>>> cards = [Card("Adam", "combines RMSProp and momentum")]
>>> [(r["source"], r["type"], r["target"]) for r in extract(cards, nlp, concepts, [["adam"]]).relations]
[('adam', 'combines', 'rmsprop')]
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .decks import Card
from .errors import UsageError
from .names import normalize, slugify
from .vocabulary import DEFAULT_KIND, DEFAULT_TOPIC, RELATION_TYPES

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

CONCEPTS_KEY = "dlgraph_concepts"
CUES_KEY = "dlgraph_cues"
FALLBACK_TYPE = "related-to"

#: Cue phrases (lowercase, space-separated tokens) for each relation type. The type names come from
#: :mod:`dlgraph.vocabulary`; a test checks each one is defined there.
CUE_PHRASES: dict[str, tuple[str, ...]] = {
    "combines": ("combine", "combines", "combined", "combining", "merge", "merges", "merged", "merging",
                 "together with", "mix of", "hybrid of"),
    "improves-on": ("improves on", "improves upon", "improvement over", "improvement on", "improves",
                    "improved", "replace", "replaces", "replaced", "replacing", "fixes", "fix", "fixed",
                    "fixing", "outperforms", "beats", "better than", "faster than", "supersedes",
                    "successor to", "successor of"),
    "extends": ("extends", "extend", "extended", "extension of", "builds on", "built on", "builds upon",
                "generalizes", "generalises", "generalization of", "generalisation of", "adds", "add",
                "added", "adding"),
    "simplifies": ("simplifies", "simplified", "simplify", "simplification of", "simpler version of",
                   "simpler than", "lighter version of"),
    "inspired-by": ("inspired by", "inspiration", "modelled on", "modeled on", "motivated by",
                    "borrows from", "borrowed from"),
    "uses": ("uses", "use", "used", "using", "relies on", "rely on", "relied on", "relying on",
             "depends on", "depend on", "employs", "applies", "apply", "applying", "built from",
             "consists of", "composed of", "made of", "based on", "needs", "requires", "via",
             "through", "with", "by means of", "predicts", "predict", "predicting", "concats",
             "concat", "concatenates", "concatenating", "adapts", "computes", "compute", "penalizes",
             "generates", "outputs", "extracts", "takes", "split", "splits"),
    "is-a": ("is a", "is an", "are a", "type of", "kind of", "form of", "sort of", "variant of",
             "family of", "class of", "special case of", "instance of"),
    "part-of": ("part of", "component of", "piece of", "step of", "stage of", "layer of", "inside"),
    "addresses": ("solves", "solve", "solved", "solving", "addresses", "address", "prevents", "prevent",
                  "preventing", "mitigates", "mitigate", "avoids", "avoid", "overcomes", "overcome",
                  "tackles", "combats", "reduces", "reduce", "counters", "alleviates", "deals with",
                  "to fight", "fights", "handles"),
    "measures": ("measures", "measure of", "measure", "quantifies", "metric for", "evaluates",
                 "score of", "estimates"),
    "alternative-to": ("instead of", "alternative to", "rather than", "in place of", "versus", "vs",
                       "vs.", "unlike", "compared to", "compared with"),
}  # fmt: skip

#: Cues that type a mention only when no stronger cue came first in the clause ("combines X with Y"
#: is still combines; "replaces X with Y" makes Y used).
WEAK_CUES = frozenset({"with", "via", "through", "by means of"})
#: "replaces X with Y": X is improved on, Y (after a weak cue) is used.
REPLACE_CUES = frozenset({"replace", "replaces", "replaced", "replacing"})
#: "adds a branch to X": X is extended; what is added (before "to") is used.
ADD_CUES = frozenset({"adds", "add", "added", "adding"})
ADD_TARGET_WORDS = frozenset({"to", "onto", "into"})
#: A mention followed by one of these, with no cue before it, is put to a purpose: it is used.
PURPOSE_WORDS = frozenset({"to", "for"})
#: "solves X": a problem is addressed, a method is improved on (decided by the concept's kind).
SOLVE_TYPES = frozenset({"addresses"})
METHOD_KINDS = frozenset({"architecture", "algorithm", "component", "technique"})

_UNKNOWN = sorted({t for t in CUE_PHRASES if t not in RELATION_TYPES})
if _UNKNOWN:  # pragma: no cover - a typo in the table above must fail at import, not silently
    raise ValueError(f"cue table names unknown relation types: {_UNKNOWN}")

#: Questions starting with these are questions, not terms: such a card has no subject concept.
_NOT_A_TERM = re.compile(
    r"^(?:why|how|when|where|which|who|whom|whose|does|do|did|can|could|should|would|is|are|was|were|"
    r"explain|describe|compare|name|list|give)\b",
    re.IGNORECASE,
)
_TERM_PREFIX = re.compile(
    r"^(?:what\s+(?:is|are|was|were|does|do)\s+(?:an?\s+|the\s+)?|what's\s+(?:an?\s+|the\s+)?|"
    r"define\s+(?:an?\s+|the\s+)?|definition\s+of\s+(?:an?\s+|the\s+)?)",
    re.IGNORECASE,
)
_PARENTHETICAL = re.compile(r"^(.*\S)\s*\(([^()]+)\)\s*$")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*$")
_GLUED = r"(?<=[a-z]{4})(?=[A-Z]{2,})"
_CAPITAL_STOP = r"(?<=[A-Z])\."
_BRACKET = r"(?<=\S)[()\[\]](?=\S)"
_SENTENCE_ENDS = frozenset({".", "!", "?", "…", "...", "!!", "??", "?!"})
MAX_TERM_WORDS = 8
MAX_EVIDENCE = 300
MAX_DEFINITION = 500
#: Answers longer than this are cut for extraction (a 1 MB answer is a pasted document, not a card).
MAX_ANSWER_CHARS = 20_000


@dataclass
class Extraction:
    """What extraction found: concepts it proposes from answers, relations, and notes for the report."""

    concepts: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- questions: the subjects ----------------------------------------------------------------------


def question_terms(question: str) -> list[tuple[str, list[str]]]:
    """The concept(s) a question names, each as ``(name, aliases)``; empty if it is not a term.

    ``"IoU (intersection over union)"`` is IoU with an alias, ``"Google LeNet / Inception"`` one
    concept with two names, ``"RetinaNet & Focal loss"`` two concepts. A question proper ("why
    divide by sqrt(D)?") or a long sentence names no concept.

    >>> question_terms("IoU (intersection over union)")
    [('IoU', ['intersection over union'])]
    >>> question_terms("What is a GRU?")
    [('GRU', [])]
    >>> question_terms("why divide by sqrt(D)")
    []
    """
    text = " ".join(question.split()).rstrip("?").strip()
    text = _TERM_PREFIX.sub("", text)
    if not text or _NOT_A_TERM.match(text) or len(text.split()) > MAX_TERM_WORDS:
        return []
    terms = []
    for part in re.split(r"\s+&\s+", text):
        aliases: list[str] = []
        match = _PARENTHETICAL.match(part)
        if match:
            part, inner = match.group(1), match.group(2).strip()
            if inner and len(inner.split()) <= MAX_TERM_WORDS:
                aliases.append(inner)
        names = [n.strip() for n in re.split(r"\s+/\s+", part) if n.strip()]
        if not names or not normalize(names[0]):
            continue
        terms.append((names[0], [*names[1:], *aliases]))
    return terms


def concept_id(name: str, taken: set[str]) -> str:
    """A slug id for ``name`` (ASCII, as the data files require) not yet in ``taken``.

    >>> concept_id("Mask R-CNN", set()), concept_id("Mask R-CNN", {"mask-r-cnn"})
    ('mask-r-cnn', 'mask-r-cnn-2')
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    base = slugify(ascii_name)
    if not base:
        base = "concept-" + hashlib.blake2b(name.encode("utf-8"), digest_size=4).hexdigest()
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _topic(tags: Sequence[str]) -> str:
    for tag in tags:
        topic = concept_id(tag.split("::")[-1], set())
        if not topic.startswith("concept-"):
            return topic
    return DEFAULT_TOPIC


def _label_index(concepts: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Normalized name or alias -> concept id; a primary name wins over another concept's alias."""
    index: dict[str, str] = {}
    concepts = list(concepts)
    for c in concepts:
        for label in c.get("aliases", ()):
            index.setdefault(normalize(label), c["id"])
    for c in concepts:
        index[normalize(c["name"])] = c["id"]
    index.pop("", None)
    return index


def card_concepts(
    cards: Sequence[Card], concepts: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """The subject concept ids of every card, and the new concepts their questions name.

    A card maps to an existing concept whose ``card`` field is its question, else to one whose name
    or alias matches a name in the question (so "RMSProp" finds "RMSprop"); otherwise a concept is
    made from the question, with the answer as its definition and the first tag as its topic.
    """
    by_card: dict[str, list[str]] = {}
    for c in concepts:
        if c.get("card"):
            by_card.setdefault(c["card"], []).append(c["id"])
    index = _label_index(concepts)
    taken = {c["id"] for c in concepts}
    new: list[dict[str, Any]] = []
    subjects: list[list[str]] = []
    for card in cards:
        if card.question in by_card:
            subjects.append(list(by_card[card.question]))
            continue
        ids: list[str] = []
        for name, aliases in question_terms(card.question):
            labels = [name, *aliases]
            found = next((index[normalize(x)] for x in labels if normalize(x) in index), None)
            if found is None:
                found = concept_id(name, taken)
                taken.add(found)
                new.append(
                    {
                        "id": found,
                        "name": name,
                        "aliases": list(dict.fromkeys(a for a in aliases if normalize(a) != normalize(name))),
                        "topic": _topic(card.tags),
                        "kind": DEFAULT_KIND,
                        "definition": _clip(card.answer, MAX_DEFINITION),
                        "card": card.question,
                    }
                )
                for label in labels:
                    index.setdefault(normalize(label), found)
            if found not in ids:
                ids.append(found)
        subjects.append(ids)
    return new, subjects


# --- the pipeline ---------------------------------------------------------------------------------


def label_variants(label: str) -> set[str]:
    """Spellings of a name as it shows up in text: plural or singular, hyphen as space or dropped.

    >>> sorted(label_variants("R-CNN"))
    ['R CNN', 'R-CNN', 'R-CNNs', 'RCNN']
    >>> sorted(label_variants("feature maps"))
    ['feature map', 'feature maps']
    """
    label = " ".join(label.split())
    forms = {label}
    if "-" in label:
        forms |= {label.replace("-", " "), label.replace("-", "")}
    words = label.split(" ")
    head, last = words[:-1], words[-1]
    if len(last) >= 2 and last[-1].isalpha():
        for other in _number_forms(last):
            forms.add(" ".join([*head, other]))
    return {f for f in forms if normalize(f)}


def _number_forms(word: str) -> list[str]:
    """The other grammatical number of an English noun, roughly: enough for names in flashcards."""
    if word.isupper():
        return [word[:-1]] if word.endswith("S") and len(word) > 3 else [word + "s"]
    lower = word.lower()
    if lower.endswith("ies") and len(word) > 4:
        return [word[:-3] + "y"]
    if lower.endswith(("sses", "ches", "shes", "xes")):
        return [word[:-2]]
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(word) > 3:
        return [word[:-1]]
    if lower.endswith("y") and len(word) > 2 and lower[-2] not in "aeiou":
        return [word[:-1] + "ies"]
    if lower.endswith(("s", "x", "ch", "sh", "z")):
        return [word + "es"]
    if word[-1].isalpha():
        return [word + "s"]
    return []


def singular(text: str) -> str:
    """``text`` with its last word made singular (for merging "feature maps" into "feature map")."""
    words = text.split(" ")
    last = words[-1]
    lower = last.lower()
    upper_plural = last.isupper() and last.endswith("S") and len(last) > 3
    if upper_plural or (last.endswith("s") and len(last) > 2 and last[:-1].isupper()):  # "GPUs"
        words[-1] = last[:-1]
    elif lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(last) > 3:
        words[-1] = _number_forms(last)[0] if not last.isupper() else last
    return " ".join(words)


def concept_patterns(concepts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Span-ruler phrase patterns for every spelling of every concept's name and aliases."""
    owner: dict[str, str] = {}
    patterns = []
    concepts = list(concepts)
    # Primary names first, so that a name shared with another concept's alias goes to its owner.
    ordered = [(c["id"], c["name"]) for c in concepts] + [
        (c["id"], a) for c in concepts for a in c.get("aliases", ())
    ]
    for cid, label in ordered:
        for form in sorted(label_variants(label)):
            key = form.casefold()
            if owner.setdefault(key, cid) != cid:
                continue
            patterns.append({"label": "CONCEPT", "pattern": form, "id": cid})
    return patterns


def cue_patterns() -> list[dict[str, Any]]:
    """Span-ruler phrase patterns for every cue phrase (matched lowercase); the label is the phrase,
    the id its relation type."""
    return [
        {"label": phrase, "pattern": phrase, "id": kind}
        for kind, phrases in CUE_PHRASES.items()
        for phrase in phrases
    ]


class ConceptMatcher:
    """A pipeline component marking every mention of a concept name or alias (any spelling from
    :func:`label_variants`, case-insensitive) in ``doc.spans[CONCEPTS_KEY]``, longest first; each
    span's label is the concept id.

    A phrase matcher like spaCy's span ruler, but patterns are tokenized in one batch and added once
    per concept, which makes a 10,000-concept pipeline several times faster to build.
    """

    def __init__(self, nlp: Language, name: str = "concept_matcher"):
        from spacy.matcher import PhraseMatcher

        self.name = name
        self.tokenizer = nlp.tokenizer
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")

    def add_concepts(self, concepts: Iterable[dict[str, Any]]) -> None:
        by_id: dict[str, list[str]] = {}
        for pattern in concept_patterns(concepts):
            by_id.setdefault(pattern["id"], []).append(pattern["pattern"])
        forms = [form for group in by_id.values() for form in group]
        docs = iter(self.tokenizer.pipe(forms))
        for cid, group in by_id.items():
            self.matcher.add(cid, [next(docs) for _ in group])

    def __call__(self, doc: Doc) -> Doc:
        from spacy.util import filter_spans

        doc.spans[CONCEPTS_KEY] = filter_spans(self.matcher(doc, as_spans=True))
        return doc


def make_pipeline(concepts: Iterable[dict[str, Any]], model: str | None = None) -> Language:
    """A spaCy pipeline that marks concept mentions and relation cues.

    ``spacy.blank("en")`` by default; ``model`` names an installed trained pipeline (or its folder)
    whose parser then helps find subjects and objects. Two components do the work: a
    :class:`ConceptMatcher` over every spelling of the concept names and aliases, and a span ruler
    over the cue phrases. Without a parser or sentence recognizer, sentences end at ``.``, ``!`` and
    ``?`` (see :func:`_clauses`).
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


# --- extraction -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    phrase: str
    type: str


@dataclass
class _Mention:
    start: int
    end: int
    ref: tuple[str, str]  # ("id", concept id) or ("new", candidate key)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class _Word:
    """What extraction needs to know about one vocabulary entry, computed once per distinct word."""

    text: str
    lower: str
    acronym: bool
    content: bool  # may be part of a multi-word name


class _Words:
    """A cache of :class:`_Word` by spaCy orth id: token loops then touch plain Python objects."""

    def __init__(self, nlp: Language):
        self.vocab = nlp.vocab
        self.cache: dict[int, _Word] = {}

    def of(self, doc: Doc) -> list[_Word]:
        from spacy.attrs import ORTH

        out = []
        cache = self.cache
        for orth in doc.to_array(ORTH).tolist():
            word = cache.get(orth)
            if word is None:
                word = cache[orth] = self._make(orth)
            out.append(word)
        return out

    def _make(self, orth: int) -> _Word:
        lexeme = self.vocab[orth]
        text = lexeme.text
        acronym = bool(_ACRONYM.match(text)) and sum(ch.isupper() for ch in text) * 2 >= len(text)
        content = (
            lexeme.is_alpha
            and not lexeme.is_stop
            and len(text) > 2
            and not text.isupper()
            and not text.endswith("ly")
            and lexeme.lower_ not in _CUE_WORDS
        )
        return _Word(text, lexeme.lower_, acronym and not lexeme.is_stop, content)


def _clauses(doc: Doc, words: list[_Word]) -> tuple[list[int], list[int]]:
    """A clause number for every token (a new clause starts at each sentence, ';', ':' or line
    break), and the index of every sentence's first token.

    Sentences come from the pipeline when it has a parser or sentence recognizer; otherwise a
    sentence starts after ``.``, ``!`` or ``?`` (cheaper than a sentencizer, and the same rule).
    """
    from spacy.attrs import SENT_START

    if doc.has_annotation("SENT_START"):
        flags = doc.to_array(SENT_START).tolist()
    else:
        flags = [0] + [1 if w.text in _SENTENCE_ENDS else 0 for w in words[:-1]]
    numbers: list[int] = []
    starts: list[int] = []
    clause = 0
    for i, (flag, word) in enumerate(zip(flags, words, strict=True)):
        if flag == 1 or i == 0:
            starts.append(i)
            clause += 1
        elif word.text in (";", ":") or "\n" in word.text:
            clause += 1
        numbers.append(clause)
    return numbers, starts


def _type_in_clause(words: list[_Word], cues: list[_Cue], mention: _Mention, kinds: dict[str, str]) -> str:
    """The relation type the cues before ``mention`` in its clause give it (see the module doc)."""
    active: _Cue | None = None
    for cue in cues:
        if cue.end > mention.start:
            break
        if cue.phrase in WEAK_CUES and active is not None and active.phrase not in REPLACE_CUES:
            continue
        active = cue
    if active is None:
        # "RoI Pooling to extract features", "FC layers for class scores": a part put to a purpose.
        after = words[mention.end].lower if mention.end < len(words) else ""
        return "uses" if after in PURPOSE_WORDS else FALLBACK_TYPE
    kind = active.type
    if active.phrase in ADD_CUES and any(
        words[i].lower in ADD_TARGET_WORDS for i in range(active.end, mention.start)
    ):
        return "extends"
    if active.phrase in ADD_CUES:
        return "uses"
    if kind in SOLVE_TYPES and mention.ref[0] == "id" and kinds.get(mention.ref[1]) in METHOD_KINDS:
        return "improves-on"
    return kind


def _type_from_parse(
    doc: Doc, cue_at: dict[int, _Cue], mention: _Mention, kinds: dict[str, str]
) -> str | None:
    """With a dependency parse: the cue that governs the mention (its nearest cue ancestor)."""
    token = doc[mention.start : mention.end].root
    seen = 0
    while token.head.i != token.i and seen < 50:
        token = token.head
        seen += 1
        cue = cue_at.get(token.i)
        if cue is None:
            continue
        if cue.phrase in ADD_CUES:
            return (
                "extends"
                if any(doc[i].lower_ in ADD_TARGET_WORDS for i in range(cue.end, mention.start))
                else "uses"
            )
        if cue.type in SOLVE_TYPES and mention.ref[0] == "id" and kinds.get(mention.ref[1]) in METHOD_KINDS:
            return "improves-on"
        return cue.type
    return None


def _candidates(
    doc: Doc, words: list[_Word], covered: list[bool], parsed: bool
) -> list[tuple[int, int, str]]:
    """Spans that may name a concept nobody listed: acronyms, and runs of 2-3 content words (or a
    parser's noun chunks). Returns ``(start, end, surface text)``."""
    found = []
    if parsed:
        for chunk in doc.noun_chunks:
            start = chunk.start
            while start < chunk.end and (doc[start].is_stop or not doc[start].is_alpha):
                start += 1
            if chunk.end - start >= 2 and not any(covered[start : chunk.end]):
                found.append((start, chunk.end, doc[start : chunk.end].text))
    run: list[int] = []
    for i, word in enumerate([*words, None]):
        if word is not None and not covered[i]:
            if word.acronym:
                # "RoI Align": capitalised words right after an acronym belong to the name.
                end = i + 1
                while end < min(len(words), i + 3) and not covered[end] and words[end].text.istitle():
                    end += 1
                found.append((i, end, doc[i:end].text))
                run = []
                continue
            if word.content and not parsed:
                run.append(i)
                continue
        if 2 <= len(run) <= 3 and _plausible_name(words, run):
            found.append((run[0], run[-1] + 1, doc[run[0] : run[-1] + 1].text))
        run = []
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
    ]
)


def _plausible_name(words: list[_Word], run: list[int]) -> bool:
    """A run of content words reads like a name: no generic word at either end, and no verb form
    ("dataset containing", "students admitted") at its end."""
    first, last = words[run[0]].lower, words[run[-1]].lower
    if first in _GENERIC or singular(last) in _GENERIC or last.endswith("ed"):
        return False
    return not last.endswith("ing") or last in _NOUN_ING


#: Words ending in -ing that name things in machine learning ("deep learning", "max pooling").
_NOUN_ING = frozenset(
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


_CUE_WORDS = frozenset(word for phrases in CUE_PHRASES.values() for p in phrases for word in p.split())


def extract(
    cards: Sequence[Card],
    nlp: Language,
    concepts: Sequence[dict[str, Any]],
    subjects: Sequence[Sequence[str]],
    *,
    batch_size: int = 256,
    min_count: int = 2,
) -> Extraction:
    """Relations from every card's answer, and concepts proposed from answers.

    ``nlp`` comes from :func:`make_pipeline` over ``concepts``; ``subjects[i]`` are the concept ids
    card ``i`` is about (see :func:`card_concepts`). A phrase that is not a known concept becomes a
    new one when it is an acronym (SVM, RPN) or a run of content words seen in ``min_count`` cards.
    """
    from spacy.util import filter_spans

    kinds = {c["id"]: c.get("kind", DEFAULT_KIND) for c in concepts}
    index = _label_index(concepts)
    notes: list[str] = []
    texts = []
    for card in cards:
        if len(card.answer) > MAX_ANSWER_CHARS:
            notes.append(
                f"{card.source}: answer of {card.question!r} is {len(card.answer):,} characters; "
                f"only the first {MAX_ANSWER_CHARS:,} were read for relations"
            )
            texts.append(card.answer[:MAX_ANSWER_CHARS])
        else:
            texts.append(card.answer)
    if nlp.max_length < MAX_ANSWER_CHARS + 1:
        nlp.max_length = MAX_ANSWER_CHARS + 1

    # (source ref, target ref) -> {type: evidence}; refs are ("id", cid) or ("new", key)
    found: dict[tuple[tuple[str, str], tuple[str, str]], dict[str, str]] = {}
    candidate_cards: dict[str, set[int]] = {}
    candidate_forms: dict[str, Counter[str]] = {}
    candidate_topic: dict[str, str] = {}

    lexicon = _Words(nlp)
    for number, doc in enumerate(nlp.pipe(texts, batch_size=batch_size)):
        card = cards[number]
        subject_refs = [("id", s) for s in subjects[number]]
        words = lexicon.of(doc)
        parsed = doc.has_annotation("DEP")
        covered = [False] * len(doc)
        mentions: list[_Mention] = []
        for span in doc.spans[CONCEPTS_KEY]:
            mentions.append(_Mention(span.start, span.end, ("id", span.label_)))
            covered[span.start : span.end] = [True] * (span.end - span.start)
        for start, end, text in _candidates(doc, words, covered, parsed):
            key = normalize(singular(text))
            if not key:
                continue
            if key in index:  # a known concept spelled in a way the ruler missed ("rcnn")
                mentions.append(_Mention(start, end, ("id", index[key])))
                continue
            candidate_cards.setdefault(key, set()).add(number)
            candidate_forms.setdefault(key, Counter())[singular(text)] += 1
            candidate_topic.setdefault(key, _topic(card.tags))
            mentions.append(_Mention(start, end, ("new", key)))
        if not mentions or not (subject_refs or len(mentions) > 1):
            continue
        mentions.sort(key=lambda m: m.start)
        clause_of, sentence_starts = _clauses(doc, words)
        cue_list = sorted(
            (_Cue(s.start, s.end, s.label_, s.id_) for s in filter_spans(doc.spans[CUES_KEY])),
            key=lambda c: c.start,
        )
        cue_at = {c.start: c for c in cue_list}
        by_clause: dict[int, list[_Cue]] = {}
        for cue in cue_list:
            by_clause.setdefault(clause_of[cue.start], []).append(cue)
        clause_subject: dict[int, tuple[str, str]] = {}
        for mention in mentions:
            clause = clause_of[mention.start]
            cues = by_clause.get(clause, [])
            kind = _type_from_parse(doc, cue_at, mention, kinds) if parsed else None
            if kind is None:
                kind = _type_in_clause(words, cues, mention, kinds)
            sources = subject_refs
            if clause in clause_subject and clause_subject[clause] != mention.ref:
                sources = [clause_subject[clause]]
            elif _opens_clause(mention, cues, clause_of, mentions, parsed, doc):
                # "Standard DQN uses the max operator": DQN, not the card's subject, does the using.
                clause_subject[clause] = mention.ref
            at = bisect_right(sentence_starts, mention.start)
            end = sentence_starts[at] if at < len(sentence_starts) else len(doc)
            sentence = doc[sentence_starts[at - 1] : end].text
            for source in sources:
                if source == mention.ref:
                    continue
                pair = (source, mention.ref)
                evidence = f"{card.question}: {_clip(sentence, MAX_EVIDENCE)}"
                found.setdefault(pair, {}).setdefault(kind, evidence)

    accepted = _accept(candidate_cards, candidate_forms, candidate_topic, concepts, min_count)
    ids = {key: c["id"] for key, c in accepted.items()}
    relations = _relations(found, ids)
    return Extraction(list(accepted.values()), relations, notes)


def _opens_clause(
    mention: _Mention,
    cues: list[_Cue],
    clause_of: list[int],
    mentions: list[_Mention],
    parsed: bool,
    doc: Doc,
) -> bool:
    """Whether ``mention`` is the clause's own subject: it comes first, right before the clause's
    first cue (within two words), or, with a parse, it is the subject of a cue verb."""
    if parsed:
        root = doc[mention.start : mention.end].root
        return root.dep_ in ("nsubj", "nsubjpass") and any(c.start == root.head.i for c in cues)
    if not cues or cues[0].start < mention.end:
        return False
    clause = clause_of[mention.start]
    first = next(m for m in mentions if clause_of[m.start] == clause)
    return (
        first is mention
        and mention.ref[0] == "id"  # a known concept; a phrase like "generate regions" is no subject
        and cues[0].start - mention.end <= 2
        and cues[0].phrase not in WEAK_CUES
    )


def _accept(
    cards_of: dict[str, set[int]],
    forms: dict[str, Counter[str]],
    topics: dict[str, str],
    concepts: Sequence[dict[str, Any]],
    min_count: int,
) -> dict[str, dict[str, Any]]:
    """Candidate key -> new concept, for acronyms and for phrases seen in ``min_count`` cards."""
    taken = {c["id"] for c in concepts}
    accepted = {}
    for key in sorted(cards_of, key=lambda k: (min(cards_of[k]), k)):
        name = forms[key].most_common(1)[0][0]
        head = name.split(" ")[0]  # an acronym, alone or leading a name ("RoI Align")
        acronym = bool(_ACRONYM.match(head)) and sum(ch.isupper() for ch in head) * 2 >= len(head)
        if not acronym and len(cards_of[key]) < min_count:
            continue
        cid = concept_id(name, taken)
        taken.add(cid)
        aliases = [f for f, _ in forms[key].most_common(4) if f != name]
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


def _relations(
    found: dict[tuple[tuple[str, str], tuple[str, str]], dict[str, str]], ids: dict[str, str]
) -> list[dict[str, Any]]:
    """One relation per (source, type, target); a pair with a typed edge gets no related-to as well."""

    def resolve(ref: tuple[str, str]) -> str | None:
        return ref[1] if ref[0] == "id" else ids.get(ref[1])

    typed: dict[tuple[str, str], dict[str, str]] = {}
    for (source_ref, target_ref), by_type in found.items():
        source, target = resolve(source_ref), resolve(target_ref)
        if source is None or target is None or source == target:
            continue
        slot = typed.setdefault((source, target), {})
        for kind, evidence in by_type.items():
            slot.setdefault(kind, evidence)
    out = []
    linked = {pair for pair, by_type in typed.items() if set(by_type) - {FALLBACK_TYPE}}
    seen_loose: set[frozenset[str]] = set()
    for (source, target), by_type in typed.items():
        for kind, evidence in by_type.items():
            if kind == FALLBACK_TYPE:
                loose = frozenset((source, target))
                if (source, target) in linked or (target, source) in linked or loose in seen_loose:
                    continue
                seen_loose.add(loose)
            out.append(
                {
                    "source": source,
                    "type": kind,
                    "target": target,
                    "evidence": evidence,
                    "origin": "extracted",
                }
            )
    return out


def extract_deck(
    cards: Sequence[Card],
    concepts: Sequence[dict[str, Any]] = (),
    *,
    model: str | None = None,
    nlp: Language | None = None,
    min_count: int = 2,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """The whole of extraction for a deck: ``(new concepts, relations, notes)``.

    ``concepts`` is the vocabulary already known (a curated graph's concepts, or none).
    """
    question_new, subjects = card_concepts(cards, concepts)
    vocabulary = [*concepts, *question_new]
    notes = []
    unnamed = [c for c, s in zip(cards, subjects, strict=True) if not s]
    if unnamed:
        listed = ", ".join(repr(c.question) for c in unnamed[:3]) + (" ..." if len(unnamed) > 3 else "")
        notes.append(
            f"{len(unnamed)} card(s) ask a question rather than name a term, so have no subject: {listed}"
        )
    if nlp is None:
        nlp = make_pipeline(vocabulary, model)
    result = extract(cards, nlp, vocabulary, subjects, min_count=min_count)
    return question_new + result.concepts, result.relations, notes + result.notes
