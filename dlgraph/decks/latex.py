"""LaTeX in card text to readable text, so that definitions and evidence read as the card means.

Math (``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``, ``equation``/``align`` environments and Anki's
``[$]…[/$]``, ``[$$]…[/$$]``, ``[latex]…[/latex]``) becomes Unicode: Greek letters, operators,
super- and subscripts where Unicode has them, ``\\frac{a}{b}`` as ``a/b`` (parenthesised when a side is
more than one term), fonts (``\\mathbf``, ``\\bm``, ``\\mathrm``) as their content. Around math, lists
(``itemize``, ``enumerate``) become list lines and ``\\textbf``/``\\emph``/``\\texttt`` their text.

Math never holds a sentence end once converted (``…`` becomes ``⋯``, a ``!`` the look-alike ``ǃ``, a
lone ``.`` a ``·``), so extraction, which ends sentences at ``.``, ``…`` and ``!``, never splits a
formula. Everything is one left-to-right pass (a brace or delimiter left open is text, never a search
of the rest of the card again); code in backticks or fences is left as written.

The ``flashcards`` LaTeX class (``\\begin{flashcard}[Category]{Front} back \\end{flashcard}``) is a
deck format of its own: :func:`flashcards_reading`.

Examples
--------
>>> latex_to_text(r"The logistic model is $\\sigma(w^T x)$, with $x_1, \\ldots, x_n \\in \\mathbb{R}$.")
'The logistic model is σ(wᵀx), with x₁, ⋯, xₙ ∈ ℝ.'
>>> latex_to_text(r"\\begin{itemize} \\item \\textbf{Adam}: $\\frac{m}{\\sqrt{v} + \\epsilon}$\\end{itemize}")
'- Adam: m/(√v + ε)'
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import replace

from .cards import Card, Reading
from .markdown import code_lines

#: Nesting deeper than this is read flat: no deck nests braces so deep, and reading is recursive.
MAX_DEPTH = 40

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "omicron": "ο", "pi": "π", "varpi": "ϖ",
    "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ",
    "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}  # fmt: skip
#: Relations are written with a space on each side, as TeX spaces them.
_RELATIONS = {
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈",
    "sim": "∼", "simeq": "≃", "cong": "≅", "equiv": "≡", "propto": "∝", "in": "∈", "notin": "∉",
    "ni": "∋", "subset": "⊂", "subseteq": "⊆", "supset": "⊃", "supseteq": "⊇", "to": "→",
    "rightarrow": "→", "leftarrow": "←", "gets": "←", "Rightarrow": "⇒", "Leftarrow": "⇐",
    "implies": "⇒", "iff": "⇔", "Leftrightarrow": "⇔", "leftrightarrow": "↔", "mapsto": "↦",
    "ll": "≪", "gg": "≫", "perp": "⊥", "mid": "∣", "coloneqq": "≔", "triangleq": "≜",
    "longrightarrow": "⟶", "longmapsto": "⟼", "models": "⊨", "vdash": "⊢",
}  # fmt: skip
#: Binary operators: spaced like relations between two terms, written close as a sign ("-x").
_OPERATORS = {
    "pm": "±", "mp": "∓", "times": "×", "cdot": "·", "div": "÷", "ast": "∗", "star": "⋆",
    "circ": "∘", "bullet": "∙", "odot": "⊙", "oplus": "⊕", "otimes": "⊗", "cup": "∪", "cap": "∩",
    "setminus": "∖", "land": "∧", "wedge": "∧", "lor": "∨", "vee": "∨",
}  # fmt: skip
_SYMBOLS = {
    "infty": "∞", "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫", "iint": "∬",
    "oint": "∮", "forall": "∀", "exists": "∃", "neg": "¬", "lnot": "¬", "emptyset": "∅",
    "varnothing": "∅", "langle": "⟨", "rangle": "⟩", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈",
    "rceil": "⌉", "ldots": "⋯", "cdots": "⋯", "dots": "⋯", "dotsc": "⋯", "dotsb": "⋯",
    "vdots": "⋮", "ddots": "⋱", "top": "⊤", "intercal": "⊺", "bot": "⊥", "prime": "′",
    "dagger": "†", "ell": "ℓ", "hbar": "ℏ", "Re": "ℜ", "Im": "ℑ", "aleph": "ℵ", "angle": "∠",
    "triangle": "△", "square": "□", "checkmark": "✓", "lvert": "|", "rvert": "|", "vert": "|",
    "lVert": "‖", "rVert": "‖", "Vert": "‖", "sqrt": "√", "surd": "√", "degree": "°",
}  # fmt: skip
#: Named functions (\\log x): written as words, with a space before an argument that follows.
_FUNCTIONS = frozenset(
    "log ln lg exp sin cos tan cot sec csc sinh cosh tanh coth arcsin arccos arctan max min sup inf "
    "arg argmax argmin lim liminf limsup det dim ker Pr deg gcd lcm mod bmod hom tr sgn sign softmax "
    "diag rank var Var cov Cov".split()
)
#: Macros that only set a font or size: their argument (or what follows) is the text.
_FONTS = frozenset(
    "mathbf mathrm mathit mathsf mathtt mathnormal bm boldsymbol pmb mathcal mathscr mathfrak "
    "textbf textit textrm textsf texttt textup textmd textnormal textsl textsc emph underline uline "
    "mbox hbox text operatorname mathop mathbin mathrel substack overbrace underbrace url".split()
)
#: Declarations that change the font of what follows (``{\\bf x}``): they go, the text stays.
_SWITCHES = frozenset(
    "bf it em rm sf tt sc sl itshape bfseries ttfamily rmfamily sffamily scshape upshape normalfont "
    "small footnotesize scriptsize tiny large Large LARGE huge Huge normalsize displaystyle "
    "textstyle scriptstyle limits nolimits nonumber notag centering noindent left right middle "
    "big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr".split()
)
_DROPPED_WITH_ARGUMENT = frozenset("label tag index vspace hspace cite ref eqref phantom".split())
_ACCENTS = {
    "hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305", "tilde": "\u0303",
    "widetilde": "\u0303", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308", "check": "\u030c",
    "breve": "\u0306", "acute": "\u0301", "grave": "\u0300", "underline": "\u0332",
}  # fmt: skip
_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ", "1": "𝟙"}
_SPACES = {",": " ", ";": " ", ":": " ", " ": " ", ">": " ", "!": "", "quad": " ", "qquad": " "}
_ESCAPED = {"{": "{", "}": "}", "%": "%", "&": "&", "#": "#", "_": "_", "$": "$", "|": "‖"}
_SUPERSCRIPT = dict(
    zip(
        "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW⊤′*†∗",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵀ′*†*",
        strict=True,
    )
)
_SUBSCRIPT = dict(
    zip("0123456789+-−=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ", strict=True)
)
_MATRICES = {"matrix": ("", ""), "pmatrix": ("(", ")"), "bmatrix": ("[", "]"), "Bmatrix": ("{", "}"),
             "vmatrix": ("|", "|"), "Vmatrix": ("‖", "‖"), "smallmatrix": ("", ""), "array": ("", ""),
             "cases": ("{ ", "")}  # fmt: skip
_ENVIRONMENTS = "equation|align|alignat|gather|multline|flalign|eqnarray|displaymath|math"

#: Anki's LaTeX tag: with a backslash or a dollar, what says a card's text may hold LaTeX at all.
_LATEX_TAG = re.compile(r"\[/?latex\]", re.IGNORECASE)
_CONTROL_WORD = re.compile(r"\\([a-zA-Z]+)")
#: What splits text into text and math: code spans, escapes, whole inline ``$…$`` (its content on
#: one line, no space inside either ``$``, not followed by a digit: so "$5 and $10" is money), and
#: the openers and closers of the other math forms.
_OUTER = re.compile(
    r"(?P<code>`[^`\n]*`)"
    r"|(?P<escape>\\[\\$])"
    r"|(?P<display>\$\$)"
    r"|(?P<inline>\$(?=[^\s$])[^$\n]*?(?<=[^\s\\])\$(?!\d))"
    r"|(?P<open>\\\(|\\\[|\[\$\$\]|\[\$\]|\[latex\]|\\begin\{(?P<env>(?:" + _ENVIRONMENTS + r")\*?)\})"
    r"|(?P<close>\\\)|\\\]|\[/\$\$\]|\[/\$\]|\[/latex\]|\\end\{(?P<endenv>(?:" + _ENVIRONMENTS + r")\*?)\})",
    re.IGNORECASE,
)
_CLOSER_OF = {"\\(": "\\)", "\\[": "\\]", "[$$]": "[/$$]", "[$]": "[/$]", "[latex]": "[/latex]"}
#: ``\\[1\\]`` in markdown is an escaped bracket, not math: display math holds something mathematical.
_MATHEMATICAL = re.compile(r"[\\^_=+<>]")


def has_latex(text: str) -> bool:
    """Whether ``text`` may hold LaTeX (a backslash, a dollar, an Anki ``[latex]`` tag)."""
    return "\\" in text or "$" in text or ("[" in text and bool(_LATEX_TAG.search(text)))


def latex_to_text(text: str, *, latex: bool = False) -> str:
    """``text`` with its LaTeX turned into readable text (see the module docstring); text without
    LaTeX comes back unchanged, and so does code. ``latex``: the text is LaTeX source, so ``\\\\``
    is a line break even with no other macro beside it."""
    if not has_latex(text):
        return text
    lines = text.split("\n")
    code = code_lines(lines)
    out: list[str] = []
    block: list[str] = []
    for line, in_code in zip(lines, code, strict=True):
        if in_code:
            if block:
                out.append(_convert("\n".join(block), latex))
                block = []
            out.append(line)
        else:
            block.append(line)
    if block:
        out.append(_convert("\n".join(block), latex))
    result = "\n".join(out)
    return result if result == text else _BLANK_LINES.sub("\n\n", result).strip()


_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def readable_card(card: Card) -> Card:
    """``card`` with LaTeX in its question and answer made readable (the question on one line); a
    side that would be left empty (only a ``\\label{}``) keeps its text as written."""
    if not (has_latex(card.question) or has_latex(card.answer)):
        return card
    question = " ".join(latex_to_text(card.question).split()) or card.question
    answer = latex_to_text(card.answer) or card.answer
    if (question, answer) == (card.question, card.answer):
        return card
    return replace(card, question=question, answer=answer)


def _kind(token: re.Match[str]) -> tuple[str | None, str | None]:
    """The math form a token opens and the one it closes (``$$`` does both), by closer text."""
    if token.group("display"):
        return "$$", "$$"
    if token.group("open"):
        env = token.group("env")
        opener = token.group("open").lower()
        return (f"\\end{{{env}}}" if env else _CLOSER_OF[opener]), None
    if token.group("close"):
        env = token.group("endenv")
        return None, (f"\\end{{{env}}}" if env else token.group("close").lower())
    return None, None


def _convert(text: str, latex: bool = False) -> str:
    """Text and math of a block without code fences: math spans found in one pass (see _OUTER)."""
    tokens = list(_OUTER.finditer(text))
    kinds = [_kind(t) for t in tokens]
    # The next closer of each form after every opener, from one backward pass: an opener whose form
    # is never closed after it is text, found without searching.
    closer_at: list[int | None] = [None] * len(tokens)
    nearest: dict[str, int] = {}
    for i in range(len(tokens) - 1, -1, -1):
        opens, closes = kinds[i]
        if opens:
            closer_at[i] = nearest.get(opens.lower())
        if closes:
            nearest[closes.lower()] = i
    latexish = latex or _looks_like_latex(text, tokens)
    out: list[str] = []
    done = i = 0
    while i < len(tokens):
        token = tokens[i]
        j = closer_at[i]
        if token.group("code") or token.group("inline") or j is not None:
            out.append(_text(text[done : token.start()], latexish))
            if token.group("code"):
                out.append(token.group())
                done, i = token.end(), i + 1
                continue
            if token.group("inline"):
                out.append(_math(token.group()[1:-1]))
                done, i = token.end(), i + 1
                continue
            assert j is not None
            inner = text[token.end() : tokens[j].start()]
            opener = token.group().lower()
            if opener == "[latex]":
                out.append(_convert(inner, True))  # LaTeX text, with math of its own; never nested again
            elif opener == "\\[" and not _MATHEMATICAL.search(inner):
                out.append(f"[{_text(inner, latexish)}]")  # an escaped markdown bracket
            else:
                out.append(_math(inner))
            done, i = tokens[j].end(), j + 1
            continue
        i += 1
    out.append(_text(text[done:], latexish))
    return "".join(out)


def _looks_like_latex(text: str, tokens: list[re.Match[str]]) -> bool:
    """Whether a block is written in LaTeX (math, or a macro we know): only then do ``\\\\`` and
    ``\\%`` mean a line break and a percent sign, not a path or an escape of some other syntax."""
    if any(t.group("inline") or t.group("display") or t.group("open") for t in tokens):
        return True
    return any(name in _KNOWN for name in _CONTROL_WORD.findall(text))


# --- text mode ----------------------------------------------------------------------------------

_TEXT_TOKEN = re.compile(
    r"\\begin[ \t]*\{(?P<begin>[^{}\n]*)\}"
    r"|\\end[ \t]*\{(?P<end>[^{}\n]*)\}"
    r"|(?P<item>\\item)(?![a-zA-Z])[ \t]*(?:\[(?P<label>[^\[\]\n]*)\])?"
    r"|\\(?P<word>[a-zA-Z]+)\*?"
    r"|\\(?P<symbol>.)"
    r"|(?P<brace>[{}])",
    re.DOTALL,
)
_SWITCH_GROUP = re.compile(r"\{[ \t]*\\([a-zA-Z]+)")
_LISTS = frozenset(("itemize", "enumerate", "description", "compactitem", "compactenum"))
_HEADINGS = frozenset(
    "section subsection subsubsection paragraph subparagraph chapter part title caption".split()
)
_TEXT_WORDS = {"ldots": "…", "dots": "…", "textellipsis": "…", "LaTeX": "LaTeX", "TeX": "TeX",
               "textbackslash": "\\", "textendash": "–", "textemdash": "—", "textbar": "|",
               "textasciitilde": "~", "textless": "<", "textgreater": ">", "S": "§", "P": "¶",
               "copyright": "©", "dag": "†", "textdegree": "°"}  # fmt: skip
_BREAKS = {"newline": "\n", "linebreak": "\n", "par": "\n\n", "newpage": "\n\n", "medskip": "\n",
           "bigskip": "\n", "smallskip": "\n", "hline": "", "maketitle": ""}  # fmt: skip


class _TextOut:
    """Text being written, where a line break also eats the spaces on either side of it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.at_break = False

    def text(self, piece: str) -> None:
        if self.at_break:
            piece = piece.lstrip(" \t\n")
            if not piece:
                return
            self.at_break = False
        self.parts.append(piece)

    def line_break(self, blank: bool = False) -> None:
        while self.parts and not self.parts[-1].strip(" \t\n"):
            self.parts.pop()
        if self.parts:
            self.parts[-1] = self.parts[-1].rstrip(" \t\n")
        # Even first: the math before this piece of text ends the line (the card's ends are trimmed).
        self.parts.append("\n\n" if blank else "\n")
        self.at_break = True


