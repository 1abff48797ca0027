"""Flashcards written inside notes: the Obsidian Spaced Repetition plugin's syntax and Logseq's ``#card``.

Obsidian (https://github.com/st3v3nmw/obsidian-spaced-repetition): ``Question::Answer`` on one line,
``Question:::Answer`` (both ways: read once, front to back), multi-line cards whose question lines
touch a ``?`` line (``??`` both ways) and whose answer runs to the next blank line, and
``==highlight==`` cloze deletions. ``#flashcards/deck`` tags name the deck of the cards after them
(or of one card, at the start of its line) and headings give the topic; the plugin's
``<!--SR:...-->`` scheduling comments are dropped. Other note text is not a card, and is reported.

Logseq: a block tagged ``#card`` is the question and its child blocks the answer; ``{{cloze x}}``
blanks part of the question. Properties (``card-repeats:: 2``) are not text; heading blocks
(``- ## Optimizers``) give the topic of the blocks under them.

Examples
--------
>>> [(c.question, c.answer) for c in read_obsidian_text("#flashcards\\nAdam::RMSprop + momentum\\n")]
[('Adam', 'RMSprop + momentum')]
>>> [(c.question, c.answer) for c in read_logseq_text("- What does Adam combine? #card\\n\\t- RMSprop\\n")]
[('What does Adam combine?', 'RMSprop')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from .cards import Card, Reading
from .markdown import Headings, answer_text, clean_question, code_lines, front_matter, heading

# --- Obsidian Spaced Repetition -----------------------------------------------------------------

_FLASHCARD_TAG = re.compile(r"(?:^|(?<=\s))#flashcards?(?P<deck>/[^\s#]+)?(?=\s|$)", re.IGNORECASE)
_ANY_TAG = re.compile(r"(?:^|(?<=\s))#[^\s#]+(?=\s|$)")
_SR_COMMENT = re.compile(r"<!--SR:[^<>]*-->")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_HIGHLIGHT = re.compile(r"==(?=\S)([^=\n]+?)==")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SEPARATORS = frozenset(("?", "??"))  # a multi-line card; ?? both ways
#: Each deletion is a card holding the whole line: a line of thousands would make a deck of its square.
MAX_CLOZES_PER_LINE = 50


def _masked(line: str) -> str:
    """``line`` with inline code blanked out, so that ``std::move`` in backticks is not a card."""
    return _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line)


def _decks(line: str) -> tuple[str, ...]:
    """``("dl::optim",)`` for ``#flashcards/dl/optim``; a bare ``#flashcards`` names no deck."""
    return tuple(
        dict.fromkeys(
            m.group("deck")[1:].replace("/", "::") for m in _FLASHCARD_TAG.finditer(line) if m.group("deck")
        )
    )


def has_flashcard_tag(text: str) -> bool:
    """Whether a note carries the plugin's ``#flashcards`` tag (in its text or its front matter)."""
    lines = text.split("\n")
    code = code_lines(lines)
    if any(_FLASHCARD_TAG.search(_masked(line)) for line, c in zip(lines, code, strict=True) if not c):
        return True
    return _front_matter_decks(lines)[1] is not None


def _front_matter_decks(lines: list[str]) -> tuple[int, tuple[str, ...] | None]:
    """The number of front-matter lines and the decks its ``tags:`` name (``None``: no flashcards tag).

    >>> _front_matter_decks(["---", "tags: [flashcards/dl, ml]", "---", "Adam::momentum"])
    (3, ('dl',))
    """
    end = front_matter(lines)
    if not end:
        return 0, None
    values: list[str] = []
    in_tags = False
    for line in lines[1 : end - 1]:
        key = re.match(r"^(\w[\w-]*)\s*:(.*)$", line)
        if key:
            in_tags = key.group(1).casefold() in ("tags", "tag")
            if in_tags:
                values += re.split(r"[\s,\[\]]+", key.group(2))
        elif in_tags and line.strip().startswith("-"):
            values.append(line.strip()[1:].strip())
    tags = [v.strip("'\"").lstrip("#") for v in values]
    flashcards = [t for t in tags if re.fullmatch(r"flashcards?(?:/\S+)?", t, flags=re.IGNORECASE)]
    if not flashcards:
        return end, None
    return end, tuple(dict.fromkeys(t.split("/", 1)[1].replace("/", "::") for t in flashcards if "/" in t))


