"""Markdown decks: a table of question | answer, or headings each followed by its answer.

Examples
--------
>>> cards = read_markdown_text("| Q | A |\\n|---|---|\\n| MDP | P(s' | s, a) |\\n", "deck.md")
>>> cards[0].question, cards[0].answer
('MDP', "P(s' | s, a)")
"""

from __future__ import annotations

import re

from .cards import Card, make_card
from .text import looks_like_html

_SEPARATOR_ROW = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def read_markdown_text(text: str, name: str = "<deck>") -> list[Card]:
    """Cards from markdown tables: first cell is the question, everything after it the answer.

    Lines that are not table rows (page junk around the table) are skipped, and so are header rows
    (the row above a ``|---|`` separator) and the separators. Answers may hold a bare ``|``, as in
    ``P(s' | s, a)``: only the first unescaped pipe after the opening one splits the row.
    """
    lines = text.split("\n")
    as_html = looks_like_html(text)
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
        card = make_card(question, answer, (), f"{name}:{number}", as_html=as_html)
        if card:
            cards.append(card)
    return cards


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_Q_PREFIX = re.compile(r"^(?:\*\*)?(?:q|question|front)\s*[:.)]\s*(?:\*\*)?\s*", re.IGNORECASE)
_A_PREFIX = re.compile(r"^(?:\*\*)?(?:a|answer|back)\s*[:.)]\s*(?:\*\*)?\s*", re.IGNORECASE)
_ROLE_HEADINGS = {"question": "q", "q": "q", "front": "q", "answer": "a", "a": "a", "back": "a"}


def read_headings_text(text: str, name: str = "<deck>") -> list[Card]:
    """Cards from markdown headings: each heading is a question, the text under it the answer.

    Two layouts are understood: ``## Adam`` followed by its answer, and pairs of headings literally
    named ``Question`` and ``Answer`` (or Front / Back) with the text under each. ``Q:`` and ``A:``
    prefixes are dropped. A heading with nothing under it (a section title) is not a card.
    """
    sections: list[tuple[int, str, list[str]]] = []
    for number, line in enumerate(text.split("\n"), 1):
        heading = _HEADING.match(line)
        if heading:
            sections.append((number, heading.group(2), []))
        elif sections:
            sections[-1][2].append(line)
    as_html = looks_like_html(text)
    cards = []
    pending: tuple[int, str] | None = None
    for number, title, body_lines in sections:
        body = "\n".join(body_lines).strip()
        role = _ROLE_HEADINGS.get(title.strip(" *:").casefold())
        if role == "q":
            pending = (number, _Q_PREFIX.sub("", body))
            continue
        if role == "a" and pending:
            card = make_card(pending[1], _A_PREFIX.sub("", body), (), f"{name}:{pending[0]}", as_html=as_html)
            pending = None
        else:
            answer = _A_PREFIX.sub("", body)
            card = make_card(_Q_PREFIX.sub("", title), answer, (), f"{name}:{number}", as_html=as_html)
        if card:
            cards.append(card)
    return cards
