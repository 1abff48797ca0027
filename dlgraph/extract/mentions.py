"""Concept mentions: the spellings of every name and alias, the case and everyday-word rules that
keep ``mAP`` apart from "maps" and the attention value apart from the word, and the matcher."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..names import normalize, spellings

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


CONCEPTS_KEY = "dlgraph_concepts"
#: ``doc.user_data`` key: the start tokens of mentions read off a shared head ("forget" in "forget
#: and input gates"), which are modifiers, not words standing alone.
DISTRIBUTED_KEY = "dlgraph_distributed"

#: Words that join modifiers sharing one head: "forget and input gates", "L1 or L2 regularization",
#: "semantic vs instance segmentation".
_JOINERS = frozenset({"and", "or", "&", "/", "vs", "vs.", "versus", "nor"})


_NON_WORD = re.compile(r"[\W_]+")


def _label_index(concepts: Iterable[dict[str, Any]], *, in_answers: bool = False) -> dict[str, str]:
    """Normalized name or alias -> concept id; a primary name wins over another concept's alias.

    ``in_answers`` leaves out what an answer's loose spelling must not reach: short acronyms, which
    only match as written (see :func:`case_sensitive`), and everyday words (see :data:`EVERYDAY_WORDS`).
    """
    index: dict[str, str] = {}
    concepts = list(concepts)

    def usable(label: str) -> bool:
        return not in_answers or not (case_sensitive(label) or everyday(label))

    for c in concepts:
        for label in c.get("aliases", ()):
            if usable(label):
                index.setdefault(normalize(label), c["id"])
    for c in concepts:
        if usable(c["name"]):
            index[normalize(c["name"])] = c["id"]
    # The other spelling of each, where it is free: "regularisation" finds Regularization.
    for c in concepts:
        for label in (c["name"], *c.get("aliases", ())):
            if usable(label):
                for form in spellings(label):
                    index.setdefault(normalize(form), c["id"])
    index.pop("", None)
    return index


#: A label with at least two capitals and at most this many letters and digits is a short acronym.
SHORT_ACRONYM = 5


#: Everyday English words that are also the names of concepts (the attention "value", the RL "state").
#: Alone in an answer they usually mean the everyday thing, so such a mention counts only when the
#: mentioned concept shares a known topic with the card's subject ("values" in a Q-learning card is
#: not the attention value).
EVERYDAY_WORDS = frozenset(
    """action actor agent batch bias block capacity cell class cluster critic depth distribution edge
    energy entropy environment error evaluation example expectation feature filter function gate graph
    head key kernel label layer loss margin matrix memory model network node noise parameter patch
    policy precision prompt query recall return reward sample score signal state step stride target
    temperature token tree unit value variance vector weight width""".split()
)


def case_sensitive(label: str) -> bool:
    """Whether ``label`` is a short acronym, matched in answers only as written: ``mAP`` must not
    match "maps", ``SAC`` not "sac".

    >>> case_sensitive("mAP"), case_sensitive("GAN"), case_sensitive("ResNet"), case_sensitive("relu")
    (True, True, False, False)
    """
    core = _NON_WORD.sub("", label)
    return sum(ch.isupper() for ch in core) >= 2 and len(core) <= SHORT_ACRONYM


def everyday(label: str) -> bool:
    """Whether ``label`` is a single everyday word (either number): see :data:`EVERYDAY_WORDS`.

    >>> everyday("values"), everyday("Value"), everyday("value vector")
    (True, True, False)
    """
    word = label.strip().casefold()
    return word in EVERYDAY_WORDS or singular(word) in EVERYDAY_WORDS


def label_variants(label: str) -> set[str]:
    """Spellings of a name as it shows up in text: plural or singular, hyphen as space or dropped.

    >>> sorted(label_variants("R-CNN"))
    ['R CNN', 'R-CNN', 'R-CNNs', 'RCNN']
    >>> sorted(label_variants("feature maps"))
    ['feature map', 'feature maps']
    """
    label = " ".join(label.split())
    spelled = {label} if case_sensitive(label) else spellings(label)  # regularisation, -ization
    forms = set(spelled)
    for form in spelled:
        if "-" in form:
            forms |= {form.replace("-", " "), form.replace("-", "")}
        words = form.split(" ")
        head, last = words[:-1], words[-1]
        if len(last) >= 2 and last[-1].isalpha():
            for other in _number_forms(last):
                forms.add(" ".join([*head, other]))
    return {f for f in forms if normalize(f)}


#: Singular nouns that end in a plural-looking "s" ("bias" is no plural of "bia").
SINGULAR_S = frozenset("bias alias atlas canvas chaos lens pancreas".split())
#: Nouns whose one form serves both numbers ("Langevin dynamics").
UNCOUNTABLE_S = frozenset(
    """news series species dynamics semantics physics mathematics economics ethics linguistics
    robotics optics acoustics genomics analytics kinematics mechanics electronics graphics""".split()
)


def _number_forms(word: str) -> list[str]:
    """The other grammatical number of an English noun, roughly: enough for names in flashcards.

    >>> [_number_forms(w)[0] for w in ("feature", "bias", "biases", "classes", "boxes", "policies")]
    ['features', 'biases', 'bias', 'class', 'box', 'policy']
    """
    if word.isupper():
        return [word[:-1]] if word.endswith("S") and len(word) > 3 else [word + "s"]
    lower = word.lower()
    if lower in UNCOUNTABLE_S:
        return [word]
    if lower in SINGULAR_S:
        return [word + "es"]
    if lower.endswith("es") and lower[:-2] in SINGULAR_S:
        return [word[:-2]]
    if lower.endswith("is") and len(word) > 3:
        return [word[:-2] + "es"]  # basis, axis, analysis
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
    """``text`` with its last word made singular (for merging "feature maps" into "feature map").

    >>> singular("feature maps"), singular("confirmation bias"), singular("biases"), singular("GPUs")
    ('feature map', 'confirmation bias', 'bias', 'GPU')
    >>> singular("Langevin dynamics"), singular("evaluation metrics"), _number_forms("basis")
    ('Langevin dynamics', 'evaluation metric', ['bases'])
    """
    words = text.split(" ")
    last = words[-1]
    lower = last.lower()
    upper_plural = last.isupper() and last.endswith("S") and len(last) > 3
    if upper_plural or (last.endswith("s") and len(last) > 2 and last[:-1].isupper()):  # "GPUs"
        words[-1] = last[:-1]
    elif (
        lower.endswith("s")
        and not lower.endswith(("ss", "us", "is"))
        and len(last) > 3
        and lower not in SINGULAR_S
        and lower not in UNCOUNTABLE_S  # "Langevin dynamics"
    ):
        words[-1] = _number_forms(last)[0] if not last.isupper() else last
    return " ".join(words)


def concept_patterns(concepts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Phrase patterns for every spelling of every concept's name and aliases; ``exact`` patterns
    (short acronyms) match only in their own case."""
    owner: dict[str, str] = {}
    patterns = []
    concepts = list(concepts)
    # Primary names first, so that a name shared with another concept's alias goes to its owner.
    ordered = [(c["id"], c["name"]) for c in concepts] + [
        (c["id"], a) for c in concepts for a in c.get("aliases", ())
    ]
    for cid, label in ordered:
        exact = case_sensitive(label)
        for form in sorted(label_variants(label)):
            key = form if exact else form.casefold()
            if owner.setdefault(key, cid) != cid:
                continue
            patterns.append({"label": "CONCEPT", "pattern": form, "id": cid, "exact": exact})
    return patterns


