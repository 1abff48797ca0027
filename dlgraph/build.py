"""``dlgraph build``: a deck in, a graph folder out, merged with what the folder already holds.

Nothing is lost on a rebuild:

- curated relations are kept exactly; extracted ones are recomputed from the deck;
- extraction only adds links between pairs that no kept relation already connects;
- a relation the user deleted since the last build, or listed in ``rejected.json``, is not brought
  back (deletions are found by comparing with ``build.json``, the record of the last build, and
  written to ``rejected.json`` so they stay rejected); the same goes for deleted concepts;
- concepts already in the folder are never edited, so their ids and hand edits stay;
- review decisions (:mod:`dlgraph.review`) hold by the rules above: a kept or corrected relation is
  curated, a rejected or corrected proposal is in ``rejected.json`` (a symmetric one either way round);
  the report counts the decisions the new graph honours;
- an extracted relation that would close a lineage or prerequisite cycle is dropped and reported;
- the new graph is validated before anything is written, and the folder's files change as one
  generation (:func:`dlgraph.store.save_files`): a failed or killed build leaves the old graph, and
  ``dlgraph undo`` puts back the one before a build;
- deletions are only inferred from a folder whose files belong together (:func:`dlgraph.store.check_whole`).

A **curated** graph (``--curated``, recorded in ``build.json``; the bundled graph is one) is written
by hand: a build reads its deck, notes the cards no concept holds, and rewrites the graph in
canonical form, adding nothing. So the shipped ``data/`` is exactly what ``dlgraph --data-dir data
build`` produces, whatever the extraction rules of the day (``--extract`` measures them on it).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import anki_history, store
from .decks import Card, Deck, load_deck, strictly
from .errors import DlgraphError, InvalidData, UsageError
from .names import lookalikes
from .report import fit, wrap
from .vocabulary import LINEAGE_TYPES, RELATION_TYPES, prereq_edge

BUILD_FILE = store.BUILD_FILE

Triple = tuple[str, str, str]


@dataclass
class Recall:
    """How much of the curated graph extraction finds on its own, for the relations a card states."""

    stated: int  # curated relations whose evidence quotes a card ("Question: ...") naming both ends
    found: int  # ... whose two concepts extraction links (any type, either direction)
    typed: int  # ... that extraction links with the curated type and direction
    extracted: int  # relations extraction produced
    not_curated: int  # extracted relations between concepts the curated graph does not link

    @property
    def recall(self) -> float:
        return self.found / self.stated if self.stated else 0.0

    @property
    def type_accuracy(self) -> float:
        return self.typed / self.found if self.found else 0.0


@dataclass
class BuildReport:
    """What a build read, changed and skipped; :func:`build` returns it, the CLI prints it."""

    deck: str
    format: str
    out: str
    cards: int
    fresh: bool
    written: bool
    concepts: int = 0
    new_concepts: list[str] = field(default_factory=list)
    relations: int = 0
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    extracted: int = 0
    covered: int = 0
    dropped: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    recall: Recall | None = None
    field_used: bool = False  # whether the field graph was used
    linked: int = 0  # deck concepts that are field concepts
    field_relations: int = 0  # relations the field added (no card states them)
    prerequisites: list[str] = field(default_factory=list)  # field concepts added by --with-prereqs
    decisions: int = 0  # review decisions recorded in the folder (dlgraph review)
    honoured: int = 0  # ... that the new graph keeps
    curated: bool = False  # a hand-written graph: checked against its deck, nothing added
    #: Per concept and per relation, what a dry run would add, change and remove (``build --dry-run``).
    diff: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if self.recall is not None:
            out["recall"] = {
                **asdict(self.recall),
                "recall": round(self.recall.recall, 3),
                "type_accuracy": round(self.recall.type_accuracy, 3),
            }
        return out


def _triple(r: dict[str, Any]) -> Triple:
    return (r["source"], r["type"], r["target"])


def _digest(r: dict[str, Any], lines: store.JsonLines | None = None) -> str:
    """A short fingerprint of a whole relation, to notice hand edits of extracted ones.
    (``lines``: an encoder to share between the relations of one graph.)"""
    values = [r.get(k) for k in store.RELATION_KEYS]
    text = lines.array(values) if lines is not None else store.encode_line(values)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


def _concept_digest(c: dict[str, Any]) -> str:
    """A short fingerprint of a whole concept, to notice hand edits of the ones a build proposed."""
    text = store.encode_line([c.get(k) for k in store.CONCEPT_KEYS])
    return hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


def _load_base(folder: Path) -> store.Dataset | None:
    """The graph already in ``folder`` (validated), or None when the folder holds no graph."""
    has = [(folder / name).exists() for name in (store.CONCEPTS_FILE, store.RELATIONS_FILE)]
    if not any(has):
        return None
    if not all(has):
        missing = store.RELATIONS_FILE if has[0] else store.CONCEPTS_FILE
        raise InvalidData(
            f"{folder}: has half a graph ({missing} is missing); restore it or use a new --out folder"
        )
    from .graph import ConceptGraph, cycles

    dataset = store.load(folder)
    found = cycles(ConceptGraph(dataset))
    if found:
        raise InvalidData(f"{folder}: the existing graph is not valid; fix it before building", found)
    return dataset


def _load_record(folder: Path) -> dict[str, Any] | None:
    path = folder / BUILD_FILE
    if not path.exists():
        return None
    data = store.read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("relations"), dict):
        raise InvalidData(
            f"{path}: not a build record; delete it to start afresh (deleted relations are then forgotten)"
        )
    return data


def deck_record(deck: Path, folder: Path) -> dict[str, str]:
    """How ``build.json`` names a graph's deck: relative to the graph folder when the deck is inside
    it (so a copied folder keeps its deck), else absolute; with the content hash."""
    deck, folder = Path(deck).resolve(), Path(folder).resolve()
    try:
        where = deck.relative_to(folder).as_posix()
    except ValueError:
        where = str(deck)
    return {"deck": where, "deck_sha256": hashlib.sha256(deck.read_bytes()).hexdigest()}


def recorded_deck(folder: Path, record: dict[str, Any] | None) -> Path:
    """The deck a graph was built from, to rebuild it without naming it; a clear refusal when the
    graph does not say, or its deck is gone or changed (a graph is never rebuilt from another deck)."""
    name = f"dlgraph build DECK --out {folder}"
    if record is None or not isinstance(record.get("deck"), str) or "deck_sha256" not in record:
        raise UsageError(f"{folder} does not record the deck it was built from; name the deck: {name}")
    deck = Path(record["deck"])
    deck = deck if deck.is_absolute() else folder / deck
    if not deck.is_file():
        raise UsageError(f"{folder} was built from {deck}, which is gone; name the deck: {name}")
    if hashlib.sha256(deck.read_bytes()).hexdigest() != record["deck_sha256"]:
        raise UsageError(
            f"{deck} changed since {folder} was built from it; to rebuild from it as it is now, name it: "
            f"dlgraph build {deck} --out {folder}"
        )
    return deck


def _dumps_record(
    deck: dict[str, str],
    concepts: list[dict[str, Any]],
    relations: list[dict[str, Any]],
    curated: bool = False,
    proposed: set[str] = frozenset(),  # type: ignore[assignment]
) -> str:
    lines = store.JsonLines()
    # The concepts the deck's cards proposed (no field entry, not added by hand), as written.
    mine = {c["id"]: _concept_digest(c) for c in concepts if c["id"] in proposed}
    mine = dict(sorted(mine.items()))
    record = {
        **deck,
        **({"curated": True} if curated else {}),
        "concepts": sorted(c["id"] for c in concepts),
        **({} if curated else {"proposed": mine}),
        "relations": {
            " ".join(_triple(r)): _digest(r, lines) for r in sorted(relations, key=store.relation_sort_key)
        },
    }
    return json.dumps(record, indent=1, ensure_ascii=False) + "\n"


def _keeps_its_reading(relation: dict[str, Any]) -> bool:
    """Whether an extracted relation stands beside the field's relation of the same pair: a cue
    typed it ("consists of the following layers:", "replaces", "unlike"), or its question compares
    the two. Only a loose co-occurrence (related-to, no comparison) gives way to the field's type.

    Measured on the four development golds (seed, glossary, holdout, holdout2): of the 74 typed
    readings the field's type used to replace, the card's type was the gold's for 41 and the field's
    for 13, so the card's statement is kept and the field's relation with it (a cycle between them
    is broken in the field's favour by :func:`drop_cycles`)."""
    from .extract.cues import FALLBACK_TYPE
    from .extract.relations import COMPARED

    return relation.get(store.CUE_KEY) == COMPARED or relation["type"] != FALLBACK_TYPE


def _give_cards(
    cards: Sequence[Card],
    subjects: Sequence[Sequence[str]],
    old_concepts: Sequence[dict[str, Any]],
    concepts: Sequence[dict[str, Any]],
) -> None:
    """A card that is no concept's card yet, about a concept of the graph that has none ("What is
    RPN?" added for a phrase an earlier build proposed from answers), becomes that concept's card
    and definition: the bare name first, then a prompt about it alone, then a comparison."""
    from .extract.questions import card_rank

    cardless = {c["id"]: c for c in old_concepts if not c.get("card")}
    if not cardless:
        return
    carded = {c.get("card") for c in concepts}
    order = sorted(range(len(cards)), key=lambda i: (card_rank(cards[i].question), i))
    for i in order:
        card = cards[i]
        if card.question in carded:
            continue
        for cid in subjects[i]:
            if cid in cardless:
                cardless.pop(cid).update(card=card.question, definition=card.answer.strip())
                carded.add(card.question)
                break


def _folded_cards(cards: Sequence[Card], concepts: Sequence[dict[str, Any]]) -> list[str]:
    """A note naming the cards that are no concept's card: a second card that names a term bare
    ("replay buffer" beside "experience replay"), a cloze on a term that has a card, or a synonym
    card (so `study` asks the term once, with the other card)."""
    carded = {c.get("card") for c in concepts}
    folded = [card.question for card in cards if card.question not in carded]
    if not folded:
        return []
    listed = ", ".join(repr(q) for q in folded[:3]) + (" ..." if len(folded) > 3 else "")
    return [
        f"{len(folded)} card(s) name a term another card already stands for, so their term's "
        f"concept keeps the other card and they are not studied on their own: {listed}"
    ]


def _lineage_edge(r: dict[str, Any]) -> tuple[str, str] | None:
    return (r["source"], r["target"]) if r["type"] in LINEAGE_TYPES else None


def drop_cycles(
    kept: list[dict[str, Any]], candidates: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], str]]]:
    """The candidates that can join ``kept`` without a lineage or prerequisite cycle, and the rest.

    Cheap in the usual case (one acyclicity test per view); only inside a strongly connected tangle
    are candidates re-added one by one, in order, each kept unless it would close a loop. The order
    is the evidence's strength: the field's reviewed, referenced relations first, then what a cue
    phrase states, then what extraction only guessed from the words around a mention (see
    :func:`dlgraph.extract.edges.assemble`). We put the field above a card's cue on purpose:
    on the gold the cue's type is right for fewer than half the relations it types, a field entry
    was checked by hand; ``related-to`` never takes part in a cycle.
    """
    import networkx as nx

    dropped: list[tuple[dict[str, Any], str]] = []
    alive = list(range(len(candidates)))
    for view, edge_of in (("lineage", _lineage_edge), ("prerequisite", prereq_edge)):
        graph = nx.DiGraph()
        fixed: set[tuple[str, str]] = set()
        for r in kept:
            edge = edge_of(r)
            if edge:
                graph.add_edge(*edge)
                fixed.add(edge)
        owners: dict[tuple[str, str], list[int]] = {}
        for i in alive:
            edge = edge_of(candidates[i])
            if edge:
                graph.add_edge(*edge)
                owners.setdefault(edge, []).append(i)
        if nx.is_directed_acyclic_graph(graph):
            continue
        bad: set[int] = set()
        for component in nx.strongly_connected_components(graph):
            if len(component) < 2:
                continue
            inside = [(u, v) for u in component for v in graph.succ[u] if v in component]
            # Plain successor and predecessor sets: a tangle asks thousands of reachability
            # questions, and networkx's views cost more than the search itself.
            succ: dict[str, set[str]] = {node: set() for node in component}
            pred: dict[str, set[str]] = {node: set() for node in component}
            for u, v in inside:
                if (u, v) in fixed:
                    succ[u].add(v)
                    pred[v].add(u)
            trial = sorted((e for e in inside if e not in fixed), key=lambda e: min(owners[e]))
            for u, v in trial:
                if _reaches(succ, pred, v, u):
                    bad.update(owners[(u, v)])
                else:
                    succ[u].add(v)
                    pred[v].add(u)
        for i in sorted(bad):
            dropped.append((candidates[i], f"would close a {view} cycle"))
        alive = [i for i in alive if i not in bad]
    return [candidates[i] for i in alive], dropped


