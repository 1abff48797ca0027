"""What every reader returns: :class:`Card` records in a :class:`Deck`, and the notes on what was skipped."""

from __future__ import annotations

from dataclasses import dataclass, field

from .text import SOUND, html_to_text, tidy

#: Notes about skipped rows stop listing individual lines after this many, to keep reports short.
MAX_NOTES_PER_KIND = 5


@dataclass(frozen=True)
class Card:
    """One flashcard: the question (front), the answer (back), tags, and where it came from."""

    question: str
    answer: str
    tags: tuple[str, ...] = field(default=())
    source: str = ""


@dataclass
class Deck:
    """The cards of one deck file, the format they were read as, and what reading skipped or merged."""

    cards: list[Card]
    format: str
    path: str
    notes: list[str] = field(default_factory=list)


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

    ``images`` keeps ``<img>`` tags as ``[image: NAME]`` (see :func:`~dlgraph.decks.text.html_to_text`).
    """
    if as_html:
        question, answer = html_to_text(question, images=images), html_to_text(answer, images=images)
    else:
        question, answer = tidy(SOUND.sub("", question)), tidy(SOUND.sub("", answer))
    question = " ".join(question.split())
    if not question or not answer:
        return None
    return Card(question, answer, tags, source)
