"""The ``review`` command: confirm, reject, retype or reverse a built graph's relations, one at a time."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import IO

import click

from ..errors import DecisionRefused, DlgraphError, UsageError
from ..vocabulary import RELATION_TYPES
from . import _data_dir, _graph, _resolve, cli, concept_arg, json_option


class _Stop(Exception):
    """The review ended early (q, end of input); ``why`` says which, for the summary."""

    def __init__(self, why: str):
        self.why = why


@cli.command()
@click.option("--concept", metavar="NAME", help="Review only this concept's relations.", **concept_arg)
@click.option(
    "--type", "kind", type=click.Choice(list(RELATION_TYPES)), help="Review only this relation type."
)
@click.option(
    "--answers",
    type=click.File("r", encoding="utf-8"),
    metavar="FILE|-",
    help="Read decisions from FILE ('-' for stdin), one a line (y, n, t TYPE, r, s, q), instead of asking.",
)
@click.option("--stats", is_flag=True, help="Only count the confirmed, pending and rejected relations.")
@json_option
@click.pass_context
def review(
    ctx: click.Context,
    concept: str | None,
    kind: str | None,
    answers: IO[str] | None,
    stats: bool,
    as_json: bool,
) -> None:
    """Confirm or correct the relations a build proposed, most uncertain and most consequential first.

    Each pending relation (extracted from a card, or added from the field graph) is shown with its
    two concepts, type, direction and evidence. Answer y to keep it (it becomes curated), n to
    reject it (it never comes back), t to change its type (t uses, or t then a number), r to reverse
    it, s to skip, q to stop. Every decision is saved at once, and every rebuild keeps it. After each
    one dlgraph says what it settled in the study order.

    \b
    Example:
        dlgraph review --data-dir my-graph --type related-to
        dlgraph review --data-dir my-graph --stats
        printf 'y\\nn\\nt uses\\n' | dlgraph --data-dir my-graph review --answers -
    """
    from .. import review as reviewing

    folder = _data_dir(ctx)
    if not stats:
        if as_json:
            raise UsageError("--json goes with --stats; a review itself prints text")
        reviewing.check_writable(folder)
    cg = _graph(ctx)
    if stats:
        result = reviewing.stats(cg, folder)
        if as_json:
            click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            for line in reviewing.stats_lines(result):
                click.echo(line)
        return
    target = _resolve(ctx, concept) if concept else None
    items = reviewing.queue(cg, concept=target, kind=kind)
    if not items:
        scope = f" among {cg.name(target)}'s relations" if target else ""
        scope += f" of type {kind}" if kind else ""
        click.echo(f"Nothing to review{scope}: every relation is confirmed.")
        return
    session = reviewing.Review(cg, folder)
    lines = iter(enumerate(answers, 1)) if answers is not None else None
    shown, why, error = 0, "", None
    try:
        for number, item in enumerate(items, 1):
            shown = number
            _decide(session, item, number, len(items), lines)
    except _Stop as stop:
        why = stop.why
        shown -= 1
    except KeyboardInterrupt:
        click.echo()
        why, shown = "stopped", shown - 1
    except DlgraphError as exc:  # a bad answers line, a decision that could not be saved
        why, error, shown = "stopped", exc, shown - 1
    except UnicodeDecodeError:
        source = answers.name if answers is not None else "<stdin>"
        why, error, shown = (
            "stopped",
            UsageError(f"{source}: not UTF-8; save the answers as UTF-8"),
            shown - 1,
        )
    if why:
        click.echo()  # a finished relation ends with a blank line; the one stopped at does not
    for line in reviewing.summary_lines(session, shown, len(items), why):
        click.echo(line)
    if error is not None:
        raise error


def _decide(session, item, number: int, total: int, lines: Iterator[tuple[int, str]] | None) -> None:
    """Show one relation and apply answers until one settles it (a refused one asks again)."""
    from .. import review as reviewing

    item = session.assess(item)  # earlier decisions may have changed what it settles
    r = item.relation
    click.echo(click.style(f"{number} of {total} · {session.counts['reject']} rejected", fg="cyan"))
    for line in reviewing.item_lines(session.cg, item, click.style):
        click.echo(line)
    while True:
        action, typed = _answer(lines)
        if action == "skip":
            session.skip()
            click.echo("  skipped")
            break
        if action == "stop":
            raise _Stop("stopped")
        try:
            if action == "retype":
                new_type = reviewing.parse_type(typed) if typed else _pick_type(lines)
                outcome = session.apply(r, action, new_type)
            else:
                outcome = session.apply(r, action)
        except DecisionRefused as exc:
            click.echo(f"  {exc}", err=True)
            continue
        except UsageError as exc:
            if lines is not None:
                raise
            click.echo(f"  {exc}", err=True)
            continue
        what = {"keep": "kept", "reject": "rejected"}.get(action)
        click.echo("  " + (what or f"now: {reviewing.sentence(session.cg, outcome.new)}"))
        for line in outcome.lines:
            click.echo(f"  {line}")
        break
    click.echo()


def _answer(lines: Iterator[tuple[int, str]] | None) -> tuple[str, str | None]:
    """The next decision: from the answers file, or asked on the terminal (again after a typo)."""
    from ..review import KEYS_HELP, parse_answer

    if lines is not None:
        number, text = _next_line(lines)
        try:
            action, typed = parse_answer(text)
        except UsageError as exc:
            raise UsageError(f"--answers line {number}: {exc}") from None
        click.echo(f"> {text}")
        return action, typed
    while True:
        click.echo(f"{KEYS_HELP}: ", nl=False)
        text = _typed()
        if not text.strip():
            continue
        try:
            return parse_answer(text)
        except UsageError as exc:
            click.echo(str(exc), err=True)


def _pick_type(lines: Iterator[tuple[int, str]] | None) -> str:
    """A ``t`` without a type: the next answers line, or a pick from the numbered vocabulary."""
    from ..review import parse_type, type_menu

    if lines is not None:
        number, text = _next_line(lines)
        try:
            return parse_type(text)
        except UsageError as exc:
            raise UsageError(f"--answers line {number}: {exc}") from None
    for line in type_menu():
        click.echo(f"  {line}")
    while True:
        click.echo("new type (number or name): ", nl=False)
        text = _typed()
        try:
            return parse_type(text)
        except UsageError as exc:
            click.echo(str(exc), err=True)


def _next_line(lines: Iterator[tuple[int, str]]) -> tuple[int, str]:
    """The next answers line with something on it (blank lines and ``#`` comments are skipped)."""
    for number, line in lines:
        text = line.split("#", 1)[0].strip()
        if text:
            return number, text
    raise _Stop("end of answers")


def _typed() -> str:
    line = sys.stdin.readline()
    if not line:
        raise _Stop("end of input")
    if not sys.stdin.isatty():
        click.echo()
    return line
