"""Deck readers: one function per flashcard format, all returning the same :class:`Card` records.

Extraction never sees the format, only cards. :func:`load_deck` picks the reader (from the content
first, then the file extension; ``fmt`` forces one), then tidies what every format shares: a
parenthetical that every question ends with, a front-matter card, duplicate questions.

Examples
--------
>>> cards = read_markdown_text("| Q | A |\\n|---|---|\\n| MDP | P(s' | s, a) |\\n", "deck.md")
>>> cards[0].question, cards[0].answer
('MDP', "P(s' | s, a)")
>>> read_csv_text('front,back\\nAdam,"combines RMSprop, momentum"\\n')[0].answer
'combines RMSprop, momentum'
>>> html_to_text("a &amp; b<br>c<img src='x.png'>[sound:c.mp3]")
'a & b\\nc'
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import DeckError

#: Every format a deck can be read as; ``--format`` offers exactly these.
FORMATS: tuple[str, ...] = ("markdown", "headings", "csv", "tsv", "anki", "quizlet")

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


class _Notes:
    """Collects 'skipped line N' notes, listing the first few of each kind and counting the rest."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._counts: dict[str, int] = {}

    def add(self, kind: str, text: str) -> None:
        self._counts[kind] = self._counts.get(kind, 0) + 1
        if self._counts[kind] <= MAX_NOTES_PER_KIND:
            self.lines.append(text)

    def finish(self) -> list[str]:
        extra = [f"... and {n - MAX_NOTES_PER_KIND} more: {kind}" for kind, n in self._counts.items()]
        return self.lines + [
            e for e, n in zip(extra, self._counts.values(), strict=True) if n > MAX_NOTES_PER_KIND
        ]


# --- text ---------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16", "UTF-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _guess_encoding(raw: bytes) -> tuple[str, str]:
    """A readable name and an ``iconv`` name for bytes that are not UTF-8."""
    for bom, label, iconv in _BOMS:
        if raw.startswith(bom):
            return label, iconv
    sample = raw[:4096]
    if sample and sample.count(0) > len(sample) // 4:
        if sample[1::2].count(0) > len(sample) // 3 or sample[0::2].count(0) > len(sample) // 3:
            return "UTF-16 without a byte-order mark", "UTF-16"
        return "binary data", ""
    if _CONTROL.search(sample.decode("latin-1")) and len(_CONTROL.findall(sample.decode("latin-1"))) > 8:
        return "binary data", ""
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        return "Latin-1 (ISO-8859-1)", "LATIN1"
    return "Windows-1252 or Latin-1", "WINDOWS-1252"


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text with or without BOM, universal newlines; any other encoding is a :class:`DeckError`.

    The error names the encoding the bytes most likely are in, and how to convert them.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        label, iconv = _guess_encoding(raw)
        if not iconv:
            raise DeckError(f"{name}: this looks like binary data, not a text deck") from None
        raise DeckError(
            f"{name}: not UTF-8; it looks like {label} (byte {raw[exc.start]:#04x} at offset {exc.start}); "
            f"re-save the deck as UTF-8, e.g. `iconv -f {iconv} -t UTF-8 {name} > deck-utf8.txt`"
        ) from None
    if "\x00" in text or len(_CONTROL.findall(text[:4096])) > 8:
        raise DeckError(f"{name}: this looks like binary data, not a text deck")
    return text.replace("\r\n", "\n").replace("\r", "\n")


