"""Card questions: the concept(s) a question names, and each card's subject concepts."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..decks import Card
from ..names import normalize, slugify, spellings
from ..vocabulary import DEFAULT_KIND, DEFAULT_TOPIC

if TYPE_CHECKING:
    pass
from .mentions import _label_index, everyday, singular

#: Questions starting with these are questions, not terms: such a card has no subject concept.
_NOT_A_TERM = re.compile(
    r"^(?:why|how|when|where|which|who|whom|whose|does|do|did|can|could|should|would|is|are|was|were|"
    r"explain|describe|compare|name|list|give)\b",
    re.IGNORECASE,
)


_TERM_PREFIX = re.compile(
    r"^(?:what\s+(?:is|are|was|were|does|do)\s+(?:an?\s+|the\s+)?|what's\s+(?:an?\s+|the\s+)?|"
    r"define\s+(?:an?\s+|the\s+)?|definition\s+of\s+(?:an?\s+|the\s+)?)",
    re.IGNORECASE,
)


_SYNONYM = re.compile(
    r"^(?:an?\s+)?(?:synonym\s+(?:for|of)|same\s+as|another\s+name\s+for|also\s+(?:called|known\s+as))"
    r"\s+(?:the\s+|an?\s+)?(.+?)\s*(?:\.(?:\s|$)|$)",
    re.IGNORECASE,
)
_X = r"(?:an?\s+|the\s+)?(?P<x>.+?)"
#: Prompts that ask about one term: the group ``x`` is the term.
_PROMPTS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"^(?:define|explain|describe|summari[sz]e|outline|discuss)\s+(?:what\s+|how\s+)?{_X}"
        r"(?:\s+(?:is|are|does|do|means|works?|work))?$",
        r"^what\s+(?:is|'s)\s+(?:meant\s+by|the\s+(?:purpose|role|idea|intuition|goal|point)\s+(?:of|behind))"
        rf"\s+{_X}$",
        rf"^what\s+do\s+(?:you|we)\s+mean\s+by\s+{_X}$",
        rf"^how\s+(?:does|do)\s+{_X}\s+work$",
        rf"^what\s+does\s+{_X}\s+(?:stand\s+for|mean|do)$",
        # "What goes into a training checkpoint?", "What are the components of a GAN?"
        rf"^what\s+(?:goes|go)\s+into\s+{_X}$",
        rf"^what\s+are\s+the\s+(?:parts|components|steps|stages|ingredients)\s+of\s+{_X}$",
        rf"^what\s+problems?\s+(?:does|do)\s+{_X}\s+(?:solve|address|fix)$",
        rf"^why\s+(?:do|would|should)\s+(?:we|you)\s+(?:use|need)\s+{_X}$",
        # "Why is causal masking needed?", "Why does normalisation help training?"
        rf"^why\s+(?:is|are)\s+{_X}\s+(?:needed|used|important|useful|necessary|required|helpful|popular)$",
        rf"^why\s+(?:does|do)\s+{_X}\s+(?:help|work|matter|hurt|fail)(?:\s+\S.*)?$",
    )
)
_COMPARISON = re.compile(
    r"^(?:(?:what\s+is\s+the\s+)?difference\s+between|compare|contrast)\s+(?:an?\s+|the\s+)?(?P<a>.+?)"
    r"\s+(?:and|with|to|vs\.?|versus)\s+(?:an?\s+|the\s+)?(?P<b>.+)$",
    re.IGNORECASE,
)
#: "BERT vs GPT", "PTQ versus QAT": a bare comparison of two terms.
_VERSUS = re.compile(r"^(?P<a>\S.*?)\s+(?:vs\.?|versus)\s+(?P<b>\S.*)$", re.IGNORECASE)
#: "Why BF16 rather than FP16?", "Why use GELU instead of ReLU?": a choice between two terms.
_PREFERENCE = re.compile(
    r"^why\s+(?:(?:use|choose|prefer|pick)\s+)?(?:an?\s+|the\s+)?(?P<a>.+?)"
    r"\s+(?:rather\s+than|instead\s+of)\s+(?:an?\s+|the\s+)?(?P<b>.+)$",
    re.IGNORECASE,
)
#: A blank to fill: "stop training when ___ stops improving", "[...]", an Anki cloze left in.
_BLANK = re.compile(r"_{2,}|\[\s*(?:\.\.\.|\u2026)\s*\]|\{\{c\d+::")
#: Labels a quiz puts before its question: "True or false: dropout is used at test time?"
QUIZ_LABELS = frozenset(
    {"true or false", "true/false", "t/f", "quiz", "fill in the blank", "cloze", "review"}
)
#: "Backpropagation through time = ___": the term, equal to what is to be filled in.
_EQUALS_BLANK = re.compile(rf"^(?P<x>.+?)\s*=\s*(?:{_BLANK.pattern}|\?)$")
#: "Q:" or "Front:" before the question proper is a label, not a term.
_LABEL = re.compile(r"^(?:q|question|front|prompt)\s*[:.]\s+", re.IGNORECASE)
#: Verbs, in lowercase, that make a question's words a statement rather than a name.
_STATING = frozenset("is are was were does do did can should will".split())
_PRONOUNS = frozenset("it this that they them these those he she we you one".split())
#: A "term" ending in one of these is a question cut short ("What are CPUs bad at?").
_TRAILING = frozenset("at for in of to on with about from by".split())
_CLOZE_SOURCE = re.compile(r" c\d+$")
_PARENTHETICAL = re.compile(r"^(.*\S)\s*\(([^()]+)\)\s*$")
#: "ROC (receiver operating characteristic) Curve": an acronym expanded in the middle of a name.
_INNER_EXPANSION = re.compile(r"^(\S+)\s*\(([^()]+)\)\s+(\S.*)$")


MAX_TERM_WORDS = 8


def question_terms(question: str) -> list[tuple[str, list[str]]]:
    """The concept(s) a question names, each as ``(name, aliases)``; empty if it is not a term.

    ``"IoU (intersection over union)"`` is IoU with an alias, ``"Google LeNet / Inception"`` one
    concept with two names, ``"RetinaNet & Focal loss"`` two concepts. A question proper ("why
    divide by sqrt(D)?") or a long sentence names no concept.

    >>> question_terms("IoU (intersection over union)")
    [('IoU', ['intersection over union'])]
    >>> question_terms("What is a GRU?")
    [('GRU', [])]
    >>> question_terms("why divide by sqrt(D)")
    []

    A prompt is reduced to what it asks about, and a comparison names both sides:

    >>> question_terms("Explain what batch norm does."), question_terms("How does Adam work?")
    ([('batch norm', [])], [('Adam', [])])
    >>> question_terms("Why is causal masking needed?"), question_terms("Why does dropout help training?")
    ([('causal masking', [])], [('dropout', [])])
    >>> question_terms("Why does it work?")
    []
    >>> question_terms("Difference between L1 and L2 regularization")
    [('L1', []), ('L2 regularization', [])]
    >>> question_terms("BatchNorm vs. LayerNorm"), compares("BatchNorm vs. LayerNorm")
    ([('BatchNorm', []), ('LayerNorm', [])], True)
    >>> question_terms("ROC (receiver operating characteristic) Curve")
    [('ROC Curve', ['receiver operating characteristic Curve'])]
    >>> question_terms("What are CPUs bad at?"), question_terms("logistic regression? Why a sigmoid")
    ([], [('logistic regression', [])])
    """
    text = _LABEL.sub("", " ".join(question.replace("\u2019", "'").split()).strip())
    text = _asked_of(text)
    blanked = _EQUALS_BLANK.match(text)
    if blanked:
        text = blanked.group("x")  # "Backpropagation through time = ___"
    if _BLANK.search(text):
        return []  # "The ___ gate decides what to forget": the term is what the blank hides
    head, mark, rest = text.partition("?")
    if mark and rest.strip() and len(head.split()) <= MAX_TERM_WORDS and not _NOT_A_TERM.match(head):
        text = head  # "logistic regression? Why a sigmoid": the term, then the question about it
    text = text.rstrip("?.!:").strip()
    for pattern in _PROMPTS:
        match = pattern.match(text)
        if match:
            text = match.group("x").strip()
            if text.casefold() in _PRONOUNS:
                return []  # "Why does it work?": a question about the card before, no term
            break
    else:
        pair = _COMPARISON.match(text) or _VERSUS.match(text) or _preference(text)
        if pair:
            return [*question_terms(pair.group("a")), *question_terms(pair.group("b"))]
        text = _TERM_PREFIX.sub("", text)
    words = text.split()
    if not text or _NOT_A_TERM.match(text) or len(words) > MAX_TERM_WORDS or words[-1].lower() in _TRAILING:
        return []
    if any(w in _STATING for w in words[1:]):
        return []  # "dropout is used at test time": a statement to judge, not a term (a title says "Is")
    terms = []
    for part in re.split(r"\s+&\s+", text):
        aliases: list[str] = []
        inner = _INNER_EXPANSION.match(part)
        if inner and initials_of(inner.group(1), inner.group(2)):
            acronym, expansion, rest = inner.groups()
            terms.append((f"{acronym} {rest}", [f"{expansion.strip()} {rest}"]))
            continue
        match = _PARENTHETICAL.match(part)
        if match:
            outer, inner = match.group(1), match.group(2).strip()
            if inner and len(inner.split()) <= MAX_TERM_WORDS and other_name(outer, inner):
                part = outer
                aliases.append(inner)
            elif inner:
                # "node (TensorFlow graph)", "shape (Tensor)": the brackets say which sense; the name
                # keeps them, so two senses stay two concepts and "Tensor" names no shape.
                part = f"{outer} ({inner})"
        names = [n.strip() for n in re.split(r"\s+/\s+", part) if n.strip()]
        if not names or not normalize(names[0]):
            continue
        terms.append((names[0], [*names[1:], *aliases]))
    return terms


def _asked_of(text: str) -> str:
    """The term of "term: what is asked of it", when what follows the colon is a blank to fill, a
    question or a prompt ("Early stopping: stop training when ___ stops improving", "Dropout: what
    does it do?"); else ``text`` itself ("LSTM: purpose of the forget gate" names no plain term).

    >>> _asked_of("Dropout: what does it do?"), _asked_of("Lecture 3: CNNs")
    ('Dropout', 'Lecture 3: CNNs')
    """
    term, colon, rest = text.partition(":")
    term, rest = term.strip(), rest.strip()
    if not (colon and term and rest) or _BLANK.search(term) or len(term.split()) > MAX_TERM_WORDS:
        return text
    if not (_BLANK.search(rest) or rest.endswith("?") or _NOT_A_TERM.match(rest)):
        return text
    if term.casefold() in QUIZ_LABELS or question_terms(rest):
        return rest  # "True or false: ...", "Quiz: what is dropout?": the label names nothing
    return term


def compares(question: str) -> bool:
    """Whether a question compares two terms ("BERT vs GPT", "Difference between L1 and L2").

    >>> compares("L1 vs L2"), compares("Why BF16 rather than FP16?"), compares("Why BF16?")
    (True, True, False)
    """
    text = _LABEL.sub("", " ".join(question.split())).rstrip("?.!:").strip()
    return bool(_COMPARISON.match(text) or _VERSUS.match(text) or _preference(text))


def _preference(text: str) -> re.Match[str] | None:
    """ "Why BF16 rather than FP16?" as a choice between two terms; not "Why normalize inputs rather
    than weights?" nor "Why does ResNet add rather than concatenate?", choices between actions."""
    from .phrases import VERBS

    match = _PREFERENCE.match(text)
    if match is None:
        return None
    firsts = [match.group(side).split()[0].lower() for side in ("a", "b")]
    if any(w in VERBS or _NOT_A_TERM.match(w) or w.endswith(("ize", "ise")) for w in firsts):
        return None
    return match


def initials_of(acronym: str, name: str) -> bool:
    """Whether ``acronym`` is made of the initials of ``name``'s words, in order, starting with its
    first word and ending with its last; words in between may be left out ("AUC": area under the
    ROC curve). Camel case splits words ("TF": TensorFlow).

    >>> initials_of("AUC", "area under the ROC curve"), initials_of("RNN", "recurrent neural network")
    (True, True)
    >>> initials_of("TF", "TensorFlow"), initials_of("NN", "k-nearest neighbours")
    (True, False)
    """
    return spells_initials(acronym.lower(), word_initials(name))


_NAME_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def word_initials(name: str) -> list[str]:
    """The lowercase first letter of each word of ``name``, camel case splitting words.

    >>> word_initials("area under the ROC curve"), word_initials("TensorFlow")
    (['a', 'u', 't', 'r', 'c'], ['t', 'f'])
    """
    return [w[0].lower() for w in _NAME_WORD.findall(name)]


def spells_initials(letters: str, heads: Sequence[str]) -> bool:
    """Whether lowercase ``letters`` are initials ``heads`` (from :func:`word_initials`) as
    :func:`initials_of` means it: the first and the last, and some of those between, in order."""
    if len(heads) < 2 or len(letters) < 2 or not letters.isalpha():
        return False
    if heads[0] != letters[0] or heads[-1] != letters[-1]:
        return False
    at = 1
    for letter in letters[1:-1]:
        while at < len(heads) - 1 and heads[at] != letter:
            at += 1
        if at >= len(heads) - 1:
            return False
        at += 1
    return True


def other_name(outer: str, inner: str) -> bool:
    """Whether the bracket in ``"outer (inner)"`` gives another name of the term (an acronym, its
    expansion, a code name) rather than the sense it is meant in.

    >>> [other_name(a, b) for a, b in [("Mean Squared Error", "MSE"), ("Dataset API", "tf.data"),
    ...  ("Operation", "op"), ("PR AUC", "area under the PR curve"), ("ViT", "vision transformer")]]
    [True, True, True, True, True]
    >>> [other_name(a, b) for a, b in [("node", "neural network"), ("shape", "Tensor"), ("bias", "math")]]
    [False, False, False]
    >>> other_name("Attention", "Q,K,V")  # its arguments
    False
    """
    if "," in inner:
        return False
    if initials_of(inner, outer) or initials_of(outer, inner):
        return True
    if " " not in outer and " " in inner and _abbreviates(outer, inner):
        return True  # "RoPE (Rotary Positional Embedding)", "ViT (vision transformer)", "Swin (...)"
    if " " not in inner:
        code = any(ch in inner for ch in "._") or any(ch.isdigit() for ch in inner)
        caps = any(ch.isupper() for ch in inner[1:])
        if code or caps:
            return True  # tf.data, i.i.d, sepCNN, KSVMs, SGD
        return len(inner) <= 4 and _abbreviates(inner, outer)  # "op": an abbreviation of Operation
    letters = outer.replace("-", "").replace(" ", "")
    return letters.isupper() and len(inner.split()) >= 2  # "PR AUC (area under the PR curve)"


def _abbreviates(short: str, long: str) -> bool:
    """Whether ``short``'s letters appear in order in ``long``, starting with its first letter."""
    short, long = short.lower(), long.lower()
    if not short or not long or short[0] != long[0]:
        return False
    letters = iter(long)
    return all(ch in letters for ch in short if ch.isalnum())


def concept_id(name: str, taken: set[str]) -> str:
    """A slug id for ``name`` (ASCII, as the data files require) not yet in ``taken``.

    >>> concept_id("Mask R-CNN", set()), concept_id("Mask R-CNN", {"mask-r-cnn"})
    ('mask-r-cnn', 'mask-r-cnn-2')
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    base = slugify(ascii_name)
    if not base:
        base = "concept-" + hashlib.blake2b(name.encode("utf-8"), digest_size=4).hexdigest()
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _topic(tags: Sequence[str]) -> str:
    for tag in tags:
        topic = concept_id(tag.split("::")[-1], set())
        if not topic.startswith("concept-"):
            return topic
    return DEFAULT_TOPIC


def card_concepts(
    cards: Sequence[Card], concepts: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """The subject concept ids of every card, and the new concepts their questions name.

    A card maps to an existing concept whose ``card`` field is its question, else to one whose name
    or alias matches a name in the question (so "RMSProp" finds "RMSprop"), or that the question
    asks an aspect of or sets in a context ("CNN backstory", "temperature in sampling"); otherwise
    a concept is made from the question, with the answer as its definition and the first tag as its
    topic. A card that names no term, asks an aspect, or asks about a term that another card stands
    for ("Why does dropout work?" beside "dropout") also gets a concept named by its question, so
    that it is studied as written; it is the subject of nothing. On a rebuild, such a concept (known
    by its id) still leaves the card's subjects to the terms its question names.
    """
    by_card: dict[str, list[str]] = {}
    for c in concepts:
        if c.get("card"):
            by_card.setdefault(c["card"], []).append(c["id"])
    index = _label_index(concepts)
    taken = {c["id"] for c in concepts}
    new: list[dict[str, Any]] = []
    subjects: list[list[str]] = []
    deferred: list[tuple[int, str]] = []
    candidates: list[int] = []  # cards that may be a term's own card
    aspects: list[int] = []  # cards on an aspect of a term ("CNN backstory"): never its card
    claimed = {c["id"]: c["card"] for c in concepts if c.get("card")}
    for card in cards:
        if card.question in by_card:
            mine = by_card[card.question]
            # A concept made for its card's whole question is that question's, not a term's: it is
            # the subject of nothing, as when the first build made it (see question_concept). Its id
            # says so, whatever it has been renamed since (ids never change).
            own_id = question_concept(card, set())["id"]
            asked = [cid for cid in mine if cid == own_id or re.fullmatch(re.escape(own_id) + r"-\d+", cid)]
            terms = question_terms(cloze_term(card) or card.question)
            if asked and not terms:
                subjects.append([])
                continue
            # The question's own order ("DDPM vs DDIM": DDPM first), when its names still find them;
            # an aspect's card ("CNN backstory") speaks of what it names, as in the first build.
            named = _found(terms, index, skip=set(asked))
            if named is not None and (set(mine) <= set(named) or len(asked) == len(mine)):
                subjects.append(named)
            else:
                subjects.append(list(mine))
            continue
        other = synonym_target(card.answer)
        if other is not None:
            # "imbalanced dataset: Synonym for class-imbalanced dataset": one concept, two names.
            deferred.append((len(subjects), other))
            subjects.append([])
            continue
        terms = question_terms(cloze_term(card) or card.question)
        aspect = _asks_an_aspect(terms, index)
        found = _subjects(card, index, taken, new, terms)
        if not found:
            new.append(question_concept(card, taken))
        else:
            (aspects if aspect else candidates).append(len(subjects))
        subjects.append(found)
    # Each term's card is the first that names it bare ("dropout"), else in a prompt about it alone
    # ("What is dropout?"), else among others ("BERT vs GPT"); a term with a card already keeps it.
    # Every other card that asks about terms ("Why does dropout work?", "CNN backstory") keeps a
    # concept of its own, named by its question, so that it is studied and shown as written.
    owner: dict[str, int] = {cid: -1 for cid in claimed}

    def rank(position: int) -> int:  # the bare term first, then a prompt about it alone, then the rest
        return 2 if len(subjects[position]) > 1 else card_rank(cards[position].question)

    for position in sorted(candidates, key=lambda at: (rank(at), at)):
        for cid in subjects[position]:
            owner.setdefault(cid, position)
    owns = set(owner.values())

    def folded(at: int) -> bool:
        # A second card that names the term bare ("replay buffer" beside "experience replay") is
        # another name of it, not a question of its own: the build reports it (see build.py). Beside
        # a term whose card is only a prompt or a comparison, it is a card of its own.
        if rank(at):
            return False
        earlier = [claimed[cid] for cid in subjects[at] if owner.get(cid) == -1]
        return not earlier or all(card_rank(q) == 0 for q in earlier)

    for position in sorted(aspects + [at for at in candidates if at not in owns and not folded(at)]):
        new.append(question_concept(cards[position], taken))
    for c in new:
        at = owner.get(c["id"])
        if at is not None and at >= 0 and c["card"] != cards[at].question:
            c["card"], c["definition"] = cards[at].question, cards[at].answer.strip()
    by_id = {c["id"]: c for c in new}
    for position, other in deferred:
        card = cards[position]
        found = _known(other, index)
        if found is None:
            subjects[position] = _subjects(card, index, taken, new)
            by_id = {c["id"]: c for c in new}
            continue
        subjects[position] = [found]
        mine = by_id.get(found)
        for name, aliases in question_terms(card.question):
            for label in (name, *aliases):
                if mine is not None and normalize(label) not in {normalize(x) for x in _labels(mine)}:
                    mine["aliases"].append(label)
                for form in spellings(label):  # each spelling, as _label_index holds them
                    index.setdefault(normalize(form), found)
    return new, subjects


#: The longest name a question-named concept gets; the whole question stays its ``card``.
MAX_QUESTION_NAME = 80


def question_concept(card: Card, taken: set[str]) -> dict[str, Any]:
    """A concept for a card whose question names no term ("What are CPUs bad at?"): named by the
    trimmed question, so the card stays in the graph (to study, to show) instead of being dropped.
    It is no subject of the card's relations: a question relates to nothing as a term would.

    >>> question_concept(Card("  What are CPUs   bad at? ", "branchy code"), set())["name"]
    'What are CPUs bad at?'
    """
    name = " ".join(card.question.split())
    if len(name) > MAX_QUESTION_NAME:
        cut = name.rfind(" ", 0, MAX_QUESTION_NAME)
        name = name[: cut if cut > MAX_QUESTION_NAME // 2 else MAX_QUESTION_NAME - 1].rstrip() + "…"
    cid = concept_id(name, taken)
    taken.add(cid)
    return {
        "id": cid,
        "name": name,
        "aliases": [],
        "topic": _topic(card.tags),
        "kind": DEFAULT_KIND,
        "definition": card.answer.strip(),  # whole: show and the map may abbreviate, the data never
        "card": card.question,
    }


def _labels(concept: dict[str, Any]) -> list[str]:
    return [concept["name"], *concept.get("aliases", ())]


def cloze_term(card: Card) -> str | None:
    """What a cloze card is about: its deletion (the answer's first line), not the question with
    the blank. Cloze cards come from Anki packages, whose source ends with the deletion number.

    >>> cloze_term(Card("[...] combines RMSprop and momentum", "Adam\\nAdam combines ...", (), "d.apkg c1"))
    'Adam'
    """
    if not _CLOZE_SOURCE.search(card.source):
        return None
    first = card.answer.split("\n", 1)[0].strip()
    return first or None


def synonym_target(answer: str) -> str | None:
    """The other name an answer says the card's term is a synonym of, or None.

    >>> synonym_target("Synonym for class-imbalanced dataset.")
    'class-imbalanced dataset'
    >>> synonym_target("Also known as the Deep Q-Network. It learns Q-values.")
    'Deep Q-Network'
    >>> synonym_target("A synonym-free answer about graphs.") is None
    True
    """
    match = _SYNONYM.match(" ".join(answer.split()))
    if match is None or len(match.group(1).split()) > MAX_TERM_WORDS:
        return None
    return match.group(1)


def _asks_an_aspect(terms: list[tuple[str, list[str]]], index: dict[str, str]) -> bool:
    """Whether a question names a known term only in a context or by an aspect of it ("Explain
    temperature in sampling", "CNN backstory"): see :func:`_qualified` and :func:`_faceted`."""
    return any(_lookup(name, aliases, index)[1] for name, aliases in terms)


def _known(label: str, index: dict[str, str]) -> str | None:
    """The concept ``label`` names, as written or in its other number ("embeddings")."""
    return next((index[k] for k in (normalize(label), normalize(singular(label))) if k in index), None)


def _lookup(
    name: str,
    aliases: Sequence[str],
    index: dict[str, str],
    skip: set[str] = frozenset(),  # type: ignore[assignment]
) -> tuple[str | None, bool]:
    """The known concept a question's term names (never one of ``skip``), and whether it is named
    only by an aspect or in a context ("CNN backstory", "temperature in sampling"). The longest
    label first: "MAE (masked autoencoder)" is the masked autoencoder whatever else "MAE"
    abbreviates; then each as written, then its other number."""
    labels = sorted([name, *aliases], key=len, reverse=True)
    keys = [normalize(x) for x in labels] + [normalize(singular(x)) for x in labels]
    found = next((index[k] for k in keys if k in index and index[k] not in skip), None)
    if found is not None:
        return found, False
    aspect = _qualified(name, index) or _faceted(name, index)
    return aspect, aspect is not None


def card_rank(question: str) -> int:
    """How well a card's question stands for a term it names: 0 names it bare ("dropout"), 1 asks
    about it in words ("What is dropout?"), 2 names several ("BERT vs GPT").

    >>> card_rank("dropout"), card_rank("What is dropout?"), card_rank("BERT vs GPT")
    (0, 1, 2)
    """
    if len(question_terms(question)) > 1:
        return 2
    return 1 if _is_prompt(question) else 0  # a cloze names its deletion bare


def _is_prompt(question: str) -> bool:
    """Whether a question asks about its term in words ("What is dropout?", "Explain Adam") rather
    than naming it bare ("dropout").

    >>> _is_prompt("What is dropout?"), _is_prompt("Explain Adam"), _is_prompt("dropout")
    (True, True, False)
    """
    text = " ".join(question.replace("\u2019", "'").split()).strip().rstrip("?.!:").strip()
    return _TERM_PREFIX.sub("", text) != text or any(pattern.match(text) for pattern in _PROMPTS)


def _found(
    terms: list[tuple[str, list[str]]],
    index: dict[str, str],
    skip: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[str] | None:
    """The known concepts ``terms`` name, in their order, as :func:`_subjects` finds them (never one
    of ``skip``); None when one of them names nothing known."""
    ids: list[str] = []
    for name, aliases in terms:
        found, _ = _lookup(name, aliases, index, skip)
        if found is None:
            return None
        if found not in ids:
            ids.append(found)
    return ids


def _subjects(
    card: Card,
    index: dict[str, str],
    taken: set[str],
    new: list[dict[str, Any]],
    terms: list[tuple[str, list[str]]] | None = None,
) -> list[str]:
    """The concept ids a card's question names (``terms``: its :func:`question_terms`, when already
    read); new concepts for the names nothing has yet."""
    ids: list[str] = []
    for name, aliases in question_terms(cloze_term(card) or card.question) if terms is None else terms:
        found, _ = _lookup(name, aliases, index)
        if found is None:
            found = concept_id(name, taken)
            taken.add(found)
            new.append(
                {
                    "id": found,
                    "name": name,
                    "aliases": list(dict.fromkeys(a for a in aliases if normalize(a) != normalize(name))),
                    "topic": _topic(card.tags),
                    "kind": DEFAULT_KIND,
                    "definition": card.answer.strip(),  # whole: display may abbreviate, data never
                    "card": card.question,
                }
            )
            for label in (name, *aliases):
                for form in spellings(label):  # each spelling, as _label_index holds them
                    index.setdefault(normalize(form), found)
        if found not in ids:
            ids.append(found)
    return ids


#: Words that set a known term in a context: "temperature in sampling" asks about temperature.
_SETTINGS = re.compile(r"\s+(?:in|for|during|within)\s+")


def _qualified(name: str, index: dict[str, str]) -> str | None:
    """The known concept a name sets in a context names ("dropout in CNNs", "temperature in
    sampling"), when the whole name is no concept of its own; else None.

    >>> _qualified("dropout in CNNs", {"dropout": "dropout"}), _qualified("dropout in CNNs", {})
    ('dropout', None)
    """
    head = _SETTINGS.split(name, maxsplit=1)[0]
    if head == name:
        return None
    return _known(head, index)


#: Nouns that name an aspect of a thing, not a thing of the field: "CNN backstory" is about CNNs.
#: Words that also end names of the field ("batch size", "replay memory", "advantage", "XOR
#: problem", "precision-recall tradeoff") are left out.
FACETS = frozenset(
    """backstory history origin origins inspiration intuition motivation idea ideas limitation
    limitations drawback drawbacks disadvantage disadvantages pros cons benefit benefits strength
    strengths weakness weaknesses application applications overview summary definition explanation
    variants""".split()
)
#: Words before a known term that date or rank it rather than name a kind: "early CNNs".
ERAS = frozenset("early earliest modern classic original first".split())


def _faceted(name: str, index: dict[str, str]) -> str | None:
    """The known concept a name asks an aspect of ("CNN backstory", "CNN biological inspiration",
    "early CNNs"), when the whole name is no concept of its own; else None.

    >>> index = {"cnn": "cnn"}
    >>> _faceted("CNN biological inspiration", index), _faceted("early CNNs", index)
    ('cnn', 'cnn')
    >>> _faceted("CNN layer", index) is None  # a part of CNNs, perhaps a concept of its own
    True
    """
    words = name.split()
    if len(words) < 2:
        return None
    if words[0].lower() in ERAS:
        rest = " ".join(words[1:])
        if everyday(singular(rest)):
            return None  # "early layers", "first layer": no layer in particular
        return _known(rest, index)
    if words[-1].lower() not in FACETS:
        return None
    for cut in range(len(words) - 1, 0, -1):  # the longest known name that opens it
        head = " ".join(words[:cut])
        found = _known(head, index)
        if found is not None:
            return found
    return None


def _clip(text: str, limit: int) -> str:
    """``text`` with its whitespace runs made single spaces, cut to ``limit`` characters with "…".

    Only as much of a long text is read as the cut needs (a run-on sentence may be 20,000
    characters): the collapsed head of a text is a prefix of the whole text collapsed.

    >>> _clip(" a  b   c ", 10), _clip("word " * 5000, 12)
    ('a b c', 'word word w…')
    """
    if len(text) > 4 * limit:
        head = " ".join(text[: 4 * limit].split())
        if len(head) > limit:
            return head[: limit - 1].rstrip() + "…"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
