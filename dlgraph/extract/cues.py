"""Relation cues: the phrases that type an edge ("combines", "replaces ... with", "relies on"),
and the rules that pick a mention's type from the cues before it in its clause."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..vocabulary import RELATION_TYPES
from .definitions import PREPOSITIONS

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from .relations import _Mention
    from .tokens import Word as _Word


CUES_KEY = "dlgraph_cues"


FALLBACK_TYPE = "related-to"


#: Cue phrases (lowercase, space-separated tokens) for each relation type. The type names come from
#: :mod:`dlgraph.vocabulary`; a test checks each one is defined there.
CUE_PHRASES: dict[str, tuple[str, ...]] = {
    "combines": ("combine", "combines", "combined", "combining", "merge", "merges", "merged", "merging",
                 "together with", "mix of", "hybrid of"),
    "improves-on": ("improves on", "improves upon", "improvement over", "improvement on", "improves",
                    "improved", "replace", "replaces", "replaced", "replacing", "fixes", "fix",
                    "fixing", "outperforms", "beats", "better than", "faster than", "supersedes",
                    "successor to", "successor of"),
    "extends": ("extends", "extend", "extended", "extension of", "builds on", "built on", "builds upon",
                "generalizes", "generalises", "generalization of", "generalisation of", "adds", "add",
                "added", "adding"),
    "simplifies": ("simplifies", "simplified", "simplify", "simplification of", "simpler version of",
                   "simpler than", "lighter version of"),
    "inspired-by": ("inspired by", "inspiration", "modelled on", "modeled on", "motivated by",
                    "borrows from", "borrowed from"),
    "uses": ("uses", "use", "used", "using", "relies on", "rely on", "relied on", "relying on",
             "depends on", "depend on", "employs", "applies", "apply", "applying", "built from",
             "based on", "needs", "requires", "via",
             "through", "with", "by means of", "concats",
             "concat", "concatenates", "concatenating", "adapts", "computes", "compute", "penalizes",
             "extracts", "takes", "split", "splits"),
    "is-a": ("is a", "is an", "are a", "type of", "kind of", "form of", "sort of", "variant of",
             "family of", "class of", "special case of", "instance of"),
    "part-of": ("part of", "component of", "piece of", "step of", "stage of", "layer of", "inside",
                "portion of", "subset of", "subfield of", "sub-field of", "branch of", "subsystem of",
                "subnetwork of", "module of",
                # what the subject is made of: each is a part of it (see COMPOSITION_CUES)
                "consists of", "consist of", "composed of", "made of", "made up of", "contains",
                "contain", "comprises", "comprise"),
    "addresses": ("solves", "solve", "solved", "solving", "addresses", "address", "prevents", "prevent",
                  "preventing", "mitigates", "mitigate", "avoids", "avoid", "overcomes", "overcome",
                  "tackles", "combats", "reduces", "reduce", "counters", "alleviates", "deals with",
                  "to fight", "fights", "handles"),
    "measures": ("measures", "measure of", "measure", "quantifies", "metric for", "evaluates",
                 "score of", "estimates"),
    "alternative-to": ("instead of", "alternative to", "rather than", "in place of", "versus", "vs",
                       "vs.", "unlike", "compared to", "compared with", "contrast with", "in contrast to",
                       "in contrast with", "by contrast with", "as opposed to", "opposite of", "contrast"),
    # What a model puts out is no part it uses ("YOLO predicts bounding boxes", "the function that
    # predicts the expected return"): only a loose link, and the cue ends the reach of one before it.
    "related-to": ("predicts", "predict", "predicting", "generates", "outputs",
                   # "Compare with Y" points to a neighbour, "with respect to" is calculus: both loose
                   "compare", "compare with", "compare to", "with respect to"),
}  # fmt: skip


#: Cues that type a mention only when no stronger cue came first in the clause ("combines X with Y"
#: is still combines; "replaces X with Y" makes Y used).
WEAK_CUES = frozenset({"with", "via", "through", "by means of"})


#: Cues that are cues only when they open a sentence or clause: "Contrast N-grams with bag of
#: words", "Contrast with X" (imperatives), not "brightness and contrast with random crops".
OPENING_CUES = frozenset({"contrast", "contrast with"})


#: "X consists of / is composed of / contains Y": Y is a part of X, the other way from "part of".
COMPOSITION_CUES = frozenset(
    {
        "consists of", "consist of", "composed of", "made of", "made up of", "contains", "contain",
        "comprises", "comprise",
    }
)  # fmt: skip
#: ... (a participle, "layers consisting of units", speaks of the noun before it: no cue). The parts
#: are the noun phrases right after the cue, listed with these words between them.
PART_LIST_WORDS = frozenset(
    "a an the one or more two three several many some and possibly also , its".split()
)
MAX_PART_LIST = 12
#: ... and a preposition between them means the mention lies past the parts.
NOT_IN_A_PART = PREPOSITIONS | {"about", "like", "than"}


#: "replaces X with Y": X is improved on, Y (after a weak cue) is used.
REPLACE_CUES = frozenset({"replace", "replaces", "replaced", "replacing"})


#: "adds a branch to X": X is extended; what is added (before "to") is used.
ADD_CUES = frozenset({"adds", "add", "added", "adding"})


ADD_TARGET_WORDS = frozenset({"to", "onto", "into"})


#: A mention followed by one of these, with no cue before it, is put to a purpose: it is used.
PURPOSE_WORDS = frozenset({"to", "for"})
#: ... unless a determiner or number follows: "assigns each example to the closest centroid",
#: "training for too few epochs" name a destination or a span, not a purpose.
NOT_A_PURPOSE = frozenset(
    "the a an its their his her this that these those each every some any all too no one two".split()
    # ... nor a verb of being: "gradients of deep networks tend to become flat" states no purpose
    + "be become remain stay seem appear".split()
)

#: Cue words that relate nothing when followed by one of these: the verb is used intransitively.
INTRANSITIVE_SENSE = {
    phrase: frozenset("to beyond well across poorly better worse badly from over outside".split())
    for phrase in ("generalizes", "generalises")
}


#: "solves X": a problem is addressed, a method is improved on (decided by the concept's kind).
SOLVE_TYPES = frozenset({"addresses"})


METHOD_KINDS = frozenset({"architecture", "algorithm", "component", "technique"})
#: ... and the other way: "fixes the degradation problem" improves on nothing, it addresses a problem.
PROBLEM_KINDS = frozenset({"problem"})


#: "prevents X from Y": what is addressed is Y; X is what is protected.
PROTECT_CUES = frozenset({"prevents", "prevent", "preventing", "stops", "keeps"})


#: Kinds of concept that something is put to work on: "used for classification" addresses it.
TASK_KINDS = frozenset({"task", "problem"})


#: Participles that read as passives: "X is used in Y", "a cell used to process ... tasks such as T".
#: The subject is the thing used, so the direction or the type differs from the active "uses".
PASSIVE_USE_CUES = frozenset({"used", "employed", "applied"})
#: "used in Y", "used by Y": Y is the one that uses the subject.
USER_WORDS = frozenset({"in", "by", "within", "inside", "throughout"})
#: "used for T", "used to <verb> ... T": a task or problem T is addressed.
GOAL_WORDS = frozenset({"for", "to"})
#: Words that may stand between a naming cue ("is a", "type of", "part of") and the noun phrase it
#: names; a preposition or clause word there means the mention lies past that phrase ("a kind of cell
#: in a recurrent network": the network is not the genus).
_PHRASE_BREAKS = frozenset(
    "in of for with to by on from into over as via at that which who whose where when while and or".split()
)


def typed_by(phrase: str) -> str:
    """How a relation's ``cue`` field names the cue phrase that typed it: ``cue 'combines'``."""
    return f"cue '{phrase}'"


