"""Card text made inert for each kind of output: one function per kind, each linear in the text.

A card can hold anything a deck file holds: terminal escape sequences, NUL, XML-forbidden controls,
Mermaid directives, spreadsheet formulas, bidi overrides. Each function here keeps what its output
can carry and escapes, shows or drops the rest, so that the text stays text wherever it lands:

========================  ===============================================================
``terminal``              every human line of every command (controls shown as ``␛`` ...)
``json``                  JSON text (``--json``): no raw C1, bidi or line-separator character
``json_for_script``       JSON text a browser may see (the JSON export): also inert in ``<script>``
``xml``                   GraphML and GEXF attribute values (XML 1.0's character set)
``dot``                   a Graphviz quoted string
``mermaid``               a quoted Mermaid label (no directive, comment or markup survives)
``cypher``                a Cypher string literal
``turtle``                a serialised Turtle document (controls as ``\\u`` escapes)
``csv_cell``              a CSV cell (no spreadsheet formula)
``yaml``                  a YAML double-quoted scalar (Obsidian front matter)
``markdown``              a paragraph of literal Obsidian Markdown
``html``                  HTML element text (Anki fields)
========================  ===============================================================

Examples
--------
>>> terminal("\\x1b]0;pwned\\x07 title")
'␛]0;pwned␇ title'
>>> mermaid('%%{init: {"theme": "dark"}}%%')
'#37;#37;{init: {#quot;theme#quot;: #quot;dark#quot;}}#37;#37;'
>>> csv_cell("=HYPERLINK(1)")
"'=HYPERLINK(1)"
"""

from __future__ import annotations

import dataclasses
import html as _html
import json as _json
import re
from typing import Any

#: Characters that move the reading order of the text around them (the "Trojan Source" set).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _picture(code: int) -> str:
    """The visible stand-in for a control character: its Unicode Control Picture, or ``⟨U+XXXX⟩``.

    Mathematical angle brackets rather than ``<>``, which are markup in half the outputs.
    """
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"\u27e8U+{code:04X}\u27e9"


def _controls() -> list[int]:
    return [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, *map(ord, BIDI_CONTROLS)]


_VISIBLE = {code: _picture(code) for code in _controls()}


def visible(text: str) -> str:
    """Every control character in ``text`` (tab and newline too) as its visible stand-in.

    What the per-kind functions do to the characters their output cannot carry, so a test can
    say what it expects back: ``visible("a\x00") == "a␀"``.
    """
    return text.translate(_VISIBLE)


# --- terminal -------------------------------------------------------------------------------------

#: Every C0 and C1 control, DEL, line and paragraph separators and bidi controls, except tab and
#: newline (layout, not commands): ESC, CSI and OSC start every sequence a terminal acts on.
_TERMINAL = {code: _picture(code) for code in _controls() if code not in (0x09, 0x0A)}
_TERMINAL_CHANGES = re.compile("[" + "".join(re.escape(chr(code)) for code in _TERMINAL) + "]")


def terminal(text: str) -> str:
    """``text`` for a terminal: controls shown as visible symbols, so no sequence can act.

    >>> terminal("a\\x1b[2Jb\\rc\\u202ed\\x9b")
    'a␛[2Jb␍c⟨U+202E⟩d⟨U+009B⟩'
    """
    if not _TERMINAL_CHANGES.search(text):
        return text  # the common case, at regex speed: a listing of 100,000 names stays fast
    return text.translate(_TERMINAL)


