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

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import AmbiguousConcept, ConceptNotFound

if TYPE_CHECKING:
    from difflib import SequenceMatcher

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


#: British spellings and their American forms: (what comes before, British, American, endings), for
#: regularisation, analyse, modelling, neighbour and centre (at least two or three letters before).
_SPELLING_PAIRS = [
    ("[a-z]{3}", "is", "iz", "e|es|ed|er|ers|ing|ation|ations"),
    ("[a-z]{2}", "ys", "yz", "e|es|ed|er|ers|ing"),
    ("[a-z]{2}e", "ll", "l", "ing|ed|er|ers"),
    ("[a-z]{2}(?:io|[bglv]o)", "ur", "r", "s?"),
    ("[a-z]{2}[cn]", "tre", "ter", "s?"),
]


def _spelling_rule(from_british: bool) -> tuple[re.Pattern[str], list[str]]:
    """All of :data:`_SPELLING_PAIRS` as one pattern from one spelling to the other (one pass over a
    name, not one per pair), and the replacement of each alternative."""
    parts, replacements = [], []
    for i, (before, uk, us, endings) in enumerate(_SPELLING_PAIRS):
        old, new = (uk, us) if from_british else (us, uk)
        parts.append(rf"(?<={before}){old}(?P<end{i}>{endings})\b")
        replacements.append(new)
    return re.compile("|".join(parts)), replacements


_BRITISH = _spelling_rule(from_british=True)  # what makes a British spelling American
_AMERICAN = _spelling_rule(from_british=False)  # and back


def _respelled(text: str, rule: tuple[re.Pattern[str], list[str]]) -> str:
    pattern, replacements = rule

    def swap(match: re.Match[str]) -> str:
        i = next(i for i, end in enumerate(match.groups()) if end is not None)
        return replacements[i] + match.group(i + 1)

    return pattern.sub(swap, nfc(text).casefold())


@functools.lru_cache(maxsize=1 << 16)  # a build asks of the same field labels several times
def american(text: str) -> str:
    """``text`` casefolded, its British spellings made American, so that the two spellings of one
    word share a key; a word spelled either way (or neither) is left as it is.

    >>> american("Regularisation"), american("k-nearest neighbours"), american("label smoothing")
    ('regularization', 'k-nearest neighbors', 'label smoothing')
    >>> american("noise"), american("analysis"), american("modelling"), american("Adam")
    ('noise', 'analysis', 'modeling', 'adam')
    """
    return _respelled(text, _BRITISH)


@functools.lru_cache(maxsize=1 << 16)
def spellings(text: str) -> frozenset[str]:
    """``text`` as written, and casefolded in its American and its British spelling (for matching a
    name in text written either way).

    >>> sorted(spellings("Normalization layer"))
    ['Normalization layer', 'normalisation layer', 'normalization layer']
    """
    us = american(text)
    uk = _respelled(us, _AMERICAN)
    return frozenset({text} if us == uk == nfc(text).casefold() else {text, us, uk})


def spelling_key(text: str) -> str:
    """:func:`normalize` blind to British or American spelling: "optimiser" and "optimizer" agree."""
    return normalize(american(text))


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
        #: Each concept's labels as written (name, aliases, id), for completion.
        self.spellings: dict[str, list[str]] = {}
        for c in concepts:
            self.names[c["id"]] = c["name"]
            self.spellings[c["id"]] = [c["name"], *c.get("aliases", ()), c["id"]]
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

    def complete(self, typed: str, limit: int = 50) -> list[tuple[str, str, str]]:
        """``(label, id, name)`` per concept with a label that starts with ``typed``, as typed.

        The label is the name, an alias or the id, whichever begins with the typed text (same case
        first, then any case; then ignoring spaces and punctuation), so a shell that keeps only what
        extends the typed word keeps it. Sorted by label.
        """
        folded, key = typed.casefold(), normalize(typed)
        best: dict[str, tuple[int, str]] = {}
        for cid, labels in self.spellings.items():
            for rank, label in enumerate(labels):
                if label.startswith(typed):
                    grade = 0
                elif label.casefold().startswith(folded):
                    grade = 1
                elif key and normalize(label).startswith(key):
                    grade = 2
                else:
                    continue
                if cid not in best or (grade, rank) < best[cid]:
                    best[cid] = (grade, rank)
        hits = [(self.spellings[cid][rank], cid, self.names[cid]) for cid, (_, rank) in best.items()]
        return sorted(hits, key=lambda hit: (hit[0].casefold(), hit[1]))[:limit]


