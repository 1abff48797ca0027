"""Choosing a reader for a deck file, reading it, and the tidying every format shares.

:func:`load_deck` picks the reader (an Anki package by its content; a text deck by its content
first, then the file extension; ``fmt`` forces one), then tidies what every format shares: a
parenthetical that every question ends with, a front-matter card, duplicate questions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..errors import DeckError
from .anki_package import DESCRIPTIONS, read_anki_package, sniff
from .anki_text import has_anki_headers, read_anki_text
from .cards import Card, Deck
from .delimited import read_csv_text, read_quizlet_text, read_tsv_text, sniff_delimiter
from .markdown import read_headings_text, read_markdown_text
from .text import decode

#: The format name of Anki packages and collections (``.apkg``, ``.colpkg``, ``collection.anki2``...).
PACKAGE = "anki-package"

#: Every format a deck can be read as; ``--format`` offers exactly these.
FORMATS: tuple[str, ...] = ("markdown", "headings", "csv", "tsv", "anki", "quizlet", PACKAGE)

_TABLE_ROW = re.compile(r"^\s*\|.*\|", re.MULTILINE)
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*\|", re.MULTILINE)
_HEADING_LINE = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)
_QUOTED_FIELD = re.compile(r'(^|\t)"', re.MULTILINE)


def detect_format(text: str, name: str = "") -> str:
    """The format a deck is in: Anki headers win, then the extension, then the content's shape."""
    if has_anki_headers(text):
        return "anki"
    suffix = Path(name).suffix.casefold()
    has_table = bool(_TABLE_SEPARATOR.search(text)) or len(_TABLE_ROW.findall(text[:20000])) >= 2
    if suffix in (".md", ".markdown"):
        return "markdown" if has_table else "headings"
    if suffix == ".csv":
        return "csv"
    if suffix in (".tsv", ".tab"):
        return "tsv"
    if has_table:
        return "markdown"
    if len(_HEADING_LINE.findall(text)) >= 2 and "\t" not in text:
        return "headings"
    delimiter = sniff_delimiter(text)
    if delimiter == "\t":
        return "tsv" if _QUOTED_FIELD.search(text) else "quizlet"
    return "csv"


#: The text readers, by format name; ``anki-package`` is read from the bytes, before any decoding.
_READERS: dict[str, Callable[..., list[Card]]] = {
    "markdown": lambda text, name, notes: read_markdown_text(text, name),
    "headings": lambda text, name, notes: read_headings_text(text, name),
    "csv": lambda text, name, notes: read_csv_text(text, name, notes=notes),
    "tsv": lambda text, name, notes: read_tsv_text(text, name, notes=notes),
    "anki": lambda text, name, notes: read_anki_text(text, name, notes=notes),
    "quizlet": lambda text, name, notes: read_quizlet_text(text, name, notes=notes),
}

_EXPECTED = {
    "markdown": "a markdown table of question | answer",
    "headings": "markdown headings, each followed by its answer",
    "csv": "rows of question,answer",
    "tsv": "rows of question<TAB>answer",
    "anki": "an Anki 'Notes in Plain Text' export",
    "quizlet": "lines of term<TAB>definition",
    PACKAGE: "an Anki package or collection with notes",
}

_TRAILING_PARENTHETICAL = re.compile(r"\s*(\([^()]*\))\s*$")
_FRONT_MATTER = {"introduction", "intro", "about", "aboutthisdeck", "readme", "preface", "instructions",
                 "howtousethisdeck", "license", "licence", "credits", "notes", "changelog"}  # fmt: skip
_ABOUT_THE_DECK = re.compile(r"\b(?:this deck|deck|flashcards?|anki|cards)\b", re.IGNORECASE)


def strip_common_suffix(cards: list[Card]) -> tuple[list[Card], str | None]:
    """Drop a parenthetical that every question ends with (``" (Google Machine Learning Glossary)"``).

    Decks add such a suffix to keep their cards apart from others in an Anki collection; it says
    nothing about the term. Needs at least two cards so that a one-card deck keeps its text.
    """
    if len(cards) < 2:
        return cards, None
    first = _TRAILING_PARENTHETICAL.search(cards[0].question)
    if not first or first.start() == 0:
        return cards, None
    suffix = first.group(1)
    stripped = []
    for card in cards:
        match = _TRAILING_PARENTHETICAL.search(card.question)
        if not match or match.group(1) != suffix or match.start() == 0:
            return cards, None
        stripped.append(replace(card, question=card.question[: match.start()]))
    return stripped, suffix


def is_front_matter(card: Card) -> bool:
    """A card about the deck rather than a term: titled Introduction, About, Read me... and talking
    about the deck, its cards or Anki. Such a card would become a meaningless concept."""
    from ..names import normalize

    return normalize(card.question) in _FRONT_MATTER and bool(_ABOUT_THE_DECK.search(card.answer))