def _inline_split(line: str) -> tuple[str, str, str] | None:
    """``(question, answer, separator)`` of a ``Q::A`` or ``Q:::A`` line (outside inline code)."""
    masked = _masked(line)
    at = masked.find("::")
    if at < 0:
        return None
    separator = ":::" if masked.startswith(":::", at) else "::"
    return line[:at], line[at + len(separator) :], separator


def obsidian_reading(text: str, name: str = "<deck>") -> Reading:
    """Cards from a note written for the Obsidian Spaced Repetition plugin (see the module docstring)."""
    lines = text.split("\n")
    code = code_lines(lines)
    reading = Reading()
    skip_front, note_decks = _front_matter_decks(lines)
    reading.markup.update(range(1, skip_front + 1))
    state = _ObsidianNote(lines, code, name, reading, note_decks or ())
    paragraph: list[int] = []
    for number in range(skip_front + 1, len(lines) + 1):
        line = lines[number - 1]
        if code[number - 1] or line.strip():
            found = None if code[number - 1] else heading(line)
            tags_only = not code[number - 1] and _is_tag_line(line)
            if found or tags_only:
                state.paragraph(paragraph)
                paragraph = []
                reading.markup.add(number)
                if found:
                    state.headings.enter(*found)
                if tags_only and _FLASHCARD_TAG.search(line):
                    state.decks = _decks(line) or note_decks or ()
                continue
            paragraph.append(number)
        else:
            state.paragraph(paragraph)
            paragraph = []
    state.paragraph(paragraph)
    return reading


def _is_tag_line(line: str) -> bool:
    return bool(line.strip()) and not _ANY_TAG.sub("", _SR_COMMENT.sub("", line)).strip()


@dataclass
class _ObsidianNote:
    """The state of reading one note: where the headings and the deck tags stand."""

    lines: list[str]
    code: list[bool]
    name: str
    reading: Reading
    decks: tuple[str, ...]
    headings: Headings = field(default_factory=Headings)

    def paragraph(self, numbers: list[int]) -> None:
        """Read a run of lines between blank lines: inline cards, clozes and ``?`` cards in it."""
        pending: list[int] = []  # lines that may become the question of a multi-line card
        card: list[int] | None = None  # question + separator + answer lines of a multi-line card
        for number in numbers:
            line = self.lines[number - 1]
            in_code = self.code[number - 1]
            stripped = _SR_COMMENT.sub("", line).strip()
            if not in_code and stripped in _SEPARATORS:
                if card is not None:
                    # The line above a second ? is its question, not the last line of the card before.
                    pending = [card.pop()] if card[-1] != self._separator(card) else []
                    self._multi_line(card)
                if not pending:
                    self.reading.skip(number, line, "a ? separator with no question above it")
                    continue
                card, pending = [*pending, number], []
                continue
            if not in_code and not stripped and _SR_COMMENT.search(line):
                if card is not None:
                    card.append(number)  # the schedule of the card above
                else:
                    self.reading.markup.add(number)
                continue
            split = None if in_code else _inline_split(line)
            if split:
                if card is not None:
                    self._multi_line(card)
                    card = None
                self._skip_prose(pending)
                pending = []
                self._inline(number, split)
                continue
            if card is not None:
                card.append(number)
            elif not in_code and _HIGHLIGHT.search(_masked(line)):
                self._skip_prose(pending)
                pending = []
                if len(_HIGHLIGHT.findall(line)) > MAX_CLOZES_PER_LINE:
                    reason = (
                        f"more than {MAX_CLOZES_PER_LINE} ==highlights== in one line: too many to be clozes"
                    )
                    self.reading.skip(number, line, reason)
                else:
                    self._cloze(number)
            else:
                pending.append(number)
        if card is not None:
            self._multi_line(card)
        self._skip_prose(pending)

    def _skip_prose(self, numbers: list[int]) -> None:
        for number in numbers:
            if self.lines[number - 1].strip():
                self.reading.skip(number, self.lines[number - 1], "note text, not a card")

    def _tags(self, own: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for t in (*(own or self.decks), *self.headings.tag()) if t))

    def _question(self, text: str) -> tuple[str, tuple[str, ...]]:
        """A question without its own deck tag (``#flashcards/x Q::A``) and that tag's decks."""
        text = _SR_COMMENT.sub("", text)
        own = _decks(text) if _FLASHCARD_TAG.match(text.strip()) else ()
        if _FLASHCARD_TAG.match(text.strip()):
            text = _FLASHCARD_TAG.sub("", text)
        return clean_question(_LIST_MARK.sub("", text)), own

    def _inline(self, number: int, split: tuple[str, str, str]) -> None:
        line = self.lines[number - 1]
        question, own = self._question(split[0])
        answer = " ".join(_SR_COMMENT.sub("", split[1]).split())
        answer = answer_text([answer], [False])
        if question and answer:
            card = Card(question, answer, self._tags(own), f"{self.name}:{number}")
            self.reading.add(card, [number])
        else:
            self.reading.skip(number, line, f"a {split[2]} card with an empty side")

    def _separator(self, numbers: list[int]) -> int:
        """The ``?`` line of a multi-line card's lines."""
        return next(
            n
            for n in numbers
            if not self.code[n - 1] and _SR_COMMENT.sub("", self.lines[n - 1]).strip() in _SEPARATORS
        )

    def _multi_line(self, numbers: list[int]) -> None:
        at = numbers.index(self._separator(numbers))
        question_lines = [self.lines[n - 1] for n in numbers[:at]]
        question, own = self._question(" ".join(question_lines))
        body = numbers[at + 1 :]
        answer = answer_text(
            [_SR_COMMENT.sub("", self.lines[n - 1]) for n in body], [self.code[n - 1] for n in body]
        )
        first = numbers[0]
        if question and answer:
            self.reading.add(Card(question, answer, self._tags(own), f"{self.name}:{first}"), numbers)
        else:
            self.reading.skip(first, self.lines[first - 1], "a ? card with no answer below it", numbers[-1])

    def _cloze(self, number: int) -> None:
        line = self.lines[number - 1]
        text, own = self._question(line)
        deletions = list(_HIGHLIGHT.finditer(text))
        context = _HIGHLIGHT.sub(r"\1", text)
        for index, deletion in enumerate(deletions, 1):
            question = text[: deletion.start()] + "[...]" + text[deletion.end() :]
            question = _HIGHLIGHT.sub(r"\1", question)
            answer = f"{deletion.group(1).strip()}\n{context}"
            card = Card(question, answer, self._tags(own), f"{self.name}:{number} c{index}")
            self.reading.add(card, [number])


