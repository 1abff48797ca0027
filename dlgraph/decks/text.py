"""Deck bytes to text: UTF-8 decoding with a clear error otherwise, and HTML fields to plain text.

Examples
--------
>>> html_to_text("a &amp; b<br>c<img src='x.png'>[sound:c.mp3]")
'a & b\\nc'
>>> html_to_text('<div>see</div><img src="f.png">', images=True)
'see\\n[image: f.png]'
"""

from __future__ import annotations

import codecs
import html
import re

from ..errors import DeckError

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
        eight_bit = iconv in ("WINDOWS-1252", "LATIN1")
        if iconv == "WINDOWS-1252" and not _decodes(raw, "cp1252"):
            label, iconv = "Latin-1 (ISO-8859-1)", "LATIN1"  # past the sample, a byte cp1252 lacks
        mixed = _mixed_lines(raw) if eight_bit else []
        if mixed:
            # Converting the whole file would garble its UTF-8 lines: name the lines to fix instead.
            shown = ", ".join(f"line {n} ({text!r})" for n, text in mixed[:3])
            more = f" and {len(mixed) - 3} more" if len(mixed) > 3 else ""
            raise DeckError(
                f"{name}: not UTF-8: the file mixes UTF-8 with another encoding, so converting it whole "
                f"would garble its UTF-8 lines; these are not UTF-8: {shown}{more}; retype their "
                "accented characters (or re-save just those lines as UTF-8)"
            ) from None
        raise DeckError(
            f"{name}: not UTF-8; it looks like {label} (byte {raw[exc.start]:#04x} at offset {exc.start}); "
            f"re-save the deck as UTF-8, e.g. `iconv -f {iconv} -t UTF-8 {name} > deck-utf8.txt`"
        ) from None
    if "\x00" in text or len(_CONTROL.findall(text[:4096])) > 8:
        raise DeckError(f"{name}: this looks like binary data, not a text deck")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _bad_lines(raw: bytes) -> list[tuple[int, str]]:
    """The lines (1-based, with their text as best read) that are not UTF-8."""
    bad = []
    for number, line in enumerate(raw.split(b"\n"), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append((number, line.decode("utf-8", "replace").strip()[:40]))
    return bad


def _mixed_lines(raw: bytes) -> list[tuple[int, str]]:
    """The lines that are not UTF-8, when other lines hold UTF-8 beyond ASCII (so the file is a
    mix, and no one encoding reads it); else none."""
    bad = _bad_lines(raw)
    if not bad:
        return []
    wrong = {number for number, _ in bad}
    for number, line in enumerate(raw.split(b"\n"), 1):
        if number not in wrong and not line.isascii():
            return bad
    return []


_HTML_HINT = re.compile(
    r"</[a-z][a-z0-9]*\s*>|<br\s*/?>|<img\b|<(?:p|div|span|b|i|li|ul|ol)>|&(?:amp|lt|gt|quot|nbsp|#\d+);",
    re.IGNORECASE,
)
#: The start of a tag (``<b``, ``</p``) or of a comment.
_TAG_START = re.compile(r"<(?:(/?)([a-zA-Z][a-zA-Z0-9]*)|!--)")
_BREAK_TAGS = frozenset(("p", "div", "ul", "ol", "tr", "table", "blockquote", "pre", "dt", "dd",
                         "h1", "h2", "h3", "h4", "h5", "h6"))  # fmt: skip
_CELL_TAGS = frozenset(("td", "th"))
#: Elements whose content is never text, and the end tag that closes each.
_RAW_TEXT = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in ("script", "style")}
_IMG_SRC = re.compile(
    r"""^<img\s[^>]*?(?<=\s)src\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE | re.DOTALL
)
#: Anki's audio reference, ``[sound:file.mp3]``: never text a reader should see.
SOUND = re.compile(r"\[sound:[^\[\]]*\]")  # no [ inside: an unclosed one is not searched to the end
_WHITESPACE = re.compile(r"\s+")
#: Runs of spaces and tabs to make one space: only those that are not one space already, so
#: that the answer's ordinary spaces are not each replaced by themselves.
_SPACES = re.compile(r" [ \t\f\v\xa0]+|[\t\f\v\xa0][ \t\f\v\xa0]*")
_BLANK_LINES = re.compile(r"\n{3,}")


def looks_like_html(text: str) -> bool:
    """Whether a deck's text holds HTML markup (Anki fields usually do)."""
    return bool(_HTML_HINT.search(text))


def _image_or_nothing(tag: str) -> str:
    image = _IMG_SRC.match(tag)
    if not image:
        return ""
    quoted, single, bare = image.groups()
    src = (quoted if quoted is not None else single if single is not None else bare.rstrip("/")).strip()
    # The bracket would end the marker early; a file name with one is rare enough to bend.
    return f" [image: {src.replace(']', ')')}] " if src else ""


class _Next:
    """Where ``pattern`` next matches at or after a position, for a scan that only moves forward.

    Each search starts past the last match found, and a search that finds nothing is never
    repeated: the whole scan reads the text once, however many tags are left unclosed.
    """

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        self.text, self.pattern = text, pattern
        self.match: re.Match[str] | None = None
        self.none_after = len(text) + 1  # no match starts at or after this

    def find(self, pos: int) -> re.Match[str] | None:
        if self.match is not None and self.match.start() >= pos:
            return self.match
        if pos >= self.none_after:
            return None
        self.match = self.pattern.search(self.text, pos)
        if self.match is None:
            self.none_after = pos
        return self.match


_TAG_END = re.compile(">")
_COMMENT_END = re.compile("-->")


def _tag_text(name: str, closing: bool, tag: str, images: bool) -> str:
    """What a tag becomes in the text: a line break, a space between cells, an image, or nothing."""
    if name == "br" or (name == "li" and not closing) or name in _BREAK_TAGS:
        return "\n"
    if name in _CELL_TAGS:
        return " "
    if images and name == "img" and not closing:
        return _image_or_nothing(tag)
    return ""


def html_to_text(text: str, *, images: bool = False) -> str:
    """Plain text of an HTML field: ``<br>`` and block ends become newlines, sound and tags go.

    With ``images``, ``<img src="f.png">`` stays in the text as ``[image: f.png]``, so a card whose
    answer is a picture still has an answer; without, images go too. Scripts, styles and comments
    go whole. One pass over the text, whatever it holds: a ``<div``, ``<!--`` or ``<script`` left
    unclosed is kept as text (``<!--``) or dropped alone (the tags), never searched for again.
    """
    body = _without_tags(text, images) if "<" in text else _WHITESPACE.sub(" ", text)
    body = html.unescape(body)
    if "[sound:" in body:
        body = SOUND.sub("", body)
    return tidy(body)


def _without_tags(text: str, images: bool) -> str:
    """``text`` with its tags replaced (see :func:`_tag_text`) and whitespace runs made one space."""
    text = _WHITESPACE.sub(" ", text)  # in HTML a newline is just a space; only tags break lines
    pieces: list[str] = []
    done = at = 0  # text before ``done`` is in pieces; the next tag is searched from ``at``
    ends = _Next(text, _TAG_END)
    comment_ends: _Next | None = None
    raw_ends: dict[str, _Next] = {}
    while start := _TAG_START.search(text, at):
        if start.group(2) is None:  # <!--
            comment_ends = comment_ends or _Next(text, _COMMENT_END)
            close = comment_ends.find(start.end())
            if close is None:  # unclosed: the marker stays as text
                at = start.end()
                continue
            pieces.append(text[done : start.start()])
            done = at = close.end()
            continue
        end = ends.find(start.end())
        if end is None:
            break  # no ">" after this: no tag is left in the text
        name, closing = start.group(2).lower(), bool(start.group(1))
        pieces.append(text[done : start.start()])
        done = at = end.end()
        if name in _RAW_TEXT and not closing:
            raw_end = raw_ends.setdefault(name, _Next(text, _RAW_TEXT[name]))
            close = raw_end.find(done)
            if close is not None:
                done = at = close.end()
                continue
        pieces.append(_tag_text(name, closing, text[start.start() : end.end()], images))
    pieces.append(text[done:])
    return "".join(pieces)


def tidy(text: str) -> str:
    """Collapse runs of spaces, trim every line, keep at most one blank line between paragraphs."""
    text = _SPACES.sub(" ", text)  # one pass for the whole text: spaces never span a newline
    if "\n" not in text:
        return text.strip()
    text = "\n".join(line.strip() for line in text.split("\n"))
    return (_BLANK_LINES.sub("\n\n", text) if "\n\n\n" in text else text).strip()


#: An HTML link's opening tag (bounded, one character class: linear however the tag is broken), its
#: address, and where the link ends.
_LINK_OPEN = re.compile(r"<a\s[^<>]{0,2000}>", re.I)
_HREF = re.compile(r"href\s*=\s*[\"']?([^\"'\s>]*)", re.I)
_LINK_CLOSE = re.compile(r"</a\s*>", re.I)
#: The longest text a link may show to count as a term's cross-reference.
_MAX_LINK_HTML = 400
#: ``[[Term]]``, ``[[Term#Heading]]``, ``[[Term|shown text]]``.
_WIKILINK = re.compile(r"\[\[([^\[\]|#\n]{1,200})(?:#[^\[\]|\n]{0,200})?(?:\|([^\[\]\n]{1,200}))?\]\]")


def link_texts(html_text: str) -> tuple[tuple[str, str], ...]:
    """An HTML field's cross-references as ``(text shown, term linked)``: links to a term of the
    same glossary (an address with a ``#fragment``, which names the term) or to an encyclopedia
    entry (``/wiki/Term``). Links to papers or tools ("this paper", "pandas documentation") name no
    term and are left out.

    >>> link_texts('see <a href="https://x.org/glossary/#class_label"><b>labels</b></a> and '
    ...            '<a href="https://arxiv.org/abs/1">first paper</a>')
    (('labels', 'class label'),)
    """
    if "<a" not in html_text and "<A" not in html_text:
        return ()
    found = []
    for tag in _LINK_OPEN.finditer(html_text):
        href = _HREF.search(tag.group(0))
        close = _LINK_CLOSE.search(html_text, tag.end(), tag.end() + _MAX_LINK_HTML + 8)
        if href is None or close is None:
            continue
        inner = html_text[tag.end() : close.start()]
        address = href.group(1)
        _, fragment, entry = address.partition("#")
        if not fragment:
            _, wiki, entry = address.partition("/wiki/")
            if not wiki:
                continue
        term = html.unescape(entry).replace("_", " ").strip()
        text = " ".join(html_to_text(inner).split())
        if text and term and len(text) <= 80:
            found.append((text, term))
    return tuple(dict.fromkeys(found))


def wikilinks(text: str) -> tuple[str, list[tuple[str, str]]]:
    """``text`` with ``[[wikilinks]]`` replaced by the text they show, and the links as
    ``(text shown, term linked)``.

    >>> wikilinks("uses [[RMSprop]] and [[Momentum|momentum]]")
    ('uses RMSprop and momentum', [('RMSprop', 'RMSprop'), ('momentum', 'Momentum')])
    """
    linked: list[tuple[str, str]] = []

    def shown(match: re.Match[str]) -> str:
        target, label = match.group(1).strip(), match.group(2)
        text = (label or target).strip()
        linked.append((text, target))
        return text

    return _WIKILINK.sub(shown, text), linked
