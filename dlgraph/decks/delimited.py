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

from ..errors import DeckError
from .cards import Card, SkipNotes, make_card
from .text import looks_like_html

QUESTION_HEADERS = {"question", "front", "term", "word", "prompt", "q", "concept", "name", "text"}
ANSWER_HEADERS = {"answer", "back", "definition", "meaning", "response", "a", "explanation", "description"}
_TAG_HEADERS = {"tags", "tag", "topic", "topics"}
_SNIFF_DELIMITERS = ("\t", "|", ";", ",")


def records(text: str, delimiter: str, name: str) -> list[tuple[int, list[str]]]:
    """``(line number, fields)`` for every record; quoted fields may hold the delimiter and newlines."""
    if csv.field_size_limit() < len(text) + 1:
        csv.field_size_limit(len(text) + 1)  # a 1 MB answer is a legitimate (if odd) field
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    rows = []
    line = 1
    try:
        for fields in reader:
            if any(f.strip() for f in fields):
                rows.append((line, fields))
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
        counts = [len(fields) for _, fields in rows]
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


def cards_from_records(
    rows: list[tuple[int, list[str]]],
    name: str,
    delimiter: str,
    *,
    as_html: bool,
    notes: SkipNotes,
    question_col: int = 0,
    answer_col: int | None = 1,
    tags_col: int | None = None,
    skip: frozenset[int] = frozenset(),
    shared_tags: tuple[str, ...] = (),
) -> list[Card]:
    """Cards from split records. Without a known answer column, every field after the question is
    the answer (an unquoted separator inside an answer then splits nothing away)."""
    cards = []
    for line, fields in rows:
        if len(fields) <= question_col or (answer_col is not None and len(fields) <= answer_col):
            notes.add("rows with too few fields", f"{name}:{line}: only {len(fields)} field(s); skipped")
            continue
        question = fields[question_col]
        if answer_col is not None:
            answer = fields[answer_col]
        else:
            rest = [f for i, f in enumerate(fields) if i > question_col and i not in skip and i != tags_col]
            answer = delimiter.join(rest)
        tags = shared_tags
        if tags_col is not None and tags_col < len(fields):
            tags = tuple(dict.fromkeys(tags + split_tags(fields[tags_col])))
        card = make_card(question, answer, tags, f"{name}:{line}", as_html=as_html)
        if card is None:
            notes.add(
                "rows with an empty question or answer", f"{name}:{line}: empty question or answer; skipped"
            )
            continue
        cards.append(card)
    return cards


def read_csv_text(
    text: str, name: str = "<deck>", *, delimiter: str | None = None, notes: list[str] | None = None
) -> list[Card]:
    """Cards from comma- (or tab-, pipe-, semicolon-) separated text, with or without a header row.

    The separator is sniffed unless given. A header row is recognised by its names (question /
    answer, front / back, term / definition, and an optional tags column). Fields may be quoted to
    hold the separator, quotes (``""``) and newlines. HTML in fields is turned into text.
    """
    delimiter = delimiter or sniff_delimiter(text)
    collected = SkipNotes()
    rows = records(text, delimiter, name)
    columns = _header_columns(rows[0][1]) if rows else None
    if columns:
        rows = rows[1:]
    question_col, answer_col, tags_col = columns or (0, None, None)
    cards = cards_from_records(
        rows,
        name,
        delimiter,
        as_html=looks_like_html(text),
        notes=collected,
        question_col=question_col,
        answer_col=answer_col,
        tags_col=tags_col,
    )
    if notes is not None:
        notes.extend(collected.finish())
    return cards


def read_tsv_text(text: str, name: str = "<deck>", *, notes: list[str] | None = None) -> list[Card]:
    """Cards from tab-separated text (CSV rules, tab between fields)."""
    return read_csv_text(text, name, delimiter="\t", notes=notes)


def read_quizlet_text(text: str, name: str = "<deck>", *, notes: list[str] | None = None) -> list[Card]:
    """Cards from a Quizlet export: term TAB definition, one card a line.

    Quizlet does not quote fields, so a line without a tab continues the previous definition (a
    multi-line definition); lines before the first card are skipped.
    """
    collected = SkipNotes()
    pending: list[tuple[int, str, list[str]]] = []
    for number, line in enumerate(text.split("\n"), 1):
        if "\t" in line:
            term, definition = line.split("\t", 1)
            pending.append((number, term, [definition]))
        elif pending:
            pending[-1][2].append(line)
        elif line.strip():
            collected.add(
                "lines before the first card", f"{name}:{number}: no tab before the first card; skipped"
            )
    as_html = looks_like_html(text)
    cards = []
    for number, term, definition in pending:
        card = make_card(term, "\n".join(definition), (), f"{name}:{number}", as_html=as_html)
        if card is None:
            collected.add(
                "rows with an empty question or answer", f"{name}:{number}: empty term or definition"
            )
            continue
        cards.append(card)
    if notes is not None:
        notes.extend(collected.finish())
    return cards
