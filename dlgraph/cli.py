"""The ``dlgraph`` command line: parse, call one library function, print. No graph logic here.

Heavy modules (networkx, spaCy, pyvis) are imported inside the commands that need them, so that
``--help`` and shell completion stay fast.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__, report, store
from .errors import DlgraphError


class DlgraphGroup(click.Group):
    """Turns dlgraph's own errors into a message and an exit code; no traceback without ``--debug``."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DlgraphError as exc:
            if ctx.params.get("debug"):
                raise
            error = click.ClickException(str(exc))
            error.exit_code = exc.exit_code
            raise error from None
        except (click.exceptions.Exit, click.ClickException, click.Abort, BrokenPipeError):
            raise
        except OSError as exc:
            if ctx.params.get("debug"):
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from None
        except Exception as exc:  # a bug: say so plainly, keep the traceback behind --debug
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(
                f"internal error: {type(exc).__name__}: {exc}; rerun with --debug and report it"
            ) from None


def _data_dir(ctx: click.Context) -> Path:
    return store.resolve_data_dir(ctx.find_root().params.get("data_dir"))


def _graph(ctx: click.Context):
    """The validated graph for this invocation, loaded once."""
    obj = ctx.ensure_object(dict)
    if "graph" not in obj:
        from .graph import load_graph

        obj["graph"] = load_graph(_data_dir(ctx))
    return obj["graph"]


def _complete_concept(ctx: click.Context, param: click.Parameter, incomplete: str):
    """Concept ids for shell completion; reads names only (no networkx, no validation)."""
    from click.shell_completion import CompletionItem

    from .names import Resolver

    try:
        dataset = store.load(_data_dir(ctx), check=False)
        resolver = Resolver(c for c in dataset.concepts if isinstance(c, dict) and "id" in c and "name" in c)
    except Exception:  # completion must never print a traceback into the user's prompt
        return []
    return [CompletionItem(cid, help=name) for cid, name in resolver.complete(incomplete)]


def _resolve(ctx: click.Context, name: str) -> str:
    """A concept id for ``name``; says so on stderr when a fuzzy guess was needed."""
    match = _graph(ctx).match(name)
    if not match.exact:
        click.echo(f"note: taking {name!r} to mean {match.label!r}", err=True)
    return match.id


def _known(ctx: click.Context, values: tuple[str, ...]) -> list[str]:
    """Concept ids from ``--known`` values: comma-separated names, or files of names (one a line)."""
    names: list[str] = []
    for value in values:
        if os.path.isfile(value):
            text = Path(value).read_text(encoding="utf-8-sig")
            for line in text.splitlines():
                line = line.split("#", 1)[0]
                names += [n.strip() for n in line.split(",") if n.strip()]
        else:
            names += [n.strip() for n in value.split(",") if n.strip()]
    return [_resolve(ctx, n) for n in names]


def _emit(result: Any, as_json: bool, lines) -> None:
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    for line in lines(result, click.style):
        click.echo(line)


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of text.")
concept_arg = {"shell_complete": _complete_concept}


@click.group(cls=DlgraphGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(path_type=str),
    envvar=store.ENV_DATA_DIR,
    show_envvar=True,
    help="Folder holding concepts.json and relations.json (default: the bundled graph).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of short error messages.")
@click.version_option(__version__, "-V", "--version", prog_name="dlgraph")
@click.pass_context
def cli(ctx: click.Context, data_dir: str | None, debug: bool) -> None:
    """Explore a deep-learning concept graph: lineage, prerequisites, study order, maps.

    \b
    Example:
        dlgraph path R-CNN "Mask R-CNN"
    """
    ctx.ensure_object(dict)
    if "NO_COLOR" in os.environ:
        ctx.color = False


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
    from . import graph

    cg = _graph(ctx)
    result = graph.path(cg, _resolve(ctx, source), _resolve(ctx, target), any_relation=any_relation)
    _emit(result, as_json, report.path_report)
    if not result["found"]:
        ctx.exit(1)


@cli.command()
@click.argument("concept", **concept_arg)
@click.option("--depth", type=click.IntRange(min=1), help="Only go this many steps back.")
@click.option("--known", multiple=True, metavar="NAMES|FILE", help="Concepts already known (comma-separated, or a file).")
@json_option
@click.pass_context
def prereqs(ctx: click.Context, concept: str, depth: int | None, known: tuple[str, ...], as_json: bool) -> None:
    """Everything to study before CONCEPT, in a valid study order, each with why it is needed.

    \b
    Example:
        dlgraph prereqs Adam --known "gradient descent"
    """
    from . import graph

    cg = _graph(ctx)
    result = graph.prerequisites(cg, _resolve(ctx, concept), depth=depth, known=_known(ctx, known))
    _emit(result, as_json, report.prereqs_report)


@cli.command("next")
@click.option("--known", multiple=True, metavar="NAMES|FILE", help="Concepts already known (comma-separated, or a file).")
@json_option
@click.pass_context
def next_(ctx: click.Context, known: tuple[str, ...], as_json: bool) -> None:
    """What you can learn next: concepts whose prerequisites you all know.

    \b
    Example:
        dlgraph next --known "R-CNN,RoI Pooling,selective search"
    """
    from . import graph

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
    from . import graph

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
    from . import graph

    result = graph.show(_graph(ctx), _resolve(ctx, concept))
    _emit(result, as_json, report.show_report)


@cli.command()
@click.argument("text")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Most results to print.")
@json_option
@click.pass_context
def search(ctx: click.Context, text: str, limit: int, as_json: bool) -> None:
    """Concepts ranked by how well TEXT matches their name, aliases or definition.

    \b
    Example:
        dlgraph search "region proposal"
    """
    from .names import search as rank

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
    from . import graph

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
        from .vocabulary import KINDS, TOPICS

        click.echo(json.dumps({"types": report.types_table(), "topics": TOPICS, "kinds": KINDS}, indent=2))
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
    from . import graph

    result = graph.validate(_data_dir(ctx))
    _emit(result, as_json, report.validate_report)
    if not result["valid"]:
        ctx.exit(1)


def main() -> None:
    try:
        cli(prog_name="dlgraph")
    except BrokenPipeError:
        # The reader went away (`dlgraph list | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
