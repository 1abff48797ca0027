"""Turn what a user types into a concept id: exact, then case/space/punctuation-insensitive, then fuzzy.

Also ranked search and shell completion. Needs only the concept list, never networkx, because tab
completion runs this on every key press.

Examples
--------
>>> normalize("Mask R-CNN") == normalize("mask rcnn") == normalize("MASK_RCNN")
True
>>> slugify("L1/L2 (weight decay)")
'l1-l2-weight-decay'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any, NamedTuple

from .errors import AmbiguousConcept, ConceptNotFound

_NON_ALNUM = re.compile(r"[\W_]+")
_WORD = re.compile(r"\w+")

#: A fuzzy match is taken without asking when it scores at least this and clearly beats the runner-up.
ACCEPT_RATIO = 0.85
SUGGEST_RATIO = 0.55


def nfc(text: str) -> str:
    """``text`` in Unicode's composed form (NFC), so that "é" typed as one character or as "e" and
    an accent is one spelling. ASCII, the usual case, is returned as it is at no cost.

    >>> nfc("cafe\u0301") == "caf\u00e9"
    True
    """
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def normalize(text: str) -> str:
    """Lowercase (NFC) and drop everything but letters and digits."""
    return _NON_ALNUM.sub("", nfc(nfc(text).casefold()))


def slugify(text: str) -> str:
    """A stable id from a display name: lowercase words joined by single dashes."""
    return _NON_ALNUM.sub("-", nfc(nfc(text).casefold())).strip("-")


#: Letters of other scripts drawn like a Latin letter: a name with one of them prints like the
#: all-Latin name but is another string (Cyrillic "Аdam" and Latin "Adam").
_LATIN_LOOKALIKES = str.maketrans(
    {
        **dict(zip("АВЕЅІЈКМНОРСТХУаеіјорсхуѕԁһԛԝ", "ABESIJKMHOPCTXYaeijopcxysdhqw", strict=True)),
        **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαονυϲ", "ABEZHIKMNOPTYXaovuc", strict=True)),
    }
)


def lookalike_key(text: str) -> str:
    """:func:`normalize` with letters of other scripts that look Latin read as Latin: two names
    with one key print alike.

    >>> lookalike_key("\u0410dam") == lookalike_key("Adam") != normalize("\u0410dam")
    True
    """
    return normalize(text) if text.isascii() else normalize(nfc(text).translate(_LATIN_LOOKALIKES))


def _letter(ch: str) -> str:
    return unicodedata.name(ch, f"U+{ord(ch):04X}")


def _difference(a: str, b: str) -> str:
    """How two look-alike names differ, in words a reader can act on."""
    if a != b and nfc(a) == nfc(b):
        return "the same letters, one with accents composed (NFC), the other decomposed (NFD)"
    a, b = nfc(a), nfc(b)
    for x, y in zip(a, b, strict=False):
        if x != y:
            return f"{x!r} is {_letter(x)}, {y!r} is {_letter(y)}"
    return "one is longer"


def lookalikes(concepts: Iterable[dict[str, Any]]) -> list[str]:
    """A warning for each pair of concepts whose names or aliases print alike but are different
    strings: letters of two scripts (Cyrillic "А" for Latin "A"), or two Unicode forms of one
    accent (NFC and NFD). They would be separate concepts nobody can tell apart.

    Only non-ASCII labels can be such a twin, so an all-ASCII graph costs one pass of ``isascii``.
    """
    labelled = [(label, c["id"]) for c in concepts for label in [c["name"], *c.get("aliases", ())]]
    odd = [(label, cid) for label, cid in labelled if not label.isascii()]
    if not odd:
        return []
    plain: dict[str, tuple[str, str]] = {}  # normalize() -> an ASCII label and its concept
    for label, cid in labelled:
        if label.isascii():
            plain.setdefault(normalize(label), (label, cid))
    by_key: dict[str, dict[str, str]] = {}  # look-alike key -> {label: concept id}
    for label, cid in odd:
        by_key.setdefault(lookalike_key(label), {}).setdefault(label, cid)
    warnings = []
    for key, labels in sorted(by_key.items()):
        twins = sorted(labels.items())
        if key in plain:
            twins.insert(0, plain[key])
        seen: set[tuple[str, str]] = set()
        for i, (a, a_id) in enumerate(twins):
            for b, b_id in twins[i + 1 :]:
                pair = (min(a_id, b_id), max(a_id, b_id))
                if a_id == b_id or a == b or pair in seen:
                    continue
                seen.add(pair)
                warnings.append(
                    f"the names {a!r} ({a_id}) and {b!r} ({b_id}) look alike but are different text "
                    f"({_difference(a, b)}); merge the two concepts or retype one name"
                )
    return warnings


#: Words that wrap a name without changing it ("the Adam optimizer", "a ResNet model").
FILLER_WORDS = frozenset("the a an optimizer algorithm network model method technique architecture".split())


def strip_filler(text: str) -> str:
    """``text`` without filler words, unless nothing else is left.

    >>> strip_filler("the Adam optimizer"), strip_filler("the optimizer")
    ('Adam', 'the optimizer')
    """
    kept = [w for w in text.split() if w.casefold() not in FILLER_WORDS]
    return " ".join(kept) if kept else text


class Match(NamedTuple):
    """A resolved name: the concept id, and whether it took a fuzzy guess to get there."""

    id: str
    exact: bool
    label: str


class Resolver:
    """Index of every concept's id, name and aliases, normalized."""

    def __init__(self, concepts: Iterable[dict[str, Any]]):
        self.names: dict[str, str] = {}
        self.labels: dict[str, list[tuple[str, bool]]] = {}
        for c in concepts:
            self.names[c["id"]] = c["name"]
            self._add(c["id"], c["id"], primary=False)
            self._add(c["name"], c["id"], primary=True)
            for alias in c.get("aliases", ()):
                self._add(alias, c["id"], primary=False)

    def _add(self, label: str, cid: str, *, primary: bool) -> None:
        key = normalize(label)
        if not key:
            return
        owners = self.labels.setdefault(key, [])
        if all(existing != cid for existing, _ in owners):
            owners.append((cid, primary))
        elif primary:
            owners[:] = [(o, p or o == cid) for o, p in owners]

    def resolve(self, text: str) -> Match:
        """The one concept ``text`` names, or :class:`ConceptNotFound` / :class:`AmbiguousConcept`."""
        if text in self.names:
            return Match(text, True, self.names[text])
        key = normalize(text)
        owners = self.labels.get(key, [])
        if len(owners) == 1:
            return Match(owners[0][0], True, self.names[owners[0][0]])
        if owners:
            primaries = [cid for cid, primary in owners if primary]
            if len(primaries) == 1:
                return Match(primaries[0], True, self.names[primaries[0]])
            raise AmbiguousConcept(text, sorted(self.names[cid] for cid, _ in owners))
        plain = strip_filler(text)
        if plain != text and normalize(plain) in self.labels:
            # "the adam optimizer" is Adam: a name wrapped in words that only say what kind it is.
            return self.resolve(plain)
        ranked = self._fuzzy(key)
        if ranked and ranked[0][0] >= ACCEPT_RATIO:
            best = ranked[0]
            runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
            if best[0] - runner_up >= 0.05:
                return Match(best[1], False, self.names[best[1]])
        suggestions = [self.names[cid] for ratio, cid in ranked[:3] if ratio >= SUGGEST_RATIO]
        raise ConceptNotFound(text, suggestions)

    def _fuzzy(self, key: str) -> list[tuple[float, str]]:
        """Concept ids by their best label's similarity to ``key``, best first."""
        if not key:
            return []
        from difflib import SequenceMatcher

        best: dict[str, float] = {}
        matcher = SequenceMatcher(autojunk=False)
        matcher.set_seq2(key)
        for label, owners in self.labels.items():
            matcher.set_seq1(label)
            if matcher.real_quick_ratio() < SUGGEST_RATIO or matcher.quick_ratio() < SUGGEST_RATIO:
                continue
            ratio = matcher.ratio()
            if len(key) >= 3 and (label.startswith(key) or key in label):
                ratio = max(ratio, 0.6)
            for cid, _ in owners:
                if ratio > best.get(cid, 0.0):
                    best[cid] = ratio
        return sorted(((r, cid) for cid, r in best.items()), key=lambda rc: (-rc[0], self.names[rc[1]]))

    def complete(self, prefix: str, limit: int = 50) -> list[tuple[str, str]]:
        """``(id, name)`` pairs whose id, name or an alias starts with ``prefix`` (normalized)."""
        key = normalize(prefix)
        hits = {cid for label, owners in self.labels.items() if label.startswith(key) for cid, _ in owners}
        if not hits and key:
            hits = {cid for label, owners in self.labels.items() if key in label for cid, _ in owners}
        return sorted(((cid, self.names[cid]) for cid in hits), key=lambda p: p[1].casefold())[:limit]


