"""Deck readers: every format to the same cards, format detection, tidying, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlgraph import decks, store
from dlgraph.decks import Card, load_deck, read_deck_bytes
from dlgraph.errors import DeckError

from .reliability import record

DECKS = Path(__file__).parent / "data" / "decks"


def _qa(deck: decks.Deck) -> list[tuple[str, str]]:
    return [(c.question, c.answer) for c in deck.cards]


def test_seed_deck_reads_as_markdown_with_bare_pipes_kept():
    deck = load_deck(store.bundled_deck())
    assert deck.format == "markdown" and len(deck.cards) == 63
    # The page junk above the table (4 of 69 lines, over 5%) is reported, and warned about.
    path = store.bundled_deck()
    assert deck.warning == (
        f"{path}: 4 of 69 non-blank lines (6%) are in no card (read as markdown), e.g. line 1 'click below', "
        "line 2 'click below', line 3 'Normal Size Small Size show me how'; no other --format reads them "
        "as cards"
    )
    assert deck.notes == [
        deck.warning,
        f"{path}:1: skipped 'click below': not a table row",
        f"{path}:2: skipped 'click below': not a table row",
        f"{path}:3: skipped 'Normal Size Small Size show me how': not a table row",
        f"{path}:4: skipped 'Deep Learning final': not a table row",
    ]
    mdp = next(c for c in deck.cards if c.question == "Markov decision process")
    assert "transition model P(s' | s, a), and reward function r(s)" in mdp.answer
    assert deck.cards[0].source.endswith("deep-learning-final.md:7")


def test_anki_export_honours_every_header():
    deck = load_deck(DECKS / "anki-notes.txt")
    assert deck.format == "anki"
    assert _qa(deck) == [
        ("Mask R-CNN", "adds a branch to Faster R-CNN\nto predict masks & uses RoI Align"),
        ("Faster R-CNN", 'replaces selective search with a\nregion proposal network; see "RPN"'),
        ("Adam", "combines RMSprop and momentum"),
    ]
    assert deck.cards[0].tags == ("detection", "cnn")
    assert deck.cards[1].source.endswith("anki-notes.txt:9")


@pytest.mark.parametrize(
    ("header", "separator"),
    [
        ("Tab", "\t"),
        ("Comma", ","),
        ("Semicolon", ";"),
        ("Space", " "),
        ("Pipe", "|"),
        ("Colon", ":"),
        ("~", "~"),
    ],
)
def test_anki_separator_names_and_literal_characters(header, separator):
    text = f"#separator:{header}\n#html:false\nAdam{separator}momentum<br>RMSprop\n"
    cards = decks.read_anki_text(text, "x.txt")
    # html:false keeps markup as typed
    assert [(c.question, c.answer) for c in cards] == [("Adam", "momentum<br>RMSprop")]


def test_anki_unknown_separator_and_bad_column_are_deck_errors():
    with pytest.raises(DeckError, match="#separator:Tabs is not a separator"):
        decks.read_anki_text("#separator:Tabs\na\tb\n", "x.txt")
    with pytest.raises(DeckError, match="#tags column:two is not a column number"):
        decks.read_anki_text("#separator:tab\n#tags column:two\na\tb\n", "x.txt")


def test_anki_tags_header_applies_to_every_note():
    cards = decks.read_anki_text("#separator:tab\n#tags:dl optim\nAdam\tmomentum\n", "x.txt")
    assert cards[0].tags == ("dl", "optim")


def test_csv_with_header_bom_crlf_quotes_and_a_ragged_row():
    deck = load_deck(DECKS / "with-header.csv")
    assert deck.format == "csv"
    assert _qa(deck) == [
        ("Adam", "combines RMSprop, momentum"),
        ("Mask R-CNN", "adds a branch to Faster R-CNN\nto predict masks"),
        ("RMSprop", 'fixes "Adagrad"'),
    ]
    assert deck.cards[0].tags == ("optimization",)
    path = DECKS / "with-header.csv"
    assert deck.skipped == [decks.Skip(5, "lonely", "a row of 1 field, so no answer")]
    assert deck.notes == [
        f"{path}: 1 of 6 non-blank lines (17%) are in no card (read as csv), e.g. line 5 'lonely'; no other "
        "--format reads them as cards",
        f"{path}:5: skipped 'lonely': a row of 1 field, so no answer",
    ]


def test_a_csv_row_with_an_unquoted_comma_keeps_it_in_the_answer_and_says_so():
    deck = load_deck(DECKS / "unquoted-comma.csv")
    assert [(c.question, c.answer, c.tags) for c in deck.cards] == [
        ("Adam", "combines momentum and RMSprop", ("optimization",)),
        ("Batch normalization", "normalizes activations per mini-batch, then scales and shifts them",
         ("normalization",)),
        ("Dropout", "randomly zeroes activations during training", ("regularization",)),
    ]  # fmt: skip
    assert deck.notes == [
        f"{DECKS / 'unquoted-comma.csv'}:3: 4 fields where the deck has 3; the extra field is kept in the "
        "answer (an unquoted comma in it?)"
    ]
    assert deck.skipped == [] and deck.warning is None


def test_extra_fields_without_a_header_and_in_an_anki_export_are_kept_and_reported():
    deck = read_deck_bytes(
        b"Adam,momentum\nGRU,gates, fewer than LSTM, and no cell state\nSGD,steps\n", "d.csv"
    )
    assert deck.cards[1].answer == "gates, fewer than LSTM, and no cell state"
    assert deck.notes == [
        "d.csv:2: 4 fields where the deck has 2; the extra 2 fields are kept in the answer "
        "(an unquoted comma in it?)"
    ]
    text = "#separator:tab\n#columns:Front\tBack\tTags\n#tags column:3\nAdam\tmomentum\tand RMSprop\toptim\n"
    cards = decks.read_anki_text(text, "a.txt", notes=(notes := []))
    assert [(c.question, c.answer, c.tags) for c in cards] == [("Adam", "momentum and RMSprop", ("optim",))]
    assert notes == [
        "a.txt:4: 4 fields where the deck has 3; the extra field is kept in the answer "
        "(an unquoted tab in it?)"
    ]


def test_tsv_without_header_keeps_quoted_tabs_in_the_answer():
    deck = load_deck(DECKS / "no-header.tsv")
    assert deck.format == "tsv"
    assert _qa(deck)[1] == ("Mask R-CNN", "adds a branch to Faster R-CNN and RoI Align")


def test_csv_without_header_keeps_unquoted_commas_in_the_answer():
    cards = decks.read_csv_text("Adam,combines RMSprop, momentum\nGRU,simplifies LSTM\n", "x.csv")
    assert [(c.question, c.answer) for c in cards] == [
        ("Adam", "combines RMSprop, momentum"),
        ("GRU", "simplifies LSTM"),
    ]


def test_quizlet_lines_without_a_tab_continue_the_definition():
    deck = load_deck(DECKS / "quizlet.txt")
    assert deck.format == "quizlet"
    assert _qa(deck) == [
        ("Adam", "combines RMSprop and momentum"),
        ("RMSprop", "fixes Adagrad by using a moving average\nof squared gradients"),
        ("LSTM", "uses gates"),
    ]


def test_markdown_headings_both_layouts():
    deck = load_deck(DECKS / "headings.md")
    assert deck.format == "headings"
    assert _qa(deck) == [
        ("Adam", "combines RMSprop and momentum"),
        ("What does an LSTM use?", "gates and a cell state"),
        ("dropout", "randomly turns off neurons"),
    ]


def test_real_google_glossary_export():
    deck = load_deck(DECKS / "google-ml-glossary-excerpt.csv")
    assert deck.format == "csv" and len(deck.cards) == 30
    assert deck.notes[0] == "dropped '(Google Machine Learning Glossary)', which every question ends with"
    assert "skipped 'Introduction', a card about the deck" in deck.notes[1]
    questions = [c.question for c in deck.cards]
    assert questions[:3] == ["A/B testing", "accuracy", "action"]
    accuracy = deck.cards[1].answer
    # HTML gone, soft line wraps of the source joined, paragraphs kept
    assert accuracy.startswith("The fraction of predictions that a classification model got right. In")
    assert "<" not in accuracy and "&amp;" not in accuracy and "\n\n" in accuracy


def test_html_to_text():
    assert (
        decks.html_to_text("<p>a&nbsp;&amp;\n b</p><ul><li>one</li><li>two</li></ul>") == "a & b\n\none\ntwo"
    )
    assert decks.html_to_text("x<img src='a.png'>[sound:a.mp3]<script>alert(1)</script>y") == "xy"


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("deck.txt", "#separator:tab\na\tb\n", "anki"),
        ("deck.md", "| a | b |\n", "markdown"),
        ("deck.md", "# A\n| a | b |\n|---|---|\n| c | d |\n# E\nf\n", "headings"),
        ("deck.md", "| a | b |\n|---|---|\n| c | d |\n", "markdown"),
        ("deck.txt", "junk\n| a | b |\n|---|---|\n| c | d |\n", "markdown"),
        ("deck.txt", "a\tb\nc\td\n", "quizlet"),
        ("deck.txt", 'a\t"b\nc"\nd\te\n', "tsv"),
        ("deck.txt", "a;b\nc;d\n", "csv"),
        ("deck", "# A\nb\n# C\nd\n", "headings"),
        ("deck.tsv", "a\tb\n", "tsv"),
    ],
)
def test_format_detection(name, text, expected):
    assert decks.detect_format(text, name) == expected


def test_forced_format_wins(tmp_path):
    path = tmp_path / "deck.md"
    path.write_text("Adam\tcombines RMSprop\n", encoding="utf-8")
    with pytest.raises(DeckError, match="read it as headings"):
        load_deck(path)
    assert _qa(load_deck(path, "quizlet")) == [("Adam", "combines RMSprop")]


def test_duplicate_questions_are_merged_and_reported():
    deck = read_deck_bytes(b"Adam,combines RMSprop\nadam,uses momentum\nADAM ,combines RMSprop\n", "d.csv")
    assert _qa(deck) == [("Adam", "combines RMSprop\nuses momentum")]
    assert deck.notes == ["merged 3 cards with the question 'Adam' (d.csv:1, d.csv:2, d.csv:3)"]


def test_questions_that_differ_in_more_than_case_and_spaces_are_never_merged():
    raw = (
        b"Does list[:i] include the ith element?,No.\n"
        b"Does list[i:] include the ith element?,Yes.\n"
        b"Adam,combines RMSprop\nAdam.,uses momentum\n"
        b"does   LIST[:i] include the ith element?,It stops before i.\n"
    )
    deck = read_deck_bytes(raw, "d.csv")
    assert _qa(deck) == [
        ("Does list[:i] include the ith element?", "No.\nIt stops before i."),
        ("Does list[i:] include the ith element?", "Yes."),
        ("Adam", "combines RMSprop"),
        ("Adam.", "uses momentum"),
    ]
    assert deck.notes == [
        "merged 2 cards with the question 'Does list[:i] include the ith element?' (d.csv:1, d.csv:5)"
    ]


def test_a_deck_read_as_nothing_names_the_format_that_reads_it(tmp_path):
    path = tmp_path / "deck.md"
    path.write_text("Adam\tcombines RMSprop\nGRU\tgates\n", encoding="utf-8")
    with pytest.raises(DeckError, match="read it as headings.*; --format quizlet reads 2 card"):
        load_deck(path)


def test_common_suffix_needs_every_question_and_two_cards():
    cards = [Card("a (X)", "1"), Card("b (X)", "2")]
    assert [c.question for c in decks.strip_common_suffix(cards)[0]] == ["a", "b"]
    mixed = [Card("IoU (intersection over union)", "1"), Card("GRU (gated recurrent unit)", "2")]
    assert decks.strip_common_suffix(mixed) == (mixed, None)
    assert decks.strip_common_suffix([Card("a (X)", "1")])[1] is None


def test_a_one_megabyte_answer_is_read_whole():
    answer = "word " * 200_000
    deck = read_deck_bytes(f'Big,"{answer}"\nSmall,x\n'.encode(), "big.csv")
    assert len(deck.cards[0].answer) == len(answer.strip())


def _export_of(answer: str, size: int = 250_000) -> bytes:
    """An Anki plain-text export of about ``size`` bytes, every note with ``answer`` as its back."""
    rows, length = ["#separator:tab", "#html:true"], 0
    while length < size:
        rows.append(f"Term {len(rows) - 2}\t{answer}")
        length += len(rows[-1]) + 1
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        # What a browser would make of each: an unclosed tag or comment start is text or nothing,
        # never a reason to search the rest of the file again (these took minutes when that was so).
        ("momentum <div and RMSprop", "momentum <div and RMSprop"),
        ("momentum <!-- and RMSprop", "momentum <!-- and RMSprop"),
        ("momentum <script and RMSprop", "momentum <script and RMSprop"),
        ("momentum<br><script>x()</script> and <b>RMSprop</b>", "momentum\nand RMSprop"),
        ("momentum [sound:a.mp3 and RMSprop", "momentum [sound:a.mp3 and RMSprop"),
        ("{{c1::momentum and RMSprop", "{{c1::momentum and RMSprop"),
    ],
)
def test_unclosed_markup_in_a_large_export_is_read_in_one_pass(answer, expected):
    deck = read_deck_bytes(_export_of(answer), "export.txt")
    assert len(deck.cards) > 1000 and deck.skipped == []
    assert {c.answer for c in deck.cards} == {expected}


def test_an_answer_that_is_only_an_image_is_kept_in_a_text_export():
    text = (
        '#separator:tab\n#html:true\nResNet block\t<img src="resnet.png">\nAdam\tmomentum<img src="a.png">\n'
    )
    deck = read_deck_bytes(text.encode(), "export.txt")
    assert [(c.question, c.answer) for c in deck.cards] == [
        ("ResNet block", "[image: resnet.png]"),
        ("Adam", "momentum"),  # beside text, an image adds nothing to read
    ]


def test_one_field_of_unclosed_tags_is_text():
    field = "see <div class=x " * 15_000  # 250 KB, not one tag closed
    assert decks.html_to_text(field) == " ".join(field.split())
    assert decks.html_to_text(field + "<b>end</b>") == "see\nend"  # as a browser: the div ends at ">"
    assert decks.html_to_text("<!--" * 60_000 + "a -->b") == "b"
    assert decks.html_to_text("a<script>" * 30_000) == "a" * 30_000  # unclosed: only the tags go
    spaces = "**What does Adam combine?**\n<summary>" + " " * 100_000 + "momentum\n"
    assert read_deck_bytes(spaces.encode(), "notes.md").cards[0].answer == "<summary> momentum"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "the deck is empty"),
        (b"  \n\n", "the deck is empty"),
        ("caf\xe9,cr\xe8me\n".encode("latin-1"), "not UTF-8; it looks like Windows-1252 or Latin-1"),
        ("Adam\tmomentum\n".encode("utf-16"), "not UTF-8; it looks like UTF-16"),
        (bytes(range(256)) * 4, "binary data"),
        (b"\x00\x01\x02abc\x00\x00", "binary data"),
        (b"just a line of text\n", "found no cards"),
        (b"| only | a header |\n|---|---|\n", "found no cards"),
        (b"Introduction,This deck was made for Anki\n", "only notes about the deck"),
    ],
)
def test_bad_decks_get_a_clear_message(raw, message):
    with pytest.raises(DeckError, match=message):
        read_deck_bytes(raw, "deck.csv")


def test_strict_turns_the_unread_lines_warning_into_an_error(run, tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text("Lecture 3\nclick below\n| Q | A |\n|---|---|\n| Adam | momentum and RMSprop |\n")
    loose = run("build", "--no-field", str(deck), "--out", str(tmp_path / "g1"), "--dry-run", data_dir=None)
    warning = (
        f"{deck}: 2 of 5 non-blank lines (40%) are in no card (read as markdown), e.g. line 1 'Lecture 3', "
        "line 2 'click below'; no other --format reads them as cards"
    )
    assert loose.exit_code == 0 and f"note: {warning}" in " ".join(loose.stdout.split())  # notes wrap
    strict = run("build", "--no-field", str(deck), "--out", str(tmp_path / "g2"), "--strict", data_dir=None)
    assert strict.exit_code == 1 and "internal error" not in strict.stderr
    assert strict.stderr == f"Error: {warning} (--strict makes this an error; drop it to build anyway)\n"
    assert not (tmp_path / "g2").exists()
    deck.write_text("| Q | A |\n|---|---|\n| Adam | momentum and RMSprop |\n")  # every line a card
    assert (
        run(
            "build", "--no-field", str(deck), "--out", str(tmp_path / "g3"), "--strict", data_dir=None
        ).exit_code
        == 0
    )


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(DeckError, match="no such deck file"):
        load_deck(tmp_path / "nope.csv")
    with pytest.raises(DeckError, match="is a folder"):
        load_deck(tmp_path)


_any_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=400) | st.text(
    alphabet='|\t,;:#"\n <>&-ab', max_size=200
)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(text=_any_text, fmt=st.sampled_from([None, *decks.FORMATS]))
def test_no_reader_raises_anything_but_deck_error_on_text(text, fmt):
    try:
        deck = read_deck_bytes(text.encode("utf-8"), "fuzz.txt", fmt)
    except DeckError:
        record(f"deck reader: {fmt or 'any (format detected)'}", "random text")
        return
    assert deck.cards and all(c.question and c.answer for c in deck.cards)
    record(f"deck reader: {fmt or 'any (format detected)'}", "random text")


@settings(max_examples=150, deadline=None, derandomize=True)
@given(raw=st.binary(max_size=400), fmt=st.sampled_from([None, *decks.FORMATS]))
def test_no_reader_raises_anything_but_deck_error_on_bytes(raw, fmt):
    try:
        deck = read_deck_bytes(raw, "fuzz.bin", fmt)
    except DeckError:
        record(f"deck reader: {fmt or 'any (format detected)'}", "random bytes")
        return
    assert deck.cards and deck.format in decks.FORMATS
    record(f"deck reader: {fmt or 'any (format detected)'}", "random bytes")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(text=_any_text)
def test_each_reader_alone_raises_only_deck_error(text):
    for reader in (
        decks.read_markdown_text,
        decks.read_headings_text,
        decks.read_bold_questions_text,
        decks.read_obsidian_text,
        decks.read_logseq_text,
        decks.read_csv_text,
        decks.read_tsv_text,
        decks.read_anki_text,
        decks.read_quizlet_text,
    ):
        area = f"deck reader: {reader.__name__.removeprefix('read_').removesuffix('_text')}"
        try:
            cards = reader(text, "fuzz")
        except DeckError:
            record(area, "random text, reader function alone")
            continue
        assert all(isinstance(c, Card) for c in cards)
        record(area, "random text, reader function alone")


def test_the_package_face_keeps_the_names_the_project_imports():
    """dlgraph.decks is a package of reader modules; callers keep importing from its top."""
    import dlgraph.decks as face

    used = {"Card", "Deck", "FORMATS", "load_deck", "read_deck", "read_deck_bytes", "read_anki_text", "tidy",
            "Skip", "read_bold_questions_text", "read_obsidian_text", "read_logseq_text"}  # fmt: skip
    assert used <= set(face.__all__)
    assert all(getattr(face, name) is not None for name in face.__all__)
    assert face.FORMATS[-1] == "anki-package" and len(set(face.FORMATS)) == len(face.FORMATS)


def test_html_cross_references_become_card_links(tmp_path):
    deck = tmp_path / "glossary.csv"
    deck.write_text(
        "Front,Back\n"
        'dropout,"A <a href=""https://g.dev/glossary/#regularization""><b>regularization</b></a> '
        'method; see <a href=""https://arxiv.org/abs/1207.0580"">the paper</a>"\n',
        encoding="utf-8",
    )
    (card,) = load_deck(deck).cards
    assert card.answer == "A regularization method; see the paper"
    assert card.links == (("regularization", "regularization"),)  # the paper names no term


def test_obsidian_wikilinks_show_their_text_and_become_links(tmp_path):
    deck = tmp_path / "notes.md"
    deck.write_text(
        "#flashcards\n\nAdam::combines [[RMSprop]] with [[Momentum|momentum]]\n", encoding="utf-8"
    )
    (card,) = load_deck(deck).cards
    assert card.answer == "combines RMSprop with momentum"
    assert card.links == (("RMSprop", "RMSprop"), ("momentum", "Momentum"))


# --- property: every record of a delimited deck is a card or reported -----------------------------

#: Words a generated question may not be: header names (a first row of them is a header) and
#: front-matter titles (a card titled Introduction about the deck is dropped).
_RESERVED = set(
    "q a question answer front back term word prompt concept name text definition meaning response "
    "explanation description tags tag topic topics introduction intro about readme preface instructions "
    "license licence credits notes changelog".split()
)
_word = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=8
)
_phrase = (
    st.lists(_word, min_size=1, max_size=5).map(" ".join).filter(lambda p: p.casefold() not in _RESERVED)
)
_records = st.lists(
    st.tuples(_phrase, st.lists(_phrase, min_size=1, max_size=3), st.lists(_word, max_size=2)),
    min_size=1,
    max_size=8,
    unique_by=lambda r: r[0].casefold(),
)


def _render_delimited(fmt: str, records, header: bool, junk: bool) -> tuple[str, str, list, list[int]]:
    """A deck of ``fmt`` (csv, tsv, anki, quizlet), its file name, the cards it should read as, and
    the junk lines that must be reported skipped."""
    lines: list[str] = []
    expected = []
    junk_lines: list[int] = []
    sep = "," if fmt == "csv" else "\t"
    if fmt == "anki":
        lines += ["#separator:tab", "#html:false", "#tags column:3"]
    elif fmt == "quizlet" and junk:
        lines.append("Exported from Quizlet")  # no tab: before the first card, reported
        junk_lines.append(len(lines))
    elif header and fmt in ("csv", "tsv"):
        lines.append(sep.join(["question", "answer"]))
    for question, answer, tags in records:
        if fmt == "quizlet":
            lines += [f"{question}\t{answer[0]}", *answer[1:]]  # a multi-line definition
        else:
            text = "\n".join(answer) if len(answer) > 1 else answer[0]
            field = f'"{text}"' if "\n" in text else text
            row = [question, field] + ([" ".join(tags)] if fmt == "anki" else [])
            lines.append(sep.join(row))
        expected.append((question, "\n".join(answer), tuple(dict.fromkeys(tags)) if fmt == "anki" else ()))
    if junk and fmt != "quizlet":
        lines.append("lonely")  # a row of one field: no answer, reported
        junk_lines.append(len(lines) + sum(len(a) - 1 for _, a, _ in records))
    name = {"csv": "gen.csv", "tsv": "gen.tsv", "anki": "gen.txt", "quizlet": "gen.txt"}[fmt]
    return "\n".join(lines) + "\n", name, expected, junk_lines


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(records=_records, fmt=st.sampled_from(["csv", "tsv", "anki", "quizlet"]), header=st.booleans(),
       junk=st.booleans())  # fmt: skip
def test_generated_delimited_decks_read_every_card_and_account_for_every_line(records, fmt, header, junk):
    from dlgraph.decks.load import _READERS

    text, name, expected, junk_lines = _render_delimited(fmt, records, header, junk)
    reading = _READERS[fmt](text, name)
    nonblank = {n for n, line in enumerate(text.split("\n"), 1) if line.strip()}
    assert nonblank <= reading.used() | reading.skipped_lines()
    # The extension and Anki's headers settle csv, tsv and anki; a Quizlet export reads like TSV
    # too (the same tabs), so it is named.
    deck = read_deck_bytes(text.encode(), name, "quizlet" if fmt == "quizlet" else None)
    assert deck.format == fmt
    assert [(c.question, c.answer, c.tags) for c in deck.cards] == expected
    assert [s.line for s in deck.skipped] == junk_lines and all(s.reason for s in deck.skipped)
    record(f"deck reader: {fmt}", "generated deck, every line accounted for")


def test_every_readme_format_example_reads_as_that_format():
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"<!-- deck: (\S+) (\S+) -->\n.*?```\w+\n(.*?)```", readme, flags=re.S)
    assert {fmt for fmt, _, _ in examples} == set(decks.FORMATS) - {"obsidian", "logseq", decks.PACKAGE}
    for fmt, name, block in examples:
        assert len(block.strip().split("\n")) == 5, fmt
        deck = read_deck_bytes(block.encode(), name)
        assert (deck.format, deck.notes) == (fmt, []), fmt
        assert len(deck.cards) >= 2 or fmt == "bold-questions"
    latex = readme.split("<!-- deck: bold-questions notes.md -->")[1].split("has the answer")
    shown = re.search(r"```text\n(.*?)\n```", latex[1], flags=re.S).group(1)
    assert read_deck_bytes(re.search(r"```markdown\n(.*?)```", latex[0], flags=re.S).group(1).encode(),
                           "notes.md").cards[0].answer == shown  # fmt: skip


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(alphabet=" \t\f\v\xa0\nab", max_size=40))
def test_tidy_makes_every_run_of_spaces_one_space(text):
    """tidy leaves single spaces alone for speed; the text it gives is what collapsing every run of
    spaces and tabs, trimming lines and squeezing blank lines gives."""
    import re

    from dlgraph.decks.text import tidy

    lines = [line.strip() for line in re.sub(r"[ \t\f\v\xa0]+", " ", text).split("\n")]
    assert tidy(text) == re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
