"""The ``dlgraph`` command line: parse, call one library function, print. No graph logic here.

This package holds the group and what every command shares; each module beside it adds one family
of commands.

Heavy modules (networkx, spaCy, pyvis) are imported inside the commands that need them, so that
``--help`` and shell completion stay fast.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import click
from click.shell_completion import BashComplete, CompletionItem, add_completion_class

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
                click.echo(
                    json.dumps({"error": exc.format_message(), "exit_code": exc.exit_code}, allow_nan=False)
                )
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


class PairedOptionCommand(click.Command):
    """A command whose two-value options (``--path FROM TO``) say which value is missing.

    Left to click, ``render --path adam -o out/p.html`` takes ``-o`` as the second concept.
    """

    pairs: dict[str, tuple[str, str]] = {"--path": ("FROM", "TO")}

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        for i, arg in enumerate(args):
            if arg == "--":
                break
            if arg not in self.pairs:
                continue
            given = []
            for value in args[i + 1 : i + 3]:
                if value.startswith("-") and value != "-":
                    break
                given.append(value)
            if len(given) < 2:
                first, second = self.pairs[arg]
                which = f"{first} is {given[0]!r} but {second} is missing" if given else "both are missing"
                raise click.UsageError(
                    f"{arg} needs two concepts, {first} and {second}: {which} "
                    f'(e.g. {arg} R-CNN "Mask R-CNN")',
                    ctx,
                )
        return super().parse_args(ctx, args)


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


def _completing_shell() -> str:
    """The shell asking for completions (``bash``, ``zsh``, ``fish``), from click's protocol variable."""
    return os.environ.get("_DLGRAPH_COMPLETE", "").partition("_")[0]


def _dataset_for_completion(ctx: click.Context) -> list[dict[str, Any]]:
    """The graph's concept dicts, read without validation; completion must stay fast and quiet."""
    dataset = store.load(_data_dir(ctx), check=False)
    return [c for c in dataset.concepts if isinstance(c, dict) and isinstance(c.get("id"), str)]


def _complete_concept(ctx: click.Context, param: click.Parameter, incomplete: str):
    """Concept names, aliases or ids that start with what was typed; the id once one concept is left.

    An id is one word that resolves exactly, so bash and zsh (which insert what they are given) get
    it for the last candidate; fish keeps only candidates that extend the typed word, so it gets the
    label as typed and escapes it itself.
    """
    from ..names import Resolver

    try:
        concepts = [c for c in _dataset_for_completion(ctx) if isinstance(c.get("name"), str)]
        for c in concepts:
            aliases = c.get("aliases")
            c["aliases"] = [a for a in aliases if isinstance(a, str)] if isinstance(aliases, list) else []
        hits = Resolver(concepts).complete(incomplete)
    except Exception:  # completion must never print a traceback into the user's prompt
        return []
    if len(hits) == 1 and _completing_shell() in ("bash", "zsh"):
        _, cid, name = hits[0]
        return [CompletionItem(cid, help=name)]
    return [CompletionItem(label, help=name if name != label else None) for label, _, name in hits]


def _complete_field(field: str):
    """A completer for a concept field's values in this graph (topics, kinds), matched as typed."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str):
        from ..names import normalize

        try:
            values = {c.get(field) for c in _dataset_for_completion(ctx)}
        except Exception:
            return []
        folded, key = incomplete.casefold(), normalize(incomplete)
        return [
            CompletionItem(v)
            for v in sorted(v for v in values if isinstance(v, str))
            if v.casefold().startswith(folded) or (key and normalize(v).startswith(key))
        ]

    return complete


def _term(ctx: click.Context, field: str, value: str | None) -> str | None:
    """The graph's topic or kind that ``value`` names, resolved as a concept name is ("obj")."""
    if value is None:
        return None
    from ..names import resolve_term

    return resolve_term(value, (c[field] for c in _graph(ctx).concepts.values()), field)


def _topic(ctx: click.Context, value: str | None) -> str | None:
    return _term(ctx, "topic", value)


def _kind(ctx: click.Context, value: str | None) -> str | None:
    return _term(ctx, "kind", value)


def _resolve(ctx: click.Context, name: str) -> str:
    """A concept id for ``name``; says so on stderr when a fuzzy guess was needed."""
    from ..errors import ConceptNotFound
    from ..names import mentions

    cg = _graph(ctx)
    try:
        match = cg.match(name)
    except ConceptNotFound as exc:
        # "relu" is no concept of the bundled graph, but AlexNet's card uses it: say where.
        found = mentions(cg.concepts.values(), cg.dataset.relations, name)
        raise ConceptNotFound(name, exc.suggestions, found) from None
    if not match.exact:
        click.echo(f"note: taking {name!r} to mean {match.label!r}", err=True)
    return match.id


