"""Choosing a reader for a deck file, reading it, and the tidying every format shares.

:func:`load_deck` picks the reader (an Anki package by its content; for a text deck, every plausible
reader reads the file and the one that accounts for it best wins, see :func:`_rank`; ``fmt`` forces
one), then tidies what every format shares: LaTeX made readable, a parenthetical that every
question ends with, a front-matter card, duplicate questions. Nothing goes silently: every line no
card holds is in ``Deck.skipped`` with its reason and in the notes, and when more than
:data:`MAX_UNREAD_SHARE` of the lines are in no card the first note warns, naming the ``--format``
that would read them.
"""

from __future__ import annotations

import bisect
import contextlib
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..errors import DeckError
from .anki_package import DESCRIPTIONS, read_anki_package, sniff
from .anki_text import anki_text_reading, has_anki_headers
from .cards import Card, Deck, Reading, short, with_wikilinks
from .delimited import csv_reading, quizlet_reading, sniff_delimiter, tsv_reading
from .latex import flashcards_reading, has_flashcards, readable_card
from .markdown import bold_questions_reading, headings_reading, table_reading
from .note_apps import has_flashcard_tag, logseq_reading, obsidian_reading
from .text import decode

#: The format name of Anki packages and collections (``.apkg``, ``.colpkg``, ``collection.anki2``...).
PACKAGE = "anki-package"

#: Every format a deck can be read as; ``--format`` offers exactly these.
FORMATS: tuple[str, ...] = (
    "markdown",
    "headings",
    "bold-questions",
    "obsidian",
    "logseq",
    "csv",
    "tsv",
    "anki",
    "quizlet",
    "latex-flashcards",
    PACKAGE,
)

#: Loading warns when more than this share of a file's non-blank lines ends up in no card.
MAX_UNREAD_SHARE = 0.05

_MARKDOWN_FAMILY = ("markdown", "headings", "bold-questions", "obsidian", "logseq")
#: Formats whose files mark each card explicitly (``#flashcards``, ``#card``): their other text is notes.
_EXPLICIT = ("obsidian", "logseq")
#: Formats whose cards may sit under headings that are then sections (topics), not questions.
_FINER_THAN_HEADINGS = ("bold-questions", "obsidian")

# Spaces and tabs only, never \s (which spans lines), and no two runs that could share the same
# spaces: a page of deeply indented lines must not take quadratic time.
_TABLE_ROW = re.compile(r"^[ \t]*\|.*\|", re.MULTILINE)
_TABLE_SEPARATOR = re.compile(r"^[ \t]*(?:\|[ \t]*)?:?-{2,}:?[ \t]*\|", re.MULTILINE)
_HEADING_LINE = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)
_QUOTED_FIELD = re.compile(r'(^|\t)"', re.MULTILINE)

#: The text readers, by format name; ``anki-package`` is read from the bytes, before any decoding.
_READERS: dict[str, Callable[[str, str], Reading]] = {
    "markdown": table_reading,
    "headings": headings_reading,
    "bold-questions": bold_questions_reading,
    "obsidian": obsidian_reading,
    "logseq": logseq_reading,
    "csv": csv_reading,
    "tsv": tsv_reading,
    "anki": anki_text_reading,
    "quizlet": quizlet_reading,
    "latex-flashcards": flashcards_reading,
}

_EXPECTED = {
    "markdown": "a markdown table of question | answer",
    "headings": "markdown headings, each followed by its answer",
    "bold-questions": "**bold questions**, each followed by its answer",
    "obsidian": "Obsidian Spaced Repetition cards (Question::Answer, or lines around a ? line)",
    "logseq": "Logseq blocks tagged #card, with the answer in their child blocks",
    "csv": "rows of question,answer",
    "tsv": "rows of question<TAB>answer",
    "anki": "an Anki 'Notes in Plain Text' export",
    "quizlet": "lines of term<TAB>definition",
    "latex-flashcards": "\\begin{flashcard}{Front} back \\end{flashcard} blocks (the flashcards LaTeX class)",
    PACKAGE: "an Anki package or collection with notes",
}


def _shape_guess(text: str, name: str) -> str:
    """The format a deck's shape suggests (Anki headers, the extension, tables, headings, tabs):
    the tie-breaker when several readers account for a file equally well."""
    if has_anki_headers(text):
        return "anki"
    suffix = Path(name).suffix.casefold()
    if suffix == ".tex" or has_flashcards(text):
        return "latex-flashcards"
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


