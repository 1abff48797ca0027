"""Deck readers: one module per format family, all returning the same :class:`Card` records.

Extraction never sees the format, only cards. :func:`load_deck` picks the reader and tidies what
every format shares (see :mod:`dlgraph.decks.load`); every line a reader leaves out of the cards is
reported (:class:`Skip`). The families: :mod:`~dlgraph.decks.markdown` (tables, headings, bold
questions), :mod:`~dlgraph.decks.note_apps` (Obsidian Spaced Repetition, Logseq),
:mod:`~dlgraph.decks.delimited` (CSV, TSV, Quizlet),
:mod:`~dlgraph.decks.anki_text` (Anki's plain-text export), :mod:`~dlgraph.decks.anki_package`
(``.apkg``, ``.colpkg``, collection files) and :mod:`~dlgraph.decks.latex` (the ``flashcards``
LaTeX class); :mod:`~dlgraph.decks.text` decodes bytes and turns HTML into text,
:mod:`~dlgraph.decks.latex` LaTeX in any card.
"""

from __future__ import annotations

from .anki_package import read_anki_package
from .anki_text import has_anki_headers, read_anki_text
from .cards import MAX_NOTES_PER_KIND, Card, Deck, Reading, Skip
from .delimited import read_csv_text, read_quizlet_text, read_tsv_text, sniff_delimiter
from .latex import latex_to_text
from .load import (
    FORMATS,
    MAX_UNREAD_SHARE,
    PACKAGE,
    check_strict,
    detect_format,
    is_front_matter,
    load_deck,
    merge_duplicates,
    read_deck,
    read_deck_bytes,
    strictly,
    strip_common_suffix,
)
from .markdown import read_bold_questions_text, read_headings_text, read_markdown_text
from .note_apps import read_logseq_text, read_obsidian_text
from .text import decode, html_to_text, looks_like_html, tidy

__all__ = [
    "FORMATS",
    "MAX_NOTES_PER_KIND",
    "MAX_UNREAD_SHARE",
    "PACKAGE",
    "Card",
    "Deck",
    "Reading",
    "Skip",
    "check_strict",
    "strictly",
    "decode",
    "detect_format",
    "has_anki_headers",
    "html_to_text",
    "is_front_matter",
    "latex_to_text",
    "load_deck",
    "looks_like_html",
    "merge_duplicates",
    "read_anki_package",
    "read_anki_text",
    "read_bold_questions_text",
    "read_csv_text",
    "read_deck",
    "read_deck_bytes",
    "read_headings_text",
    "read_logseq_text",
    "read_markdown_text",
    "read_obsidian_text",
    "read_quizlet_text",
    "read_tsv_text",
    "sniff_delimiter",
    "strip_common_suffix",
    "tidy",
]