def _reaches(succ: dict[str, set[str]], pred: dict[str, set[str]], start: str, goal: str) -> bool:
    """Whether a path leads from ``start`` to ``goal``: a breadth-first search from both ends that
    widens the smaller frontier, so a question whose answer is no ends as soon as one side is
    exhausted (as networkx's ``has_path`` does).

    >>> succ = {"a": {"b"}, "b": {"c"}, "c": set()}
    >>> pred = {"a": set(), "b": {"a"}, "c": {"b"}}
    >>> _reaches(succ, pred, "a", "c"), _reaches(succ, pred, "c", "a")
    (True, False)
    """
    if start == goal:
        return True
    ahead, behind = {start}, {goal}  # reached from start; reaching goal
    forward, backward = [start], [goal]
    while forward and backward:
        if len(forward) <= len(backward):
            forward = _widen(forward, succ, ahead, behind)
        else:
            backward = _widen(backward, pred, behind, ahead)
        if forward is None or backward is None:
            return True
    return False


def _widen(
    frontier: list[str], edges: dict[str, set[str]], seen: set[str], other: set[str]
) -> list[str] | None:
    """One step of :func:`_reaches` from one end: the next frontier (``seen`` grows), or None when
    a node the other end has reached (``other``) is met."""
    step = []
    for node in frontier:
        for nxt in edges[node]:
            if nxt in other:
                return None
            if nxt not in seen:
                seen.add(nxt)
                step.append(nxt)
    return step