def cue_phrase(reason: str) -> str | None:
    """The cue phrase a ``cue`` field names (see :func:`typed_by`), or None when no phrase typed it.

    >>> cue_phrase("cue 'used in': the mention is the user"), cue_phrase("no cue: named in the same clause")
    ('used in', None)
    """
    if not reason.startswith("cue '"):
        return None
    end = reason.find("'", 5)
    return reason[5:end] if end > 5 else None


#: What typed a relation that no cue typed: the two were named in one clause.
NO_CUE = "no cue: named in the same clause"
#: Cue types that name what the subject is, or is part of: they reach only the noun phrase after them.
NAMING_TYPES = frozenset({"is-a", "part-of"})
#: ... and that phrase is an article and at most this many modifiers before the name.
MAX_NAMING_REACH = 3
#: Punctuation a naming cue does not reach past, nor a contrast ("unlike X", "instead of X"): what
#: follows is the sentence the contrast was set against, not a second thing contrasted.
CONTRAST_ENDS = frozenset({",", ";", ":", "(", ")"})


_UNKNOWN = sorted({t for t in CUE_PHRASES if t not in RELATION_TYPES})


if _UNKNOWN:  # pragma: no cover - a typo in the table above must fail at import, not silently
    raise ValueError(f"cue table names unknown relation types: {_UNKNOWN}")


