"""Link a deck's graph to the field graph (``data/field/``): the knowledge no card states.

A deck brings its cards' wording, the definitions a student wrote and the relations the cards
state; the field brings ids, kinds, topics and the typed, referenced relations between concepts.
:func:`adopt` joins the two during a build, :func:`gaps` lists what a deck lacks, and
:func:`assign_topics` gives the deck's own concepts a topic from their neighbours.

Examples
--------
>>> field = [{"id": "adam", "name": "Adam", "aliases": ["adaptive moment estimation"]}]
>>> deck = [{"id": "my-adam", "name": "ADAM optimizer", "aliases": ["Adaptive Moment Estimation"]}]
>>> link_ids(deck, field)
{'my-adam': 'adam'}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import store
from .names import normalize, spelling_key
from .vocabulary import DEFAULT_TOPIC, RELATION_TYPES, TOPICS

if TYPE_CHECKING:
    from .decks import Card


def load_field() -> store.Dataset:
    """The bundled field graph, validated."""
    return store.load(store.field_data_dir())


def _labels(concept: dict[str, Any]) -> list[str]:
    return [concept["name"], *concept.get("aliases", ())]


def _label_owners(concepts: Iterable[dict[str, Any]]) -> dict[str, set[str]]:
    owners: dict[str, set[str]] = {}
    for c in concepts:
        for label in _labels(c):
            for key in {normalize(label), spelling_key(label)}:  # "regularisation" too
                if key:
                    owners.setdefault(key, set()).add(c["id"])
    return owners


def link_ids(deck: Sequence[dict[str, Any]], field_concepts: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Deck concept id -> the field concept it is: the same id, else one name or alias that only
    that field concept has."""
    ids = {c["id"] for c in field_concepts}
    owners = _label_owners(field_concepts)
    out: dict[str, str] = {}
    claimed: set[str] = set()
    for c in deck:
        if c["id"] in ids:
            out[c["id"]] = c["id"]
            claimed.add(c["id"])
    for c in deck:
        if c["id"] in out:
            continue
        found = {
            next(iter(owners[k]))
            for label in _labels(c)
            for k in (normalize(label), spelling_key(label))
            if len(owners.get(k, ())) == 1
        }
        if len(found) == 1 and not found & claimed:
            out[c["id"]] = found.pop()
            claimed |= {out[c["id"]]}
    return out


