"""Relations out of what extraction found in a deck's cards: one per (source, type, target), the
strongest first, with a hub's loose links dropped."""

from __future__ import annotations

from typing import Any

from ..store import CUE_KEY
from .cues import FALLBACK_TYPE


def assemble(
    found: dict[tuple[tuple[str, str], tuple[str, str]], dict[str, tuple[str, str]]],
    ids: dict[str, str],
    hub_at: int | None = None,
    cued: set[tuple[tuple[tuple[str, str], tuple[str, str]], str]] | None = None,
) -> list[dict[str, Any]]:
    """One relation per (source, type, target); a pair with a typed edge gets no related-to as well.

    The relations come strongest first: typed by a cue phrase or a definition's form, then typed
    only by what follows the mention ("X to extract features": uses), then ``related-to``. Cycle
    breaking in the build keeps the earlier of two edges that close a loop, so the better evidenced
    one wins.

    A concept that ``hub_at`` or more concepts link to with ``related-to`` alone is a hub of the
    deck ("machine learning", "TensorFlow" in a glossary): those loose links say nothing about either
    end and make a hairball, so they are dropped; its typed relations stay.
    """

    def resolve(ref: tuple[str, str]) -> str | None:
        return ref[1] if ref[0] == "id" else ids.get(ref[1])

    typed: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
    strong: set[tuple[str, str, str]] = set()
    for (source_ref, target_ref), by_type in found.items():
        source, target = resolve(source_ref), resolve(target_ref)
        if source is None or target is None or source == target:
            continue
        slot = typed.setdefault((source, target), {})
        for kind, said in by_type.items():
            slot.setdefault(kind, said)
            if cued is None or ((source_ref, target_ref), kind) in cued:
                strong.add((source, kind, target))
    linked = {pair for pair, by_type in typed.items() if len(by_type) > 1 or FALLBACK_TYPE not in by_type}
    loose_partners: dict[str, set[str]] = {}
    for (source, target), by_type in typed.items():
        if FALLBACK_TYPE in by_type and (source, target) not in linked:
            loose_partners.setdefault(source, set()).add(target)
            loose_partners.setdefault(target, set()).add(source)
    hubs = {cid for cid, partners in loose_partners.items() if hub_at is not None and len(partners) >= hub_at}
    seen_loose: set[tuple[str, str]] = set()  # each loose pair once, either way round
    # Strongest first, each kind in the order found: cued or typed by form, typed by what follows,
    # related-to.
    cued_out: list[dict[str, Any]] = []
    guessed_out: list[dict[str, Any]] = []
    loose_out: list[dict[str, Any]] = []
    for (source, target), by_type in typed.items():
        for kind, (evidence, why) in by_type.items():
            if kind == FALLBACK_TYPE:
                loose = (source, target) if source < target else (target, source)
                if (source, target) in linked or (target, source) in linked or loose in seen_loose:
                    continue
                if source in hubs or target in hubs:
                    continue
                seen_loose.add(loose)
                bucket = loose_out
            else:
                bucket = cued_out if (source, kind, target) in strong else guessed_out
            bucket.append(
                {
                    "source": source,
                    "type": kind,
                    "target": target,
                    "evidence": evidence,
                    "origin": "extracted",
                    CUE_KEY: why,
                }
            )
    return cued_out + guessed_out + loose_out
