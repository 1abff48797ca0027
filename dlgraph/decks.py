"""Deck readers: one function per flashcard format, all returning the same :class:`Card` records.

Extraction never sees the format, only cards.

Examples
--------
>>> cards = read_markdown_text("| Q | A |\\n|---|---|\\n| MDP | P(s' | s, a) |\\n", "deck.md")
>>> cards[0].question, cards[0].answer
('MDP', "P(s' | s, a)")
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DeckError


@dataclass(frozen=True)
class Card:
    """One flashcard: the question (front), the answer (back), tags, and where it came from."""

    question: str
    answer: str
    tags: tuple[str, ...] = field(default=())
    source: str = ""


_SEPARATOR_ROW = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text with or without BOM, universal newlines; any other encoding is a :class:`DeckError`."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DeckError(
            f"{name}: not UTF-8 (byte {raw[exc.start]:#04x} at offset {exc.start}); "
            "re-save the deck as UTF-8, e.g. `iconv -f latin1 -t utf-8`"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_markdown_text(text: str, name: str = "<deck>") -> list[Card]:
    """Cards from markdown tables: first cell is the question, everything after it the answer.

    Lines that are not table rows (page junk around the table) are skipped, and so are header rows
    (the row above a ``|---|`` separator) and the separators. Answers may hold a bare ``|``, as in
    ``P(s' | s, a)``: only the first unescaped pipe after the opening one splits the row.
    """
    lines = text.split("\n")
    cards = []
    for number, line in enumerate(lines, 1):
        row = line.strip()
        if not row.startswith("|") or _SEPARATOR_ROW.match(row):
            continue
        following = lines[number].strip() if number < len(lines) else ""
        if _SEPARATOR_ROW.match(following) and following.startswith("|"):
            continue  # a header row
        body = row[1:]
        if body.endswith("|") and not body.endswith("\\|"):
            body = body[:-1]
        parts = _UNESCAPED_PIPE.split(body, maxsplit=1)
        if len(parts) < 2:
            continue
        question, answer = (p.strip().replace("\\|", "|") for p in parts)
        if question and answer:
            cards.append(Card(question, answer, (), f"{name}:{number}"))
    return cards


def read_deck(path: str | Path) -> list[Card]:
    """Read a deck file into cards."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DeckError(f"{path}: no such deck file") from None
    except OSError as exc:
        raise DeckError(f"{path}: cannot read: {exc.strerror or exc}") from None
    cards = read_markdown_text(decode(raw, str(path)), str(path))
    if not cards:
        raise DeckError(f"{path}: found no cards (expected a markdown table of question | answer)")
    return cards