def terminal_data(value: Any) -> Any:
    """``value`` with :func:`terminal` applied to every string in it (dicts, lists, dataclasses).

    What a command prints is built from a result; escaping the result rather than the printed line
    keeps dlgraph's own colours while no card text can bring its own.
    """
    if isinstance(value, str):
        return terminal(value)
    if isinstance(value, dict):
        return {terminal_data(k): terminal_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return type(value)(terminal_data(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: terminal_data(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value


# --- JSON -----------------------------------------------------------------------------------------

_JSON = {code: f"\\u{code:04x}" for code in _controls() if code >= 0x7F}
_JSON_FOR_SCRIPT = {**_JSON, **{ord(ch): f"\\u{ord(ch):04x}" for ch in "<>&"}}


def json(text: str) -> str:
    """JSON text from ``json.dumps`` with DEL, C1, U+2028/9 and bidi controls as ``\\u`` escapes.

    ``json.dumps`` escapes C0 itself but, with ``ensure_ascii=False``, writes the rest raw, and a
    terminal acts on C1 controls as on ESC. The parsed values are unchanged.

    >>> json(_json.dumps("a\\x9b[2J", ensure_ascii=False))
    '"a\\\\u009b[2J"'
    """
    return text.translate(_JSON)


def json_for_script(text: str) -> str:
    """:func:`json`, and ``<``, ``>``, ``&`` as ``\\u`` escapes: inert even pasted into ``<script>``.

    >>> json_for_script(_json.dumps("</script>"))
    '"\\\\u003c/script\\\\u003e"'
    """
    return text.translate(_JSON_FOR_SCRIPT)


# --- XML ------------------------------------------------------------------------------------------

_XML = {code: _picture(code) for code in range(0x20) if code not in (0x09, 0x0A, 0x0D)}
_XML.update({code: "\ufffd" for code in (*range(0xD800, 0xE000), 0xFFFE, 0xFFFF)})
_XML_CHANGES = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


def xml(text: str) -> str:
    """Text that XML 1.0 can carry: forbidden controls shown as symbols, non-characters as U+FFFD.

    Carriage returns become newlines, as every XML parser would read them anyway.

    >>> xml("a\\x1bb\\x00c\\r\\nd\\ufffe")
    'a␛b␀c\\nd�'
    """
    if not _XML_CHANGES.search(text):
        return text  # the common case, at regex speed
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_XML)


# --- Graphviz DOT ---------------------------------------------------------------------------------

_DOT = {code: _picture(code) for code in _controls() if code != 0x0A}
_DOT.update({ord("\\"): "\\\\", ord('"'): '\\"', 0x0A: "\\n"})


def dot(text: str) -> str:
    """A DOT quoted string whose label shows ``text`` as written.

    Graphviz reads backslash sequences in labels (``\\n``, ``\\N`` for the node name...), so a
    backslash is doubled; quotes are escaped, newlines become ``\\n``; NUL (which ends Graphviz's
    input) and the other controls are shown as symbols.

    >>> print(dot('a "b" \\\\N\\x00'))
    "a \\"b\\" \\\\N␀"
    """
    return '"' + text.replace("\r\n", "\n").replace("\r", "\n").translate(_DOT) + '"'


# --- Mermaid --------------------------------------------------------------------------------------

#: Entity codes Mermaid decodes inside a quoted label. ``%`` is coded because Mermaid looks for
#: ``%%{...}%%`` directives and ``%%`` comments anywhere in the source, quotes or not.
_MERMAID = {ord(ch): f"#{ord(ch)};" for ch in "%#`"}
_MERMAID.update({ord('"'): "#quot;", ord("<"): "#lt;", ord(">"): "#gt;", ord("&"): "#amp;"})
_MERMAID.update({code: _picture(code) for code in _controls()})


def mermaid(text: str) -> str:
    """Text for inside a quoted Mermaid label: one line, entity codes for quotes, markup, ``#``, ``%``.

    >>> mermaid('say "hi" <b>#1</b>')
    'say #quot;hi#quot; #lt;b#gt;#35;1#lt;/b#gt;'
    """
    return " ".join(text.split()).translate(_MERMAID)


# --- Cypher and Turtle ----------------------------------------------------------------------------

_CYPHER = {ord(k): v for k, v in {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t"}.items()}
_CYPHER.update({8: "\\b", 12: "\\f"})
_CYPHER.update({code: f"\\u{code:04x}" for code in _controls() if code not in _CYPHER})


def cypher(text: str) -> str:
    """A single-quoted Cypher string literal: backslashes, quotes and every control escaped.

    >>> print(cypher("it's a\\\\b\\n\\x1b"))
    'it\\'s a\\\\b\\n\\u001b'
    """
    return "'" + text.translate(_CYPHER) + "'"


_TURTLE = {code: f"\\u{code:04X}" for code in _controls() if code not in (0x09, 0x0A)}


def turtle(document: str) -> str:
    """A serialised Turtle document with every control character as a ``\\u`` escape (same triples).

    In dlgraph's Turtle every such character is inside a string literal (IRIs are built from slugs),
    where Turtle reads ``\\uXXXX`` as the character itself.

    >>> turtle('<urn:a> <urn:b> "x\\x1by" .')
    '<urn:a> <urn:b> "x\\\\u001By" .'
    """
    return document.translate(_TURTLE)


# --- CSV, YAML, Markdown, HTML --------------------------------------------------------------------

#: What a spreadsheet takes as the start of a formula (OWASP's list), and the quote that guards it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """A CSV cell no spreadsheet runs as a formula: one ``'`` before a formula start (or a ``'``).

    Reading it back: drop one leading ``'``. NUL, which some CSV readers refuse, is shown as ``␀``.

    >>> csv_cell("-1"), csv_cell("'quoted"), csv_cell("plain")
    ("'-1", "''quoted", 'plain')
    """
    text = text.replace("\x00", "\u2400")
    return "'" + text if text.startswith((*FORMULA_STARTS, "'")) else text


def yaml(text: str) -> str:
    """A YAML double-quoted scalar: JSON's escapes, which YAML shares, plus escapes for non-printables.

    >>> yaml('a "b"\\n\\x85')
    '"a \\\\"b\\\\"\\\\n\\\\u0085"'
    """
    return "".join(_yaml_char(ch) for ch in _json.dumps(text, ensure_ascii=False))


def _yaml_char(ch: str) -> str:
    if ch.isprintable() or ch == " ":
        return ch
    return f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"


#: Obsidian markup anywhere in a line: emphasis, links, tags, highlights, comments, math, block ids.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|~=^$%])")
#: Markup only at the start of a line: lists, quotes, numbered lists.
_MARKDOWN_LINE_START = re.compile(r"^([-+>]|\d+(?=[.)]))")


def markdown(text: str) -> str:
    """One paragraph of literal text for Obsidian: markup escaped, HTML as entities, controls shown.

    >>> print(markdown("a <b> [[x]] #tag\\x1b"))
    a &lt;b&gt; \\[\\[x\\]\\] \\#tag␛
    >>> print(markdown("- 1. not a list"))
    \\- 1. not a list
    """
    text = _html.escape(" ".join(text.split()), quote=False).translate(_TERMINAL)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _MARKDOWN_LINE_START.sub(r"\\\1", text)


def html(text: str) -> str:
    """HTML element text (an Anki field): markup escaped, line breaks as ``<br>``, controls shown.

    Quotes stay as they are: they are safe in element text and read better in Anki's editor.

    >>> html("a < b\\nc\\x00")
    'a &lt; b<br>c␀'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TERMINAL)
    return _html.escape(text, quote=False).replace("\n", "<br>")
