"""Markdown notes as students write them: bold questions, Obsidian Spaced Repetition cards, Logseq
#card blocks, headings and tables; which reader a file gets, and that no line is lost unreported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlgraph import decks
from dlgraph.decks import Skip, load_deck, read_deck_bytes
from dlgraph.decks.markdown import bold_questions_reading, headings_reading, table_reading
from dlgraph.decks.note_apps import logseq_reading, obsidian_reading

from .reliability import record

DECKS = Path(__file__).parent / "data" / "decks"


def _cards(deck: decks.Deck) -> list[tuple[str, str, tuple[str, ...], str]]:
    """Question, answer, tags and source (file name and line) of every card."""
    return [(c.question, c.answer, c.tags, c.source.rsplit("/", 1)[-1]) for c in deck.cards]


def _notes(deck: decks.Deck) -> list[str]:
    return [n.replace(str(DECKS) + "/", "") for n in deck.notes]


# --- bold questions -----------------------------------------------------------------------------

INTERVIEW = "Machine learning interview questions"


def test_bold_question_interview_notes_with_code_lists_and_a_table_in_an_answer():
    deck = load_deck(DECKS / "interview-bold.md")
    assert deck.format == "bold-questions" and deck.lines == 37
    supervised, python = (f"{INTERVIEW}::Supervised learning",), (f"{INTERVIEW}::Python",)
    assert _cards(deck) == [
        (
            "What is regression? Which models can you use to solve a regression problem?",
            "Regression is a part of supervised ML. Regression models investigate the relationship "
            "between a\n"
            "dependent (target) and an independent variable (or variables):\n\n"
            "- linear regression\n- decision trees and random forests\n- neural networks",
            supervised,
            "interview-bold.md:7",
        ),
        (
            "What are the main assumptions of linear regression?",
            "1. A linear relationship between the features and the target\n2. Independent residuals\n"
            "3. Homoscedasticity: constant variance of the residuals\n(check it with a residual plot)",
            supervised,
            "interview-bold.md:16",
        ),
        (
            "How do precision and recall differ?",
            "Both come from the confusion matrix:\n\n"
            "| | predicted positive | predicted negative |\n"
            "|-----------------|--------------------|--------------------|\n"
            "| actual positive | TP | FN |\n| actual negative | FP | TN |\n\n"
            "Precision is TP / (TP + FP); recall is TP / (TP + FN).",
            supervised,
            "interview-bold.md:22",
        ),
        ("Does list[:i] include the ith element?", "No. `list[:i]` stops before index i.", python,
         "interview-bold.md:37"),
        ("Does list[i:] include the ith element?", "Yes. `list[i:]` starts at index i.", python,
         "interview-bold.md:41"),
        (
            "How do you compute the gradients of a loss in PyTorch?",
            "Call `backward()` on the loss, then step the optimizer:\n\n```python\n"
            "loss = criterion(model(x), y)\nloss.backward()  # fills p.grad for every parameter\n\n"
            "# **not a question**: code is never read as markup\noptimizer.step()\n```",
            python,
            "interview-bold.md:45",
        ),
        (
            "What is the difference between `__init__` and `__call__`?",
            "`__init__` runs once, when the object is made; `__call__` runs every time the object is called\n"
            "like a function, as `model(x)` calls `Module.__call__`.",
            python,
            "interview-bold.md:57",
        ),
    ]  # fmt: skip
    # The introduction is no card, and says so; 1 line of 37 is under the 5% that warns.
    assert deck.skipped == [
        Skip(3, "Answers are short on purpose. Difficulty: 🟢 easy, 🟡 medium,…", "not under a bold question")
    ]
    assert deck.warning is None
    assert _notes(deck) == [
        "interview-bold.md:3: skipped 'Answers are short on purpose. Difficulty: 🟢 easy, 🟡 medium,…': "
        "not under a bold question"
    ]


def test_bold_question_forms_labels_and_wrappers():
    text = "\n".join(
        [
            "**1. What does Adam combine? 🟡⭐️**",
            "Momentum and RMSprop.",
            "**Example:**",
            "`torch.optim.Adam(params)`",
            "**Q:** What does dropout",
            "do at test time?",
            "**A:** Nothing: activations are",
            "scaled during training instead.",
            "__Why normalize inputs? 🔴__",
            "<details><summary>Answer</summary>",
            "So that every feature has a similar scale.<br>Gradient descent converges faster.",
            "</details>",
            "**Adam** alone in bold at the start of a line is answer text.",
            "**Answer**",
            "**Q**: What is a label line?",
            "",
            "**Answer**",
            "A line such as **Answer** that starts the answer.",
        ]
    )
    cards = decks.read_bold_questions_text(text, "n.md")
    assert [(c.question, c.answer, c.source) for c in cards] == [
        ("What does Adam combine?", "Momentum and RMSprop.\n**Example:**\n`torch.optim.Adam(params)`",
         "n.md:1"),
        ("What does dropout do at test time?", "Nothing: activations are\nscaled during training instead.",
         "n.md:5"),
        (
            "Why normalize inputs?",
            "So that every feature has a similar scale.\nGradient descent converges faster.\n"
            "**Adam** alone in bold at the start of a line is answer text.\n**Answer**",
            "n.md:9",
        ),
        ("What is a label line?", "A line such as **Answer** that starts the answer.", "n.md:15"),
    ]  # fmt: skip


def test_front_matter_is_metadata_but_a_rule_above_a_card_is_reported():
    notes = "---\ntags: [ml]\naliases:\n  - interview\n---\n**What maps x to y → z?**\nA function.\n"
    reading = bold_questions_reading(notes, "n.md")
    assert [c.question for c in reading.cards] == ["What maps x to y → z?"]  # arrows are not emoji
    assert reading.markup == {1, 2, 3, 4, 5} and reading.skipped == []
    ruled = bold_questions_reading("---\n**What is SGD?**\nsteps\n---\n**Adam?**\nmomentum\n", "n.md")
    assert [(c.question, c.answer) for c in ruled.cards] == [("What is SGD?", "steps"), ("Adam?", "momentum")]
    assert ruled.skipped == [Skip(1, "---", "not under a bold question")]


def test_a_bold_question_without_an_answer_is_reported():
    reading = bold_questions_reading("**What is Adam?**\n**What is SGD?**\nplain gradient steps\n", "n.md")
    assert [c.question for c in reading.cards] == ["What is SGD?"]
    assert reading.skipped == [Skip(1, "**What is Adam?**", "a bold question with no answer")]


def test_a_table_inside_an_answer_is_part_of_it_not_a_table_deck():
    """Read as a table, the interview notes gave the 2 table rows as cards and lost everything else."""
    text = (DECKS / "interview-bold.md").read_text(encoding="utf-8")
    assert decks.detect_format(text, "interview.md") == "bold-questions"
    assert len(table_reading(text, "interview.md").cards) == 2
    table = read_deck_bytes(text.encode(), "interview.md", "markdown")
    assert table.warning == (
        "interview.md: 33 of 37 non-blank lines (89%) are in no card (read as markdown), e.g. line 1 "
        "'# Machine learning interview questions', line 3 'Answers are short on purpose. Difficult…', "
        "line 5 '## Supervised learning'; --format bold-questions reads 29 of them as cards"
    )
    assert table.notes[0] == table.warning


# --- headings -----------------------------------------------------------------------------------


def test_a_headings_deck_with_a_table_and_code_in_answers_keeps_every_card():
    deck = load_deck(DECKS / "headings-with-table.md")
    assert deck.format == "headings" and deck.notes == [] and deck.skipped == []
    assert [c.question for c in deck.cards] == [
        "Batch normalization",
        "Dropout",
        "Which activation function should I use?",
        "Adam",
        "Residual connection",
        "Weight decay",
    ]
    activation = deck.cards[2].answer
    assert activation.startswith("It depends on the layer:\n\n| layer | activation | why |\n")
    assert activation.endswith("| output (classes)| softmax | a distribution over classes |")
    # The '# a residual block' comment inside the code is not a heading.
    assert deck.cards[4].answer.endswith("```python\n# a residual block\ndef forward(self, x):\n"
                                         "    return self.body(x) + x\n```")  # fmt: skip
    assert deck.cards[5].source.endswith("headings-with-table.md:36")


def test_headings_reader_reports_what_is_before_the_first_heading():
    reading = headings_reading("Deck by A. Student\n\n## Adam\nmomentum\n## Question\nWhy?\n", "h.md")
    assert [(c.question, c.answer) for c in reading.cards] == [("Adam", "momentum")]
    assert reading.skipped == [
        Skip(1, "Deck by A. Student", "before the first heading"),
        Skip(5, "## Question", "a Question heading with no Answer heading"),
    ]


# --- Obsidian Spaced Repetition -----------------------------------------------------------------


def test_obsidian_note_with_every_card_syntax():
    deck = load_deck(DECKS / "obsidian-sr.md")
    assert deck.format == "obsidian" and deck.lines == 30
    first, rates = "Optimizers::First-order methods", "Optimizers::Learning rates"
    cosine = "A cosine schedule decays the learning rate to zero over one period."
    assert _cards(deck) == [
        ("What does SGD update the weights with", "the gradient of the loss on a mini-batch",
         ("deep-learning", first), "obsidian-sr.md:12"),
        ("Momentum", "an exponential moving average of past gradients", ("deep-learning", first),
         "obsidian-sr.md:13"),
        ("What does Adam keep for every parameter?",
         "A running mean of the gradients (first moment)\n"
         "and of their squares (second moment), both bias-corrected.",
         ("deep-learning", first), "obsidian-sr.md:15"),
        ("What does warm-up do", "raises the learning rate linearly over the first steps",
         ("deep-learning::schedules", rates), "obsidian-sr.md:24"),
        ("A cosine schedule decays the learning rate to [...] over one period.", f"zero\n{cosine}",
         ("deep-learning", rates), "obsidian-sr.md:26 c1"),
        ("A cosine schedule decays the learning rate to zero over [...].", f"one period\n{cosine}",
         ("deep-learning", rates), "obsidian-sr.md:26 c2"),
        ("Dropout",
         "Randomly zeroing activations during training,\n"
         "scaled by 1/(1-p) so that nothing changes at test time.",
         ("deep-learning::regularisation", "Optimizers::Regularisation"), "obsidian-sr.md:38"),
    ]  # fmt: skip
    # Note text, the code block and the line with `::` in inline code are not cards, and are reported.
    assert [(s.line, s.reason) for s in deck.skipped] == [
        (n, "note text, not a card") for n in (7, 8, 28, 29, 30, 31, 33)
    ]
    assert deck.warning == (
        f"{DECKS / 'obsidian-sr.md'}: 7 of 30 non-blank lines (23%) are in no card (read as obsidian), e.g. "
        "line 7 'Notes from lecture 4: the cards below a…', line 8 'this paragraph is just notes.', line 28 "
        "'```python'; no other --format reads them as cards"
    )
    assert _notes(deck)[1:] == [
        "obsidian-sr.md:7: skipped 'Notes from lecture 4: the cards below are for the Spaced Re…': "
        "note text, not a card",
        "obsidian-sr.md:8: skipped 'this paragraph is just notes.': note text, not a card",
        "obsidian-sr.md:28: skipped '```python': note text, not a card",
        "obsidian-sr.md:29: skipped '# not a card: code keeps its :: and its ?': note text, not a card",
        "obsidian-sr.md:30: skipped 'print(f\"{lr=}\") # lr::0.1': note text, not a card",
        "... and 2 more: note text, not a card",
    ]


def test_obsidian_multi_line_cards_share_a_paragraph_and_stray_separators_are_reported():
    text = "#flashcards\nAdam\n?\nmomentum\nRMSprop\nSGD\n?\ngradient steps\n\n?\norphan answer\n"
    reading = obsidian_reading(text, "o.md")
    assert [(c.question, c.answer, c.source) for c in reading.cards] == [
        ("Adam", "momentum\nRMSprop", "o.md:2"),
        ("SGD", "gradient steps", "o.md:6"),
    ]
    assert reading.markup == {1}
    assert reading.skipped == [
        Skip(10, "?", "a ? separator with no question above it"),
        Skip(11, "orphan answer", "note text, not a card"),
    ]


def test_obsidian_front_matter_tags_and_a_schedule_line():
    text = (
        "---\ntags:\n  - flashcards/vision\n---\nIoU::intersection over union\n<!--SR:!2024-01-02,3,250-->\n"
    )
    deck = read_deck_bytes(text.encode(), "note.md")
    assert deck.format == "obsidian" and deck.notes == [] and deck.skipped == []
    assert _cards(deck) == [("IoU", "intersection over union", ("vision",), "note.md:5")]


def test_a_line_of_too_many_highlights_is_reported_not_read_as_clozes():
    line = " ".join(f"=={n}==" for n in range(60))
    reading = obsidian_reading(f"#flashcards\n{line}\n", "o.md")
    assert reading.cards == []
    assert [(s.line, s.reason) for s in reading.skipped] == [
        (2, "more than 50 ==highlights== in one line: too many to be clozes")
    ]


# --- Logseq -------------------------------------------------------------------------------------


def test_logseq_page_with_card_blocks_properties_cloze_and_code():
    deck = load_deck(DECKS / "logseq-page.md")
    assert deck.format == "logseq" and deck.lines == 25
    assert _cards(deck) == [
        (
            "What does Adam combine?",
            "Momentum (a moving average of gradients)\nRMSprop (a moving average of squared gradients)\n"
            "- both bias-corrected",
            ("Optimizers",),
            "logseq-page.md:5",
        ),
        (
            "Gradient clipping caps the [...] of the gradient",
            "norm\nGradient clipping caps the norm of the gradient",
            ("Optimizers",),
            "logseq-page.md:15 c1",
        ),
        (
            "Dropout",
            "Randomly zeroes activations during training\n"
            "```python\nnn.Dropout(p=0.5)\n- not a block: code\n```",
            ("Regularisation", "deep learning"),
            "logseq-page.md:19",
        ),
    ]
    assert deck.skipped == [
        Skip(16, "- Reading list: the Adam paper, then AdamW", "a block without #card"),
        Skip(17, "- Kingma & Ba, 2015", "a block without #card"),
        Skip(25, "- Weight decay #card", "a #card block with no child blocks to answer it"),
        Skip(26, "- A loose thought, not a card", "a block without #card"),
    ]
    assert _notes(deck)[0] == (
        "logseq-page.md: 4 of 25 non-blank lines (16%) are in no card (read as logseq), e.g. "
        "line 16 '- Reading list: the Adam paper, then Ad…', line 17 '- Kingma & Ba, 2015', line 25 "
        "'- Weight decay #card'; no other --format reads them as cards"
    )


def test_logseq_with_space_indentation_a_parent_bullet_and_a_nested_card():
    text = (
        "- Optimizers\n  - Adam #card\n    - momentum\n    - SGD [[card]]\n      - gradient steps\n"
        "    - and RMSprop\n"
    )
    reading = logseq_reading(text, "p.md")
    assert [(c.question, c.answer, c.tags) for c in reading.cards] == [
        ("SGD", "gradient steps", ("Optimizers",)),
        ("Adam", "momentum\nand RMSprop", ("Optimizers",)),
    ]
    assert reading.markup == {1} and reading.skipped == []


# --- which reader, and nothing lost -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A three-line introduction does not turn the sections into cards.
        ("# Notes\nWritten for the exam.\nShort answers.\nSee the book.\n## Optim\n**Adam?**\nmomentum\n"
         "**SGD?**\nsteps\n", "bold-questions"),
        # A bold line inside one answer does not turn a headings deck into bold questions.
        ("## Adam\nmomentum\n**Pros**\nfast\n## SGD\nsteps\n## GRU\ngates\n", "headings"),
        # #flashcards marks the note's cards: the prose under its headings is notes, not answers.
        ("#flashcards\n# Optim\nLong notes.\nMore notes.\nAdam::momentum\n## SGD\nNotes.\n", "obsidian"),
        ("- Adam #card\n\t- momentum\n- **Bold**\n", "logseq"),
        ("| Q | A |\n|---|---|\n| Adam | momentum |\n", "markdown"),
    ],
)  # fmt: skip
def test_the_reader_that_accounts_for_the_file_wins(text, expected):
    assert decks.detect_format(text, "notes.md") == expected


def test_forcing_the_wrong_format_warns_and_names_the_right_one():
    raw = (DECKS / "headings-with-table.md").read_bytes()
    deck = read_deck_bytes(raw, "h.md", "markdown")
    assert [c.question for c in deck.cards] == [
        "hidden (CNN)",
        "hidden (RNN)",
        "output (binary)",
        "output (classes)",
    ]
    assert deck.warning is not None and deck.warning.endswith("; --format headings reads 17 of them as cards")
    assert deck.warning.startswith("h.md: 18 of 24 non-blank lines (75%) are in no card (read as markdown)")


# --- property: every card-like line is accounted for --------------------------------------------

#: Words a question may not be: role labels (Answer, Q) and front-matter titles (Introduction).
_RESERVED = set(
    "q a ans question answer front back introduction intro about readme preface instructions license licence "
    "credits notes changelog".split()
)
_word = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=8
)
_phrase = (
    st.lists(_word, min_size=1, max_size=6).map(" ".join).filter(lambda p: p.casefold() not in _RESERVED)
)
_question = st.tuples(_phrase, st.booleans()).map(lambda qa: qa[0] + ("?" if qa[1] else ""))
_answer = st.lists(_phrase, min_size=1, max_size=3)
_deck = st.lists(
    st.tuples(_question, _answer, st.booleans()), min_size=1, max_size=8, unique_by=lambda c: c[0].casefold()
)


#: What each flavour puts inside an answer besides its text lines: code with markers in it, a table,
#: a list; the reader must keep it in the answer, never read it as markup.
_CODE = ["```", "# code, **not** markup:: ?", "```"]
_TABLE = ["| a | b |", "|---|---|", "| c | d |"]


def _render(flavour: str, cards: list[tuple[str, list[str], bool]], sections: bool) -> tuple[str, list]:
    """A deck of ``flavour`` holding ``cards``, and the (question, answer, tags) it should read as.

    ``variant`` picks a second spelling of each card: an emoji mark, a table instead of code, ``:::``
    and ``??``, a schedule comment, card properties.
    """
    lines: list[str] = []
    expected = []
    section = ()
    for index, (question, answer, variant) in enumerate(cards):
        if sections and index % 3 == 0 and flavour in ("bold-questions", "obsidian", "logseq"):
            section = (f"Part {index}",)
            lines += [f"## Part {index}", ""] if flavour != "logseq" else [f"- ## Part {index}"]
        tags = section
        if flavour == "bold-questions":
            extra = _TABLE if variant else [f"- {answer[0]}", *_CODE]
            lines += [f"**{question}{' 🟢' if variant else ''}**", "", *answer, "", *extra, ""]
            expected.append((question, "\n".join([*answer, "", *extra]), tags))
        elif flavour == "headings":
            extra = _TABLE if variant else _CODE
            lines += [f"## {question}", "", *answer, "", *extra, ""]
            expected.append((question, "\n".join([*answer, "", *extra]), ()))
        elif flavour == "obsidian":
            schedule = " <!--SR:!2024-01-01,1,230-->" if variant else ""
            if len(answer) == 1:
                lines += [f"{question}{':::' if variant else '::'}{answer[0]}{schedule}", ""]
            else:
                lines += [
                    question,
                    "??" if variant else "?",
                    *answer,
                    *([schedule.strip()] if variant else []),
                    "",
                ]
            expected.append((question, "\n".join(answer), tags))
        elif flavour == "logseq":
            indent = "\t" if section else ""
            properties = (
                [f"{indent}  card-repeats:: 1", f"{indent}  card-ease-factor:: 2.5"] if variant else []
            )
            lines += [f"{indent}- {question} #card", *properties, *(f"{indent}\t- {line}" for line in answer)]
            expected.append((question, "\n".join(answer), tags))
        else:  # a markdown table
            if index == 0:
                lines += ["| Question | Answer |", "|---|---|"]
            lines.append(f"| {question} | {' '.join(answer)} |")
            expected.append((question, " ".join(answer), ()))
    if flavour == "obsidian":
        lines.insert(0, "#flashcards")
    return "\n".join(lines) + "\n", expected


_READINGS = {
    "bold-questions": bold_questions_reading,
    "headings": headings_reading,
    "obsidian": obsidian_reading,
    "logseq": logseq_reading,
    "markdown": table_reading,
}


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(cards=_deck, flavour=st.sampled_from(sorted(_READINGS)), sections=st.booleans(), junk=st.booleans())
def test_generated_markdown_decks_read_every_card_and_account_for_every_line(cards, flavour, sections, junk):
    text, expected = _render(flavour, cards, sections)
    if junk:  # a line of page text above the deck: reported, never silently dropped
        text = "Notes from the lecture, not a card\n\n" + text
    # The reader itself accounts for every non-blank line: in a card, its markup, or skipped with a reason.
    reading = _READINGS[flavour](text, "gen.md")
    nonblank = {n for n, line in enumerate(text.split("\n"), 1) if line.strip()}
    assert nonblank <= reading.used() | reading.skipped_lines()
    # Loading guesses the flavour and reads exactly the cards written.
    deck = read_deck_bytes(text.encode(), "gen.md")
    assert deck.format == flavour
    assert [(c.question, c.answer, c.tags) for c in deck.cards] == expected
    assert [(s.line, s.text) for s in deck.skipped] == (
        [(1, "Notes from the lecture, not a card")] if junk else []
    )
    assert all(s.reason for s in deck.skipped)
    record(f"deck reader: {flavour}", "generated deck, every line accounted for")


def test_the_readme_examples_read_as_the_format_they_show():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Notes with questions in them.**")[1].split("**Nothing is dropped silently.**")[
        0
    ]
    blocks = re.findall(r"```markdown\n(.*?)```", section, flags=re.S)
    expected = {
        "bold-questions": [("What does Adam combine?", ("Optimizers",))],
        "obsidian": [
            ("What does Adam combine", ("deep-learning",)),
            ("What does dropout do", ("deep-learning",)),
        ],
        "logseq": [("What does Adam combine?", ("Optimizers",))],
    }
    assert [len(b.strip().split("\n")) for b in blocks] == [5, 5, 5]
    for block, (fmt, cards) in zip(blocks, expected.items(), strict=True):
        deck = read_deck_bytes(block.encode(), "notes.md")
        assert deck.format == fmt and deck.notes == []
        assert [(c.question, c.tags) for c in deck.cards] == cards