def _plausible(text: str, name: str) -> tuple[str, ...]:
    """The readers worth trying on a file: Anki headers and a .csv, .tsv or .tex name each settle it;
    ``\\begin{flashcard}`` in another file adds the LaTeX reader (a note may only quote the class)."""
    if has_anki_headers(text):
        return ("anki",)
    suffix = Path(name).suffix.casefold()
    if suffix == ".tex":
        return ("latex-flashcards",)
    latex = ("latex-flashcards",) if has_flashcards(text) else ()
    if suffix == ".csv":
        return (*latex, "csv")
    if suffix in (".tsv", ".tab"):
        return (*latex, "tsv")
    if suffix in (".md", ".markdown"):
        return (*latex, *_MARKDOWN_FAMILY)
    return (*latex, *_MARKDOWN_FAMILY, "csv", "tsv", "quizlet")


def _read(fmt: str, text: str, name: str) -> Reading:
    """One reader's reading of ``text``, with every line it did not mention reported as skipped."""
    try:
        reading = _READERS[fmt](text, name)
    except RecursionError:
        raise DeckError(f"{name}: the deck is nested too deeply to read") from None
    reading.account_for(text.split("\n"), fmt)
    return reading


def _nonblank(text: str) -> set[int]:
    return {n for n, line in enumerate(text.split("\n"), 1) if line.strip()}


def _guess(text: str, name: str) -> tuple[str, dict[str, Reading]]:
    """The format that reads ``text`` best (see :func:`_rank`), and every plausible reader's reading."""
    readings: dict[str, Reading] = {}
    errors: dict[str, DeckError] = {}
    for fmt in _plausible(text, name):
        try:
            readings[fmt] = _read(fmt, text, name)
        except DeckError as exc:
            errors[fmt] = exc
    ranked = _rank(text, name, readings)
    if ranked:
        return ranked[0], readings
    preferred = _shape_guess(text, name)
    if preferred in errors:
        raise errors[preferred]
    return (preferred if preferred in readings else next(iter(readings), preferred)), readings


def _rank(text: str, name: str, readings: dict[str, Reading]) -> list[str]:
    """The formats whose readings found cards, best first.

    A file that marks its cards for a tool (a ``#flashcards`` tag, Logseq ``#card`` blocks) is that
    tool's first. Headings that hold another reader's cards (bold questions, ``Q::A`` lines) under at
    least half of them are sections, not questions: that reader goes before headings. Otherwise the
    reading that accounts for most non-blank lines (in cards, or as the format's markup: a header
    row, a heading used as a topic) goes first, then the one with more cards; the file's shape
    (extension, tables, tabs) breaks ties.
    """
    with_cards = [fmt for fmt, reading in readings.items() if reading.cards]
    marked = {"obsidian": has_flashcard_tag(text), "logseq": True}
    sections = "headings" in readings and any(
        _sections_of(readings["headings"], readings[fmt]) for fmt in _FINER_THAN_HEADINGS if fmt in with_cards
    )
    lines = _nonblank(text)
    order = [_shape_guess(text, name), _shape_guess(text, ""), *FORMATS]  # the extension, then the content

    def key(fmt: str) -> tuple[bool, bool, int, int, int]:
        explicit = fmt in _EXPLICIT and marked[fmt]
        titles = sections and fmt == "headings"
        cards = len(readings[fmt].cards)
        return explicit, not titles, len(readings[fmt].used() & lines), cards, -order.index(fmt)

    return sorted(with_cards, key=key, reverse=True)


def _sections_of(headings: Reading, finer: Reading) -> bool:
    """Whether at least half the headings reader's cards hold a card of the ``finer`` reading."""
    starts = sorted(first for first, _ in finer.spans)
    holding = 0
    for first, last in headings.spans:
        at = bisect.bisect_right(starts, first)
        holding += at < len(starts) and starts[at] <= last
    return 2 * holding >= len(headings.spans)


def detect_format(text: str, name: str = "") -> str:
    """The format a deck is read as: the reader that accounts for the file best (see :func:`_guess`).

    >>> notes = "## Optim\\n**Adam?**\\nmomentum\\n| a | b |\\n|---|---|\\n**SGD?**\\ngradient steps\\n"
    >>> detect_format(notes, "notes.md")  # not a table deck, nor one card titled Optim
    'bold-questions'
    """
    return _guess(text, name)[0]


