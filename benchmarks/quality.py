"""Extraction quality against gold we annotated by hand: concepts, relations, related-to, junk.

Run ``python benchmarks/quality.py`` (``--json`` for one JSON document, ``--quiet`` to leave out the
lists of misses). For each gold file in tests/data/gold/ (the seed deck, and a seeded sample of 150
cards of Google's ML glossary), the deck is built fresh, with and without the field graph, and what
the build says about the gold cards is compared with what the annotators read in them:

- concept recall: the gold concepts of each card (its subject and what its answer names) that the
  built graph has (by name or alias, either number);
- concept precision: of the concepts the build ties to a gold card (its subjects, and the concepts
  its extracted relations reach), those the gold lists for that card;
- junk: of the concepts proposed from the gold cards' answers (no card of their own, reached by a
  relation a gold card states), those no gold card names. Concepts proposed from the deck's other
  cards are outside the sample and can't be judged against it (``junk_deck`` in --json lists every
  proposed concept the gold does not name, a looser upper bound);
- relation precision and recall, for relations a card states (origin ``extracted``: the field's own
  relations are not the card's): "any" when the two concepts match in either direction, "exact" when
  type and direction match too (either direction for the symmetric types);
- the share of ``related-to`` among those relations;
- graph recall: the gold relations the built graph holds between the card's concepts whatever their
  origin. With the field graph a pair the card names loosely and the field relates with a type keeps
  the field's relation (and reference), so it is missing from the extracted relations yet right in the
  graph a student queries; this column says how much of what the cards state the graph answers;
- ends built: the gold relations both of whose concepts the build has, the most any recall could
  be (a false negative whose concept is missing says so: "no concept: X").

Goals (issue 13): relation precision >= 90%, recall >= 70% (exact >= 60%), concept precision >= 90%,
related-to <= 30%. Every false positive and false negative is printed, so a regression is read, not
guessed. Nothing is asserted here; tests/test_quality.py holds floors a little under the goals.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dlgraph import store  # noqa: E402
from dlgraph.extract import singular  # noqa: E402
from dlgraph.extract.cues import cue_phrase, typed_by  # noqa: E402
from dlgraph.names import normalize, spelling_key  # noqa: E402
from dlgraph.vocabulary import RELATION_TYPES  # noqa: E402

GOLD = ROOT / "tests" / "data" / "gold"


def _keys(label: str) -> set[str]:
    """A name's keys: case, spacing, number and British or American spelling aside (the gold's
    "generalisation" is the built Generalization, as its "Embeddings" is Embedding)."""
    return {key(x) for x in (label, singular(label)) for key in (normalize, spelling_key)} - {""}


class Names:
    """Built concept ids by every spelling of their names and aliases."""

    def __init__(self, concepts: list[dict[str, Any]]):
        self.index: dict[str, str] = {}
        # Names first: a concept's own name wins over another's alias ("deep model", a synonym card,
        # lists "deep neural network", which is also a concept of its own).
        for c in concepts:
            for key in _keys(c["name"]):
                self.index.setdefault(key, c["id"])
        for c in concepts:
            for label in [*c["aliases"], c["id"]]:
                for key in _keys(label):
                    self.index.setdefault(key, c["id"])

    def find(self, label: str) -> str | None:
        return next((self.index[k] for k in _keys(label) if k in self.index), None)


def _question_of(evidence: str, questions: list[str]) -> str | None:
    return next((q for q in questions if evidence.startswith(q + ": ")), None)


def evaluate(gold: dict[str, Any], *, use_field: bool) -> dict[str, Any]:
    from dlgraph.build import build

    deck = ROOT / gold["deck"]
    with tempfile.TemporaryDirectory() as tmp:
        build(deck, Path(tmp) / "g", use_field=use_field)
        built = store.load(Path(tmp) / "g")
    names = Names(built.concepts)
    by_id = built.concept_by_id()
    cards = {card["question"]: card for card in gold["cards"]}
    questions = sorted(cards, key=len, reverse=True)  # the longest question that prefixes wins

    stated: dict[str, list[dict[str, Any]]] = {q: [] for q in cards}
    for r in built.relations:
        if r["origin"] == "extracted":
            q = _question_of(r["evidence"], questions)
            if q is not None:
                stated[q].append(r)

    out: dict[str, Any] = {"cards": len(cards), "false_positives": [], "false_negatives": []}
    c_gold = c_found = c_tied = c_right = 0
    r_gold = r_any = r_exact = r_built = r_built_any = r_built_exact = loose = 0
    g_any = g_exact = both = 0
    by_cue: dict[str, list[int]] = {}  # what typed a relation -> [built, right pair, right type]
    all_triples = {(r["source"], r["type"], r["target"]) for r in built.relations}
    all_pairs = {frozenset((r["source"], r["target"])) for r in built.relations}
    gold_names: set[str] = set()
    for q, card in cards.items():
        labels = [*card["subject"], *card["concepts"]]
        own = {c["id"]: c for c in built.concepts if c.get("card") == q}

        def find(label: str, q: str = q, own: dict[str, Any] = own) -> str | None:
            """A gold name's built concept; the card's subject is first the concept built from that card,
            also when their names differ by the question's bracket ("node (neural network)" / node:
            the gold drops a disambiguator, the build keeps it to tell two nodes apart)."""
            if label in cards[q]["subject"]:
                keys = _keys(label)
                mine = next((cid for cid, c in own.items() if _keys(_unbracketed(c["name"])) & keys), None)
                if mine is not None:
                    return mine
            return names.find(label)

        gold_ids = {find(x) for x in labels} - {None}
        gold_names |= {k for x in labels for k in _keys(x)}
        for alias_pair in card.get("aliases", []):
            gold_names |= {k for x in alias_pair for k in _keys(x)}
        c_gold += len(set(map(normalize, labels)))
        c_found += sum(1 for x in {normalize(x): x for x in labels}.values() if find(x))
        subjects = set(own)
        tied = subjects | {end for r in stated[q] for end in (r["source"], r["target"])}
        c_tied += len(tied)
        c_right += len(tied & gold_ids)
        for cid in sorted(tied - gold_ids):
            out["false_positives"].append(f"concept  {q!r}: {by_id[cid]['name']}")

        wanted = []
        for source, kind, target in card["relations"]:
            s, t = find(source), find(target)
            wanted.append((source, kind, target, s, t))
        r_gold += len(wanted)
        built_triples = {(r["source"], r["type"], r["target"]) for r in stated[q]}
        built_pairs = {frozenset((r["source"], r["target"])) for r in stated[q]}
        for source, kind, target, s, t in wanted:
            pair_ok = s is not None and t is not None and frozenset((s, t)) in built_pairs
            exact = s is not None and t is not None and _same(built_triples, s, kind, t)
            r_any += pair_ok
            r_exact += exact
            g_any += s is not None and t is not None and frozenset((s, t)) in all_pairs
            g_exact += s is not None and t is not None and _same(all_triples, s, kind, t)
            both += s is not None and t is not None
            if not exact:
                got = sorted(x[1] for x in built_triples if {x[0], x[2]} == {s, t}) if pair_ok else []
                built_as = f" (built as {', '.join(got)})" if got else ""
                unbuilt = [x for x, cid in ((source, s), (target, t)) if cid is None]
                if unbuilt:
                    built_as = f" (no concept: {', '.join(unbuilt)})"
                out["false_negatives"].append(f"relation {q!r}: {source} {kind} {target}{built_as}")
        gold_pairs = {frozenset((s, t)) for *_, s, t in wanted if s and t}
        gold_triples = {(s, kind, t) for _, kind, _, s, t in wanted if s and t}
        for r in stated[q]:
            r_built += 1
            loose += r["type"] == "related-to"
            any_ok = frozenset((r["source"], r["target"])) in gold_pairs
            exact_ok = _same(gold_triples, r["source"], r["type"], r["target"])
            r_built_any += any_ok
            r_built_exact += exact_ok
            tally = by_cue.setdefault(_cue_family(r.get("cue", r["origin"])), [0, 0, 0])
            tally[0] += 1
            tally[1] += any_ok
            tally[2] += exact_ok
            if not any_ok:
                typed_by = f"  [{r['cue']}]" if r.get("cue") else f"  [{r['origin']}]"
                out["false_positives"].append(
                    f"relation {q!r}: {by_id[r['source']]['name']} {r['type']} {by_id[r['target']]['name']}"
                    + typed_by
                )
    proposed = [c for c in built.concepts if c.get("card") is None and c["id"] not in _field_ids(use_field)]
    from_gold = {end for q in cards for r in stated[q] for end in (r["source"], r["target"])}
    junk_deck = [c["name"] for c in proposed if not (_keys(c["name"]) & gold_names)]
    judged = [c for c in proposed if c["id"] in from_gold]
    junk = [c["name"] for c in judged if not (_keys(c["name"]) & gold_names)]
    out.update(
        {
            "concept_recall": _share(c_found, c_gold),
            "concept_precision": _share(c_right, c_tied),
            "relation_precision_any": _share(r_built_any, r_built),
            "relation_precision_exact": _share(r_built_exact, r_built),
            "relation_recall_any": _share(r_any, r_gold),
            "relation_recall_exact": _share(r_exact, r_gold),
            "graph_recall_any": _share(g_any, r_gold),
            "graph_recall_exact": _share(g_exact, r_gold),
            "both_ends_built": _share(both, r_gold),
            "related_to_share": _share(loose, r_built),
            "gold_relations": r_gold,
            "stated_relations": r_built,
            "proposed_concepts": len(proposed),
            "proposed_from_gold_cards": len(judged),
            "junk_share": _share(len(junk), len(judged)),
            "junk": junk,
            "junk_deck": junk_deck,
            "by_cue": {
                k: dict(zip(("built", "pair", "exact"), v, strict=True)) for k, v in sorted(by_cue.items())
            },
        }
    )
    return out


def _unbracketed(name: str) -> str:
    """A name without a closing bracket's words: "node (neural network)" -> "node"."""
    head, _, rest = name.partition(" (")
    return head if rest.endswith(")") else name