def cue_patterns() -> list[dict[str, Any]]:
    """Span-ruler phrase patterns for every cue phrase (matched lowercase); the label is the phrase,
    the id its relation type."""
    return [
        {"label": phrase, "pattern": phrase, "id": kind}
        for kind, phrases in CUE_PHRASES.items()
        for phrase in phrases
    ]


@dataclass(frozen=True, slots=True)
class _Cue:
    start: int
    end: int
    phrase: str
    type: str


def _type_in_clause(
    words: list[_Word], cues: list[_Cue], mention: _Mention, kinds: dict[str, str]
) -> tuple[str, bool, str]:
    """The relation type the cues before ``mention`` in its clause give it (see the module doc),
    whether the relation points from the mention to the card's subject (``reversed``), and what
    typed it, in words (the cue phrase, or why there is none), for ``show --why``."""
    active: _Cue | None = None
    for cue in cues:
        if cue.end > mention.start:
            break
        if cue.phrase in WEAK_CUES and active is not None and active.phrase not in REPLACE_CUES:
            continue
        if cue.phrase in OPENING_CUES and cue.start > 0 and not _opens_here(words[cue.start - 1]):
            continue
        if (
            cue.phrase in INTRANSITIVE_SENSE
            and cue.end < len(words)
            and words[cue.end].lower in INTRANSITIVE_SENSE[cue.phrase]
        ):
            # "performance generalizes beyond the training set": no extension of the set, and the
            # verb ends the reach of any cue before it ("uses dropout and generalizes beyond ...")
            active = None
            continue
        if cue.type == "alternative-to" and any(
            w.lower in CONTRAST_ENDS for w in words[cue.end : mention.start]
        ):
            continue  # "Unlike BatchNorm, LayerNorm ...": the contrast was only the phrase before the comma
        active = cue
    if active is None:
        # "RoI Pooling to extract features", "FC layers for class scores": a part put to a purpose.
        after = words[mention.end].lower if mention.end < len(words) else ""
        then = words[mention.end + 1] if mention.end + 1 < len(words) else None
        purpose = after in PURPOSE_WORDS and then is not None and then.lower not in NOT_A_PURPOSE
        if purpose and then.text.isalpha():
            return "uses", False, f"no cue; put to a purpose ({after!r} {then.lower!r})"
        before = words[mention.start - 1].text if mention.start > 0 else ""
        if before == "+" or (mention.end < len(words) and words[mention.end].text == "+"):
            # "≈ momentum + RMSprop", "= depthwise conv + 1x1 conv": what the term is the sum of
            # it combines; "encoder + projection head" it is built from
            equated = _equated(words, mention.start)
            if equated:
                return "combines", False, "no cue; a sum the term is equated with ('+')"
            if equated is not None:
                return "uses", False, "no cue; a part of a sum ('+')"
        return FALLBACK_TYPE, False, NO_CUE
    kind = active.type
    said = typed_by(active.phrase)
    between = [w.lower for w in words[active.end : mention.start]]
    if active.phrase in COMPOSITION_CUES:
        # "A neural network ... composed of layers", "contains one or more features and a label";
        # not "contain enough information to calculate metrics" (the metrics lie past the parts)
        if "plus" in between:
            # "multiple connected perceptrons, plus a backpropagation algorithm": what is added is used
            return "uses", False, f"{said}, plus"
        listed = all(
            w in PART_LIST_WORDS or (w.isalpha() and w not in _PHRASE_BREAKS and w not in NOT_IN_A_PART)
            for w in between
        )  # "contains information about the RNN": the RNN lies past the parts
        if not listed or len(between) > MAX_PART_LIST:
            return FALLBACK_TYPE, False, f"{said} names only the parts right after it"
        return "part-of", True, f"{said}: the mention is a part of the subject"
    if kind in NAMING_TYPES and (
        any(w in _PHRASE_BREAKS or w in CONTRAST_ENDS for w in between)
        or len(between) > MAX_NAMING_REACH
        or any(w.endswith("ing") and len(w) > 5 for w in between[1:])  # "is a matrix having the same rank"
    ):
        return FALLBACK_TYPE, False, f"{said} names only the phrase right after it"
    if active.phrase in PASSIVE_USE_CUES and between:
        mention_kind = kinds.get(mention.ref[1]) if mention.ref[0] == "id" else None
        if between[0] in USER_WORDS:
            # "used in Transformers": the Transformer uses the subject
            return "uses", True, f"{typed_by(f'{active.phrase} {between[0]}')}: the mention is the user"
        if between[0] in GOAL_WORDS:
            typed = "addresses" if mention_kind in TASK_KINDS else FALLBACK_TYPE
            goal = typed_by(f"{active.phrase} {between[0]}")
            return typed, False, goal if typed != FALLBACK_TYPE else f"{goal}, of no task"
        if between[0] == "as":
            return "is-a", False, typed_by(f"{active.phrase} as")  # "used as a regularizer"
    if active.phrase in ADD_CUES and any(w in ADD_TARGET_WORDS for w in between):
        return "extends", False, f"{said} with {'/'.join(sorted(ADD_TARGET_WORDS & set(between)))}"
    if active.phrase in ADD_CUES:
        return "uses", False, said
    if kind in SOLVE_TYPES and _means_between(between):
        # "mitigates exploding gradients by limiting (clipping) them": the means, not the problem
        return FALLBACK_TYPE, False, f"{said}: the mention is the means, after 'by'"
    if kind in SOLVE_TYPES and active.phrase in PROTECT_CUES and _before_from(words, mention.end):
        # "prevent neural networks from overfitting": the networks are kept safe
        return FALLBACK_TYPE, False, f"{said}: the mention is what is kept from harm"
    if kind in SOLVE_TYPES and _kind_of(mention, kinds) in METHOD_KINDS:
        return "improves-on", False, f"{said}, of a method"
    if kind == "improves-on" and _kind_of(mention, kinds) in PROBLEM_KINDS:
        return "addresses", False, f"{said}, of a problem"
    return kind, False, said


