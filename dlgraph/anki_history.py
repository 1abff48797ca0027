"""Anki review history as dlgraph progress: what a student knows in Anki is known here.

**The link from a concept to its Anki cards** is written by ``dlgraph build`` into the graph's
``build.json`` when the deck is an Anki package or collection: ``"anki_cards": {concept id: [[note
id, card ordinal], ...]}``. A concept's cards are the deck's cards whose front is the concept's
``card`` question (a cloze deletion ``c2`` is ordinal 1). Note ids and ordinals survive Anki's
exports and imports, so the link holds for the user's live collection as well as for the package the
graph was built from. ``dlgraph progress --from-anki FILE`` also links by question through FILE's own
cards, for a graph built before this record existed or from another copy of the deck.

Each concept's FSRS card is then *replayed* from its whole log (:func:`dlgraph.study.replay`): the
reviews imported from Anki merged in time order with those given in dlgraph. An import is
idempotent: a review is known by its revlog id and never added twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DeckError
from .progress import CardState, LogEntry, Progress, parse_utc

if TYPE_CHECKING:
    from .decks import Card, Deck
    from .decks.anki_revlog import AnkiReview
    from .graph import ConceptGraph

BUILD_FILE = "build.json"  # the same name as dlgraph.build.BUILD_FILE, without importing the builder
RECORD_KEY = "anki_cards"
_SOURCE = re.compile(r":note (\d+)(?: c(\d+))?$")

Links = dict[str, list[tuple[int, int]]]


def concept_cards(cards: Iterable[Card], concepts: Iterable[dict[str, Any]]) -> Links:
    """Each concept's Anki cards (note id, ordinal): the deck cards whose front is its ``card``."""
    by_question: dict[str, list[str]] = {}
    for c in concepts:
        if c.get("card"):
            by_question.setdefault(c["card"], []).append(c["id"])
    links: Links = {}
    for card in cards:
        found = _SOURCE.search(card.source)
        if found is None:
            continue
        key = (int(found[1]), int(found[2]) - 1 if found[2] else 0)
        for cid in by_question.get(card.question, ()):
            if key not in links.setdefault(cid, []):
                links[cid].append(key)
    return {cid: sorted(keys) for cid, keys in sorted(links.items())}