def _cue_family(cue: str) -> str:
    """What typed a relation, without the words that vary from card to card: "cue 'with'", "no cue"."""
    phrase = cue_phrase(cue)
    if phrase is not None:
        return typed_by(phrase)
    return cue.split(";")[0].split(":")[0].split(" (")[0]


def _field_ids(use_field: bool) -> set[str]:
    if not use_field:
        return set()
    return {c["id"] for c in store.load(store.field_data_dir()).concepts}


def _same(triples: set[tuple[str, str, str]], s: str, kind: str, t: str) -> bool:
    if (s, kind, t) in triples:
        return True
    return RELATION_TYPES[kind].symmetric and (t, kind, s) in triples


def _share(n: int, d: int) -> float:
    return round(n / d, 3) if d else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--quiet", action="store_true", help="leave out the lists of misses")
    args = parser.parse_args()
    results = {}
    for path in sorted(GOLD.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        for use_field in (True, False):
            results[f"{path.stem}{'' if use_field else ' --no-field'}"] = evaluate(gold, use_field=use_field)
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return
    cols = [
        ("concept_precision", "concept P"),
        ("concept_recall", "concept R"),
        ("relation_precision_any", "rel P"),
        ("relation_precision_exact", "rel P exact"),
        ("relation_recall_any", "rel R"),
        ("relation_recall_exact", "rel R exact"),
        ("graph_recall_any", "graph R"),
        ("graph_recall_exact", "graph R exact"),
        ("both_ends_built", "ends built"),
        ("related_to_share", "related-to"),
        ("junk_share", "junk"),
    ]
    print("| gold | cards | " + " | ".join(label for _, label in cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for name, r in results.items():
        print(f"| {name} | {r['cards']} | " + " | ".join(f"{r[key]:.0%}" for key, _ in cols) + " |")
    if not args.quiet:
        for name, r in results.items():
            print(f"\n## {name}: false positives ({len(r['false_positives'])})")
            print("\n".join(r["false_positives"]))
            print(f"\n## {name}: false negatives ({len(r['false_negatives'])})")
            print("\n".join(r["false_negatives"]))
            print(f"\n## {name}: junk concepts ({len(r['junk'])})")
            print(", ".join(r["junk"]))
            print(f"\n## {name}: what typed the relations (built, right pair, right type and direction)")
            rows = sorted(r["by_cue"].items(), key=lambda kv: (-kv[1]["built"], kv[0]))
            for cue, n in rows:
                print(f"{n['built']:>4} {n['pair']:>4} {n['exact']:>4}  {cue}")


if __name__ == "__main__":
    main()