def quotes_card(evidence: str, questions: set[str]) -> bool:
    """Whether a relation's evidence quotes a card, in the ``"Question: answer text"`` form."""
    head, sep, _ = evidence.partition(":")
    return bool(sep) and head.strip() in questions


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.casefold())) + " "


def _forms(concept: dict[str, Any]) -> list[str]:
    from .extract import label_variants

    labels = [concept["name"], *concept.get("aliases", ())]
    forms = {_words(form) for label in labels for form in label_variants(label)}
    return sorted((f for f in forms if f.strip()), key=len, reverse=True)


def states(card: Card, concept: dict[str, Any], other: dict[str, Any] | None = None) -> bool:
    """Whether a card's text names a concept (its name, an alias, or their plural or singular).

    A name seen only inside ``other``'s longer name does not count: "RoI Pooling" does not state
    anything about pooling.
    """
    text = _words(f"{card.question} {card.answer}")
    mine = _forms(concept)
    if other is not None:
        for longer in _forms(other):
            if any(form in longer and form != longer for form in mine):
                text = text.replace(longer, " | ")
    return any(form in text for form in mine)


def measure_recall(
    curated: list[dict[str, Any]],
    extracted: list[dict[str, Any]],
    cards: list[Card],
    concepts: list[dict[str, Any]],
) -> Recall:
    """Compare extraction alone with the curated relations a card states: the evidence quotes the
    card ("Question: ...") and the card's text names both concepts."""
    by_question = {c.question: c for c in cards}
    by_id = {c["id"]: c for c in concepts}
    stated = []
    for r in curated:
        head, sep, _ = r["evidence"].partition(":")
        card = by_question.get(head.strip()) if sep else None
        source, target = by_id[r["source"]], by_id[r["target"]]
        if card and states(card, source, target) and states(card, target, source):
            stated.append(r)
    pairs = {frozenset((r["source"], r["target"])) for r in extracted}
    triples = {_triple(r) for r in extracted}
    symmetric = {(t, k, s) for s, k, t in triples if RELATION_TYPES[k].symmetric}
    found = [r for r in stated if frozenset((r["source"], r["target"])) in pairs]
    typed = [r for r in found if _triple(r) in triples or _triple(r) in symmetric]
    curated_pairs = {frozenset((r["source"], r["target"])) for r in curated}
    not_curated = sum(1 for r in extracted if frozenset((r["source"], r["target"])) not in curated_pairs)
    return Recall(len(stated), len(found), len(typed), len(extracted), not_curated)