def build_record(deck: Deck, concepts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """What ``build.json`` records of an Anki deck's cards (nothing for other formats)."""
    if deck.format != "anki-package":
        return {}
    return {
        RECORD_KEY: {
            cid: [list(k) for k in keys] for cid, keys in concept_cards(deck.cards, concepts).items()
        }
    }


def recorded(cg: ConceptGraph) -> tuple[Path, Links] | None:
    """The Anki deck a graph was built from and its concepts' cards, or None (not built from Anki,
    or the deck is gone)."""
    folder = cg.dataset.directory
    if folder is None or not (Path(folder) / BUILD_FILE).is_file():
        return None
    try:
        record = json.loads((Path(folder) / BUILD_FILE).read_text(encoding="utf-8"))
        links = {
            str(cid): [(int(n), int(o)) for n, o in keys] for cid, keys in record.get(RECORD_KEY, {}).items()
        }
        deck = Path(record["deck"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    deck = deck if deck.is_absolute() else Path(folder) / deck
    if not links or not deck.is_file():
        return None
    return deck, links


def reviews_by_concept(
    revlog: list[AnkiReview], links: Links, concepts: Iterable[str]
) -> dict[str, list[LogEntry]]:
    """Each linked concept's Anki reviews as log entries, oldest first; a "Forget" drops what came
    before it on that card."""
    wanted = set(concepts)
    by_card: dict[tuple[int, int], list[str]] = {}
    for cid, keys in links.items():
        if cid in wanted:
            for key in keys:
                by_card.setdefault(key, []).append(cid)
    per_card: dict[tuple[int, int], list[AnkiReview]] = {}
    for review in revlog:
        key = (review.note_id, review.ord)
        if key not in by_card:
            continue
        if review.is_reset:
            per_card[key] = []
        elif review.is_review:
            per_card.setdefault(key, []).append(review)
    history: dict[str, list[LogEntry]] = {}
    for key, reviews in per_card.items():
        for cid in by_card[key]:
            history.setdefault(cid, []).extend(
                LogEntry(cid, "anki", r.ease, r.reviewed_at, anki_id=r.review_id) for r in reviews
            )
    return {
        cid: sorted(entries, key=lambda e: (e.reviewed_at, e.anki_id))
        for cid, entries in history.items()
        if entries
    }


def history(
    cg: ConceptGraph, path: str | Path | None = None
) -> tuple[Path, dict[str, list[LogEntry]]] | None:
    """The Anki reviews of ``cg``'s concepts: from ``path``, else from the deck the graph was built
    from (None when it was not built from an Anki file). ``path`` is linked through the build record
    and through its own cards' questions."""
    from .decks.anki_revlog import read_anki_file, read_revlog

    found = recorded(cg)
    links: Links = dict(found[1]) if found else {}
    if path is None:
        if found is None:
            return None
        source = found[0]
    else:
        from .decks.anki_package import read_anki_package, sniff

        source = Path(path)
        raw = read_anki_file(source)
        if sniff(raw) is None:
            raise DeckError(
                f"{source}: not an Anki package or collection; --from-anki wants an .apkg or .colpkg "
                "exported by Anki, or your collection.anki2"
            )
        cards = read_anki_package(raw, str(source))
        for cid, keys in concept_cards(cards, cg.concepts.values()).items():
            links[cid] = sorted(set(links.get(cid, [])) | set(keys))
        return source, reviews_by_concept(read_revlog(source, raw), links, cg.concepts)  # read once
    return source, reviews_by_concept(read_revlog(source), links, cg.concepts)


def sync(
    store: Progress, reviews: dict[str, list[LogEntry]], steps: Iterable[timedelta], source: Path
) -> dict[str, Any]:
    """Import Anki reviews into a progress file (each concept in one transaction); what was added."""
    from .study import replay

    steps = tuple(steps)
    added, concepts = 0, 0
    for cid, entries in sorted(reviews.items()):
        count = store.import_reviews(cid, entries, lambda log, cid=cid: replay(log, cid, steps))
        added += count
        concepts += bool(count)
    total = sum(len(e) for e in reviews.values())
    return {
        "source": str(source),
        "added": added,
        "concepts": concepts,
        "reviews": total,
        "known": len(reviews),
        "message": f"Anki history: {added} new reviews of {concepts} concepts imported from {source} "
        f"({total} reviews of {len(reviews)} concepts in all).",
    }


def sync_from_build(cg: ConceptGraph, store: Progress, steps: Iterable[timedelta]) -> dict[str, Any] | None:
    """Import the history of the Anki deck the graph was built from, if it was; None otherwise.

    An unreadable deck is not worth stopping a study session for: it is skipped (None)."""
    try:
        found = history(cg)
    except DeckError:
        return None
    if found is None:
        return None
    return sync(store, found[1], steps, found[0])


def known_from_build(cg: ConceptGraph) -> set[str]:
    """Concepts reviewed at least once in the Anki deck the graph was built from (empty otherwise)."""
    try:
        found = history(cg)
    except DeckError:
        return set()
    return set(found[1]) if found else set()


def merged_states(
    states: dict[str, CardState],
    log: list[LogEntry],
    reviews: dict[str, list[LogEntry]],
    steps: Iterable[timedelta],
) -> dict[str, CardState]:
    """What the progress file would hold after importing ``reviews``, without writing it (for the
    read-only ``dlgraph progress``)."""
    from .study import replay

    steps = tuple(steps)
    merged = dict(states)
    have = {(e.concept_id, e.anki_id) for e in log if e.anki_id is not None}
    for cid, entries in reviews.items():
        fresh = [e for e in entries if (cid, e.anki_id) not in have]
        if not fresh:
            continue
        full = sorted([e for e in log if e.concept_id == cid] + fresh, key=lambda e: e.reviewed_at)
        card = replay(full, cid, steps)
        real = [e for e in full if e.kind != "implicit"]
        merged[cid] = CardState(
            cid, card, parse_utc(card["due"]), len(real), real[0].reviewed_at, real[-1].reviewed_at
        )
    return merged