def _unread_warning(
    text: str, name: str, chosen: str, reading: Reading, others: dict[str, Reading]
) -> str | None:
    """The warning when more than :data:`MAX_UNREAD_SHARE` of the non-blank lines are in no card:
    how many, the first few, and the ``--format`` that reads most of them as cards."""
    lines = _nonblank(text)
    unread = reading.skipped_lines() & lines
    if not lines or len(unread) <= MAX_UNREAD_SHARE * len(lines):
        return None
    source = text.split("\n")
    shown = ", ".join(f"line {n} {short(source[n - 1], 40)!r}" for n in sorted(unread)[:3])
    formats = _plausible(text, name)
    if chosen in _EXPLICIT and (chosen == "logseq" or has_flashcard_tag(text)):
        formats = _EXPLICIT  # the note marks its cards: its other text is notes, not another format
    others = _others(text, name, chosen, others, formats)
    read_by = {fmt: len(unread & r.in_cards) for fmt, r in others.items()}
    # The format guessing would pick among the others, if it reads any of them; else the one reading most.
    ranked = [fmt for fmt in _rank(text, name, others) if read_by[fmt]]
    best = ranked[0] if ranked else max(read_by, key=lambda f: (read_by[f], -FORMATS.index(f)), default=None)
    if best is None or not read_by[best]:
        hint = "no other --format reads them as cards"
    else:
        hint = f"--format {best} reads {read_by[best]} of them as cards"
    return (
        f"{name}: {len(unread)} of {len(lines)} non-blank lines ({len(unread) / len(lines):.0%}) are in no "
        f"card (read as {chosen}), e.g. {shown}; {hint}"
    )


_TRAILING_PARENTHETICAL = re.compile(r"\s*(\([^()]*\))\s*$")
_FRONT_MATTER = {"introduction", "intro", "about", "aboutthisdeck", "readme", "preface", "instructions",
                 "howtousethisdeck", "license", "licence", "credits", "notes", "changelog"}  # fmt: skip
#: Longer than any front-matter title, however written ("About this deck", "How to use this deck").
_LONGEST_FRONT_MATTER = 40
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

    if len(card.question) > _LONGEST_FRONT_MATTER:  # the cheap test first: most questions are longer
        return False
    return normalize(card.question) in _FRONT_MATTER and bool(_ABOUT_THE_DECK.search(card.answer))


def merge_duplicates(cards: list[Card]) -> tuple[list[Card], list[str]]:
    """One card per question, where questions count as the same only when identical but for case and
    whitespace ("Does list[:i] ..." and "Does list[i:] ..." stay two cards).

    The first card's question and position are kept; differing answers are joined, tags united, and
    each merge is reported with where the cards came from.
    """
    from ..names import normalize

    merged: dict[str, Card] = {}
    sources: dict[str, list[str]] = {}
    for card in cards:
        key = " ".join(card.question.split()).casefold()
        if key not in merged:
            merged[key] = card
            sources[key] = [card.source]
            continue
        first = merged[key]
        answer = first.answer
        if normalize(card.answer) not in normalize(answer):
            answer = f"{answer}\n{card.answer}"
        tags = tuple(dict.fromkeys(first.tags + card.tags))
        links = tuple(dict.fromkeys(first.links + card.links))
        merged[key] = replace(first, answer=answer, tags=tags, links=links)
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
    readings: dict[str, Reading] = {}
    if fmt is None:
        chosen, readings = _guess(text, name)
    else:
        chosen = fmt
    reading = readings.get(chosen) or _read(chosen, text, name)
    warning = _unread_warning(text, name, chosen, reading, readings) if reading.cards else None
    notes = ([warning] if warning else []) + reading.skip_notes(name) + reading.notes
    better = "" if reading.cards else _no_cards_hint(text, name, chosen, readings)
    deck = _tidy_deck(reading.cards, chosen, name, notes, forced=fmt is not None, better=better)
    deck.skipped = reading.shown()
    deck.lines = len(_nonblank(text))
    deck.warning = warning
    return deck