def build(
    deck: str | Path | None,
    out: str | Path,
    *,
    fmt: str | None = None,
    model: str | None = None,
    min_count: int = 2,
    dry_run: bool = False,
    nlp: Any = None,
    use_field: bool = True,
    with_prereqs: bool = False,
    field_graph: store.Dataset | None = None,
    max_bytes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    curated: bool | None = None,
    strict: bool = False,
) -> BuildReport:
    """Read ``deck`` (when None, the deck ``out``'s build.json records), extract, merge into the
    graph in ``out``, write.

    ``curated`` (None: what ``build.json`` records) keeps a hand-written graph as it is: see the
    module's docstring. ``strict`` refuses a deck whose reading warns that too many of its lines
    are in no card (:func:`dlgraph.decks.strictly`), before anything is written.

    With ``use_field`` (the default) the deck is linked to the field graph (``field_graph``, or the
    bundled one): see :mod:`dlgraph.link`. Returns what changed. Raises
    :class:`~dlgraph.errors.DeckError` for an unreadable deck and
    :class:`~dlgraph.errors.InvalidData` when the folder's graph (or the result) is not valid; in
    both cases nothing is written. ``progress(cards done, cards)`` is called as extraction goes.
    """
    # A build allocates millions of long-lived objects and frees few: the cyclic garbage collector
    # would rescan them all again and again (a 100,000-card build spent a third of its time there).
    with store.paused_gc():
        if use_field and field_graph is None:
            from .link import load_field

            field_graph = load_field()
        return _build(
            deck,
            Path(out),
            fmt=fmt,
            model=model,
            min_count=min_count,
            dry_run=dry_run,
            nlp=nlp,
            field_graph=field_graph if use_field else None,
            with_prereqs=with_prereqs,
            max_bytes=max_bytes,
            progress=progress,
            curated=curated,
            strict=strict,
        )


