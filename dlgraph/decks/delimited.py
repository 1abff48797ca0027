"""Delimited text decks: CSV and TSV (with or without a header row) and Quizlet exports.

Examples
--------
>>> read_csv_text('front,back\\nAdam,"combines RMSprop, momentum"\\n')[0].answer
'combines RMSprop, momentum'
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

from ..errors import DeckError
from .cards import Card, Reading, SkipNotes, make_card
from .text import looks_like_html

QUESTION_HEADERS = {"question", "front", "term", "word", "prompt", "q", "concept", "name", "text"}
ANSWER_HEADERS = {"answer", "back", "definition", "meaning", "response", "a", "explanation", "description"}
_TAG_HEADERS = {"tags", "tag", "topic", "topics"}
_SNIFF_DELIMITERS = ("\t", "|", ";", ",")


def records(text: str, delimiter: str, name: str) -> list[tuple[int, int, list[str]]]:
    """``(first line, last line, fields)`` for every record; quoted fields may hold the delimiter and
    newlines, so a record may span lines."""
    if csv.field_size_limit() < len(text) + 1:
        csv.field_size_limit(len(text) + 1)  # a 1 MB answer is a legitimate (if odd) field
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    rows = []
    line = 1
    try:
        for fields in reader:
            if any(f.strip() for f in fields):
                rows.append((line, reader.line_num, fields))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise DeckError(f"{name}:{reader.line_num}: cannot split this line into fields: {exc}") from None
    return rows


def sniff_delimiter(text: str) -> str:
    """The field separator that splits the first records most consistently into two or more fields."""
    sample = text[:20000]
    best, best_score = ",", (-1, -1)
    for delimiter in _SNIFF_DELIMITERS:
        try:
            rows = records(sample, delimiter, "<sample>")[:30]
        except DeckError:
            continue
        counts = [len(fields) for _, _, fields in rows]
        split = sum(1 for n in counts if n >= 2)
        modal = max((counts.count(n) for n in set(counts) if n >= 2), default=0)
        if (split, modal) > best_score:
            best, best_score = delimiter, (split, modal)
    return best


def _header_columns(fields: list[str]) -> tuple[int, int, int | None] | None:
    """Question, answer and tags column indexes if ``fields`` is a header row we recognise."""
    names = [f.strip().strip("#").casefold() for f in fields]
    question = next((i for i, n in enumerate(names) if n in QUESTION_HEADERS), None)
    answer = next((i for i, n in enumerate(names) if n in ANSWER_HEADERS and i != question), None)
    if question is None or answer is None:
        return None
    tags = next((i for i, n in enumerate(names) if n in _TAG_HEADERS), None)
    return question, answer, tags


def split_tags(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in re.split(r"[\s,;]+", value.strip()) if t))


_DELIMITER_WORDS = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe", " ": "space", ":": "colon"}


def cards_from_records(
    rows: list[tuple[int, int, list[str]]],
    name: str,
    delimiter: str,
    *,
    as_html: bool,
    reading: Reading,
    question_col: int = 0,
    answer_col: int | None = 1,
    tags_col: int | None = None,
    skip: frozenset[int] = frozenset(),
    shared_tags: tuple[str, ...] = (),
    width: int | None = None,
) -> None:
    """Cards from split records, into ``reading``. Without a known answer column, every field after
    the question is the answer. A record with more fields than ``width`` (the header's, else the
    usual number) keeps the extra fields in its answer, as an unquoted separator inside the answer
    would make them, and says so."""
    if width is None:
        # The usual width among rows that can be cards: a one-field row (skipped anyway) beside a
        # single card must not make the card's answer look like extra fields.
        least = max(question_col + 2, (answer_col or 0) + 1)
        counts = Counter(len(fields) for _, _, fields in rows if len(fields) >= least)
        width = max(counts, key=lambda n: (counts[n], -n)) if counts else 0
    extras = SkipNotes()
    for first, last, fields in rows:
        if len(fields) <= question_col or (answer_col is not None and len(fields) <= answer_col):
            count = f"{len(fields)} field" + ("" if len(fields) == 1 else "s")
            reading.skip(first, delimiter.join(fields), f"a row of {count}, so no answer", last)
            continue
        extra = len(fields) - width if width and len(fields) > width else 0
        if extra:
            what = "field is" if extra == 1 else f"{extra} fields are"
            unquoted = _DELIMITER_WORDS.get(delimiter, repr(delimiter))
            extras.add(
                "rows with extra fields",
                f"{name}:{first}: {len(fields)} fields where the deck has {width}; the extra {what} kept "
                f"in the answer (an unquoted {unquoted} in it?)",
            )
            if answer_col is not None:  # the columns after the answer keep their places
                fields = [
                    *fields[:answer_col],
                    delimiter.join(fields[answer_col : answer_col + extra + 1]),
                    *fields[answer_col + extra + 1 :],
                ]
        question = fields[question_col]
        if answer_col is not None:
            answer = fields[answer_col]
        else:
            rest = [f for i, f in enumerate(fields) if i > question_col and i not in skip and i != tags_col]
            answer = delimiter.join(rest)
        tags = shared_tags
        if tags_col is not None and tags_col < len(fields):
            tags = tuple(dict.fromkeys(tags + split_tags(fields[tags_col])))
        card = make_card(question, answer, tags, f"{name}:{first}", as_html=as_html)
        if card is None:
            reading.skip(first, delimiter.join(fields), "an empty question or answer", last)
            continue
        reading.add(card, range(first, last + 1))
    reading.notes += extras.finish()


def csv_reading(text: str, name: str = "<deck>", *, delimiter: str | None = None) -> Reading:
    """Cards from comma- (or tab-, pipe-, semicolon-) separated text, with or without a header row.

    The separator is sniffed unless given. A header row is recognised by its names (question /
    answer, front / back, term / definition, and an optional tags column). Fields may be quoted to
    hold the separator, quotes (``""``) and newlines. HTML in fields is turned into text.
    """
    delimiter = delimiter or sniff_delimiter(text)
    reading = Reading()
    rows = records(text, delimiter, name)
    columns = _header_columns(rows[0][2]) if rows else None
    width = None
    if columns:
        reading.markup.update(range(rows[0][0], rows[0][1] + 1))
        width = len(rows[0][2])
        rows = rows[1:]
    question_col, answer_col, tags_col = columns or (0, None, None)
    cards_from_records(
        rows,
        name,
        delimiter,
        as_html=looks_like_html(text),
        reading=reading,
        question_col=question_col,
        answer_col=answer_col,
        tags_col=tags_col,
        width=width,
    )
    return reading


def _with_notes(reading: Reading, name: str, notes: list[str] | None) -> list[Card]:
    if notes is not None:
        notes.extend(reading.skip_notes(name) + reading.notes)
    return reading.cards


def read_csv_text(
    text: str, name: str = "<deck>", *, delimiter: str | None = None, notes: list[str] | None = None
) -> list[Card]:
    """The cards of a CSV deck (see :func:`csv_reading`); what was skipped goes into ``notes``."""
    return _with_notes(csv_reading(text, name, delimiter=delimiter), name, notes)


def read_tsv_text(text: str, name: str = "<deck>", *, notes: list[str] | None = None) -> list[Card]:
    """Cards from tab-separated text (CSV rules, tab between fields)."""
    return read_csv_text(text, name, delimiter="\t", notes=notes)


def tsv_reading(text: str, name: str = "<deck>") -> Reading:
    return csv_reading(text, name, delimiter="\t")


def quizlet_reading(text: str, name: str = "<deck>") -> Reading:
    """Cards from a Quizlet export: term TAB definition, one card a line.

    Quizlet does not quote fields, so a line without a tab continues the previous definition (a
    multi-line definition); lines before the first card are skipped.
    """
    reading = Reading()
    pending: list[tuple[int, str, list[str], list[int]]] = []
    for number, line in enumerate(text.split("\n"), 1):
        if "\t" in line:
            term, definition = line.split("\t", 1)
            pending.append((number, term, [definition], [number]))
        elif pending:
            pending[-1][2].append(line)
            pending[-1][3].append(number)
        elif line.strip():
            reading.skip(number, line, "no tab before the first card")
    as_html = looks_like_html(text)
    for number, term, definition, lines in pending:
        card = make_card(term, "\n".join(definition), (), f"{name}:{number}", as_html=as_html)
        if card is None:
            reading.skip(number, term + "\t" + definition[0], "an empty term or definition", lines[-1])
            continue
        reading.add(card, lines)
    return reading


def read_quizlet_text(text: str, name: str = "<deck>", *, notes: list[str] | None = None) -> list[Card]:
    """The cards of a Quizlet export (see :func:`quizlet_reading`)."""
    return _with_notes(quizlet_reading(text, name), name, notes)