def _text(text: str, latexish: bool) -> str:
    """LaTeX text mode (no math in it): lists as lines, font macros as their text, known symbols."""
    if "\\" not in text:
        return text
    out = _TextOut()
    groups: list[str] = []  # what each open brace closes into: wrap, heading, paren, drop, plain
    lists: list[list[int | str]] = []  # [kind, items so far]
    dropped = 0  # inside an argument that is not text (\label{...})
    done = 0
    for token in _TEXT_TOKEN.finditer(text):
        if token.start() < done:
            continue  # the brace of an argument already taken
        if not dropped:
            out.text(text[done : token.start()])
        done = token.end()
        word, brace = token.group("word"), token.group("brace")
        if brace == "{":
            switch = _SWITCH_GROUP.match(text, token.start())
            kind = "wrap" if switch and switch.group(1) in _SWITCHES else "plain"
            groups.append(kind)
            if kind == "plain" and not dropped:
                out.text("{")
            continue
        if brace == "}":
            if not groups:
                if not dropped:
                    out.text("}")
                continue
            kind = groups.pop()
            if kind == "drop":
                dropped -= 1
            elif dropped:
                pass
            elif kind == "heading":
                out.line_break()
            elif kind == "paren":
                out.text(")")
            elif kind == "plain":
                out.text("}")
            continue
        if dropped:
            continue
        if token.group("begin") is not None:
            name = token.group("begin").strip().rstrip("*")
            if name in _LISTS:
                lists.append([name, 0])
            out.line_break()
            continue
        if token.group("end") is not None:
            name = token.group("end").strip().rstrip("*")
            if lists and lists[-1][0] == name:
                lists.pop()
            out.line_break()
            continue
        if token.group("item"):
            out.line_break()
            label = token.group("label")
            if lists and lists[-1][0] in ("enumerate", "compactenum") and label is None:
                lists[-1][1] = int(lists[-1][1]) + 1
                out.parts.append(f"{'  ' * min(len(lists) - 1, 3)}{lists[-1][1]}. ")
            else:
                indent = "  " * min(max(0, len(lists) - 1), 3)  # deeper lists: no deeper indent
                out.parts.append(f"{indent}- " + (f"{_text(label, latexish)}: " if label else ""))
            out.at_break = True  # the item's own text follows, without the spaces before it
            continue
        if word is not None:
            follows_brace = text.startswith("{", done)
            if word in _FONTS and follows_brace:
                groups.append("wrap")
                done += 1
            elif word in _HEADINGS and follows_brace:
                out.line_break()
                groups.append("heading")
                done += 1
            elif word == "footnote" and follows_brace:
                out.text(" (")
                groups.append("paren")
                done += 1
            elif word in _DROPPED_WITH_ARGUMENT and follows_brace:
                groups.append("drop")
                dropped += 1
                done += 1
            elif word in _BREAKS:
                if _BREAKS[word]:
                    out.line_break(blank=_BREAKS[word] == "\n\n")
            elif word in _TEXT_WORDS:
                out.text(_TEXT_WORDS[word])
            elif word in _SWITCHES or word in _FONTS:
                pass
            elif word in _GREEK or word in _RELATIONS or word in _OPERATORS or word in _SYMBOLS:
                symbol = _GREEK.get(word) or _RELATIONS.get(word) or _OPERATORS.get(word) or _SYMBOLS[word]
                out.text("…" if symbol == "⋯" else symbol)
            else:
                out.text(token.group())  # a macro we do not know, or not LaTeX at all: as written
            continue
        symbol = token.group("symbol")
        if latexish and symbol == "\\":
            out.line_break()
        elif latexish and symbol in _ESCAPED and symbol != "|":
            out.text(symbol)
        elif latexish and symbol in (",", ";", " ", "@", "/", "-"):
            out.text(" " if symbol in ", ;" else "")
        else:
            out.text(token.group())
    if not dropped:
        out.text(text[done:])
    return "".join(out.parts)