def search(concepts: Iterable[dict[str, Any]], text: str, limit: int = 10) -> list[dict[str, Any]]:
    """Concepts ranked by how well ``text`` matches their name, aliases, then definition.

    A result is ``{"id", "name", "score", "match"}``; ``match`` says what matched (name, alias,
    definition or fuzzy). Ties are broken by name, so results are stable.
    """
    from difflib import SequenceMatcher

    key = normalize(text)
    words = {w.casefold() for w in _WORD.findall(text)}
    if not key:
        return []
    results = []
    for c in concepts:
        score, match = 0.0, ""
        for label, where in [(c["name"], "name")] + [(a, "alias") for a in c.get("aliases", ())]:
            norm = normalize(label)
            if not norm:
                continue
            if norm == key:
                candidate = 100.0
            elif norm.startswith(key):
                candidate = 90.0 - min(len(norm) - len(key), 20) * 0.25
            elif key in norm:
                candidate = 80.0 - min(len(norm) - len(key), 20) * 0.25
            else:
                ratio = SequenceMatcher(None, key, norm, autojunk=False).ratio()
                candidate = 50.0 * ratio if ratio >= 0.7 else 0.0
                where = "fuzzy" if candidate else where
            if candidate > score:
                score, match = candidate, where
        if words and score < 60:
            found = {w.casefold() for w in _WORD.findall(c.get("definition") or "")}
            share = len(words & found) / len(words)
            if share and 30.0 + 30.0 * share > score:
                score, match = 30.0 + 30.0 * share, "definition"
        if score > 0:
            results.append({"id": c["id"], "name": c["name"], "score": round(score, 1), "match": match})
    results.sort(key=lambda r: (-r["score"], r["name"].casefold(), r["id"]))
    return results[:limit]
