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