# --- math mode ----------------------------------------------------------------------------------

_MATH_TOKEN = re.compile(r"\\[a-zA-Z]+|\\.|[{}^_]|\s+|[^\\{}^_\s]+", re.DOTALL)
_TEXT_IN_MATH = frozenset("text textrm textit textbf textsf texttt mbox hbox operatorname mathop".split())
_ATOM = re.compile(r"[^\s+\-−=<>/·×÷±∓,;]+")
_OPENING = "([{⟨|‖⌊⌈ "


class _Math:
    """One formula's tokens, read left to right once; each method consumes what it converts."""

    def __init__(self, source: str) -> None:
        self.tokens = _MATH_TOKEN.findall(source)
        self.at = 0
        self.environments: list[str] = []

    # reading ---------------------------------------------------------------------------------

    def peek(self) -> str | None:
        while self.at < len(self.tokens) and self.tokens[self.at].isspace():
            self.at += 1
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take_char(self) -> str:
        """The next single character of an ordinary run (a one-character argument: ``x^2y``)."""
        token = self.tokens[self.at]
        if len(token) > 1:
            self.tokens[self.at] = token[1:]
        else:
            self.at += 1
        return token[0]

    def argument(self, depth: int) -> str:
        """A macro's or script's argument: a braced group, one macro, or one character."""
        if depth >= MAX_DEPTH:
            return ""  # what would be the argument is read by the group around it instead
        token = self.peek()
        if token is None or token == "}":
            return ""
        if token == "{":
            self.at += 1
            return self.group(depth + 1, closed=True)
        if token.startswith("\\"):
            out: list[str] = []
            self.at += 1
            self.macro(token, out, depth + 1)
            return "".join(out)
        if token in "^_":
            return ""
        return _ordinary(self.take_char(), [])

    def raw_argument(self) -> str:
        """A braced argument as written (``\\text{if } x``, ``\\begin{pmatrix}``)."""
        if self.peek() != "{":
            return ""
        self.at += 1
        depth, parts = 1, []
        while self.at < len(self.tokens):
            token = self.tokens[self.at]
            self.at += 1
            depth += (token == "{") - (token == "}")
            if depth == 0:
                break
            parts.append(token)
        return "".join(parts)

    # converting ------------------------------------------------------------------------------

    def group(self, depth: int, closed: bool = False) -> str:
        """Tokens up to the ``}`` that closes this group (or the end), converted."""
        out: list[str] = []
        flat = 0  # braces opened past MAX_DEPTH, read as if they were not there
        while self.at < len(self.tokens):
            token = self.tokens[self.at]
            self.at += 1
            if token == "}":
                if flat:
                    flat -= 1
                    continue
                if closed:
                    break
                continue  # a stray closing brace
            if token == "{":
                if depth >= MAX_DEPTH:
                    flat += 1
                else:
                    out.append(self.group(depth + 1, closed=True))
                continue
            if token.isspace():
                continue
            if token in ("^", "_"):
                gap = bool(out) and out[-1].endswith(_FUNCTION_GAP)  # max_i x: the gap goes after
                if gap:
                    out[-1] = out[-1][:-1]
                script = self.argument(depth)
                out.append(_script(script, _SUPERSCRIPT if token == "^" else _SUBSCRIPT, token))
                if gap:
                    out.append(_FUNCTION_GAP)
                continue
            if token.startswith("\\"):
                self.macro(token, out, depth)
                continue
            out.append(_ordinary(token, out, self.environments[-1] if self.environments else ""))
        return "".join(out)

    def macro(self, token: str, out: list[str], depth: int) -> None:
        name = token[1:]
        if name in _GREEK:
            out.append(_GREEK[name])
        elif name in _RELATIONS:
            out.append(f" {_RELATIONS[name]} ")
        elif name in _OPERATORS:
            out.append(_operator(_OPERATORS[name], "".join(out[-2:])))
        elif name in ("frac", "dfrac", "tfrac", "cfrac"):
            top, bottom = self.argument(depth), self.argument(depth)
            out.append(f"{_parenthesised(top)}/{_parenthesised(bottom)}")
        elif name == "binom":
            top, bottom = self.argument(depth), self.argument(depth)
            out.append(f"C({top.strip()}, {bottom.strip()})")
        elif name == "sqrt":
            if self.peek() is not None and self.peek().startswith("["):  # type: ignore[union-attr]
                index = self.tokens[self.at][1:].partition("]")
                self.tokens[self.at] = index[2]
                if not self.tokens[self.at]:
                    self.at += 1
                out.append(_script(index[0], _SUPERSCRIPT, "^"))
            out.append("√" + _parenthesised(self.argument(depth)))
        elif name in _ACCENTS:
            body = self.argument(depth)
            out.append("".join(c + _ACCENTS[name] if not c.isspace() else c for c in body))
        elif name == "mathbb":
            body = self.argument(depth)
            out.append("".join(_BLACKBOARD.get(c, c) for c in body))
        elif name in _TEXT_IN_MATH:
            if name == "operatorname" and self.peek() is not None and self.tokens[self.at].startswith("*"):
                self.take_char()
            words = " ".join(_text(self.raw_argument(), True).split())
            out.append(words)
            if name in ("operatorname", "mathop"):
                out.append(_FUNCTION_GAP)
        elif name in _FONTS:
            out.append(self.argument(depth))
        elif name in _DROPPED_WITH_ARGUMENT:
            self.raw_argument()
        elif name in ("left", "right", "middle") or name in _SWITCHES:
            following = self.peek()
            delimiter = name in ("left", "right", "middle") or name.startswith(("big", "Big"))
            if delimiter and following is not None and following.startswith("."):
                self.take_char()  # \left. : no delimiter (and no full stop)
        elif name == "not":
            negated = self.argument(depth)
            out.append(negated.strip() + "\u0338" if negated.strip() else "")
        elif name == "begin":
            environment = self.raw_argument().strip().rstrip("*")
            if environment == "array":
                self.raw_argument()  # the column layout
            self.environments.append(environment)
            out.append(_MATRICES.get(environment, ("", ""))[0])
        elif name == "end":
            environment = self.raw_argument().strip().rstrip("*")
            if self.environments:
                self.environments.pop()
            out.append(_MATRICES.get(environment, ("", ""))[1])
        elif name in _BIG_OPERATORS:
            out.append(_SYMBOLS[name] + _FUNCTION_GAP)  # ∑ᵢ xᵢ: its scripts, then a space
        elif name in _SYMBOLS:
            out.append(_SYMBOLS[name])
        elif name in _FUNCTIONS:
            out.append(_TERM_GAP + name + _FUNCTION_GAP)
        elif name in _SPACES:
            out.append(_SPACES[name])
        elif name == "\\":
            out.append("; ")
        elif name in _ESCAPED:
            out.append(_ESCAPED[name])
        elif len(name) == 1 and not name.isalpha():
            out.append(name)
        else:
            out.append(name + (_FUNCTION_GAP if len(name) > 1 else ""))  # \softmax: its name


