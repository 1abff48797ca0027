"""LaTeX in cards becomes readable text, never splits a sentence, and costs one pass on any input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlgraph.decks import Card, load_deck, read_deck_bytes
from dlgraph.decks.latex import flashcards_reading, latex_to_text, readable_card
from dlgraph.extract import card_concepts, extract, make_pipeline

from .reliability import record


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"$\sigma(w^T x)$", "σ(wᵀx)"),
        (r"\(x^{(i)} \in \mathbb{R}^d\)", "x⁽ⁱ⁾ ∈ ℝᵈ"),
        (r"\[\frac{a}{b} + \frac{x + 1}{\sqrt{2}}\]", "a/b + (x + 1)/√2"),
        (r"$$L = -\frac{1}{N}\sum_{i=1}^{N} y_i \log \hat{y}_i$$", "L = −1/N∑ᵢ₌₁ᴺ yᵢ log ŷᵢ"),
        (r"[$]\alpha_t = \alpha_0 / \sqrt{t}[/$]", "αₜ = α₀/√t"),
        (r"[$$]\mathbf{W}^{-1} \bm{x}[/$$]", "W⁻¹x"),
        (r"[latex]\textbf{Adam}: $\beta_1 \approx 0.9$[/latex]", "Adam: β₁ ≈ 0.9"),
        (r"\begin{equation} E = mc^2 \end{equation}", "E = mc²"),
        (r"$\max_i x_i \leq \|x\|_2$", "maxᵢ xᵢ ≤ ‖x‖₂"),
        (r"$\operatorname{softmax}(z)_j$", "softmax(z)ⱼ"),
        (r"$\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}$", "(1, 2; 3, 4)"),
        (r"$\theta \gets \theta - \eta \nabla_\theta J$", "θ ← θ − η∇_θJ"),
        # Text around math: lists, fonts, and what stays as written.
        (
            r"\begin{itemize} \item \textbf{Adam} \item \emph{SGD} with \texttt{lr} \end{itemize}",
            "- Adam\n- SGD with lr",
        ),
        (r"\begin{enumerate}\item one\item two\end{enumerate}", "1. one\n2. two"),
        (
            r"Dropout\footnote{Srivastava et al.} zeroes units\label{sec:x}",
            "Dropout (Srivastava et al.) zeroes units",
        ),
        ("costs $5 and $10", "costs $5 and $10"),  # money, not math
        (r"C:\Users\me and \\server", r"C:\Users\me and \\server"),  # no LaTeX in it: as written
        (r"\[1\] in markdown", "[1] in markdown"),
        ("`$x$ and \\alpha` in code", "`$x$ and \\alpha` in code"),
        ("```\n$\\beta$\n```\n$\\gamma$", "```\n$\\beta$\n```\nγ"),
    ],
)
def test_latex_reads_as_text(latex, text):
    assert latex_to_text(latex) == text


def test_unbalanced_braces_and_delimiters_keep_their_text():
    assert latex_to_text(r"unbalanced \textbf{bold $x^{2$ end") == "unbalanced bold x² end"
    assert latex_to_text(r"a } b { c \emph{d") == "a } b { c d"
    assert latex_to_text(r"open \( never closed") == r"open \( never closed"
    assert latex_to_text(r"$$ x^2 with no end") == "$$ x^2 with no end"  # not math: never closed


#: Extraction ends a sentence at these tokens (dlgraph/extract/relations.py).
SENTENCE_ENDS = {".", "!", "?", "…", "...", "!!", "??", "?!"}


@pytest.fixture(scope="module")
def nlp():
    return make_pipeline([])


@pytest.mark.parametrize(
    "formula",
    [
        r"$x_1, \ldots, x_n$",
        r"$x_1, ..., x_n$",
        r"$a \cdots b \dots c$",
        r"$n! = n (n-1)!$",
        r"$\left. \frac{df}{dx} \right|_{x=0}$",
        r"$f(x) = x.y + 0.5$",
        r"\[ \sum_{i=1}^{n} i = \frac{n(n+1)}{2}. \]",
    ],
)
def test_converted_math_holds_no_sentence_end(nlp, formula):
    text = latex_to_text(formula)
    tokens = [t.text for t in nlp.make_doc(text.removesuffix("."))]
    assert not SENTENCE_ENDS & set(tokens), (text, tokens)
    assert "\\" not in text


_MACROS = st.sampled_from(
    [r"\alpha", r"\frac{", r"\ldots", r"\dots", "...", ".", "!", "^", "_", "{", "}", r"\left.", r"\right.",
     "x", "1", " ", "+", "=", r"\sum", r"\sqrt", r"\mathbf{", r"\text{a. b}", r"\\", "&", r"\cdot"]
)  # fmt: skip


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_MACROS, max_size=25))
def test_no_formula_splits_a_sentence(nlp, parts):
    formula = "".join(parts).replace("$", "")
    text = latex_to_text(f"Before [$]{formula}[/$] after")
    assert text.startswith("Before") and text.endswith("after")
    inner = text.removeprefix("Before").removesuffix("after").strip().removesuffix(".")
    words = [t.text for t in nlp.make_doc(inner)]
    # \text{a. b} is prose inside math and may keep its period; no other sentence end survives.
    if r"\text" not in formula:
        assert not SENTENCE_ENDS & set(words), (formula, text)
    record("deck reader: LaTeX", "generated formula, no sentence end inside")


def test_extraction_keeps_a_sentence_with_math_whole():
    concepts = [
        {"id": "adam", "name": "Adam", "aliases": [], "kind": "algorithm"},
        {"id": "rmsprop", "name": "RMSprop", "aliases": [], "kind": "algorithm"},
        {"id": "momentum", "name": "Momentum", "aliases": [], "kind": "algorithm"},
    ]
    raw = Card(
        "Adam",
        r"With $m_1, \ldots, m_t$ and $\hat{v}_t$... the update $\theta \gets \theta - \frac{\alpha \hat m}"
        r"{\sqrt{\hat v} + \epsilon}$ combines RMSprop and momentum.",
    )
    card = readable_card(raw)
    assert card.answer == (
        "With m₁, ⋯, mₜ and v̂ₜ... the update θ ← θ − αm̂/(√v̂ + ε) combines RMSprop and momentum."
    )
    cards = [card]
    _, subjects = card_concepts(cards, concepts)
    result = extract(cards, make_pipeline(concepts), concepts, subjects)
    evidence = {r["target"]: r["evidence"] for r in result.relations if r["source"] == "adam"}
    assert evidence["rmsprop"].startswith("Adam: ") and "θ ← θ" in evidence["rmsprop"]


def test_every_format_reads_latex_the_same_way():
    answer = r"$\sigma(w^T x)$ with \textbf{bias}"
    decks = {
        "deck.csv": f'question,answer\nLogistic regression,"{answer}"\n',
        "deck.md": f"**Logistic regression**\n{answer}\n",
        "deck.txt": f"#separator:tab\n#html:true\nLogistic regression\t{answer}<br>\n",
        "notes.md": f"#flashcards\nLogistic regression::{answer}\n",
    }
    for name, text in decks.items():
        deck = read_deck_bytes(text.encode(), name)
        assert [(c.question, c.answer) for c in deck.cards] == [
            ("Logistic regression", "σ(wᵀx) with bias")
        ], name


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("$a ", "$a "),
        (r"\( x ", r"\( x "),
        (r"\textbf{", ""),
        ("{", "{"),
        (r"\begin{itemize}\item x ", None),
        ("$x$ ", "x "),
        (r"$\frac{", None),
        (r"$x^{", None),
        ("[latex]", "[latex]"),
    ],
)
def test_a_quarter_megabyte_of_unclosed_latex_is_one_pass(unit, expected):
    text = unit * (250_000 // len(unit))
    out = latex_to_text(text)
    if expected is not None:
        assert out.strip() == (expected * (250_000 // len(unit))).strip()
    else:
        assert "\\" not in out.replace("\\frac", "")
    record("deck reader: LaTeX", "250 KB of unclosed LaTeX")


# --- the flashcards LaTeX class -----------------------------------------------------------------

DECKS = Path(__file__).parent / "data" / "decks"


def test_a_flashcards_class_deck_reads_with_categories_and_every_line_accounted_for():
    path = DECKS / "flashcards.tex"
    deck = load_deck(path)
    assert deck.format == "latex-flashcards"
    assert [(c.question, c.answer, c.tags) for c in deck.cards] == [
        ("Adam", "Combines momentum and RMSprop:\n- mₜ = β₁mₜ₋₁ + (1 − β₁)gₜ\n- θₜ = θₜ₋₁ − αm̂ₜ/(√v̂ₜ + ε)",
         ("Optimization",)),
        ("Logistic regression (what does it predict?)",
         "p(y = 1 ∣ x) = σ(wᵀx + b), with σ(z) = 1/(1 + e⁻ᶻ).", ("Classical ML",)),
        ("Dropout", "Randomly zeroes activations with probability p during training; at test time the "
         "weights are scaled by 1 − p.", ()),
    ]  # fmt: skip
    # The preamble, \begin{document} and comments are the file's markup; the rest is reported.
    assert [(s.line, s.last, s.reason) for s in deck.skipped] == [
        (27, 0, "text outside any \\begin{flashcard} ... \\end{flashcard}"),
        (29, 30, "a flashcard with an empty front or back"),
    ]
    assert deck.warning is not None and deck.warning.startswith(f"{path}: 3 of 25 non-blank lines (12%)")
    record("deck reader: latex-flashcards", "fixture deck with categories, math, lists, comments")


def test_flashcards_in_a_file_of_another_name_and_unclosed_cards():
    text = r"\begin{flashcard}{ReLU}$\max(0, x)$\end{flashcard}" + "\n"
    assert [(c.question, c.answer) for c in read_deck_bytes(text.encode(), "deck.txt").cards] == [
        ("ReLU", "max(0, x)")
    ]
    quoting = "**How is a LaTeX flashcard written?**\n```\n\\begin{flashcard}{Q} A \\end{flashcard}\n```\n"
    note = read_deck_bytes(quoting.encode(), "notes.md")
    assert note.format == "bold-questions" and note.cards[0].answer.startswith("```\n\\begin{flashcard}")
    unclosed = (r"\begin{flashcard}{a{" + "\n") * 20_000 + r"\begin{flashcard}{b}c\end{flashcard}"
    reading = flashcards_reading(unclosed, "u.tex")
    assert reading.cards == [] and [s.reason for s in reading.skipped] == [
        "a flashcard whose front is not in braces"
    ]
    never = r"\begin{flashcard}{Adam} momentum" * 20_000
    assert [s.reason for s in flashcards_reading(never, "n.tex").skipped] == [
        "a flashcard never closed by \\end{flashcard}"
    ]


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.from_regex(r"[A-Za-z][A-Za-z0-9 ]{0,12}[A-Za-z0-9]", fullmatch=True),
                  st.from_regex(r"[a-z][a-z ]{0,20}[a-z]", fullmatch=True), st.booleans()),
        min_size=1, max_size=6, unique_by=lambda c: c[0].casefold().replace(" ", ""),
    ),
    st.booleans(),
)  # fmt: skip
def test_generated_flashcards_decks_account_for_every_line(cards, junk):
    lines = [r"\documentclass{flashcards}", r"\begin{document}"]
    expected = []
    for question, answer, category in cards:
        lines += [
            rf"\begin{{flashcard}}{'[Topic]' if category else ''}{{{question}}}",
            answer,
            r"\end{flashcard}",
        ]
        expected.append(
            (" ".join(question.split()), " ".join(answer.split()), ("Topic",) if category else ())
        )
    if junk:
        lines.append("a stray line")
    lines.append(r"\end{document}")
    text = "\n".join(lines) + "\n"
    reading = flashcards_reading(text, "gen.tex")
    nonblank = {n for n, line in enumerate(text.split("\n"), 1) if line.strip()}
    assert nonblank <= reading.used() | reading.skipped_lines()
    deck = read_deck_bytes(text.encode(), "gen.tex")
    assert [(c.question, c.answer, c.tags) for c in deck.cards] == expected
    assert [s.text for s in deck.skipped] == (["a stray line"] if junk else [])
    record("deck reader: latex-flashcards", "generated deck, every line accounted for")