def _build(
    deck: str | Path | None,
    folder: Path,
    *,
    fmt: str | None,
    model: str | None,
    min_count: int,
    dry_run: bool,
    nlp: Any,
    field_graph: store.Dataset | None,
    with_prereqs: bool,
    max_bytes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    curated: bool | None = None,
    strict: bool = False,
) -> BuildReport:
    from . import link
    from .extract import extract_deck

    if folder.exists() and not folder.is_dir():
        raise InvalidData(f"{folder}: is a file, expected a folder for concepts.json and relations.json")
    base = _load_base(folder)
    record = _load_record(folder) if base is not None else None
    if curated is None:
        curated = record is not None and record.get("curated") is True
    if curated and base is None:
        raise UsageError(f"--curated keeps a graph written by hand, and {folder} holds none; drop --curated")
    if deck is None:
        deck = recorded_deck(folder, record)
    loaded: Deck = load_deck(deck, fmt, **({"max_bytes": max_bytes} if max_bytes else {}))
    if strict:
        strictly(loaded)
    if curated:
        return _curated(loaded, base, folder, dry_run)
    if base is not None:
        store.check_whole(folder)  # deletions are inferred below: only from files that belong together
    rejected = store.load_rejected(folder) if base is not None else {"concepts": [], "relations": []}
    old_concepts = base.concepts if base else []
    old_relations = base.relations if base else []
    report = BuildReport(str(loaded.path), loaded.format, str(folder), len(loaded.cards), base is None, False)
    report.notes += loaded.notes

    # What the user deleted since the last build stays deleted.
    current_triples = {_triple(r) for r in old_relations}
    current_ids = {c["id"] for c in old_concepts}
    remembered = []
    if record is not None:
        for key in sorted(record["relations"]):
            parts = key.split(" ")
            if len(parts) == 3 and tuple(parts) not in current_triples:
                source, kind, target = parts
                remembered.append(
                    {"source": source, "type": kind, "target": target, "reason": "deleted by hand"}
                )
        gone = sorted(set(record.get("concepts", [])) - current_ids)
        rejected["concepts"] = sorted(set(rejected["concepts"]) | set(gone))
    known_rejections = {_triple(r) for r in rejected["relations"]}
    rejected["relations"] += [r for r in remembered if _triple(r) not in known_rejections]
    rejected_triples = {_triple(r) for r in rejected["relations"]}
    rejected_ids = set(rejected["concepts"])
    report.rejected = [" ".join(_triple(r)) for r in remembered if _triple(r) not in known_rejections]

    # What the last build proposed from this deck's cards and nobody has edited since. The phrases it
    # proposed from answers are proposed afresh, as candidates, not matched as known concepts: a
    # rebuild of the same deck then reads the cards as the first build did. A concept added or
    # edited by hand is the user's: it is matched as it stands.
    by_old_id = {c["id"]: c for c in old_concepts}
    recorded_proposed = record.get("proposed") if record is not None else {}
    if isinstance(recorded_proposed, dict):
        proposed = {
            cid
            for cid, digest in recorded_proposed.items()
            if cid in by_old_id and _concept_digest(by_old_id[cid]) == digest
        }
    else:  # a record from before fingerprints: what it wrote that the field does not describe
        field_ids = {c["id"] for c in field_graph.concepts} if field_graph is not None else set()
        proposed = (set(record.get("concepts", [])) & set(by_old_id)) - field_ids
    phrases = {cid for cid in proposed if not by_old_id[cid].get("card")}
    reading = [c for c in old_concepts if c["id"] not in phrases]
    vocabulary = list(reading)
    if field_graph is not None:
        vocabulary += link.vocabulary(field_graph.concepts, reading)
    extraction = extract_deck(
        loaded.cards,
        vocabulary,
        model=model,
        nlp=nlp,
        min_count=min_count,
        progress=progress,
        proposed=proposed,
    )
    new_concepts, extracted = extraction.concepts, extraction.relations
    report.notes += extraction.notes
    report.extracted = len(extracted)
    if base is not None and any(r["origin"] == "curated" for r in old_relations):
        report.recall = measure_recall(
            [r for r in old_relations if r["origin"] == "curated"], extracted, loaded.cards, old_concepts
        )
    old_ids = {c["id"] for c in old_concepts}
    for c in new_concepts:
        if c["id"] in phrases and c.get("card"):
            # "RPN" was a phrase of the answers and now has a card of its own: the card joins it.
            by_old_id[c["id"]].update(card=c["card"], definition=c["definition"])
    new_concepts = [c for c in new_concepts if c["id"] not in rejected_ids and c["id"] not in old_ids]
    own_concepts = list(new_concepts)  # the deck's own: no field entry describes them
    field_candidates: list[dict[str, Any]] = []
    if field_graph is not None:
        adoption = link.adopt(
            loaded.cards,
            extraction.subjects,
            extracted,
            old_concepts + new_concepts,
            field_graph,
            with_prereqs=with_prereqs,
            named=extraction.named,
        )
        new_concepts += [c for c in adoption.concepts if c["id"] not in rejected_ids]
        report.field_used, report.linked = True, adoption.linked
        report.prerequisites = [cid for cid in adoption.prerequisites if cid not in rejected_ids]
        # A relation both the field and a card state keeps the card's sentence (and the reference).
        by_triple = {_triple(r): r for r in adoption.relations}
        field_pairs = {frozenset((r["source"], r["target"])) for r in adoption.relations}
        stated = []
        for r in extracted:
            triple = _triple(r)
            mirror = (triple[2], triple[1], triple[0])
            if triple not in by_triple and RELATION_TYPES[triple[1]].symmetric and mirror in by_triple:
                # "BatchNorm vs LayerNorm" where the field says LayerNorm alternative-to BatchNorm:
                # one symmetric relation, in the card's order
                by_triple[triple] = by_triple.pop(mirror)
            if triple in by_triple:
                reference = by_triple[triple].get(store.REFERENCE_KEY)
                by_triple[triple] = {**r, store.REFERENCE_KEY: reference} if reference else r
            elif frozenset((r["source"], r["target"])) in field_pairs and not _keeps_its_reading(r):
                # The field's typed relation wins over a loose co-occurrence; what a cue types, or a
                # card that asks "BERT vs GPT", is the card's own statement and stays beside it
                # (GraphSAGE extends GCN, and the card sets them against each other).
                report.covered += 1
            else:
                stated.append(r)
        field_candidates, extracted = list(by_triple.values()), stated
    concepts = old_concepts + new_concepts
    _give_cards(loaded.cards, extraction.subjects, old_concepts, concepts)
    report.notes += _folded_cards(loaded.cards, concepts)
    ids = {c["id"] for c in concepts}

    # Kept as they are: curated relations, and extracted or field ones the user edited by hand since
    # the last build (their fingerprint changed, or the last build did not write them). The others
    # are worked out afresh, so a rebuild of the same deck gives the same graph.
    recorded = record["relations"] if record else {}
    kept = [
        r
        for r in old_relations
        if r["origin"] not in ("extracted", "field")
        or (r["origin"] == "field" and record is None)  # no record to tell an edit: keep it
        or (record is not None and recorded.get(" ".join(_triple(r))) != _digest(r))
    ]
    linked = {frozenset((r["source"], r["target"])) for r in kept}
    seen = {_triple(r) for r in kept}
    candidates = []
    for r in field_candidates + extracted:
        triple = _triple(r)
        if r["source"] not in ids or r["target"] not in ids:
            continue
        mirror = (triple[2], triple[1], triple[0])
        if triple in rejected_triples or (RELATION_TYPES[triple[1]].symmetric and mirror in rejected_triples):
            report.dropped.append(f"{' '.join(triple)}: rejected")
            continue
        if frozenset((r["source"], r["target"])) in linked:
            report.covered += 1
            continue
        if triple in seen or (RELATION_TYPES[triple[1]].symmetric and mirror in seen):
            continue  # two cards saying "A vs B" and "B vs A" state one symmetric relation
        seen.add(triple)
        candidates.append(r)
    accepted, cyclic = drop_cycles(kept, candidates)
    report.dropped += [f"{' '.join(_triple(r))}: {why}" for r, why in cyclic]
    relations = kept + accepted
    report.field_relations = sum(1 for r in accepted if r["origin"] == "field")
    if field_graph is not None:
        link.assign_topics(own_concepts, concepts, relations)

    dataset = store.Dataset(concepts, relations, folder)
    _validate(dataset, folder)
    if base is not None:
        from .review import honoured, load_decisions

        try:
            decisions = load_decisions(folder)
        except InvalidData as exc:  # only a log of decisions: the decisions themselves are in the graph
            decisions, report.notes = [], [*report.notes, str(exc)]
        report.decisions, report.honoured = len(decisions), honoured(decisions, relations)
    # First, so the report shows them: two concepts that print alike are worth a look before anything.
    report.notes[:0] = lookalikes(concepts)
    report.concepts, report.relations = len(concepts), len(relations)
    report.new_concepts = [c["id"] for c in new_concepts]
    report.changes = _changes(old_relations, relations)
    if dry_run:  # every id of a large build would be a lot to carry for a summary nobody asked for
        report.diff = _diff(old_concepts, concepts, old_relations, relations)
    if not dry_run:
        files = {
            store.CONCEPTS_FILE: store.dumps_concepts(concepts),
            store.RELATIONS_FILE: store.dumps_relations(relations),
            BUILD_FILE: _dumps_record(
                # An Anki deck's record also links each concept to its Anki cards (its review history).
                {**deck_record(Path(loaded.path), folder), **anki_history.build_record(loaded, concepts)},
                concepts,
                relations,
                proposed=proposed | {c["id"] for c in extraction.concepts},
            ),
        }
        if rejected["concepts"] or rejected["relations"] or (folder / store.REJECTED_FILE).exists():
            files[store.REJECTED_FILE] = store.dumps_rejected(rejected)
        _write(folder, files)
        report.written = True
    return report