#: Marks where a named function ends: a space if a term follows (``log x``), nothing before ``(``.
_FUNCTION_GAP = "\x00"
#: Marks where a named function starts: a space after a term (``y log x``), none after ``(``.
_TERM_GAP = "\x01"
_BIG_OPERATORS = frozenset(("sum", "prod", "int", "iint", "oint"))


def _operator(symbol: str, before: str) -> str:
    """A binary operator, spaced between two terms; a sign (``-x``, ``(-1)``) stays close."""
    before = before.rstrip(_FUNCTION_GAP)
    if not before.strip() or before.rstrip()[-1] in _OPENING or before.endswith(" "):
        return symbol
    return f" {symbol} "


_PUNCTUATION = re.compile(r"[=<>+\-,;'&~*|:!]")


def _ordinary(run: str, out: list[str], environment: str = "") -> str:
    """Letters, digits and punctuation in math: operators spaced, ``'`` a prime, ``&`` a column."""
    if not _PUNCTUATION.search(run):
        return run
    pieces: list[str] = []
    for char in run:
        if char in "=<>":
            if pieces and pieces[-1].strip() in ("<", ">", ":") and char == "=":
                pieces[-1] = f" {pieces[-1].strip()}= "
            else:
                pieces.append(f" {char} ")
        elif char in "+-":
            before = "".join(pieces[-2:]) if pieces else "".join(out[-2:])
            pieces.append(_operator("−" if char == "-" else "+", before))
        elif char == ",":
            pieces.append(", ")
        elif char == ";":
            pieces.append("; ")
        elif char == "'":
            pieces.append("′")
        elif char == "&":
            pieces.append(", " if environment in _MATRICES else "")
        elif char == "~":
            pieces.append(" ")
        elif char == "!":
            pieces.append("ǃ")
        else:
            pieces.append(char)
    return "".join(pieces)