def vocabulary(
    field_concepts: Sequence[dict[str, Any]], deck: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The field concepts extraction may link a deck's text to: those the deck does not already have
    (by id, or by a name or alias a deck concept uses)."""
    linked = set(link_ids(deck, field_concepts).values())
    taken = {c["id"] for c in deck} | set(_label_owners(deck))
    return [
        c
        for c in field_concepts
        if c["id"] not in linked
        and c["id"] not in taken
        and not any(normalize(label) in taken for label in _labels(c))
    ]


@dataclass
class Adoption:
    """What the field adds to a deck: its concepts the cards name, and its relations between them."""

    concepts: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    prerequisites: list[str] = field(default_factory=list)  # concepts added by ``with_prereqs``
    linked: int = 0  # deck concepts that are field concepts


def adopt(
    cards: Sequence[Card],
    subjects: Sequence[Sequence[str]],
    relations: Iterable[dict[str, Any]],
    deck: Sequence[dict[str, Any]],
    field_graph: store.Dataset,
    *,
    with_prereqs: bool = False,
    named: Sequence[Sequence[str]] = (),
) -> Adoption:
    """The field concepts a deck's cards are about or mention, and the field's relations between
    every pair of the deck's concepts.

    ``subjects[i]`` are the ids card ``i`` is about and ``relations`` what extraction found; ids of
    field concepts among them are adopted: a copy with the field's id, kind and topic, the card's
    wording as an alias, its answer as the definition and its question as ``card``. ``named[i]``
    are the concepts card ``i``'s answer names: one the field relates to the card's subject joins
    too, with that relation, even where the card's wording gave no relation of its own ("encoder
    maps x to ...; loss = reconstruction error + KL divergence" in a VAE card: the field's "VAE uses
    KL divergence"), and so does one the field relates to any other concept of the deck; a name
    the field ties to nothing in the deck stays out. ``deck`` is the rest of the graph (concepts
    already in the folder, new ones from the cards). With ``with_prereqs`` the field concepts those
    need (transitively) join as well, without a card.
    """
    by_id = field_graph.concept_by_id()
    deck_ids = {c["id"] for c in deck}
    from .extract.questions import synonym_target

    used: set[str] = set()
    first_card: dict[str, Card] = {}
    synonyms: dict[str, list[Card]] = {}
    carded = {c["card"] for c in deck if c.get("card")}  # cards with a concept of their own
    # A term's card is one that names it alone before one that names others too ("BERT" before
    # "BERT vs GPT"), as extraction.questions.card_concepts chooses.
    ordered = sorted(zip(cards, subjects, strict=True), key=lambda pair: len(pair[1]) > 1)
    for card, ids in ordered:
        for cid in ids:
            if cid in by_id and cid not in deck_ids:
                used.add(cid)
                if card.question in carded:
                    continue  # "CNN backstory": its own card, not the CNN card
                if synonym_target(card.answer) is not None:
                    synonyms.setdefault(cid, []).append(card)  # a second name, not the card
                else:
                    first_card.setdefault(cid, card)
    for r in relations:
        used |= {end for end in (r["source"], r["target"]) if end in by_id and end not in deck_ids}

    result = Adoption()
    mapping = link_ids(deck, field_graph.concepts)  # deck id -> field id
    if named:
        neighbours: dict[str, set[str]] = {}
        for r in field_graph.relations:
            neighbours.setdefault(r["source"], set()).add(r["target"])
            neighbours.setdefault(r["target"], set()).add(r["source"])
        for ids, names in zip(subjects, named, strict=True):
            about = {mapping.get(cid, cid) for cid in ids}
            for cid in names:
                if cid in by_id and cid not in deck_ids and not about.isdisjoint(neighbours.get(cid, ())):
                    used.add(cid)
        # A name the field relates to none of them joins when it relates it to another of the deck's
        # concepts ("decoder" in a VAE card, the field's "Decoder part-of Autoencoder"): the deck
        # links to the field through it. Repeated until nothing more joins, so that a rebuild, whose
        # deck already holds what joined, reaches the same concepts, whatever the cards' order.
        # An everyday word ("weights", "values") counts only in a card on its topic, as a mention does.
        from .extract.mentions import everyday

        topic_of = {c["id"]: c.get("topic") for c in deck} | {cid: c["topic"] for cid, c in by_id.items()}
        waiting = set()
        for ids, names in zip(subjects, named, strict=True):
            topics = {topic_of.get(cid) for cid in ids}
            waiting.update(
                cid
                for cid in names
                if cid in by_id
                and cid not in deck_ids
                and (by_id[cid]["topic"] in topics or not everyday(by_id[cid]["name"]))
            )
        waiting -= used
        present = set(mapping.values()) | used
        while joined := {cid for cid in waiting if not present.isdisjoint(neighbours.get(cid, ()))}:
            used |= joined
            present |= joined
            waiting -= joined
    mapping.update((cid, cid) for cid in used)
    if with_prereqs:
        import networkx as nx

        from .graph import ConceptGraph

        needs = ConceptGraph(field_graph).prereq  # X -> P: P is studied before X
        present = set(mapping.values())
        wanted: set[str] = set()
        for fid in present & set(needs):
            wanted |= nx.descendants(needs, fid)
        result.prerequisites = sorted(wanted - present)
        mapping.update((cid, cid) for cid in result.prerequisites)
    for cid in sorted(used) + result.prerequisites:
        result.concepts.append(_adopted(by_id[cid], first_card.get(cid), synonyms.get(cid, [])))
    result.linked = len(mapping)

    deck_of = {fid: did for did, fid in mapping.items()}
    for r in field_graph.relations:
        source, target = deck_of.get(r["source"]), deck_of.get(r["target"])
        if source is not None and target is not None and source != target:
            result.relations.append({**r, "source": source, "target": target})
    return result


def _adopted(concept: dict[str, Any], card: Card | None, synonyms: Sequence[Card] = ()) -> dict[str, Any]:
    """A deck's copy of a field concept: the card's wording, answer and question where there is one;
    the terms of synonym cards ("Synonym for ...") become aliases."""
    from .extract.questions import question_terms

    copy = {**concept, "aliases": list(concept["aliases"]), "card": None}
    own = {normalize(label) for label in _labels(concept)}

    def add(labels: Sequence[str]) -> None:
        for label in labels:
            if normalize(label) and normalize(label) not in own:
                copy["aliases"].append(label)
                own.add(normalize(label))

    for other in synonyms:
        for name, aliases in question_terms(other.question):
            add([name, *aliases])
    if card is None:
        return copy
    copy["card"] = card.question
    if card.answer.strip():
        copy["definition"] = card.answer.strip()  # whole and verbatim, as the README promises
    for name, aliases in question_terms(card.question):
        wording = [name, *aliases]
        if any(normalize(w) in own for w in wording):  # only the terms that name this concept
            add(wording)
    return copy


def assign_topics(
    new: Sequence[dict[str, Any]], concepts: Sequence[dict[str, Any]], relations: Sequence[dict[str, Any]]
) -> None:
    """Give each new concept without a known topic the topic most of its neighbours have.

    Votes come from concepts with a topic of :data:`~dlgraph.vocabulary.TOPICS` and spread up to
    three steps. A new concept no vote reaches takes the name of its community in the graph (its
    most connected member), so that a map of a deck the field does not know still clusters; one with
    no relations at all keeps the topic it had.
    """
    new_ids = {c["id"] for c in new}
    open_ids = {c["id"] for c in new if c["topic"] not in TOPICS or c["topic"] == DEFAULT_TOPIC}
    if not open_ids:
        return
    topic_of = {c["id"]: c["topic"] for c in concepts if c["topic"] in TOPICS and c["id"] not in open_ids}
    neighbours: dict[str, list[str]] = {}
    for r in relations:
        neighbours.setdefault(r["source"], []).append(r["target"])
        neighbours.setdefault(r["target"], []).append(r["source"])
    order = [c["id"] for c in new if c["id"] in open_ids]
    for _ in range(3):
        voted = {}
        for cid in order:
            if cid in topic_of:
                continue
            votes = Counter(topic_of[n] for n in neighbours.get(cid, ()) if n in topic_of)
            if votes:
                voted[cid] = min(votes, key=lambda t: (-votes[t], t))
        if not voted:
            break
        topic_of.update(voted)
    rest = [cid for cid in order if cid not in topic_of and neighbours.get(cid)]
    if rest:
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(rest)
        graph.add_edges_from((u, v) for u in rest for v in neighbours[u] if v in graph and u != v)
        for group in nx.community.louvain_communities(graph, seed=0):
            if len(group) < 3:
                continue
            centre = min(group, key=lambda n: (-graph.degree(n), n))
            topic_of.update((n, centre) for n in group)
    for c in new:
        if c["id"] in open_ids and c["id"] in topic_of and c["id"] in new_ids:
            c["topic"] = topic_of[c["id"]]


def disagreements(deck: store.Dataset, field_graph: store.Dataset) -> list[str]:
    """Warnings for deck concepts that share a field concept's id but not its kind or topic: one
    vocabulary means a concept sits in the same place on every map."""
    by_id = field_graph.concept_by_id()
    out = []
    for c in deck.concepts:
        known = by_id.get(c["id"])
        if known is None:
            continue
        for key in ("kind", "topic"):
            if c[key] != known[key]:
                out.append(
                    f"{store.CONCEPTS_FILE}: concept {c['id']!r} has {key} {c[key]!r} but the field graph "
                    f"says {known[key]!r}; use the field's, or give the concept another id"
                )
    return out


def gaps(deck: store.Dataset, field_graph: store.Dataset) -> dict[str, Any]:
    """What a deck lacks: for each deck concept the field knows, the field concepts it directly
    builds on (uses, combines, improves on, is a kind of, has as a part...) that the deck has not."""
    mapping = link_ids(deck.concepts, field_graph.concepts)
    present = set(mapping.values())
    deck_name = {c["id"]: c["name"] for c in deck.concepts}
    field_name = {c["id"]: c["name"] for c in field_graph.concepts}
    from .graph import ConceptGraph

    needs = ConceptGraph(field_graph).prereq  # X -> P: P is studied before X
    missing_of: dict[str, list[dict[str, str]]] = {}
    for after, before, data in needs.edges(data=True):
        r = data["relation"]
        if after in present and before not in present:
            kind = RELATION_TYPES[r["type"]]
            missing_of.setdefault(after, []).append(
                {
                    "id": before,
                    "name": field_name[before],
                    "type": r["type"],
                    "sentence": f"{field_name[r['source']]} {kind.label} {field_name[r['target']]}",
                    "evidence": r["evidence"],
                }
            )
    deck_of = {fid: did for did, fid in mapping.items()}
    groups = []
    for fid in sorted(missing_of, key=lambda f: (deck_name[deck_of[f]].casefold(), f)):
        rows = sorted(missing_of[fid], key=lambda m: (m["name"].casefold(), m["type"]))
        groups.append(
            {"concept": deck_of[fid], "name": deck_name[deck_of[fid]], "field_id": fid, "missing": rows}
        )
    unique = {m["id"] for g in groups for m in g["missing"]}
    return {
        "deck": str(deck.directory) if deck.directory else None,
        "linked": len(mapping),
        "concepts": len(deck.concepts),
        "missing": len(unique),
        "gaps": groups,
    }