_HTML_HINT = re.compile(
    r"</[a-z][a-z0-9]*\s*>|<br\s*/?>|<img\b|<(?:p|div|span|b|i|li|ul|ol)>|&(?:amp|lt|gt|quot|nbsp|#\d+);",
    re.IGNORECASE,
)
_HTML_DROP = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_HTML_BREAK = re.compile(
    r"<br\s*/?>|<li\b[^>]*>|</?(?:p|div|ul|ol|tr|table|h[1-6]|blockquote|pre|dt|dd)\b[^>]*>", re.IGNORECASE
)
_HTML_CELL = re.compile(r"</?t[dh]\b[^>]*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_SOUND = re.compile(r"\[sound:[^\]]*\]")
_WHITESPACE = re.compile(r"\s+")
_SPACES = re.compile(r"[ \t\f\v\xa0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def looks_like_html(text: str) -> bool:
    """Whether a deck's text holds HTML markup (Anki fields usually do)."""
    return bool(_HTML_HINT.search(text))


def html_to_text(text: str) -> str:
    """Plain text of an HTML field: ``<br>`` and block ends become newlines, media and tags go."""
    text = _HTML_DROP.sub("", text)
    text = _WHITESPACE.sub(" ", text)  # in HTML a newline is just a space; only tags break lines
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_CELL.sub(" ", text)
    text = _HTML_TAG.sub("", text)
    text = _SOUND.sub("", html.unescape(text))
    return tidy(text)


def tidy(text: str) -> str:
    """Collapse runs of spaces, trim every line, keep at most one blank line between paragraphs."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _card(question: str, answer: str, tags: tuple[str, ...], source: str, *, as_html: bool) -> Card | None:
    if as_html:
        question, answer = html_to_text(question), html_to_text(answer)
    else:
        question, answer = tidy(_SOUND.sub("", question)), tidy(_SOUND.sub("", answer))
    question = " ".join(question.split())
    if not question or not answer:
        return None
    return Card(question, answer, tags, source)


# --- markdown -----------------------------------------------------------------------------------

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
        card = _card(question, answer, (), f"{name}:{number}", as_html=as_html)
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
            card = _card(pending[1], _A_PREFIX.sub("", body), (), f"{name}:{pending[0]}", as_html=as_html)
            pending = None
        else:
            answer = _A_PREFIX.sub("", body)
            card = _card(_Q_PREFIX.sub("", title), answer, (), f"{name}:{number}", as_html=as_html)
        if card:
            cards.append(card)
    return cards


# --- delimited text: CSV, TSV, Anki, Quizlet ------------------------------------------------------

_QUESTION_HEADERS = {"question", "front", "term", "word", "prompt", "q", "concept", "name", "text"}
_ANSWER_HEADERS = {"answer", "back", "definition", "meaning", "response", "a", "explanation", "description"}
_TAG_HEADERS = {"tags", "tag", "topic", "topics"}
_SNIFF_DELIMITERS = ("\t", "|", ";", ",")


def _rows(text: str, delimiter: str, name: str) -> list[tuple[int, list[str]]]:
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
            rows = _rows(sample, delimiter, "<sample>")[:30]
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
    question = next((i for i, n in enumerate(names) if n in _QUESTION_HEADERS), None)
    answer = next((i for i, n in enumerate(names) if n in _ANSWER_HEADERS and i != question), None)
    if question is None or answer is None:
        return None
    tags = next((i for i, n in enumerate(names) if n in _TAG_HEADERS), None)
    return question, answer, tags


def _split_tags(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in re.split(r"[\s,;]+", value.strip()) if t))


def _cards_from_rows(
    rows: list[tuple[int, list[str]]],
    name: str,
    delimiter: str,
    *,
    as_html: bool,
    notes: _Notes,
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
            tags = tuple(dict.fromkeys(tags + _split_tags(fields[tags_col])))
        card = _card(question, answer, tags, f"{name}:{line}", as_html=as_html)
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
    collected = _Notes()
    rows = _rows(text, delimiter, name)
    columns = _header_columns(rows[0][1]) if rows else None
    if columns:
        rows = rows[1:]
    question_col, answer_col, tags_col = columns or (0, None, None)
    cards = _cards_from_rows(
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


def read_anki_text(text: str, name: str = "<deck>", *, notes: list[str] | None = None) -> list[Card]:
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
    shared_tags = _split_tags(headers.get("tags", ""))
    rows = [(line + first_line - 1, fields) for line, fields in _rows(body, delimiter, name)]
    collected = _Notes()
    cards = _cards_from_rows(
        rows,
        name,
        delimiter,
        as_html=as_html,
        notes=collected,
        question_col=question_col,
        answer_col=answer_col,
        tags_col=special["tags"],
        skip=skip,
        shared_tags=shared_tags,
    )
    if notes is not None:
        notes.extend(collected.finish())
    return cards


def _content_columns(
    headers: dict[str, str], delimiter: str, special: set[int | None]
) -> tuple[int, int | None]:
    """Question and answer columns: named by ``#columns:``, else the first two non-special ones."""
    free = [i for i in range(64) if i not in special]
    if "columns" in headers:
        names = [n.strip().casefold() for n in headers["columns"].split(delimiter)]
        question = next((i for i, n in enumerate(names) if n in _QUESTION_HEADERS and i in free), None)
        answer = next((i for i, n in enumerate(names) if n in _ANSWER_HEADERS and i in free), None)
        if question is not None and answer is not None:
            return question, answer
    return free[0], free[1] if special - {None} else None


def read_quizlet_text(text: str, name: str = "<deck>", *, notes: list[str] | None = None) -> list[Card]:
    """Cards from a Quizlet export: term TAB definition, one card a line.

    Quizlet does not quote fields, so a line without a tab continues the previous definition (a
    multi-line definition); lines before the first card are skipped.
    """
    collected = _Notes()
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
        card = _card(term, "\n".join(definition), (), f"{name}:{number}", as_html=as_html)
        if card is None:
            collected.add(
                "rows with an empty question or answer", f"{name}:{number}: empty term or definition"
            )
            continue
        cards.append(card)
    if notes is not None:
        notes.extend(collected.finish())
    return cards


# --- choosing a reader --------------------------------------------------------------------------

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
    from .names import normalize

    return normalize(card.question) in _FRONT_MATTER and bool(_ABOUT_THE_DECK.search(card.answer))


def merge_duplicates(cards: list[Card]) -> tuple[list[Card], list[str]]:
    """One card per question (compared case-, space- and punctuation-insensitively).

    The first card's question and position are kept; differing answers are joined, tags united.
    """
    from .names import normalize

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


def read_deck_bytes(raw: bytes, name: str, fmt: str | None = None) -> Deck:
    """Decode, pick the reader (or use ``fmt``), read, and tidy: the whole of :func:`load_deck`
    except the file access. Raises :class:`DeckError` when nothing usable is in ``raw``."""
    if fmt is not None and fmt not in _READERS:
        raise DeckError(f"unknown deck format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not raw.strip():
        raise DeckError(f"{name}: the deck is empty")
    text = decode(raw, name)
    if not text.strip():
        raise DeckError(f"{name}: the deck is empty")
    chosen = fmt or detect_format(text, name)
    notes: list[str] = []
    try:
        cards = _READERS[chosen](text, name, notes)
    except RecursionError:
        raise DeckError(f"{name}: the deck is nested too deeply to read") from None
    if not cards:
        hint = "" if fmt else "; if the format was guessed wrong, force it with --format"
        raise DeckError(f"{name}: found no cards (read it as {chosen}: expected {_EXPECTED[chosen]}){hint}")
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
    """Read a deck file of any supported format (see :data:`FORMATS`) into a :class:`Deck`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DeckError(f"{path}: no such deck file") from None
    except IsADirectoryError:
        raise DeckError(f"{path}: is a folder, expected a deck file") from None
    except OSError as exc:
        raise DeckError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return read_deck_bytes(raw, str(path), fmt)


def read_deck(path: str | Path, fmt: str | None = None) -> list[Card]:
    """The cards of a deck file (see :func:`load_deck` for the format, notes and tidying)."""
    return load_deck(path, fmt).cards
