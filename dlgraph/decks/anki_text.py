"""Anki's "Notes in Plain Text" export: delimited records under ``#separator:``-style headers."""

from __future__ import annotations

import re

from ..errors import DeckError
from .cards import Card, Reading
from .delimited import (
    ANSWER_HEADERS,
    QUESTION_HEADERS,
    cards_from_records,
    records,
    sniff_delimiter,
    split_tags,
)
from .text import looks_like_html

_SEPARATOR_NAMES = {
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "space": " ",
    "pipe": "|",
    "colon": ":",
}
_ANKI_HEADER = re.compile(r"^#([a-z][a-z ]*):(.*)$", re.IGNORECASE)
_ANKI_KEYS = {
    "separator",
    "html",
    "columns",
    "tags",
    "deck",
    "notetype",
    "guid column",
    "notetype column",
    "deck column",
    "tags column",
}


def _anki_headers(text: str) -> tuple[dict[str, str], str, int]:
    """The ``#key:value`` header lines at the top of an Anki export, the rest, and its first line."""
    headers: dict[str, str] = {}
    lines = text.split("\n")
    start = 0
    for start, line in enumerate(lines):  # noqa: B007 - start is used after the loop
        match = _ANKI_HEADER.match(line)
        if not match or match.group(1).strip().casefold() not in _ANKI_KEYS:
            break
        headers[match.group(1).strip().casefold()] = match.group(2)
    else:
        start = len(lines)
    return headers, "\n".join(lines[start:]), start + 1


def has_anki_headers(text: str) -> bool:
    """Whether ``text`` starts with Anki's ``#separator:``-style header lines."""
    return bool(_anki_headers(text[:4096])[0])


def _column(headers: dict[str, str], key: str, name: str) -> int | None:
    value = headers.get(key)
    if value is None:
        return None
    try:
        index = int(value.strip()) - 1
    except ValueError:
        raise DeckError(f"{name}: #{key}:{value} is not a column number") from None
    if index < 0:
        raise DeckError(f"{name}: #{key}:{value} must be 1 or more")
    return index


def anki_text_reading(text: str, name: str = "<deck>") -> Reading:
    """Cards from an Anki "Notes in Plain Text" export.

    Honours the ``#separator:`` (Tab, Comma, Semicolon, Space, Pipe, Colon or a literal character),
    ``#html:``, ``#columns:``, ``#tags:`` and ``#guid``/``#notetype``/``#deck``/``#tags column:``
    headers. Without ``#separator:`` the separator is guessed, as Anki does; without ``#html:`` HTML
    is converted when the fields hold any. The first remaining field is the question, the next the
    answer (or the fields ``#columns:`` names Front/Back, Question/Answer...). Tags are kept.
    """
    headers, body, first_line = _anki_headers(text)
    raw_separator = headers.get("separator")
    if raw_separator is None:
        delimiter = sniff_delimiter(body)
    else:
        stripped = raw_separator.strip()
        delimiter = _SEPARATOR_NAMES.get(stripped.casefold()) or (
            raw_separator if len(raw_separator) == 1 else stripped
        )
        if len(delimiter) != 1:
            raise DeckError(
                f"{name}: #separator:{raw_separator} is not a separator; use Tab, Comma, Semicolon, "
                "Space, Pipe, Colon or a single character"
            )
    html_flag = headers.get("html", "").strip().casefold()
    as_html = html_flag == "true" or (html_flag != "false" and looks_like_html(body))
    special = {key: _column(headers, f"{key} column", name) for key in ("guid", "notetype", "deck", "tags")}
    skip = frozenset(i for key, i in special.items() if i is not None and key != "tags")
    question_col, answer_col = _content_columns(headers, delimiter, skip | {special["tags"]} - {None})
    shared_tags = split_tags(headers.get("tags", ""))
    shift = first_line - 1
    rows = [(first + shift, last + shift, fields) for first, last, fields in records(body, delimiter, name)]
    reading = Reading()
    reading.markup.update(range(1, first_line))  # the header lines
    width = len(headers["columns"].split(delimiter)) if "columns" in headers else None
    cards_from_records(
        rows,
        name,
        delimiter,
        as_html=as_html,
        reading=reading,
        question_col=question_col,
        answer_col=answer_col,
        tags_col=special["tags"],
        skip=skip,
        shared_tags=shared_tags,
        width=width,
    )
    return reading


def read_anki_text(text: str, name: str = "<deck>", *, notes: list[str] | None = None) -> list[Card]:
    """The cards of an Anki plain-text export (see :func:`anki_text_reading`); skips go into ``notes``."""
    reading = anki_text_reading(text, name)
    if notes is not None:
        notes.extend(reading.skip_notes(name) + reading.notes)
    return reading.cards


def _content_columns(
    headers: dict[str, str], delimiter: str, special: set[int | None]
) -> tuple[int, int | None]:
    """Question and answer columns: named by ``#columns:``, else the first two non-special ones."""
    free = [i for i in range(64) if i not in special]
    if "columns" in headers:
        names = [n.strip().casefold() for n in headers["columns"].split(delimiter)]
        question = next((i for i, n in enumerate(names) if n in QUESTION_HEADERS and i in free), None)
        answer = next((i for i, n in enumerate(names) if n in ANSWER_HEADERS and i in free), None)
        if question is not None and answer is not None:
            return question, answer
    return free[0], free[1] if special - {None} else None
