"""The words of an answer as extraction reads them: what each vocabulary entry is (cached once per
distinct word), where clauses and sentences start, and span text sliced from the doc."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .cues import _CUE_WORDS
from .mentions import everyday

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

#: A word with two capitals or more ("SVM", "RoI", "ResNet"): read as an acronym when half its
#: letters are capitals.
ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*$")


def is_acronym(text: str) -> bool:
    """Whether ``text`` reads as an acronym: two capitals or more, half its letters capitals.

    >>> is_acronym("SVM"), is_acronym("RoI"), is_acronym("ResNet"), is_acronym("Adam")
    (True, True, False, False)
    """
    return bool(ACRONYM.match(text)) and sum(ch.isupper() for ch in text) * 2 >= len(text)


def is_coined(text: str) -> bool:
    """Whether ``text`` is a coined name: a capital inside a word with small letters, as models,
    libraries and layers are named (GPipe, TorchServe, WaveNet, BatchNorm). Like an acronym, one
    mention is enough to name a concept.

    >>> is_coined("GPipe"), is_coined("TorchServe"), is_coined("SVM"), is_coined("Adam")
    (True, True, False, False)
    """
    return bool(ACRONYM.match(text)) and not is_acronym(text) and any(ch.islower() for ch in text)


#: Tokens that end a sentence when the pipeline marks no sentence starts.
SENTENCE_ENDS = frozenset({".", "!", "?", "…", "...", "!!", "??", "?!"})

#: Words that open a subordinate clause: a cue's reach ends before them ("LSTMs address the
#: vanishing gradient problem that occurs when training RNNs" addresses no training).
CLAUSE_WORDS = frozenset(
    "that which who whose where when while whereas because although though whereby".split()
)

#: Words after which a line break falls inside a phrase, not between clauses.
MID_PHRASE = frozenset("a an the of with to for in on by from and or".split())

#: A clause running past this many tokens is cut after its next comma (at twice this, anywhere), so
#: that what a mention looks back over (the cues of its clause) is a bounded window and a run-on
#: answer costs time linear in its length. Sentences are not cut: they are what evidence quotes.
MAX_CLAUSE_TOKENS = 60


@dataclass(frozen=True, slots=True)
class Word:
    """What extraction needs to know about one vocabulary entry, computed once per distinct word."""

    text: str
    lower: str
    acronym: bool
    content: bool  # may be part of a multi-word name
    everyday: bool = False  # see :func:`.mentions.everyday`
    ends: bool = False  # ends a sentence (without a parser): see :func:`clauses`
    opens: bool = False  # opens a clause: ';', ':', a line break, a :data:`CLAUSE_WORDS` word
    title: bool = False  # a capitalised word ("Align" in "RoI Align")


class Words:
    """A cache of :class:`Word` by spaCy orth id: token loops then touch plain Python objects."""

    def __init__(self, nlp: Language):
        self.vocab = nlp.vocab
        self.cache: dict[int, Word] = {}

    def of(self, doc: Doc) -> list[Word]:
        from spacy.attrs import ORTH

        cache = self.cache
        orths = doc.to_array(ORTH).tolist()
        try:
            return list(map(cache.__getitem__, orths))  # once the deck's words are known: most docs
        except KeyError:
            for orth in set(orths).difference(cache):
                cache[orth] = self._make(orth)
            return list(map(cache.__getitem__, orths))

    def _make(self, orth: int) -> Word:
        lexeme = self.vocab[orth]
        text = lexeme.text
        lower = lexeme.lower_
        acronym = is_acronym(text) or is_coined(text)
        content = (
            lexeme.is_alpha
            and not lexeme.is_stop
            and len(text) > 2
            and not text.isupper()
            and not text.endswith("ly")
            and lower not in _CUE_WORDS
        )
        opens = text in (";", ":") or "\n" in text or lower in CLAUSE_WORDS
        return Word(
            text,
            lower,
            acronym and not lexeme.is_stop,
            content,
            everyday(lower),
            text in SENTENCE_ENDS,
            opens,
            text.istitle(),
        )


def _stops(doc: Doc, i: int) -> bool:
    """Whether the stop at ``i`` ends its sentence: not when a word follows with no space between."""
    return bool(doc[i].whitespace_) or not doc[i + 1].text[:1].isalnum()


def clauses(doc: Doc, words: list[Word]) -> tuple[list[int], list[int]]:
    """A clause number for every token (a new clause starts at each sentence, ';', ':', line break
    or :data:`CLAUSE_WORDS` word, and after a comma past :data:`MAX_CLAUSE_TOKENS`), and the index of
    every sentence's first token.

    Sentences come from the pipeline when it has a parser or sentence recognizer; otherwise a
    sentence starts after ``.``, ``!`` or ``?`` (cheaper than a sentencizer, and the same rule).
    """
    numbers, starts, _ = clause_table(doc, words)
    return numbers, starts


def clause_table(doc: Doc, words: list[Word]) -> tuple[list[int], list[int], dict[int, int]]:
    """:func:`clauses`, and the first token of every clause (by clause number).

    Breaks are found with list comprehensions and only a clause longer than
    :data:`MAX_CLAUSE_TOKENS` is walked token by token, to cut it at its commas.
    """
    from spacy.attrs import SENT_START

    if not words:
        return [], [], {}
    if doc.has_annotation("SENT_START"):
        flags = doc.to_array(SENT_START).tolist()
        starts = [i for i, flag in enumerate(flags) if flag == 1 or i == 0]
    else:
        # "the tf.Example protocol buffer": a stop the tokenizer split off inside a name, with no space
        # after it, ends no sentence
        starts = [0, *(i + 1 for i, w in enumerate(words[:-1]) if w.ends and _stops(doc, i))]
    # A line break mid-phrase ("replaces X with a<br>region proposal network") opens no clause.
    opens = [
        i
        for i, w in enumerate(words)
        if w.opens and i > 0 and not ("\n" in w.text and words[i - 1].lower in MID_PHRASE)
    ]
    hard = sorted({*starts, *opens}) if opens else starts
    bounds: list[int] = []
    for at, opened in enumerate(hard):
        bounds.append(opened)
        stop = hard[at + 1] if at + 1 < len(hard) else len(words)
        i = opened + MAX_CLAUSE_TOKENS
        while i < stop:  # a run-on clause: a new window after a comma, or anywhere at twice the size
            if i - opened >= 2 * MAX_CLAUSE_TOKENS or words[i - 1].text == ",":
                bounds.append(i)
                opened = i
                i += MAX_CLAUSE_TOKENS
            else:
                i += 1
    numbers: list[int] = []
    clause_start: dict[int, int] = {}
    for clause, (first, last) in enumerate(zip(bounds, [*bounds[1:], len(words)], strict=True), start=1):
        clause_start[clause] = first
        numbers.extend([clause] * (last - first))
    return numbers, starts, clause_start


class Surface:
    """The text of token spans, sliced from the doc's text by character offset: a span's text
    without making spaCy objects for each of its tokens."""

    def __init__(self, doc: Doc, words: list[Word], text: str | None = None):
        from spacy.attrs import IDX

        # The tokenizer keeps every character, so the doc's text is what it was made from; spaCy
        # would rebuild it token by token.
        self.text = doc.text if text is None else text
        self.words = words
        self.idx = doc.to_array(IDX).tolist() if len(doc) else []

    def __call__(self, start: int, end: int) -> str:
        """The text of tokens ``[start, end)``, as ``doc[start:end].text`` gives it."""
        if end <= start:
            return ""
        return self.text[self.idx[start] : self.idx[end - 1] + len(self.words[end - 1].text)]