def _progress_path() -> Path:
    """Where ``dlgraph study`` keeps progress by default ($DLGRAPH_PROGRESS, else the user data folder)."""
    from ..progress import resolve_path

    return resolve_path(None)


def _known(ctx: click.Context, values: tuple[str, ...], progress: str | None = None) -> list[str]:
    """Concept ids from ``--known`` values: comma-separated names, or files of names (one a line).

    Without ``--known``, what ``dlgraph study`` has reviewed (if there is a progress file: ``progress``,
    else this graph's own); ``--known ""`` means nothing is known.
    """
    if not values:
        from ..progress import known_concepts, locate

        found = locate(progress, _data_dir(ctx))  # this graph's own progress, never another graph's
        if found.note:
            click.echo(f"note: {found.note}", err=True)
        return known_concepts(_graph(ctx), found)
    names: list[str] = []
    for value in values:
        # A name may hold a slash ("Vanishing/exploding gradients"): names that resolve are names.
        if (
            not os.path.exists(value)
            and _looks_like_a_file(value)
            and not all(_names_a_concept(ctx, n) for n in value.split(",") if n.strip())
        ):
            raise UsageError(
                f"--known {value}: no such file (--known takes a file of names, one a line, "
                "or comma-separated names)"
            )
        if os.path.isdir(value):
            raise UsageError(f"--known {value}: is a folder; give a file of names, one a line")
        # A path that is there but no folder is a names file, even a pipe or device (refused by name).
        if os.path.exists(value):
            from ..files import read_text

            text = read_text(
                Path(value),
                what="names file",
                encoding_error=UsageError,
                instead="save the names to a file and give that, or list them: --known A,B",
            )
            for line in text.splitlines():
                line = line.split("#", 1)[0]
                names += [n.strip() for n in line.split(",") if n.strip()]
        else:
            names += [n.strip() for n in value.split(",") if n.strip()]
    return [_resolve(ctx, n) for n in names]


def _names_a_concept(ctx: click.Context, name: str) -> bool:
    try:
        _graph(ctx).resolver.resolve(name.strip())
    except DlgraphError:
        return False
    return True


def _looks_like_a_file(value: str) -> bool:
    """A ``--known`` value that names a file rather than concepts: a path, or a file name's suffix."""
    return "/" in value or os.sep in value or value.startswith("~") or bool(_FILE_SUFFIX.search(value))


_FILE_SUFFIX = re.compile(r"\.(txt|csv|tsv|md|list|lst|text)$", re.IGNORECASE)


def _emit(result: Any, as_json: bool, lines) -> None:
    """Print ``result`` as JSON or as the lines ``lines`` makes of it; card text is made inert first
    (see :mod:`dlgraph.escape`), so only dlgraph's own styling reaches the terminal."""
    if as_json:
        # Strict JSON (no NaN or Infinity, which strict parsers reject): the data files hold none.
        click.echo(escape.json(json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False)))
        return
    for line in lines(escape.terminal_data(result), click.style):
        click.echo(line)


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of text.")
concept_arg = {"shell_complete": _complete_concept}
topic_arg = {"shell_complete": _complete_field("topic"), "metavar": "TOPIC"}
kind_arg = {"shell_complete": _complete_field("kind"), "metavar": "KIND"}


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
    if sys.stdout.isatty():
        # Wrap where the terminal would, so that it never breaks a word itself; pipes get 100.
        import shutil

        from .. import report

        report.LINE_WIDTH = max(40, min(100, shutil.get_terminal_size().columns))


class _BashComplete(BashComplete):
    """click's bash protocol with each value escaped for the shell.

    Bash inserts a candidate as it is, so ``Mask R-CNN`` would become two words; its script reads
    each line with ``read`` (which eats one level of backslashes), hence the doubling.
    """

    def format_completion(self, item: CompletionItem) -> str:
        value = item.value
        if item.type == "plain":
            value = re.sub(r"([^\w@%+=:,./-])", r"\\\1", value).replace("\\", "\\\\")
        return f"{item.type},{value}"


add_completion_class(_BashComplete, "bash")


def main() -> None:
    try:
        cli(prog_name="dlgraph")
    except BrokenPipeError:
        # The reader went away (`dlgraph list | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


# Importing the command modules registers their commands on the group.
from . import build, export, query, render, review, study  # noqa: E402, F401
