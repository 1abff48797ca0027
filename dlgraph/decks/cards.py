"""What every reader returns: :class:`Card` records in a :class:`Deck`, and an account of every line.

A text reader gives a :class:`Reading`: the cards, the lines they were read from, the lines that are
the format's own markup (a table's header row, a heading used as a topic, an Anki header) and every
other non-blank line as a :class:`Skip` with its reason. Nothing a file holds goes unaccounted for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from .text import SOUND, html_to_text, link_texts, tidy, wikilinks

#: Notes about skipped rows stop listing individual lines after this many, to keep reports short.
MAX_NOTES_PER_KIND = 5


@dataclass(frozen=True)
class Card:
    """One flashcard: the question (front), the answer (back), tags, and where it came from."""

    question: str
    answer: str
    tags: tuple[str, ...] = field(default=())
    source: str = ""
    #: Terms the deck's author linked in the answer (an HTML cross-reference, an Obsidian
    #: ``[[wikilink]]``) as ``(text shown, term linked)``: exact mentions, as the author marked them.
    links: tuple[tuple[str, str], ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Skip:
    """Lines ``line`` to ``last`` (1-based, inclusive) of a deck file that gave no card, and why."""

    line: int
    text: str
    reason: str
    last: int = 0  # 0: the same as ``line``

    def lines(self) -> range:
        return range(self.line, max(self.line, self.last) + 1)


@dataclass
class Deck:
    """The cards of one deck file, the format they were read as, and what reading skipped or merged.

    ``skipped`` lists every part of the file that gave no card, ``lines`` counts the file's non-blank
    lines (0 for an Anki package, whose notes are reported in ``notes``), and ``warning`` is set when
    more than :data:`~dlgraph.decks.load.MAX_UNREAD_SHARE` of those lines are in no card (it is also
    the first note).
    """

    cards: list[Card]
    format: str
    path: str
    notes: list[str] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    lines: int = 0
    warning: str | None = None


@dataclass
class Reading:
    """One reader's account of a whole text deck (see the module docstring)."""

    cards: list[Card] = field(default_factory=list)
    in_cards: set[int] = field(default_factory=set)
    markup: set[int] = field(default_factory=set)
    skipped: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)  # each card's first and last line

    def add(self, card: Card, lines: Iterable[int]) -> None:
        """Keep ``card``, read from ``lines``."""
        numbers = list(lines)
        self.cards.append(card)
        self.in_cards.update(numbers)
        self.spans.append((min(numbers), max(numbers)))

    def skip(self, first: int, text: str, reason: str, last: int = 0) -> None:
        """Report lines ``first`` to ``last`` (default: just ``first``), starting with ``text``."""
        # Shortened for show only once a reading is chosen (see ``shown``): most readings are not.
        self.skipped.append(Skip(first, text[:200], reason, last if last > first else 0))

    def shown(self) -> list[Skip]:
        """The skips in line order, their text shortened for a report."""
        return [replace(s, text=short(s.text)) for s in sorted(self.skipped, key=lambda s: s.line)]

    def skipped_lines(self) -> set[int]:
        lines = {s.line for s in self.skipped}
        for s in self.skipped:
            if s.last:
                lines.update(range(s.line, s.last + 1))
        return lines

    def used(self) -> set[int]:
        """Lines the format explains: in a card or its own markup."""
        return self.in_cards | self.markup

    def account_for(self, lines: list[str], fmt: str) -> None:
        """Report every non-blank line no card, markup or skip covers yet, so that none is lost."""
        known = self.used() | self.skipped_lines()
        for number, line in enumerate(lines, 1):
            if line.strip() and number not in known:
                self.skip(number, line, f"not part of any card the {fmt} reader found")

    def skip_notes(self, name: str) -> list[str]:
        """One note per skip, the first few of each reason, then a count of the rest."""
        collected = SkipNotes()
        for s in self.shown():
            where = f"{s.line}-{s.last}" if s.last else f"{s.line}"
            collected.add(s.reason, f"{name}:{where}: skipped {s.text!r}: {s.reason}")
        return collected.finish()


def short(text: str, limit: int = 60) -> str:
    """The first ``limit`` characters of a line, for a note."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SkipNotes:
    """Collects 'skipped line N' notes, listing the first few of each kind and counting the rest."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._counts: dict[str, int] = {}

    def add(self, kind: str, text: str) -> None:
        self._counts[kind] = self._counts.get(kind, 0) + 1
        if self._counts[kind] <= MAX_NOTES_PER_KIND:
            self.lines.append(text)

    def finish(self) -> list[str]:
        return self.lines + [
            f"... and {n - MAX_NOTES_PER_KIND} more: {kind}"
            for kind, n in self._counts.items()
            if n > MAX_NOTES_PER_KIND
        ]


def make_card(
    question: str, answer: str, tags: tuple[str, ...], source: str, *, as_html: bool, images: bool = False
) -> Card | None:
    """A card from raw field text, or ``None`` when the question or the answer is empty once tidied.

    ``images`` keeps ``<img>`` tags as ``[image: NAME]`` (see :func:`~dlgraph.decks.text.html_to_text`);
    without it, an answer that is only images keeps them, so that the card is not lost.
    """
    links: tuple[tuple[str, str], ...] = ()
    if as_html:
        links = link_texts(answer)
        raw_answer = answer
        question, answer = html_to_text(question, images=images), html_to_text(answer, images=images)
        if not answer and not images:  # an answer that is only a picture is still an answer
            answer = html_to_text(raw_answer, images=True)
    else:
        question, answer = tidy(SOUND.sub("", question)), tidy(SOUND.sub("", answer))
    question = " ".join(question.split())
    if not question or not answer:
        return None
    return Card(question, answer, tags, source, links)


def with_wikilinks(card: Card) -> Card:
    """``card`` with its Obsidian-style ``[[Term]]`` and ``[[Term|shown]]`` links read: the shown text
    stays in the answer, the term joins :attr:`Card.links`.

    >>> with_wikilinks(Card("Adam", "combines [[RMSprop]] and [[Momentum|momentum]]")).links
    (('RMSprop', 'RMSprop'), ('momentum', 'Momentum'))
    """
    if "[[" not in card.question and "[[" not in card.answer:
        return card
    question, _ = wikilinks(card.question)
    answer, linked = wikilinks(card.answer)
    return replace(card, question=question, answer=answer, links=tuple(dict.fromkeys((*card.links, *linked))))
