"""Markdown decks: a table of question | answer, headings each followed by its answer, and bold
questions each followed by everything up to the next one.

Every reader here gives a :class:`~dlgraph.decks.cards.Reading`: the cards and an account of every
other line. Markers inside fenced code (a ``# comment``, a ``**kwargs**``) are never read as markup.
The helpers at the top are shared with :mod:`~dlgraph.decks.note_apps`.

Examples
--------
>>> cards = read_markdown_text("| Q | A |\\n|---|---|\\n| MDP | P(s' | s, a) |\\n", "deck.md")
>>> cards[0].question, cards[0].answer
('MDP', "P(s' | s, a)")
>>> card = read_bold_questions_text("## Optim\\n**What does Adam combine? 🟢**\\nRMSprop and momentum\\n")[0]
>>> card.question, card.answer, card.tags
('What does Adam combine?', 'RMSprop and momentum', ('Optim',))
"""

from __future__ import annotations

import re

from .cards import Card, Reading, make_card
from .text import looks_like_html

# --- shared markdown helpers --------------------------------------------------------------------

_FENCE = re.compile(r"^\s*(?:[-*+]\s+)?(`{3,}|~{3,})")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_WRAPPER = re.compile(
    # One run of spaces before the label and one after: two optional runs side by side would try
    # every split of a long run of spaces.
    r"</?details\b[^<>]*>|<summary\b[^<>]*>\s*(?:(?:answer|solution|show(?: answer)?)\s*)?</summary>",
    re.IGNORECASE,
)
_YAML_LINE = re.compile(r"^(?:[\w-]+[ \t]*:|[ \t]+\S|[ \t]*-[ \t]|[ \t]*$)")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
#: Runs of spaces and tabs to make one space: only those that are not one space already, so
#: that the answer's ordinary spaces are not each replaced by themselves.
_SPACES = re.compile(r" [ \t\f\v\xa0]+|[\t\f\v\xa0][ \t\f\v\xa0]*")
#: Pictographs, dingbats, the emoji among other symbols (⭐ ⌛ ⏳) and the joiners and modifiers that
#: build emoji from them; arrows and math symbols (→, ⌈x⌉) stay.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u231a\u231b"
    "\u23e9-\u23f3\u23f8-\u23fa\u3030\u303d\u3297\u3299\ufe0f\ufe0e\u200d\u20e3\U000e0020-\U000e007f]"
)
_NUMBERING = re.compile(r"^(?:q(?:uestion)?\s*)?\d+\s*[.):]\s+", re.IGNORECASE)
_Q_PREFIX = re.compile(r"^(?:\*\*)?(?:q|question|front)\s*[:.)]\s*(?:\*\*)?\s*", re.IGNORECASE)
_A_PREFIX = re.compile(r"^(?:\*\*)?(?:a|answer|back)\s*[:.)]\s*(?:\*\*)?\s*", re.IGNORECASE)


def code_lines(lines: list[str]) -> list[bool]:
    """For each line, whether it is inside a fenced code block (fence lines included)."""
    inside: list[bool] = []
    fence = ""
    for line in lines:
        match = _FENCE.match(line)
        if fence:
            inside.append(True)
            closing = match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence)
            if closing and not line.strip().lstrip("-*+ ").strip(fence[0]):
                fence = ""
        elif match:
            inside.append(True)
            fence = match.group(1)
        else:
            inside.append(False)
    return inside


def front_matter(lines: list[str]) -> int:
    """How many lines a YAML front matter block (``---`` ... ``---`` at the top, as Obsidian writes
    it) takes: the note's metadata, never a card."""
    if not lines or lines[0].strip() != "---":
        return 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None or not all(_YAML_LINE.match(line) for line in lines[1:end]):
        return 0  # a rule above a card, not metadata
    return end + 1