def read_obsidian_text(text: str, name: str = "<deck>") -> list[Card]:
    """The cards of an Obsidian Spaced Repetition note (see :func:`obsidian_reading`)."""
    return obsidian_reading(text, name).cards


# --- Logseq -------------------------------------------------------------------------------------

_BULLET = re.compile(r"^(?P<indent>[ \t]*)[-*+](?: (?P<text>.*))?$")
_PROPERTY = re.compile(r"^\s*[A-Za-z0-9_.-]+::(?:\s|$)")
_CARD_TAG = re.compile(r"(?:^|(?<=\s))#(?:card|\[\[card\]\])(?=\s|$)|\[\[card\]\]", re.IGNORECASE)
_LOGSEQ_TAG = re.compile(r"(?:^|(?<=\s))#(?:\[\[([^\[\]\n]+)\]\]|([^\s#\[\],.;:!?]+))")
_CLOZE = re.compile(r"\{\{cloze\s+([^{}]*)\}\}", re.IGNORECASE)
_HEADING_PROPERTY = re.compile(r"^\s*heading::\s*(?:true|[1-6])\s*$", re.IGNORECASE)


@dataclass
class _Block:
    """One Logseq block: its lines (bullet line first), its text lines and its child blocks."""

    indent: int
    numbers: list[int]
    text: list[str]
    code: list[bool]
    is_heading: bool = False
    children: list[_Block] = field(default_factory=list)

    @cached_property
    def is_card(self) -> bool:
        return any(
            _CARD_TAG.search(line) for line, in_code in zip(self.text, self.code, strict=True) if not in_code
        )

    @cached_property
    def holds_card(self) -> bool:
        """Whether this block or one below it is a card."""
        return self.is_card or any(child.holds_card for child in self.children)


def _blocks(lines: list[str], reading: Reading) -> list[_Block]:
    """The page's top-level blocks; page properties before the first block are markup."""
    roots: list[_Block] = []
    stack: list[_Block] = []
    fence = ""  # the fence of a code block still open: its lines are code, never bullets
    for number, line in enumerate(lines, 1):
        bullet = None if fence else _BULLET.match(line)
        if bullet:
            indent = len(bullet.group("indent").expandtabs(4))
            content = bullet.group("text") or ""
            while stack and stack[-1].indent >= indent:
                stack.pop()
            block = _Block(indent, [number], [], [])
            (stack[-1].children if stack else roots).append(block)
            stack.append(block)
        elif not stack:
            if _PROPERTY.match(line):
                reading.markup.add(number)  # a page property (title::, tags::)
            elif line.strip():
                reading.skip(number, line, "before the first block")
            continue
        elif not line.strip() and not fence:
            continue
        else:
            block = stack[-1]
            block.numbers.append(number)
            content = line
            if not fence and _HEADING_PROPERTY.match(line):
                block.is_heading = True
                continue
            if not fence and _PROPERTY.match(line):
                continue
        in_code = bool(fence)
        opener = _FENCE_LINE.match(content)
        if fence:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = ""
        elif opener:
            fence, in_code = opener.group(1), True
        block.text.append(_dedent(content, block) if in_code and not opener else content.strip())
        block.code.append(in_code)
    return roots