def _others(
    text: str, name: str, chosen: str, readings: dict[str, Reading], formats: tuple[str, ...]
) -> dict[str, Reading]:
    """The readings of ``formats`` other than ``chosen`` (reusing ``readings``); the Anki export
    reader only for a file with Anki's headers, as without them it reads like CSV."""
    others = {}
    for fmt in formats:
        if fmt == chosen or (fmt == "anki" and not has_anki_headers(text)):
            continue
        if fmt not in readings:
            with contextlib.suppress(DeckError):
                readings[fmt] = _read(fmt, text, name)
        if fmt in readings:
            others[fmt] = readings[fmt]
    return others


def _no_cards_hint(text: str, name: str, chosen: str, readings: dict[str, Reading]) -> str:
    """When ``chosen`` read no card: the format that reads the most cards, if any does."""
    others = _others(text, name, chosen, readings, tuple(_READERS))
    ranked = _rank(text, name, others)
    return f"--format {ranked[0]} reads {len(others[ranked[0]].cards)} card(s) from it" if ranked else ""


def _tidy_deck(
    cards: list[Card], chosen: str, name: str, notes: list[str], *, forced: bool, better: str = ""
) -> Deck:
    """What every format shares once read: no cards is an error (``better`` names a format that
    reads some); LaTeX becomes readable text (:mod:`~dlgraph.decks.latex`); a common suffix, cards
    about the deck and duplicate questions go, each with a note."""
    if not cards:
        hint = "" if forced else "; if the format was guessed wrong, force it with --format"
        hint = f"; {better}" if better else hint
        skipped = ""
        if notes:  # why the records gave no card, e.g. every Anki note of an image occlusion type
            skipped = f"; {notes[0]}" + (f" (and {len(notes) - 1} more notes)" if len(notes) > 1 else "")
        raise DeckError(
            f"{name}: found no cards (read it as {chosen}: expected {_EXPECTED[chosen]}){hint}{skipped}"
        )
    cards = [readable_card(with_wikilinks(card)) for card in cards]  # links, then LaTeX, in one place
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


#: The largest deck read unless asked (``dlgraph build --max-size``): a deck is text, and a file
#: larger than this is almost surely not one; reading it whole would only exhaust memory.
MAX_DECK_BYTES = 50 * 1024 * 1024


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else is a :class:`DeckError`
    at once (a FIFO would block for ever, ``/dev/zero`` never ends). See :mod:`dlgraph.files`."""
    from ..files import read_bounded as read_file

    return read_file(path, limit, what="deck", error=DeckError, larger="give --max-size MB to read it")


def load_deck(path: str | Path, fmt: str | None = None, *, max_bytes: int = MAX_DECK_BYTES) -> Deck:
    """Read a deck file of any supported format (see :data:`FORMATS`) into a :class:`Deck`.

    The file is read whole into memory and never written; an Anki collection is read from a copy,
    with its ``-wal`` file when Anki has it open. Only a regular file of at most ``max_bytes`` is
    read (see :func:`read_bounded`).
    """
    path = Path(path)
    try:
        raw = read_bounded(path, max_bytes)
        wal_path = path.with_name(path.name + "-wal")
        wal = wal_path.read_bytes() if sniff(raw) == "sqlite" and wal_path.is_file() else b""
    except FileNotFoundError:
        raise DeckError(f"{path}: no such deck file") from None
    except IsADirectoryError:
        raise DeckError(f"{path}: is a folder, expected a deck file") from None
    except OSError as exc:
        raise DeckError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return read_deck_bytes(raw, str(path), fmt, wal=wal)


def check_strict(path: str | Path, fmt: str | None = None, *, max_bytes: int = MAX_DECK_BYTES) -> Deck:
    """:func:`load_deck`, with the warning that too many lines are in no card raised as a
    :class:`DeckError` (``dlgraph build --strict``), so a deck read wrongly stops a script."""
    return strictly(load_deck(path, fmt, max_bytes=max_bytes))


def strictly(deck: Deck) -> Deck:
    """``deck``, or a :class:`DeckError` when its reading warned that too many lines are in no card."""
    if deck.warning:
        raise DeckError(f"{deck.warning} (--strict makes this an error; drop it to build anyway)")
    return deck


def read_deck(path: str | Path, fmt: str | None = None) -> list[Card]:
    """The cards of a deck file (see :func:`load_deck` for the format, notes and tidying)."""
    return load_deck(path, fmt).cards