def heading(line: str) -> tuple[int, str] | None:
    """``(level, title)`` of a markdown heading line, without a closing run of ``#``.

    >>> heading("## Adam ##"), heading("# C#"), heading("#hashtag")
    ((2, 'Adam'), (1, 'C#'), None)
    """
    match = _HEADING.match(line)
    if not match:
        return None
    title = match.group(2).strip()
    unclosed = title.rstrip("#")
    if unclosed != title and (not unclosed or unclosed[-1] in " \t"):
        title = unclosed.strip()
    return len(match.group(1)), title


class Headings:
    """The headings in effect at a line, outermost first; their path is a card's topic tag."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []

    def enter(self, level: int, title: str) -> None:
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        title = clean_question(title)
        if title:
            self._stack.append((level, title))

    def tag(self) -> tuple[str, ...]:
        """``("Interview::Linear regression",)``: read like an Anki deck, the last part is the topic."""
        return ("::".join(t for _, t in self._stack),) if self._stack else ()


def strip_emoji(text: str) -> str:
    """``text`` without emoji (the 🟢🟡🔴⭐ difficulty marks students put on questions)."""
    return _EMOJI.sub("", text)


def clean_question(text: str) -> str:
    """A question as one line: no emoji, no ``<br>``, no ``Q:`` or ``1.`` in front."""
    text = " ".join(_BREAK.sub(" ", strip_emoji(text)).split())
    text = _NUMBERING.sub("", _Q_PREFIX.sub("", text))
    return text.strip()


def answer_text(lines: list[str], code: list[bool]) -> str:
    """The text of answer lines: ``<br>`` breaks lines, code keeps its indentation, a trailing rule
    (``---`` between cards) and ``<details>`` wrappers go, at most one blank line in a row."""
    out: list[str] = []
    for line, in_code in zip(lines, code, strict=True):
        if in_code:
            out.append(line.rstrip())
            continue
        unwrapped = _WRAPPER.sub("", line)
        if unwrapped != line and not unwrapped.strip():
            continue  # a line that only opens or closes a <details> block
        line = unwrapped
        out.extend(_SPACES.sub(" ", part).strip() for part in _BREAK.split(line))
    while out and (not out[-1] or _RULE.match(out[-1])):
        out.pop()
    while out and not out[0]:
        out.pop(0)
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text)


# --- tables -------------------------------------------------------------------------------------

_SEPARATOR_ROW = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def table_reading(text: str, name: str = "<deck>") -> Reading:
    """Cards from markdown tables: first cell is the question, everything after it the answer.

    Lines that are not table rows (page junk around the table) are skipped, and so are header rows
    (the row above a ``|---|`` separator) and the separators. Answers may hold a bare ``|``, as in
    ``P(s' | s, a)``: only the first unescaped pipe after the opening one splits the row.
    """
    lines = text.split("\n")
    as_html = looks_like_html(text)
    reading = Reading()
    for number, line in enumerate(lines, 1):
        row = line.strip()
        if not row:
            continue
        if not row.startswith("|"):
            reading.skip(number, row, "not a table row")
            continue
        following = lines[number].strip() if number < len(lines) else ""
        if _SEPARATOR_ROW.match(row) or (_SEPARATOR_ROW.match(following) and following.startswith("|")):
            reading.markup.add(number)  # a separator or a header row
            continue
        body = row[1:]
        if body.endswith("|") and not body.endswith("\\|"):
            body = body[:-1]
        parts = _UNESCAPED_PIPE.split(body, maxsplit=1)
        if len(parts) < 2:
            reading.skip(number, row, "a table row with one cell")
            continue
        question, answer = (p.strip().replace("\\|", "|") for p in parts)
        card = make_card(question, answer, (), f"{name}:{number}", as_html=as_html)
        if card:
            reading.add(card, [number])
        else:
            reading.skip(number, row, "a table row with an empty question or answer")
    return reading


def read_markdown_text(text: str, name: str = "<deck>") -> list[Card]:
    """The cards of a markdown table deck (see :func:`table_reading`)."""
    return table_reading(text, name).cards


# --- headings -----------------------------------------------------------------------------------

_ROLE_HEADINGS = {"question": "q", "q": "q", "front": "q", "answer": "a", "a": "a", "back": "a"}


def headings_reading(text: str, name: str = "<deck>") -> Reading:
    """Cards from markdown headings: each heading is a question, the text under it the answer,
    tables, lists and code included.

    Two layouts are understood: ``## Adam`` followed by its answer, and pairs of headings literally
    named ``Question`` and ``Answer`` (or Front / Back) with the text under each. ``Q:`` and ``A:``
    prefixes are dropped. A heading with nothing under it (a section title) is not a card.
    """
    lines = text.split("\n")
    code = code_lines(lines)
    sections: list[tuple[int, str, list[int]]] = []
    reading = Reading()
    reading.markup.update(range(1, front_matter(lines) + 1))
    for number, line in enumerate(lines, 1):
        if number in reading.markup:
            continue
        found = None if code[number - 1] else heading(line)
        if found:
            sections.append((number, found[1], []))
        elif sections:
            sections[-1][2].append(number)
        elif line.strip():
            reading.skip(number, line, "before the first heading")
    as_html = looks_like_html(text)
    pending: tuple[int, str, list[int]] | None = None
    for number, title, body_numbers in sections:
        body = _body(lines, code, body_numbers, as_html)
        region = [number, *body_numbers]
        role = _ROLE_HEADINGS.get(title.strip(" *:").casefold())
        if role == "q":
            if pending:
                reading.skip(pending[0], lines[pending[0] - 1], "a Question heading with no Answer heading")
            pending = (number, _Q_PREFIX.sub("", body), region)
            continue
        if role == "a" and pending:
            card = _card(pending[1], _A_PREFIX.sub("", body), f"{name}:{pending[0]}", as_html)
            region, number, pending = pending[2] + region, pending[0], None
        else:
            card = _card(_Q_PREFIX.sub("", title), _A_PREFIX.sub("", body), f"{name}:{number}", as_html)
        if card:
            reading.add(card, region)
        elif not body:
            reading.markup.add(number)  # a section title
        else:
            reading.skip(number, lines[number - 1], "a heading with an empty question", region[-1])
    if pending:
        reading.skip(pending[0], lines[pending[0] - 1], "a Question heading with no Answer heading")
    return reading


def _card(question: str, answer: str, source: str, as_html: bool) -> Card | None:
    """A card, or ``None`` when a side is empty; plain markdown keeps its code indented."""
    if as_html:
        return make_card(question, answer, (), source, as_html=True)
    question = " ".join(question.split())
    return Card(question, answer, (), source) if question and answer.strip() else None


def _body(lines: list[str], code: list[bool], numbers: list[int], as_html: bool) -> str:
    if as_html:  # an HTML-minded deck: make_card turns the markup into text
        return "\n".join(lines[n - 1] for n in numbers).strip()
    return answer_text([lines[n - 1] for n in numbers], [code[n - 1] for n in numbers])


def read_headings_text(text: str, name: str = "<deck>") -> list[Card]:
    """The cards of a markdown headings deck (see :func:`headings_reading`)."""
    return headings_reading(text, name).cards


# --- bold questions -----------------------------------------------------------------------------

_BOLD = re.compile(r"^(\*\*|__)(?P<bold>.+?)\1(?P<rest>.*)$")
#: ``Q``, ``Q:``, ``Question 3:`` (a number needs the colon: ``**A0**`` may be a question about A0).
_Q_LABEL = re.compile(r"^(?:q|question)(?:\s*\d+\s*[:.)]|\s*[:.)]?)$", re.IGNORECASE)
_A_LABEL = re.compile(r"^(?:a|ans|answer|back)(?:\s*\d+\s*[:.)]|\s*[:.)]?)$", re.IGNORECASE)


def bold_line(line: str) -> tuple[str, str] | None:
    """What a line in bold-question notes is: ``("q", question)`` for ``**What is X?**`` alone on
    its line, ``("q:", question)`` for ``**Q:** What is X?``, ``("a", text)`` for ``**A:** text``;
    ``None`` for answer text (``**Adam** combines...``, or a ``**Example:**`` label)."""
    match = _BOLD.match(line.strip())
    if not match:
        return None
    bold, rest = match.group("bold").strip(), match.group("rest")
    rest = rest.lstrip(":").strip() if rest.lstrip().startswith(":") else rest.strip()
    if _Q_LABEL.match(bold):
        return "q:", rest
    if _A_LABEL.match(bold):
        return "a", rest
    if strip_emoji(_BREAK.sub("", rest)).strip() or bold.endswith(":") or bold.startswith(("*", "_")):
        return None
    return "q", bold


def bold_questions_reading(text: str, name: str = "<deck>") -> Reading:
    """Cards from notes written as bold questions: ``**What is X?**`` on its own line (or
    ``**Q:** What is X?``), then everything up to the next bold question or heading is the answer:
    paragraphs, lists, fenced code, tables, ``<br/>`` line breaks. An ``**A:**`` line, if any, starts
    the answer (the lines above it continue the question).

    ``## Section`` headings become the topic tag of the cards under them (``Title::Section``);
    emoji (difficulty marks) and ``Q:`` or ``1.`` go from questions.
    """
    lines = text.split("\n")
    code = code_lines(lines)
    headings = Headings()
    reading = Reading()
    current: list[int] = []  # the lines of the card being read: its question line first
    tags: tuple[str, ...] = ()
    start = front_matter(lines)
    reading.markup.update(range(1, start + 1))

    def finish() -> None:
        if not current:
            return
        first, body = current[0], current[1:]
        kind, question = bold_line(lines[first - 1]) or ("q", "")
        texts = [lines[n - 1] for n in body]
        in_code = [code[n - 1] for n in body]
        # **A:** starts the answer: right under the question, or anywhere under a **Q:** whose
        # question goes on over the lines above it.
        labels = (i for i, t in enumerate(texts) if not in_code[i] and _is_answer_label(t))
        label = next(labels, None)
        if label is not None and kind != "q:" and any(t.strip() for t in texts[:label]):
            label = None
        if label is not None:
            question = " ".join([question, *texts[:label]])
            texts = [(bold_line(texts[label]) or ("a", ""))[1], *texts[label + 1 :]]
            in_code = [False, *in_code[label + 1 :]]
        question, answer = clean_question(question), answer_text(texts, in_code)
        if question and answer:
            reading.add(Card(question, answer, tags, f"{name}:{first}"), current)
        else:
            what = "a bold question with no answer" if question else "an empty bold question"
            reading.skip(first, lines[first - 1], what, current[-1])
        current.clear()

    for number, line in enumerate(lines[start:], start + 1):
        if code[number - 1]:
            if current:
                current.append(number)
            elif line.strip():
                reading.skip(number, line, "not under a bold question")
            continue
        found = heading(line)
        if found:
            finish()
            headings.enter(*found)
            reading.markup.add(number)
            continue
        kind = bold_line(line)
        if kind and kind[0] in ("q", "q:"):
            finish()
            tags = headings.tag()
            current.append(number)
        elif current:
            current.append(number)
        elif line.strip():
            reading.skip(number, line, "not under a bold question")
    finish()
    return reading


def _is_answer_label(line: str) -> bool:
    kind = bold_line(line)
    return bool(kind and kind[0] == "a")


def read_bold_questions_text(text: str, name: str = "<deck>") -> list[Card]:
    """The cards of bold-question notes (see :func:`bold_questions_reading`)."""
    return bold_questions_reading(text, name).cards