class ConceptMatcher:
    """A pipeline component marking every mention of a concept name or alias (any spelling from
    :func:`label_variants`; case-insensitive except short acronyms) in ``doc.spans[CONCEPTS_KEY]``,
    longest first; each span's label is the concept id.

    A phrase matcher like spaCy's span ruler, but patterns are tokenized in one batch and added once
    per concept, which makes a 10,000-concept pipeline several times faster to build.
    """

    def __init__(self, nlp: Language, name: str = "concept_matcher"):
        from spacy.matcher import PhraseMatcher

        self.name = name
        self.tokenizer = nlp.tokenizer
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.forms: dict[str, str] = {}  # every spelling (casefolded unless exact) -> concept id

    def add_concepts(self, concepts: Iterable[dict[str, Any]]) -> None:
        for exact, matcher in ((False, self.matcher), (True, self.exact)):
            by_id: dict[str, list[str]] = {}
            for pattern in concept_patterns(concepts):
                if pattern["exact"] == exact:
                    by_id.setdefault(pattern["id"], []).append(pattern["pattern"])
            forms = [form for group in by_id.values() for form in group]
            docs = iter(self.tokenizer.pipe(forms))
            for cid, group in by_id.items():
                matcher.add(cid, [next(docs) for _ in group])
                for form in group:
                    self.forms.setdefault(" ".join(form.split()) if exact else form.casefold(), cid)

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span

        strings = doc.vocab.strings
        matches = longest_first(self.matcher(doc) + self.exact(doc))
        shared = self._shared_heads(doc, matches)
        starts = {at for at, _ in shared}
        if shared:
            kept = [m for m in matches if m[1] not in starts]
            matches = sorted(
                [*kept, *((strings.add(cid), at, at + 1) for at, cid in shared)], key=lambda m: m[1]
            )
        doc.user_data[DISTRIBUTED_KEY] = starts
        # The same mentions as plain tuples, for extraction's loops: reading a span group makes a
        # new Span object (and three token look-ups) for every span, every time.
        doc.user_data[CONCEPTS_KEY] = [(start, end, strings[key]) for key, start, end in matches]
        doc.spans[CONCEPTS_KEY] = [Span(doc, start, end, label=key) for key, start, end in matches]
        return doc

    def _shared_heads(self, doc: Doc, matches: list[tuple[int, int, int]]) -> list[tuple[int, str]]:
        """Mentions whose head is written once for several modifiers: in "merges forget and input
        gates" the match "input gates" also names the forget gate, and in "batch, layer and group
        normalization" one head serves three. A modifier counts only when it and the head make a
        known name, so "images and text embeddings" names no "images embedding"; it then replaces
        what the modifier matched alone ("batch"). Returns (token, id) pairs."""
        joined = [
            (start, end)
            for _, start, end in matches
            if end - start > 1 and start > 1 and doc[start - 1].lower_ in _JOINERS
        ]
        if not joined:  # most answers: nothing to read, and no sets built
            return []
        alone = {start for _, start, end in matches if end - start == 1}
        taken = {i for _, start, end in matches for i in range(start, end)} - alone
        found: list[tuple[int, str]] = []
        for start, end in joined:
            head = doc[start + 1 : end].text
            at = start
            while True:
                k = at - 1  # the joiner just before the leftmost modifier so far
                if k >= 1 and doc[k].lower_ in _JOINERS and doc[k - 1].text == ",":
                    k -= 1  # the serial comma: "forget, input, and output gates"
                elif not (k >= 0 and (doc[k].lower_ in _JOINERS or (doc[k].text == "," and at < start))):
                    break  # a comma joins only inside a list already begun: "forget, input and output"
                word = k - 1
                if word < 0 or word in taken or not (doc[word].is_alpha or doc[word].text.isalnum()):
                    break
                form = f"{doc[word].text} {head}"
                cid = self.forms.get(form) or self.forms.get(form.casefold())
                if cid is None:
                    break
                found.append((word, cid))
                taken.add(word)
                at = word
        return found


def longest_first(matches: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Matcher matches ``(key, start, end)`` without overlaps, in text order: where two overlap,
    the longer wins, then the earlier, then the one listed first (spaCy's ``filter_spans``, on
    tuples rather than spans).

    >>> longest_first([(1, 0, 1), (2, 0, 2), (3, 1, 3), (4, 3, 4)])
    [(2, 0, 2), (4, 3, 4)]
    """
    ordered = sorted(matches, key=lambda m: (m[2] - m[1], -m[1]), reverse=True)
    kept = []
    seen: set[int] = set()
    for match in ordered:
        if match[1] not in seen and match[2] - 1 not in seen:
            kept.append(match)
            seen.update(range(match[1], match[2]))
    return sorted(kept, key=lambda m: m[1])
