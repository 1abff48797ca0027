"""Query commands: path, prereqs, next, lineage, show, search, list, types, validate, gaps."""

from __future__ import annotations

import json

import click

from .. import report
from ..errors import UsageError
from . import (
    _data_dir,
    _emit,
    _graph,
    _kind,
    _known,
    _progress_path,
    _resolve,
    _topic,
    cli,
    concept_arg,
    json_option,
    kind_arg,
    topic_arg,
)


@cli.command()
@click.argument("source", **concept_arg)
@click.argument("target", **concept_arg)
@click.option("--any", "any_relation", is_flag=True, help="Shortest connection through any relation.")
@json_option
@click.pass_context
def path(ctx: click.Context, source: str, target: str, any_relation: bool, as_json: bool) -> None:
    """How TARGET descends from SOURCE, step by step, with the card text behind each step.

    Walks lineage relations (improves on, extends, simplifies, inspired by) and picks the longest
    chain; without one, shows the shortest connection through any relation.

    \b
    Example:
        dlgraph path R-CNN "Mask R-CNN"
    """
    from .. import graph

    cg = _graph(ctx)
    result = graph.path(cg, _resolve(ctx, source), _resolve(ctx, target), any_relation=any_relation)
    _emit(result, as_json, report.path_report)
    if not result["found"]:
        ctx.exit(1)


@cli.command()
@click.argument("concept", **concept_arg)
@click.option("--depth", type=click.IntRange(min=1), help="Only go this many steps back.")
@click.option(
    "--known",
    multiple=True,
    metavar="NAMES|FILE",
    help="Concepts already known (comma-separated, or a file).",
)
@json_option
@click.pass_context
def prereqs(
    ctx: click.Context, concept: str, depth: int | None, known: tuple[str, ...], as_json: bool
) -> None:
    """Everything to study before CONCEPT, in a valid study order, each with why it is needed.

    \b
    Example:
        dlgraph prereqs Adam --known "gradient descent"
    """
    from .. import graph

    result = graph.prerequisites(_graph(ctx), _resolve(ctx, concept), depth=depth, known=_known(ctx, known))
    if result["known"]:
        # Why it counts as known: --known, or what `dlgraph study` saw.
        result["known_from"] = "--known" if known else f"your study progress ({_progress_path()})"
    _emit(result, as_json, report.prereqs_report)


@cli.command("next")
@click.option(
    "--known",
    multiple=True,
    metavar="NAMES|FILE",
    help="Concepts already known (comma-separated, or a file).",
)
@json_option
@click.pass_context
def next_(ctx: click.Context, known: tuple[str, ...], as_json: bool) -> None:
    """What you can learn next: concepts whose prerequisites you all know.

    \b
    Example:
        dlgraph next --known "backpropagation,learning rate,loss function"
    """
    from .. import graph

    cg = _graph(ctx)
    done = _known(ctx, known)
    result = graph.next_concepts(cg, done)
    if result["known"] and not result["results"]:
        # Nothing builds on what is known alone: the starting points not yet studied are the way on.
        begin = graph.next_concepts(cg, ())["results"]
        result["starting_points"] = [r for r in begin if r["id"] not in set(done)]
    _emit(result, as_json, report.next_report)


@cli.command()
@click.argument("concept", **concept_arg)
@json_option
@click.pass_context
def lineage(ctx: click.Context, concept: str, as_json: bool) -> None:
    """What CONCEPT descends from and what descends from it, as trees.

    \b
    Example:
        dlgraph lineage "Fast R-CNN"
    """
    from .. import graph

    result = graph.lineage(_graph(ctx), _resolve(ctx, concept))
    _emit(result, as_json, report.lineage_report)


@cli.command()
@click.argument("concept", **concept_arg)
@click.option(
    "--why",
    is_flag=True,
    help="Also list each relation with where it comes from and the sentence or reference behind it.",
)
@json_option
@click.pass_context
def show(ctx: click.Context, concept: str, why: bool, as_json: bool) -> None:
    """The card of CONCEPT: its fields and its relations in both directions.

    \b
    Example:
        dlgraph show GRU --why
    """
    from .. import graph

    result = graph.show(_graph(ctx), _resolve(ctx, concept))
    _emit(result, as_json, report.why_report if why else report.show_report)