def _script(body: str, table: dict[str, str], mark: str) -> str:
    """A super- or subscript: in Unicode's small letters when it has them all, else ``^(…)``."""
    compact = "".join(body.replace(_FUNCTION_GAP, "").split())
    if not compact:
        return ""
    if all(c in table for c in compact):
        return "".join(table[c] for c in compact)
    body = " ".join(body.replace(_FUNCTION_GAP, " ").split())
    return f"{mark}{body}" if _ATOM.fullmatch(body) else f"{mark}({body})"


def _parenthesised(term: str) -> str:
    term = " ".join(term.replace(_FUNCTION_GAP, " ").split())
    return term if _ATOM.fullmatch(term) or not term else f"({term})"


_GAP_BEFORE = re.compile("\x00+(?=[\\w(\\[{|])")
_GAP_AFTER = re.compile("(.)\x01", re.DOTALL)
_MATH_SPACES = re.compile(r"[ \t\n]+")
_ELLIPSIS = re.compile(r"\.{2,}|…")
_LONE_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")


def _math(source: str) -> str:
    """A formula as readable text, with no sentence end inside it (see the module docstring)."""
    text = _Math(source).group(0)
    text = _GAP_BEFORE.sub(lambda m: "" if text[m.end()] in "([{|" else " ", text).replace(_FUNCTION_GAP, "")
    text = _GAP_AFTER.sub(lambda m: m.group(1) + ("" if m.group(1) in _OPENING else " "), text)
    text = text.replace(_TERM_GAP, "")
    text = _MATH_SPACES.sub(" ", text).strip()
    text = _ELLIPSIS.sub("⋯", text)
    trailing = text.endswith(".") and not text.endswith("..")
    text = _LONE_DOT.sub("·", text[:-1] if trailing else text)
    return unicodedata.normalize("NFC", text + ("." if trailing else ""))  # ŷ as one character