def merge_duplicates(cards: list[Card]) -> tuple[list[Card], list[str]]:
    """One card per question (compared case-, space- and punctuation-insensitively).

    The first card's question and position are kept; differing answers are joined, tags united.
    """
    from ..names import normalize

    merged: dict[str, Card] = {}
    sources: dict[str, list[str]] = {}
    for card in cards:
        key = normalize(card.question) or card.question
        if key not in merged:
            merged[key] = card
            sources[key] = [card.source]
            continue
        first = merged[key]
        answer = first.answer
        if normalize(card.answer) not in normalize(answer):
            answer = f"{answer}\n{card.answer}"
        tags = tuple(dict.fromkeys(first.tags + card.tags))
        merged[key] = replace(first, answer=answer, tags=tags)
        sources[key].append(card.source)
    notes = [
        f"merged {len(where)} cards with the question {merged[key].question!r} ({', '.join(where)})"
        for key, where in sources.items()
        if len(where) > 1
    ]
    return list(merged.values()), notes


def read_deck_bytes(raw: bytes, name: str, fmt: str | None = None, *, wal: bytes = b"") -> Deck:
    """Decode, pick the reader (or use ``fmt``), read, and tidy: the whole of :func:`load_deck`
    except the file access. Raises :class:`DeckError` when nothing usable is in ``raw``.

    An Anki package or collection is recognised by its content, whatever its name; ``wal`` is a live
    collection's write-ahead log (see :func:`~dlgraph.decks.anki_package.read_anki_package`).
    """
    if fmt is not None and fmt not in FORMATS:
        raise DeckError(f"unknown deck format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not raw.strip():
        raise DeckError(f"{name}: the deck is empty")
    binary = sniff(raw)
    notes: list[str] = []
    if binary or fmt == PACKAGE:
        if fmt not in (None, PACKAGE, "anki"):  # --format anki on a package: the user means Anki
            raise DeckError(
                f"{name}: this is {DESCRIPTIONS[binary]}, not a {fmt} deck; read it without --format, "
                f"or with --format {PACKAGE}"
            )
        cards = read_anki_package(raw, name, wal=wal, notes=notes)
        return _tidy_deck(cards, PACKAGE, name, notes, forced=fmt is not None)
    text = decode(raw, name)
    if not text.strip():
        raise DeckError(f"{name}: the deck is empty")
    chosen = fmt or detect_format(text, name)
    try:
        cards = _READERS[chosen](text, name, notes)
    except RecursionError:
        raise DeckError(f"{name}: the deck is nested too deeply to read") from None
    return _tidy_deck(cards, chosen, name, notes, forced=fmt is not None)


def _tidy_deck(cards: list[Card], chosen: str, name: str, notes: list[str], *, forced: bool) -> Deck:
    """What every format shares once read: no cards is an error; a common suffix, cards about the
    deck and duplicate questions go, each with a note."""
    if not cards:
        hint = "" if forced else "; if the format was guessed wrong, force it with --format"
        skipped = ""
        if notes:  # why the records gave no card, e.g. every Anki note of an image occlusion type
            skipped = f"; {notes[0]}" + (f" (and {len(notes) - 1} more notes)" if len(notes) > 1 else "")
        raise DeckError(
            f"{name}: found no cards (read it as {chosen}: expected {_EXPECTED[chosen]}){hint}{skipped}"
        )
    cards, suffix = strip_common_suffix(cards)
    if suffix:
        notes.append(f"dropped {suffix!r}, which every question ends with")
    front = [is_front_matter(card) for card in cards]
    kept = [card for card, skip in zip(cards, front, strict=True) if not skip]
    notes += [
        f"{c.source}: skipped {c.question!r}, a card about the deck, not a term"
        for c, skip in zip(cards, front, strict=True)
        if skip
    ]
    if not kept:
        raise DeckError(f"{name}: found no cards, only notes about the deck")
    cards, merged = merge_duplicates(kept)
    return Deck(cards, chosen, name, notes + merged)


def load_deck(path: str | Path, fmt: str | None = None) -> Deck:
    """Read a deck file of any supported format (see :data:`FORMATS`) into a :class:`Deck`.

    The file is read whole into memory and never written; an Anki collection is read from a copy,
    with its ``-wal`` file when Anki has it open.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
        wal_path = path.with_name(path.name + "-wal")
        wal = wal_path.read_bytes() if sniff(raw) == "sqlite" and wal_path.is_file() else b""
    except FileNotFoundError:
        raise DeckError(f"{path}: no such deck file") from None
    except IsADirectoryError:
        raise DeckError(f"{path}: is a folder, expected a deck file") from None
    except OSError as exc:
        raise DeckError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return read_deck_bytes(raw, str(path), fmt, wal=wal)


def read_deck(path: str | Path, fmt: str | None = None) -> list[Card]:
    """The cards of a deck file (see :func:`load_deck` for the format, notes and tidying)."""
    return load_deck(path, fmt).cards
