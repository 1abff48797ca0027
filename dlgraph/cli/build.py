"""The ``build`` command: a flashcard deck in, a concept graph folder out."""

from __future__ import annotations

import json
from pathlib import Path

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
@click.option("--dry-run", is_flag=True, help="Build and report, but write nothing.")
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
    dry_run: bool,
    as_json: bool,
) -> None:
    """Turn a flashcard deck into a concept graph: concepts and typed relations, with spaCy.

    DECK may be an Anki package (.apkg, .colpkg, collection.anki2/.anki21/.anki21b), a markdown
    table, CSV/TSV, an Anki "Notes in Plain Text" export, a Quizlet export
    or markdown headings. The cards are linked to the bundled field graph: a concept the field knows
    takes its id, kind and topic, and the field's relations between the deck's concepts are added
    (--no-field reads the cards alone). Without DECK, rebuild the --data-dir graph from the deck
    its build.json records (refused when that deck is gone or changed). When the folder already
    holds a graph, curated relations and concept edits are kept, extracted relations are
    recomputed, and relations you deleted are not brought back. Nothing is written inside the
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
    explicit = ctx.find_root().params.get("data_dir")
    if out is None and not explicit:
        raise UsageError(
            "say where the graph goes: --out DIR, or --data-dir DIR to rebuild that graph "
            "(the bundled graph is never rebuilt in place)"
        )
    folder = out or store.resolve_data_dir(explicit)
    package = Path(builder.__file__).resolve().parent
    if folder.resolve() == package or package in folder.resolve().parents:
        raise UsageError(
            f"{folder} is inside dlgraph's installed package, which dlgraph never writes; "
            "build into another folder with --out DIR"
        )
    result = builder.build(
        deck,
        folder,
        fmt=fmt,
        model=model,
        min_count=min_count,
        dry_run=dry_run,
        use_field=not no_field,
        with_prereqs=with_prereqs,
        max_bytes=max_size * 1024 * 1024 if max_size else None,
    )
    if as_json:
        click.echo(escape.json(json.dumps(result.to_dict(), indent=2, ensure_ascii=False)))
        return
    for line in builder.report_lines(escape.terminal_data(result), click.style, detailed=detailed):
        click.echo(line)