def _write(folder: Path, files: dict[str, str]) -> None:
    try:
        store.save_files(folder, files)
    except OSError as exc:
        # Name the graph folder, not the temp file the error happened on; the old files are intact.
        raise DlgraphError(
            f"{folder}: cannot write the graph ({exc.strerror or exc}); choose another folder with --out"
        ) from None


def _curated(loaded: Deck, base: store.Dataset, folder: Path, dry_run: bool) -> BuildReport:
    """A hand-written graph, checked against its deck and rewritten in canonical form: nothing added."""
    report = BuildReport(str(loaded.path), loaded.format, str(folder), len(loaded.cards), False, False)
    report.curated = True
    report.notes += loaded.notes
    held = {c["card"] for c in base.concepts if c["card"] is not None}
    report.notes += [
        f"no concept holds the card {card.question!r}: add one by hand (this graph is curated)"
        for card in loaded.cards
        if card.question not in held
    ]
    report.concepts, report.relations = len(base.concepts), len(base.relations)
    report.changes = _changes(base.relations, base.relations)
    if dry_run:
        report.diff = _diff(base.concepts, base.concepts, base.relations, base.relations)
    if not dry_run:
        deck = deck_record(Path(loaded.path), folder)
        files = {
            store.CONCEPTS_FILE: store.dumps_concepts(base.concepts),
            store.RELATIONS_FILE: store.dumps_relations(base.relations),
            BUILD_FILE: _dumps_record(deck, base.concepts, base.relations, curated=True),
        }
        _write(folder, files)
        report.written = True
    return report