_FENCE_LINE = re.compile(r"^\s*(`{3,}|~{3,})")


def _dedent(line: str, block: _Block) -> str:
    """A code line inside a block, without the indentation Logseq puts before a block's lines."""
    width = block.indent + 2
    taken = column = 0
    while taken < len(line) and line[taken] in " \t":
        column = column + 4 - column % 4 if line[taken] == "\t" else column + 1  # as expandtabs(4)
        if column > width:
            break
        taken += 1
    return line[taken:].rstrip()


def logseq_reading(text: str, name: str = "<deck>") -> Reading:
    """Cards from a Logseq page (see the module docstring)."""
    lines = text.split("\n")
    reading = Reading()
    _read_blocks(_blocks(lines, reading), (), lines, name, reading)
    return reading


def _read_blocks(
    blocks: list[_Block], topics: tuple[str, ...], lines: list[str], name: str, reading: Reading
) -> None:
    for block in blocks:
        first = block.text[0] if block.text else ""
        found = heading(first)
        if block.is_card:
            _card(block, topics, lines, name, reading)
            continue
        if found or block.is_heading or block.holds_card:
            # A heading, or a parent bullet of cards: the topic of the blocks under it.
            reading.markup.update(block.numbers)
            title = clean_question(found[1] if found else first)
            _read_blocks(block.children, (*topics, title) if title else topics, lines, name, reading)
            continue
        for number in block.numbers:
            reading.skip(number, lines[number - 1], "a block without #card")
        _read_blocks(block.children, topics, lines, name, reading)


def _card(block: _Block, topics: tuple[str, ...], lines: list[str], name: str, reading: Reading) -> None:
    text = "\n".join(t for t, c in zip(block.text, block.code, strict=True) if not c)
    tags = [m.group(1) or m.group(2) for m in _LOGSEQ_TAG.finditer(_CARD_TAG.sub("", text))]
    question = _LOGSEQ_TAG.sub("", _CARD_TAG.sub("", text))
    found = heading(question.strip())
    if found:
        question = found[1]
    deletions = [m.group(1).strip() for m in _CLOZE.finditer(question)]
    context = clean_question(_CLOZE.sub(r"\1", question))
    question = clean_question(_CLOZE.sub("[...]", question))
    answer_lines: list[str] = []
    answer_code: list[bool] = []
    answer_numbers: list[int] = []
    for depth, child in _descendants(block.children, 0):
        if child.is_card:
            _card(child, topics, lines, name, reading)
            continue
        answer_numbers += child.numbers
        for index, (line, in_code) in enumerate(zip(child.text, child.code, strict=True)):
            if in_code or depth == 0:
                answer_lines.append(line)
            else:
                answer_lines.append(("  " * (depth - 1)) + ("- " if index == 0 else "  ") + line)
            answer_code.append(in_code)
    answer = answer_text(answer_lines, answer_code)
    if deletions:
        answer = "\n".join(filter(None, ["; ".join(deletions), context, answer]))
    numbers = block.numbers + answer_numbers
    if question and answer:
        topic = ("::".join(topics),) if topics else ()
        source = f"{name}:{block.numbers[0]}" + (" c1" if deletions else "")  # a cloze, as Anki's
        reading.add(Card(question, answer, tuple(dict.fromkeys((*topic, *tags))), source), numbers)
    else:
        first = block.numbers[0]
        reading.skip(first, lines[first - 1], "a #card block with no child blocks to answer it", numbers[-1])


def _descendants(blocks: list[_Block], depth: int) -> list[tuple[int, _Block]]:
    """``(depth, block)`` for the blocks below a card, in order; a nested card's own children are its own."""
    out = []
    for block in blocks:
        out.append((depth, block))
        if not block.is_card:
            out += _descendants(block.children, depth + 1)
    return out


def read_logseq_text(text: str, name: str = "<deck>") -> list[Card]:
    """The cards of a Logseq page (see :func:`logseq_reading`)."""
    return logseq_reading(text, name).cards
