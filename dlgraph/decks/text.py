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
_IMG_SRC = re.compile(
    r"""^<img\s[^>]*?(?<=\s)src\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE | re.DOTALL
)
#: Anki's audio reference, ``[sound:file.mp3]``: never text a reader should see.
SOUND = re.compile(r"\[sound:[^\]]*\]")
_WHITESPACE = re.compile(r"\s+")
_SPACES = re.compile(r"[ \t\f\v\xa0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def looks_like_html(text: str) -> bool:
    """Whether a deck's text holds HTML markup (Anki fields usually do)."""
    return bool(_HTML_HINT.search(text))


def _image_or_nothing(tag: re.Match[str]) -> str:
    image = _IMG_SRC.match(tag.group(0))
    if not image:
        return ""
    quoted, single, bare = image.groups()
    src = (quoted if quoted is not None else single if single is not None else bare.rstrip("/")).strip()
    # The bracket would end the marker early; a file name with one is rare enough to bend.
    return f" [image: {src.replace(']', ')')}] " if src else ""


def html_to_text(text: str, *, images: bool = False) -> str:
    """Plain text of an HTML field: ``<br>`` and block ends become newlines, sound and tags go.

    With ``images``, ``<img src="f.png">`` stays in the text as ``[image: f.png]``, so a card whose
    answer is a picture still has an answer; without, images go too.
    """
    text = _HTML_DROP.sub("", text)
    text = _WHITESPACE.sub(" ", text)  # in HTML a newline is just a space; only tags break lines
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_CELL.sub(" ", text)
    text = _HTML_TAG.sub(_image_or_nothing if images else "", text)
    text = SOUND.sub("", html.unescape(text))
    return tidy(text)


def tidy(text: str) -> str:
    """Collapse runs of spaces, trim every line, keep at most one blank line between paragraphs."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


#: An HTML link: its address and the text shown. Bounded so that an unclosed ``<a`` costs linear time.
_LINK = re.compile(
    r"<a\s[^>]{0,2000}?href\s*=\s*[\"']?([^\"'\s>]{0,2000})[^>]{0,2000}>(.{0,400}?)</a\s*>", re.I | re.S
)
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
    for href, inner in _LINK.findall(html_text):
        _, fragment, entry = href.partition("#")
        if not fragment:
            _, wiki, entry = href.partition("/wiki/")
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
