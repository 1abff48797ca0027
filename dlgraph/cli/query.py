"""Query commands: path, prereqs, next, lineage, show, search, list, types, validate, gaps."""

from __future__ import annotations

import json

import click

from .. import report
from ..errors import UsageError
from . import _data_dir, _emit, _graph, _known, _resolve, cli, concept_arg, json_option


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

    cg = _graph(ctx)
    result = graph.prerequisites(cg, _resolve(ctx, concept), depth=depth, known=_known(ctx, known))
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

    result = graph.next_concepts(_graph(ctx), _known(ctx, known))
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
@json_option
@click.pass_context
def show(ctx: click.Context, concept: str, as_json: bool) -> None:
    """The card of CONCEPT: its fields and its relations in both directions.

    \b
    Example:
        dlgraph show GRU
    """
    from .. import graph

    result = graph.show(_graph(ctx), _resolve(ctx, concept))
    _emit(result, as_json, report.show_report)


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

    result = {"query": text, "results": rank(_graph(ctx).concepts.values(), text, limit)}
    _emit(result, as_json, report.search_report)


@cli.command("list")
@click.option("--topic", help="Only this topic (see `dlgraph types`).")
@click.option("--kind", help="Only this kind (see `dlgraph types`).")
@json_option
@click.pass_context
def list_(ctx: click.Context, topic: str | None, kind: str | None, as_json: bool) -> None:
    """Concepts, optionally one topic or kind.

    \b
    Example:
        dlgraph list --topic object-detection
    """
    from .. import graph

    result = graph.list_concepts(_graph(ctx), topic=topic, kind=kind)
    _emit(result, as_json, report.list_report)


@cli.command()
@json_option
def types(as_json: bool) -> None:
    """The relation types (with inverse labels, families, study order), topics and kinds.

    \b
    Example:
        dlgraph types
    """
    if as_json:
        from ..vocabulary import KINDS, TOPICS

        types = {"types": report.types_table(), "topics": TOPICS, "kinds": KINDS}
        click.echo(json.dumps(types, indent=2, allow_nan=False))
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