#: Every macro name this module reads: seeing one marks a block as LaTeX (see _looks_like_latex).
_KNOWN = frozenset(
    [*_GREEK, *_RELATIONS, *_OPERATORS, *_SYMBOLS, *_FONTS, *_SWITCHES - {"left", "right"}, *_ACCENTS,
     *_HEADINGS, *_DROPPED_WITH_ARGUMENT, "begin", "end", "item", "frac", "dfrac", "sqrt", "mathbb",
     "footnote", "ldots", "textellipsis", "newline", "par"]
)  # fmt: skip


# --- the flashcards LaTeX class -------------------------------------------------------------------

_FLASHCARD_BEGIN = re.compile(r"\\begin[ \t]*\{flashcard\}[ \t]*(?:\[(?P<category>[^\[\]\n]*)\])?[ \t\n]*")
_FLASHCARD_END = re.compile(r"\\end[ \t]*\{flashcard\}")
_DOCUMENT = re.compile(r"\\(?:begin|end)[ \t]*\{document\}")
_COMMENT_LINE = re.compile(r"^[ \t]*%")


def has_flashcards(text: str) -> bool:
    """Whether ``text`` holds cards of the ``flashcards`` LaTeX class."""
    return bool(_FLASHCARD_BEGIN.search(text))


def flashcards_reading(text: str, name: str = "<deck>") -> Reading:
    """Cards from a LaTeX file written with the ``flashcards`` class (CTAN), as people print decks:
    ``\\begin{flashcard}[Category]{Front}`` then the back up to ``\\end{flashcard}``. The category
    is the card's topic; the preamble, ``\\begin{document}`` and comment lines are the file's own
    markup; any other text outside a card is reported. LaTeX in the cards becomes text later, as in
    every format (see :func:`readable_card`).
    """
    reading = Reading()
    starts = [0, *(m.end() for m in re.finditer("\n", text))]  # the offset of each line

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset)

    lines = text.split("\n")
    document = _DOCUMENT.search(text)
    if document and document.group().startswith("\\begin"):  # the preamble: the class's settings
        reading.markup.update(range(1, line_of(document.start()) + 1))
    for number, line in enumerate(lines, 1):
        if _COMMENT_LINE.match(line) or _DOCUMENT.fullmatch(line.strip()):
            reading.markup.add(number)
    at = 0
    while begin := _FLASHCARD_BEGIN.search(text, at):
        first = line_of(begin.start())
        end = _FLASHCARD_END.search(text, begin.end())
        if end is None:
            last = len(lines)
            reading.skip(first, lines[first - 1], "a flashcard never closed by \\end{flashcard}", last)
            break  # no card after it can be closed either
        last = line_of(end.start())
        front_end = _braced(text, begin.end(), end.start())
        if front_end is None:
            reading.skip(first, lines[first - 1], "a flashcard whose front is not in braces", last)
            at = end.end()
            continue
        question = _tex_source(text[begin.end() + 1 : front_end - 1])
        answer = _tex_source(text[front_end : end.start()])
        category = (begin.group("category") or "").strip()
        card_lines = range(first, last + 1)
        if question.strip() and answer:
            tags = (" ".join(_text(category, True).split()),) if category else ()
            question = " ".join(latex_to_text(question, latex=True).split())
            card = Card(question, latex_to_text(answer, latex=True), tags, f"{name}:{first}")
            reading.add(card, card_lines)
        else:
            reading.skip(first, lines[first - 1], "a flashcard with an empty front or back", last)
        at = end.end()
    known = reading.used() | reading.skipped_lines()
    for number, line in enumerate(lines, 1):
        if line.strip() and number not in known:
            reading.skip(number, line, "text outside any \\begin{flashcard} ... \\end{flashcard}")
    return reading


_TEX_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_TEX_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")


def _tex_source(source: str) -> str:
    """LaTeX source as TeX reads it: comments gone, a line break a space, a blank line a paragraph."""
    source = _TEX_COMMENT.sub("", source)
    return "\n\n".join(" ".join(p.split()) for p in _TEX_PARAGRAPH.split(source)).strip()


def _braced(text: str, at: int, before: int) -> int | None:
    """The offset just past the braced group that starts at ``at`` and ends before ``before``, or
    ``None`` when there is none (only the card's own text is read: an unclosed brace costs no more)."""
    if not text.startswith("{", at):
        return None
    depth = 0
    for match in _BRACE.finditer(text, at, before):
        if match.group() == "{":
            depth += 1
        elif match.group() == "}":
            depth -= 1
            if depth == 0:
                return match.end()
    return None


_BRACE = re.compile(r"\\.|[{}]", re.DOTALL)


def read_flashcards_text(text: str, name: str = "<deck>") -> list[Card]:
    """The cards of a ``flashcards``-class LaTeX file (see :func:`flashcards_reading`), as written."""
    return flashcards_reading(text, name).cards