@cli.command()
@click.argument("text")
@click.option(
    "--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Most results to print."
)
@json_option
@click.pass_context
def search(ctx: click.Context, text: str, limit: int, as_json: bool) -> None:
    """Concepts ranked by how well TEXT matches their name, aliases or definition.

    \b
    Example:
        dlgraph search "region proposal"
    """
    from ..names import search as rank

    cg = _graph(ctx)
    result = {"query": text, "results": rank(cg.concepts.values(), text, limit, cg.dataset.relations)}
    _emit(result, as_json, report.search_report)


@cli.command("list")
@click.option("--topic", help="Only this topic (see `dlgraph types`).", **topic_arg)
@click.option("--kind", help="Only this kind (see `dlgraph types`).", **kind_arg)
@json_option
@click.pass_context
def list_(ctx: click.Context, topic: str | None, kind: str | None, as_json: bool) -> None:
    """Concepts, optionally one topic or kind.

    \b
    Example:
        dlgraph list --topic object-detection
    """
    from .. import graph

    result = graph.list_concepts(_graph(ctx), topic=_topic(ctx, topic), kind=_kind(ctx, kind))
    _emit(result, as_json, report.list_report)


def _complete_relation_type(ctx: click.Context, param: click.Parameter, incomplete: str):
    from click.shell_completion import CompletionItem

    from ..vocabulary import RELATION_TYPES

    typed = incomplete.casefold()
    return [
        CompletionItem(name, help=spec.label)
        for name, spec in RELATION_TYPES.items()
        if name.startswith(typed)
    ]


@cli.command()
@click.argument("relation", required=False, metavar="[TYPE]", shell_complete=_complete_relation_type)
@json_option
def types(relation: str | None, as_json: bool) -> None:
    """The relation types (with inverse labels, families, study order), topics and kinds.

    With TYPE (a relation type, or its label: "improved by"), only that type.

    \b
    Example:
        dlgraph types
        dlgraph types improves-on
    """
    rows = report.types_table()
    if relation is not None:
        from ..names import normalize, resolve_term

        by_label = {normalize(label): r["type"] for r in rows for label in (r["label"], r["inverse"])}
        names = [r["type"] for r in rows]
        # "improved by" names improves-on, read backwards.
        chosen = by_label.get(normalize(relation)) or resolve_term(relation, names, "relation type")
        if chosen not in names:
            raise UsageError(f"no relation type {relation!r}; relation types: {', '.join(names)}")
        rows = [r for r in rows if r["type"] == chosen]
        if not as_json:
            for line in report.types_report(click.style, rows, vocabulary=False):
                click.echo(line)
            return
    if as_json:
        from ..vocabulary import KINDS, TOPICS

        click.echo(json.dumps({"types": rows, "topics": TOPICS, "kinds": KINDS}, indent=2, allow_nan=False))
        return
    for line in report.types_report(click.style):
        click.echo(line)


@cli.command()
@json_option
@click.pass_context
def validate(ctx: click.Context, as_json: bool) -> None:
    """Check the data files: syntax, fields, ids, relation types, duplicates, self-loops, cycles.

    Exits 0 when the graph is valid (warnings allowed), 1 otherwise.

    \b
    Example:
        dlgraph validate
        DLGRAPH_DATA_DIR=my-graph dlgraph validate
    """
    from .. import graph

    result = graph.validate(_data_dir(ctx))
    _emit(result, as_json, report.validate_report)
    if not result["valid"]:
        ctx.exit(1)


@cli.command()
@json_option
@click.pass_context
def gaps(ctx: click.Context, as_json: bool) -> None:
    """What your deck is missing: field concepts your deck's concepts build on, per concept.

    Compares the graph (--data-dir, or the bundled one) with the bundled field graph and adds
    nothing; `dlgraph build --with-prereqs` adds them.

    \b
    Example:
        DLGRAPH_DATA_DIR=my-graph dlgraph gaps
    """
    from .. import link, store

    if ctx.find_root().params.get("field"):
        raise UsageError("gaps compares a deck's graph with the field graph; drop --field")
    result = link.gaps(store.load(_data_dir(ctx)), link.load_field())
    _emit(result, as_json, report.gaps_report)