def resolve_term(text: str, choices: Iterable[str], what: str) -> str:
    """The one of ``choices`` (a topic, a kind) that ``text`` names, resolved as concept names are.

    Exact, then ignoring case, spaces and punctuation, then a unique prefix, then a clearly closest
    spelling. A prefix that several choices share is a :class:`UsageError` naming them; anything
    else comes back as typed, for the caller's own "no such topic" message.

    >>> topics = ["object-detection", "optimization", "sequence-models"]
    >>> resolve_term("object detection", topics, "topic"), resolve_term("obj", topics, "topic")
    ('object-detection', 'object-detection')
    >>> resolve_term("optimisation", topics, "topic"), resolve_term("zzz", topics, "topic")
    ('optimization', 'zzz')
    """
    from difflib import get_close_matches

    from .errors import UsageError

    options = sorted(set(choices))
    if text in options:
        return text
    by_key = {normalize(o): o for o in options}
    key = normalize(text)
    if key in by_key:
        return by_key[key]
    starting = [o for k, o in by_key.items() if key and k.startswith(key)]
    if len(starting) == 1:
        return starting[0]
    if starting:
        listed = " or ".join(repr(o) for o in starting)
        raise UsageError(f"no {what} {text!r} in this graph ({listed}?); {what}s: {', '.join(options)}")
    close = get_close_matches(key, list(by_key), n=2, cutoff=ACCEPT_RATIO) if key else []
    return by_key[close[0]] if len(close) == 1 else text


#: Words a search ignores: they join a query's words without naming anything
#: ("attention is all you need" is about attention, not about "is" or "all").
STOP_WORDS = frozenset(
    """a an the of in on at to for from by with and or nor is are was were be been being it its this
    that these those as into than then what which who whom how why when where do does did i me my you
    your we our they their all any some there here about can""".split()
)

#: Score bands: a name or alias that matches always ranks far above text that only mentions a word.
NAME_BAND = 55.0
TEXT_BAND = 40.0


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _query(text: str) -> tuple[set[str], dict[str, float]]:
    """The normalized forms a label may equal, and the query's content words with their weights.

    Stop-words are dropped (a query of stop-words alone can still equal a name, never match text);
    filler words ("optimizer", "model") count half, so "the adam optimizer" is about Adam before it is
    about optimizers.
    """
    content = [w for w in _words(text) if w not in STOP_WORDS]
    weights = {w: 0.5 if w in FILLER_WORDS else 1.0 for w in content}
    plain = " ".join(content)
    keys = {normalize(text), normalize(plain), normalize(strip_filler(plain))} - {""}
    return keys, weights


def _share(weights: dict[str, float], text: str) -> tuple[float, set[str]]:
    """How much of the query's weight the words of ``text`` cover, and those words.

    A query word counts when it is a word of the text, or (4+ letters) the start of one. A query
    word that is not even a substring of the text is ruled out before the text is split into words.
    """
    total = sum(weights.values())
    folded = text.casefold()
    present = [w for w in weights if w in folded]
    if not total or not present:
        return 0.0, set()
    words = set(_words(text))
    hit = sum(
        weights[w] for w in present if w in words or (len(w) >= 4 and any(x.startswith(w) for x in words))
    )
    return hit / total, words


