"""Relation cues: the phrases that type an edge ("combines", "replaces ... with", "relies on"),
and the rules that pick a mention's type from the cues before it in its clause."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..vocabulary import RELATION_TYPES

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from .relations import _Mention, _Word


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
             "consists of", "composed of", "made of", "based on", "needs", "requires", "via",
             "through", "with", "by means of", "predicts", "predict", "predicting", "concats",
             "concat", "concatenates", "concatenating", "adapts", "computes", "compute", "penalizes",
             "generates", "outputs", "extracts", "takes", "split", "splits"),
    "is-a": ("is a", "is an", "are a", "type of", "kind of", "form of", "sort of", "variant of",
             "family of", "class of", "special case of", "instance of"),
    "part-of": ("part of", "component of", "piece of", "step of", "stage of", "layer of", "inside"),
    "addresses": ("solves", "solve", "solved", "solving", "addresses", "address", "prevents", "prevent",
                  "preventing", "mitigates", "mitigate", "avoids", "avoid", "overcomes", "overcome",
                  "tackles", "combats", "reduces", "reduce", "counters", "alleviates", "deals with",
                  "to fight", "fights", "handles"),
    "measures": ("measures", "measure of", "measure", "quantifies", "metric for", "evaluates",
                 "score of", "estimates"),
    "alternative-to": ("instead of", "alternative to", "rather than", "in place of", "versus", "vs",
                       "vs.", "unlike", "compared to", "compared with", "contrast with", "in contrast to",
                       "by contrast with", "as opposed to", "opposite of"),
}  # fmt: skip


#: Cues that type a mention only when no stronger cue came first in the clause ("combines X with Y"
#: is still combines; "replaces X with Y" makes Y used).
WEAK_CUES = frozenset({"with", "via", "through", "by means of"})


#: "replaces X with Y": X is improved on, Y (after a weak cue) is used.
REPLACE_CUES = frozenset({"replace", "replaces", "replaced", "replacing"})


#: "adds a branch to X": X is extended; what is added (before "to") is used.
ADD_CUES = frozenset({"adds", "add", "added", "adding"})


ADD_TARGET_WORDS = frozenset({"to", "onto", "into"})


#: A mention followed by one of these, with no cue before it, is put to a purpose: it is used.
PURPOSE_WORDS = frozenset({"to", "for"})


#: "solves X": a problem is addressed, a method is improved on (decided by the concept's kind).
SOLVE_TYPES = frozenset({"addresses"})


METHOD_KINDS = frozenset({"architecture", "algorithm", "component", "technique"})


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


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    phrase: str
    type: str


def _type_in_clause(words: list[_Word], cues: list[_Cue], mention: _Mention, kinds: dict[str, str]) -> str:
    """The relation type the cues before ``mention`` in its clause give it (see the module doc)."""
    active: _Cue | None = None
    for cue in cues:
        if cue.end > mention.start:
            break
        if cue.phrase in WEAK_CUES and active is not None and active.phrase not in REPLACE_CUES:
            continue
        active = cue
    if active is None:
        # "RoI Pooling to extract features", "FC layers for class scores": a part put to a purpose.
        after = words[mention.end].lower if mention.end < len(words) else ""
        return "uses" if after in PURPOSE_WORDS else FALLBACK_TYPE
    kind = active.type
    if active.phrase in ADD_CUES and any(
        words[i].lower in ADD_TARGET_WORDS for i in range(active.end, mention.start)
    ):
        return "extends"
    if active.phrase in ADD_CUES:
        return "uses"
    if kind in SOLVE_TYPES and mention.ref[0] == "id" and kinds.get(mention.ref[1]) in METHOD_KINDS:
        return "improves-on"
    return kind


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
        if cue.phrase in ADD_CUES:
            return (
                "extends"
                if any(doc[i].lower_ in ADD_TARGET_WORDS for i in range(cue.end, mention.start))
                else "uses"
            )
        if cue.type in SOLVE_TYPES and mention.ref[0] == "id" and kinds.get(mention.ref[1]) in METHOD_KINDS:
            return "improves-on"
        return cue.type
    return None


_CUE_WORDS = frozenset(word for phrases in CUE_PHRASES.values() for p in phrases for word in p.split())
