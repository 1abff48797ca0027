"""The ``dlgraph`` command line: parse, call one library function, print. No graph logic here.

This package holds the group and what every command shares; each module beside it adds one family
of commands.

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

from .. import __version__, escape, store
from ..errors import DlgraphError, UsageError

#: Options of the group that people type after the command too (``dlgraph show adam --data-dir G``).
GLOBAL_FLAGS = ("--field", "--debug")
GLOBAL_VALUES = ("--data-dir",)


def hoist_global_options(args: list[str], commands: set[str]) -> list[str]:
    """``args`` with the group's options moved in front of the command, where click looks for them.

    >>> hoist_global_options(["show", "adam", "--data-dir", "G", "--field"], {"show"})
    ['--data-dir', 'G', '--field', 'show', 'adam']
    >>> hoist_global_options(["search", "--", "--field"], {"search"})
    ['search', '--', '--field']
    """
    at = next((i for i, a in enumerate(args) if a in commands), None)
    if at is None:
        return args
    front, rest, moved = args[:at], [], []
    i = at
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        if arg in GLOBAL_FLAGS:
            moved.append(arg)
        elif arg in GLOBAL_VALUES and i + 1 < len(args):
            moved += [arg, args[i + 1]]
            i += 1
        elif any(arg.startswith(f"{name}=") for name in GLOBAL_VALUES):
            moved.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + moved + rest


class DlgraphGroup(click.Group):
    """Turns dlgraph's own errors into a message and an exit code; no traceback without ``--debug``.

    The group's own options are also taken after the command (see :func:`hoist_global_options`).
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        args = hoist_global_options(list(args), set(self.commands))
        ctx.meta["dlgraph.args"] = args
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return self._invoke(ctx)
        except click.ClickException as exc:
            # A script that asked for JSON reads stdout: the error is one JSON object there too.
            if "--json" in ctx.meta.get("dlgraph.args", ()):
                click.echo(json.dumps({"error": exc.format_message(), "exit_code": exc.exit_code}))
            raise

    def _invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DlgraphError as exc:
            if ctx.params.get("debug"):
                raise
            error = click.ClickException(escape.terminal(str(exc)))  # it may quote card text
            error.exit_code = exc.exit_code
            raise error from None
        except (click.exceptions.Exit, click.ClickException, click.Abort, BrokenPipeError):
            raise
        except OSError as exc:
            if ctx.params.get("debug"):
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(escape.terminal(f"{where}{exc.strerror or exc}")) from None
        except UnicodeEncodeError as exc:
            # Arguments that are not valid UTF-8 reach Python as lone surrogates; they fail only when
            # written out as text (a page title, say). That is the user's input, not a bug.
            if ctx.params.get("debug") or "surrogates not allowed" not in str(exc):
                raise
            error = click.ClickException(
                "an argument is not valid UTF-8 text; retype it, or set a UTF-8 locale (e.g. LANG=C.UTF-8)"
            )
            error.exit_code = 2
            raise error from None
        except Exception as exc:  # a bug: say so plainly, keep the traceback behind --debug
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(
                f"internal error: {type(exc).__name__}: {exc}; rerun with --debug and report it"
            ) from None


def _data_dir(ctx: click.Context) -> Path:
    root = ctx.find_root()
    if root.params.get("field"):
        if root.get_parameter_source("data_dir") == click.core.ParameterSource.COMMANDLINE:
            raise UsageError("--field and --data-dir name two different graphs; give one of them")
        return store.field_data_dir()
    return store.resolve_data_dir(root.params.get("data_dir"))


def _graph(ctx: click.Context):
    """The validated graph for this invocation, loaded once."""
    obj = ctx.ensure_object(dict)
    if "graph" not in obj:
        from ..graph import load_graph

        obj["graph"] = load_graph(_data_dir(ctx))
    return obj["graph"]


def _complete_concept(ctx: click.Context, param: click.Parameter, incomplete: str):
    """Concept ids for shell completion; reads names only (no networkx, no validation)."""
    from click.shell_completion import CompletionItem

    from ..names import Resolver

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
    """Concept ids from ``--known`` values: comma-separated names, or files of names (one a line).

    Without ``--known``, what ``dlgraph study`` has reviewed (if there is a progress file); ``--known ""``
    means nothing is known.
    """
    if not values:
        from ..progress import known_ids

        reviewed = known_ids()
        # A progress file may name concepts this graph no longer has: they cannot count as known here.
        return sorted(reviewed & set(_graph(ctx).concepts)) if reviewed else []
    names: list[str] = []
    for value in values:
        if os.path.isfile(value):
            try:
                text = Path(value).read_text(encoding="utf-8-sig")
            except UnicodeDecodeError as exc:
                raise UsageError(
                    f"{value}: not UTF-8 (bad byte at offset {exc.start}); save it as UTF-8"
                ) from None
            for line in text.splitlines():
                line = line.split("#", 1)[0]
                names += [n.strip() for n in line.split(",") if n.strip()]
        else:
            names += [n.strip() for n in value.split(",") if n.strip()]
    return [_resolve(ctx, n) for n in names]


def _emit(result: Any, as_json: bool, lines) -> None:
    """Print ``result`` as JSON or as the lines ``lines`` makes of it; card text is made inert first
    (see :mod:`dlgraph.escape`), so only dlgraph's own styling reaches the terminal."""
    if as_json:
        click.echo(escape.json(json.dumps(result, indent=2, ensure_ascii=False)))
        return
    for line in lines(escape.terminal_data(result), click.style):
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
@click.option(
    "--field",
    is_flag=True,
    help="Use the bundled field graph (deep learning's concepts and lineage) instead of a deck's graph.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of short error messages.")
@click.version_option(__version__, "-V", "--version", prog_name="dlgraph")
@click.pass_context
def cli(ctx: click.Context, data_dir: str | None, field: bool, debug: bool) -> None:
    """Explore a deep-learning concept graph: lineage, prerequisites, study order, maps.

    \b
    Examples:
        dlgraph path R-CNN "Mask R-CNN"
        dlgraph --field path LeNet ResNet
    """
    ctx.ensure_object(dict)
    if "NO_COLOR" in os.environ:
        ctx.color = False


def main() -> None:
    try:
        cli(prog_name="dlgraph")
    except BrokenPipeError:
        # The reader went away (`dlgraph list | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


# Importing the command modules registers their commands on the group.
from . import build, export, query, render, study  # noqa: E402, F401