def _label_score(
    label: str, keys: set[str], matcher: SequenceMatcher, weights: dict[str, float]
) -> tuple[float, bool]:
    """How well one name or alias matches, and whether it took a fuzzy comparison.

    ``matcher`` holds the normalized query as its second sequence (set once per search).
    """
    norm = normalize(label)
    if not norm:
        return 0.0, False
    if norm in keys:
        return 100.0, False
    starts = [len(norm) - len(k) for k in keys if norm.startswith(k)]
    if starts:
        return 90.0 - min(min(starts), 20) * 0.25, False
    inside = [len(norm) - len(k) for k in keys if len(k) >= 3 and k in norm]
    if inside:
        return 80.0 - min(min(inside), 20) * 0.25, False
    share, words = _share(weights, label)
    if share:
        covered = sum(1 for x in words if any(x == w or x.startswith(w) for w in weights)) / len(words)
        if share >= 0.5 or covered == 1:
            return NAME_BAND + 25.0 * share + 5.0 * covered, False
        # One word of a longer name ("average" of "mean average precision"): below the text band.
        return 20.0 * share * covered, False
    matcher.set_seq1(norm)
    if matcher.real_quick_ratio() < 0.7 or matcher.quick_ratio() < 0.7:
        return 0.0, False
    ratio = matcher.ratio()
    return (50.0 * ratio, True) if ratio >= 0.7 else (0.0, False)


def search(
    concepts: Iterable[dict[str, Any]],
    text: str,
    limit: int = 10,
    relations: Iterable[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """Concepts ranked by how well ``text`` matches their name or aliases, then their text.

    A result is ``{"id", "name", "score", "match"}``; ``match`` says what matched: ``name``, ``alias``,
    ``fuzzy`` (a near spelling of one), ``definition``, or ``text`` (the evidence of a relation the
    concept states, taken from its card). A name or alias match scores 55 or more, a text match at
    most 40, so a name always outranks a definition that merely uses the words. Stop-words are
    ignored. Ties are broken by name, so results are stable.

    Examples
    --------
    >>> cards = [{"id": "adam", "name": "Adam", "definition": "An optimizer."},
    ...          {"id": "sgd", "name": "SGD", "definition": "The simplest optimizer."}]
    >>> [(r["name"], r["match"]) for r in search(cards, "the adam optimizer")]
    [('Adam', 'name'), ('SGD', 'definition')]
    """
    keys, weights = _query(text)
    main = normalize(text)
    if not main:
        return []
    from difflib import SequenceMatcher  # here, not at the top: completion never needs it

    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(main)
    evidence: dict[str, list[str]] = {}
    for r in relations:
        if r.get("evidence"):
            evidence.setdefault(r["source"], []).append(r["evidence"])
    results = []
    for c in concepts:
        score, match = 0.0, ""
        for label, where in [(c["name"], "name")] + [(a, "alias") for a in c.get("aliases", ())]:
            candidate, fuzzy = _label_score(label, keys, matcher, weights)
            if where == "alias":
                candidate -= 0.5  # a concept's own name wins a tie with another concept's alias
            if candidate > score:
                score, match = candidate, "fuzzy" if fuzzy else where
        if score < NAME_BAND:
            for where, body in (
                ("definition", [c.get("definition") or "", c.get("card") or ""]),
                ("text", evidence.get(c["id"], [])),
            ):
                share, _ = _share(weights, " ".join(body))
                if share and 10.0 + (TEXT_BAND - 10.0) * share > score:
                    score, match = 10.0 + (TEXT_BAND - 10.0) * share, where
        if score > 0:
            results.append({"id": c["id"], "name": c["name"], "score": round(score, 1), "match": match})
    results.sort(key=lambda r: (-r["score"], r["name"].casefold(), r["id"]))
    return results[:limit]


def mentions(
    concepts: Iterable[dict[str, Any]], relations: Iterable[dict[str, Any]], text: str, limit: int = 3
) -> list[str]:
    """Names of concepts whose definition, card or stated relations contain ``text`` as whole words.

    What the CLI offers when a name is not a concept but the graph's own text uses it.

    >>> mentions([{"id": "alexnet", "name": "AlexNet", "definition": "Deeper, with ReLU."}], [], "relu")
    ['AlexNet']
    """
    phrase = " ".join(_words(text))
    if not phrase:
        return []
    phrase = f" {phrase} "
    by_id = {c["id"]: c for c in concepts}
    bodies: dict[str, list[str]] = {
        cid: [c.get("definition") or "", c.get("card") or ""] for cid, c in by_id.items()
    }
    for r in relations:
        if r.get("source") in bodies:
            bodies[r["source"]].append(r.get("evidence") or "")
    found = [
        by_id[cid]["name"]
        for cid, body in bodies.items()
        if any(phrase in f" {' '.join(_words(part))} " for part in body)
    ]
    return sorted(found, key=str.casefold)[:limit]