def _diff(
    old_concepts: list[dict[str, Any]],
    concepts: list[dict[str, Any]],
    old_relations: list[dict[str, Any]],
    relations: list[dict[str, Any]],
) -> dict[str, dict[str, list[str]]]:
    """Concept ids and relation triples (``source type target``) added, changed and removed."""
    out = {}
    for what, old, new, key in (
        ("concepts", old_concepts, concepts, lambda c: c["id"]),
        ("relations", old_relations, relations, lambda r: " ".join(_triple(r))),
    ):
        before, after = {key(x): x for x in old}, {key(x): x for x in new}
        out[what] = {
            "added": sorted(k for k in after if k not in before),
            "changed": sorted(k for k in after if k in before and after[k] != before[k]),
            "removed": sorted(k for k in before if k not in after),
        }
    return out


def _validate(dataset: store.Dataset, folder: Path) -> None:
    from .graph import ConceptGraph, cycles

    errors, _ = store.problems(dataset)
    if not errors:
        errors = cycles(ConceptGraph(dataset))
    if errors:
        raise InvalidData(f"{folder}: the built graph would not be valid, so nothing was written", errors)


def _changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per relation type: how many relations were added, removed and kept."""
    before, after = {_triple(r) for r in old}, {_triple(r) for r in new}
    counts: dict[str, Counter[str]] = {}
    for triple in before | after:
        what = "kept" if triple in before and triple in after else "added" if triple in after else "removed"
        counts.setdefault(triple[1], Counter())[what] += 1
    return {
        kind: {k: counts[kind][k] for k in ("added", "removed", "kept")}
        for kind in RELATION_TYPES
        if kind in counts
    }


def count(n: int, noun: str) -> str:
    """``n`` and ``noun``, in the plural unless ``n`` is 1.

    >>> count(1, "relation"), count(3, "card"), count(1, "extracted relation")
    ('1 relation', '3 cards', '1 extracted relation')
    """
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def diff_lines(diff: dict[str, dict[str, list[str]]], style: Any) -> list[str]:
    """What a dry run would add, change and remove: every concept id and relation, one a line."""
    lines: list[str] = []
    verbs = {"added": "Would add", "changed": "Would change", "removed": "Would remove"}
    for what, noun in (("concepts", "concept"), ("relations", "relation")):
        for change, verb in verbs.items():
            keys = diff.get(what, {}).get(change, [])
            if keys:
                lines += ["", style(f"{verb} {count(len(keys), noun)}", bold=True)]
                lines += [f"  {key}" for key in keys]
    return lines or ["", "nothing would change"]


def report_lines(report: BuildReport, style: Any, *, detailed: bool = False) -> list[str]:
    """The text ``dlgraph build`` prints: a summary, and with ``detailed`` every change and figure."""
    verb = "would write" if not report.written else "wrote"
    added = sum(c["added"] for c in report.changes.values())
    removed = sum(c["removed"] for c in report.changes.values())
    if report.curated:
        lines = [
            f"{verb} {report.out}: {count(report.concepts, 'concept')}, "
            f"{count(report.relations, 'relation')}, as written by hand (a curated graph: nothing added)",
            f"read {count(report.cards, 'card')} from {report.deck} as {report.format}; "
            "extraction not run (--extract runs it)",
        ]
    else:
        lines = [
            f"{verb} {report.out}: {count(report.concepts, 'concept')} ({len(report.new_concepts)} new), "
            f"{count(report.relations, 'relation')} (+{added} -{removed})",
            f"read {count(report.cards, 'card')} from {report.deck} as {report.format}; "
            f"extraction found {count(report.extracted, 'relation')}",
        ]
    if report.field_used:
        extra = (
            f", and {count(len(report.prerequisites), 'prerequisite')} it lacked"
            if report.prerequisites
            else ""
        )
        lines.append(
            f"linked {count(report.linked, 'concept')} to the field graph{extra}; "
            f"the field added {count(report.field_relations, 'relation')} no card states"
        )
    if report.dropped:
        lines.append(f"dropped {count(len(report.dropped), 'relation')} (rejected, or closing a cycle)")
    if report.rejected:
        lines.append(f"remembered {count(len(report.rejected), 'relation')} deleted by hand as rejected")
    if report.decisions:
        changed = report.decisions - report.honoured
        lines.append(
            f"honoured {report.honoured} of {count(report.decisions, 'review decision')}"
            + (f" ({changed} changed by hand since)" if changed else "")
        )
    # The summary keeps ten notes; --report is the full account and keeps every one.
    shown = report.notes if detailed else report.notes[:10]
    lines += [line for n in shown for line in fit(f"note: {n}")]
    if len(report.notes) > len(shown):
        lines.append(f"note: and {len(report.notes) - len(shown)} more (see --report or --json)")
    if not report.written:
        lines += diff_lines(report.diff, style)
    if not detailed:
        return lines
    lines += [
        "",
        style("Relations by type", bold=True),
        f"  {'type':<16}{'added':>7}{'removed':>9}{'kept':>7}",
    ]
    for kind, c in report.changes.items():  # vocabulary order: related-to comes last
        lines.append(f"  {kind:<16}{c['added']:>7}{c['removed']:>9}{c['kept']:>7}")
    if report.covered:
        skipped = count(report.covered, "extracted relation")
        lines.append(f"  ({skipped} skipped: a kept relation already links the pair)")
    if report.new_concepts:
        # Every one: a report that cuts the list at a dozen hides what the build made.
        lines += ["", style("New concepts", bold=True)]
        listed = ", ".join(report.new_concepts)
        lines += wrap(listed, "  ")
    if report.dropped:
        lines += ["", style("Dropped", bold=True)] + [f"  {d}" for d in report.dropped]
    if report.recall is not None:
        r = report.recall
        lines += [
            "",
            style("Extraction alone against the curated relations", bold=True),
            f"  curated relations a card states: {r.stated}",
            f"  found by extraction: {r.found} ({r.recall:.0%}), with the curated type: {r.typed} "
            f"({r.type_accuracy:.0%} of those found)",
            f"  extracted relations the curated set lacks: {r.not_curated} of {r.extracted}",
        ]
    return lines
