"""How much the field graph brings to a deck: measured, not asserted.

Run ``python benchmarks/field_quality.py`` (``--json`` for one JSON document).

1. The field itself: concepts, relations, lineage relations and references, per topic.
2. The bundled seed deck built fresh with the field (no curated data) against the curated graph
   (``data/``): the share of curated relations whose two concepts the build links (any type,
   either direction), and the share it links with the curated type and direction.
   Goals: >= 80% and >= 65%.
3. A real deck nobody here wrote, Google's ML glossary (benchmarks/decks/, CC BY 4.0): the share of
   cards with a subject whose subject is a field concept (goal >= 70%), the share of `related-to`
   relations (goal <= 30%), and the topics of the built map that hold at least 5 concepts
   (goal >= 6).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dlgraph import store  # noqa: E402
from dlgraph.vocabulary import LINEAGE_TYPES, RELATION_TYPES  # noqa: E402

GLOSSARY = ROOT / "benchmarks" / "decks" / "google-ml-glossary.csv"
MAP_TOPIC_MIN = 5


def field_size() -> dict:
    field = store.load(store.field_data_dir())
    topic_of = {c["id"]: c["topic"] for c in field.concepts}
    rows: dict[str, Counter] = {}
    for c in field.concepts:
        rows.setdefault(c["topic"], Counter())["concepts"] += 1
    for r in field.relations:
        row = rows[topic_of[r["source"]]]
        row["relations"] += 1
        row["lineage"] += r["type"] in LINEAGE_TYPES
        row["referenced"] += "reference" in r
        row["cross-topic"] += topic_of[r["target"]] != topic_of[r["source"]]
    types = Counter(r["type"] for r in field.relations)
    return {
        "concepts": len(field.concepts),
        "relations": len(field.relations),
        "related_to_share": round(types["related-to"] / len(field.relations), 3),
        "types": dict(types.most_common()),
        "topics": {t: dict(rows[t]) for t in sorted(rows)},
    }


def _triples(relations: list[dict]) -> set[tuple[str, str, str]]:
    out = set()
    for r in relations:
        out.add((r["source"], r["type"], r["target"]))
        if RELATION_TYPES[r["type"]].symmetric:
            out.add((r["target"], r["type"], r["source"]))
    return out


def seed_against_curated(with_prereqs: bool = False) -> dict:
    from dlgraph.build import build

    curated = store.load(store.bundled_data_dir())
    with tempfile.TemporaryDirectory() as tmp:
        report = build(store.bundled_deck(), Path(tmp) / "graph", with_prereqs=with_prereqs)
        built = store.load(Path(tmp) / "graph")
    pairs = {frozenset((r["source"], r["target"])) for r in built.relations}
    triples = _triples(built.relations)
    present = [r for r in curated.relations if frozenset((r["source"], r["target"])) in pairs]
    typed = [r for r in curated.relations if (r["source"], r["type"], r["target"]) in triples]
    n = len(curated.relations)
    return {
        "curated_relations": n,
        "present_any_type": len(present),
        "present_share": round(len(present) / n, 3),
        "same_type": len(typed),
        "same_type_share": round(len(typed) / n, 3),
        "built_concepts": len(built.concepts),
        "built_relations": len(built.relations),
        "field_relations": report.field_relations,
        "curated_concepts_built": len(
            {c["id"] for c in curated.concepts} & {c["id"] for c in built.concepts}
        ),  # noqa: E501
    }


def glossary() -> dict:
    from dlgraph.build import build
    from dlgraph.decks import load_deck
    from dlgraph.extract import card_concepts

    field = store.load(store.field_data_dir())
    field_ids = {c["id"] for c in field.concepts}
    deck = load_deck(GLOSSARY)
    _, subjects = card_concepts(deck.cards, field.concepts)
    with_subject = [s for s in subjects if s]
    linked = [s for s in with_subject if any(cid in field_ids for cid in s)]
    with tempfile.TemporaryDirectory() as tmp:
        report = build(GLOSSARY, Path(tmp) / "graph")
        built = store.load(Path(tmp) / "graph")
    types = Counter(r["type"] for r in built.relations)
    topics = Counter(c["topic"] for c in built.concepts)
    big = {t: n for t, n in topics.items() if n >= MAP_TOPIC_MIN}
    return {
        "cards": len(deck.cards),
        "cards_with_subject": len(with_subject),
        "subjects_linked": len(linked),
        "subjects_linked_share": round(len(linked) / len(with_subject), 3),
        "concepts": len(built.concepts),
        "relations": len(built.relations),
        "field_relations": report.field_relations,
        "related_to_share": round(types["related-to"] / max(1, len(built.relations)), 3),
        "types": dict(types.most_common()),
        "map_topics": len(big),
        "topics": dict(sorted(big.items(), key=lambda kv: -kv[1])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    result = {
        "field": field_size(),
        "seed": seed_against_curated(),
        "seed_with_prereqs": seed_against_curated(with_prereqs=True),
        "glossary": glossary(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    f, g = result["field"], result["glossary"]
    share = f["related_to_share"]
    print(f"field: {f['concepts']} concepts, {f['relations']} relations, related-to {share:.0%}")
    print("  topic                      concepts relations lineage referenced cross-topic")
    for topic, row in f["topics"].items():
        print(
            f"  {topic:<26} {row.get('concepts', 0):>8} {row.get('relations', 0):>9} "
            f"{row.get('lineage', 0):>7} {row.get('referenced', 0):>10} {row.get('cross-topic', 0):>11}"
        )
    for label, s in (("", result["seed"]), (" --with-prereqs", result["seed_with_prereqs"])):
        print(
            f"seed deck built fresh with the field{label}: {s['present_share']:.0%} of the "
            f"{s['curated_relations']} curated relations present (goal >= 80%), "
            f"{s['same_type_share']:.0%} with the same type (goal >= 65%); "
            f"{s['built_concepts']} concepts, {s['built_relations']} relations"
        )
    print(
        f"glossary: {g['subjects_linked_share']:.0%} of {g['cards_with_subject']} card subjects linked "
        f"(goal >= 70%), related-to {g['related_to_share']:.0%} of {g['relations']} relations (goal <= 30%), "
        f"{g['map_topics']} topics of >= {MAP_TOPIC_MIN} concepts (goal >= 6)"
    )


if __name__ == "__main__":
    main()
