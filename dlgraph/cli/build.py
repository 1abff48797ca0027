"""The ``build`` command: a flashcard deck in, a concept graph folder out."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from .. import escape, store
from ..decks import FORMATS
from ..errors import UsageError
from . import cli, json_option


@cli.command()
@click.argument("deck", required=False, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Graph folder to write (merged with the graph already there).  [default: --data-dir]",
)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="Read the deck as this format (default: guess)."
)
@click.option("--model", metavar="NAME", help="An installed trained spaCy pipeline whose parser to use.")
@click.option(
    "--min-count",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Cards a phrase must appear in to become a new concept (acronyms need one).",
)
@click.option(
    "--report", "detailed", is_flag=True, help="Print every change per type and the recall figures."
)
@click.option(
    "--no-field",
    "no_field",
    is_flag=True,
    help="Read the cards alone: do not link them to the bundled field graph.",
)
@click.option(
    "--with-prereqs",
    is_flag=True,
    help="Also add the field concepts the deck's concepts build on and the deck lacks (see `dlgraph gaps`).",
)
@click.option(
    "--max-size",
    type=click.IntRange(min=1),
    metavar="MB",
    help="Read a deck of up to this many megabytes.  [default: 50]",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (exit 1) when more than 5% of the deck's lines are in no card, instead of warning.",
)
@click.option(
    "--curated/--extract",
    default=None,
    help="Keep a hand-written graph exactly (check it against its deck, add nothing), or extract "
    "from the deck; recorded in build.json for later rebuilds.  [default: as recorded, else --extract]",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="List every concept and relation it would add, change or remove; write nothing.",
)
@json_option
@click.pass_context
def build(
    ctx: click.Context,
    deck: Path | None,
    out: Path | None,
    fmt: str | None,
    model: str | None,
    min_count: int,
    detailed: bool,
    no_field: bool,
    with_prereqs: bool,
    max_size: int | None,
    strict: bool,
    curated: bool | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Turn a flashcard deck into a concept graph: concepts and typed relations, with spaCy.

    DECK may be an Anki package (.apkg, .colpkg, collection.anki2/.anki21/.anki21b), a markdown
    table, CSV/TSV, an Anki "Notes in Plain Text" export, a Quizlet export,
    markdown headings, or notes with bold questions, Obsidian or Logseq cards; LaTeX in
    cards is read as text. --strict fails when many lines are in no card. The cards are
    linked to the bundled field graph: a concept the field knows takes its id, kind and
    topic, and the field's relations between the deck's concepts are added
    (--no-field reads the cards alone). Without DECK, rebuild the --data-dir graph from the deck
    its build.json records (refused when that deck is gone or changed). When the folder already
    holds a graph, curated relations and concept edits are kept, extracted relations are
    recomputed, and relations you deleted are not brought back. The folder's files change all at
    once (`dlgraph undo` puts back the graph before the build). Nothing is written inside the
    installed package.

    \b
    Example:
        dlgraph build my-deck.txt --out my-graph --report
    """
    from .. import build as builder

    if ctx.find_root().params.get("field"):
        raise UsageError("the field graph is not built from a deck; drop --field (build links to it anyway)")
    if no_field and with_prereqs:
        raise UsageError("--with-prereqs takes prerequisites from the field graph; drop --no-field")
    folder = _graph_to_write(
        ctx, out, "say where the graph goes: --out DIR, or --data-dir DIR to rebuild that graph"
    )
    max_bytes = max_size * 1024 * 1024 if max_size else None
    bar = _ProgressBar() if sys.stderr.isatty() else None
    try:
        result = builder.build(
            deck,
            folder,
            fmt=fmt,
            model=model,
            min_count=min_count,
            dry_run=dry_run,
            use_field=not no_field,
            with_prereqs=with_prereqs,
            max_bytes=max_bytes,
            progress=bar,
            curated=curated,
            strict=strict,
        )
    finally:
        if bar is not None:
            bar.close()
    if as_json:
        click.echo(escape.json(json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)))
        return
    for line in builder.report_lines(escape.terminal_data(result), click.style, detailed=detailed):
        click.echo(line)


class _ProgressBar:
    """``build``'s progress on a terminal: cards done, cards/s and time left, drawn on stderr once
    extraction has run for :attr:`SHOW_AFTER` seconds (a quick build shows none)."""

    SHOW_AFTER = 1.0

    def __init__(self) -> None:
        self.started: float | None = None
        self.done = 0
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.started is None:
            self.started = now
        if self.bar is None:
            if now - self.started < self.SHOW_AFTER or done >= total:
                return
            self.bar = click.progressbar(
                length=total,
                label="extracting",
                file=sys.stderr,
                show_eta=True,
                show_pos=True,
                item_show_func=lambda rate: None if rate is None else f"{rate:,.0f} cards/s",
            )
            self.bar.__enter__()
        self.bar.update(done - self.done, done / max(now - self.started, 1e-9))
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _graph_to_write(ctx: click.Context, out: Path | None, missing: str) -> Path:
    """The graph folder a writing command may change: named, and never inside the installed package."""
    explicit = ctx.find_root().params.get("data_dir")
    if out is None and not explicit:
        raise UsageError(f"{missing} (the bundled graph is never rebuilt in place)")
    folder = out or store.resolve_data_dir(explicit)
    package = Path(store.__file__).resolve().parent
    if folder.resolve() == package or package in folder.resolve().parents:
        raise UsageError(
            f"{folder} is inside dlgraph's installed package, which dlgraph never writes; "
            "build into another folder with --out DIR"
        )
    return folder


@cli.command()
@json_option
@click.pass_context
def undo(ctx: click.Context, as_json: bool) -> None:
    """Put back the --data-dir graph as it was before its last build, byte for byte.

    Each build keeps the graph it replaced in the folder (in .dlgraph/), so undo restores
    concepts.json, relations.json, build.json and rejected.json together, your hand edits
    included. Undo again to redo.

    \b
    Example:
        dlgraph undo --data-dir my-graph
    """
    folder = _graph_to_write(ctx, None, "say which graph: dlgraph undo --data-dir DIR")
    changed = store.undo(folder)
    if as_json:
        click.echo(json.dumps({"directory": str(folder), "files": changed}, indent=2))
        return
    done = [f"{name} {what}" for name, what in changed.items() if what != "unchanged"]
    click.echo(f"restored {folder} to before its last build: {', '.join(done)}")
    click.echo(f"(`dlgraph undo --data-dir {folder}` again redoes it)")