def _kind_of(mention: _Mention, kinds: dict[str, str]) -> str | None:
    return kinds.get(mention.ref[1]) if mention.ref[0] == "id" else None


#: What equates the card's term with the formula after it.
EQUATES = frozenset({"=", "≈", "~", "≃"})


def _opens_here(before: _Word) -> bool:
    """Whether a word after ``before`` opens a sentence, clause or bracket: "(Contrast with X.)"."""
    return before.ends or before.opens or before.text in ("(", "[")


def _equated(words: list[_Word], start: int) -> bool | None:
    """How the sum ending before ``start`` is said, back to the last clause break: True when an
    equals sign (or "≈") opens the stretch ("≈ momentum + RMSprop" equates the card's term with
    it), False when it stands alone ("an encoder + projection head"), None when it belongs to
    something else: the left side of an equation ("loss = reconstruction error + KL"), or a
    preposition's object ("FC layers for class + box offsets")."""
    equals = False
    for w in reversed(words[:start]):
        if w.text in (";", ":", ".", ",", "(", ")") or "\n" in w.text:
            break
        if w.text in EQUATES:
            equals = True
        elif (w.lower in PREPOSITIONS and not equals) or (equals and w.lower.isalpha()):
            return None
    return equals


def _means_between(between: list[str]) -> bool:
    """Whether the words between a cue and a mention hold "by" and a gerund (an adverb may come
    between): the way something is done ("by artificially limiting"), not what is done to."""
    return any(
        w == "by" and any(x.endswith("ing") for x in between[i + 1 : i + 3]) for i, w in enumerate(between)
    )


def _before_from(words: list[_Word], end: int, reach: int = 4) -> bool:
    """Whether "from" follows within ``reach`` words of ``end``, before any punctuation."""
    for word in words[end : end + reach]:
        if word.lower == "from":
            return True
        if not word.text.isalnum():
            return False
    return False


def _type_from_parse(
    doc: Doc, cue_at: dict[int, _Cue], mention: _Mention, kinds: dict[str, str]
) -> str | None:
    """With a dependency parse: the cue that governs the mention (its nearest cue ancestor)."""
    token = doc[mention.start : mention.end].root
    seen = 0
    while token.head.i != token.i and seen < 50:
        token = token.head
        seen += 1
        cue = cue_at.get(token.i)
        if cue is None:
            continue
        if cue.phrase in COMPOSITION_CUES:
            return None  # the part points to the whole: typed by the clause rule, which reverses it
        if cue.phrase in ADD_CUES:
            return (
                "extends"
                if any(doc[i].lower_ in ADD_TARGET_WORDS for i in range(cue.end, mention.start))
                else "uses"
            )
        if cue.type in SOLVE_TYPES and _kind_of(mention, kinds) in METHOD_KINDS:
            return "improves-on"
        if cue.type == "improves-on" and _kind_of(mention, kinds) in PROBLEM_KINDS:
            return "addresses"
        return cue.type
    return None


_CUE_WORDS = frozenset(word for phrases in CUE_PHRASES.values() for p in phrases for word in p.split())
