"""Study commands: study (a spaced-repetition session in prerequisite order) and progress."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import IO

import click

from .. import escape
from ..errors import UsageError
from . import _emit, _graph, _resolve, cli, concept_arg, json_option

# The literal, not progress.ENV_PROGRESS: importing progress would load sqlite3 for every command.
progress_option = click.option(
    "--progress",
    "progress_file",
    type=click.Path(dir_okay=False, path_type=str),
    envvar="DLGRAPH_PROGRESS",
    show_envvar=True,
    help="Progress file (default: progress.sqlite3 in your user data folder).",
)

STOP_WORDS = {"q", "quit"}


class _Stop(Exception):
    """The learner ended the session (q, end of input); ``why`` says which, for the summary."""

    def __init__(self, why: str):
        self.why = why


@cli.command()
@click.argument("concept", required=False, **concept_arg)
@progress_option
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Most new concepts to introduce this session.",
)
@click.option(
    "--prereq-reviews",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Reviews each prerequisite needs before a concept that builds on it is introduced.",
)
@click.option(
    "--ratings",
    type=click.File("r", encoding="utf-8"),
    metavar="FILE|-",
    help="Read ratings from FILE ('-' for stdin), one per card shown, instead of asking.",
)
@click.pass_context
def study(
    ctx: click.Context,
    concept: str | None,
    progress_file: str | None,
    limit: int,
    prereq_reviews: int,
    ratings: IO[str] | None,
) -> None:
    """Review due cards, then learn new concepts in prerequisite order (toward CONCEPT, or all).

    Each card shows a concept's name; press Enter for the answer, then rate how well you knew it:
    again, hard, good or easy (or 1-4; q stops). FSRS schedules the next review. A new concept
    comes only after its prerequisites have been reviewed. Every rating is saved at once, so Ctrl-C
    or the end of input ends the session without losing anything.

    \b
    Example:
        dlgraph study "Faster R-CNN" --limit 5
        printf 'good\\nagain\\n' | dlgraph study --ratings -
    """
    from ..progress import Progress
    from ..study import Session, session_report

    cg = _graph(ctx)
    target = _resolve(ctx, concept) if concept else None
    with Progress.open(progress_file) as store:
        session = Session(cg, store, target=target, limit=limit, prereq_reviews=prereq_reviews)
        why, error = "", None
        try:
            _run(session, ratings)
        except _Stop as stop:
            why = stop.why
        except KeyboardInterrupt:
            click.echo()
            why = "stopped"
        except UsageError as exc:
            why, error = "stopped", exc
        except UnicodeDecodeError:
            source = ratings.name if ratings is not None else "<stdin>"
            why, error = "stopped", UsageError(f"{source}: not UTF-8; save the ratings as UTF-8")
        for line in session_report(escape.terminal_data(session.summary()), why, click.style):
            click.echo(line)
    if error is not None:
        raise error


def _run(session, ratings: IO[str] | None) -> None:
    """Show cards until the session runs out of them; raises _Stop when the learner ends it."""
    from ..study import RATING_NAMES, parse_rating, wait

    stdin = sys.stdin
    numbered = enumerate(ratings, 1) if ratings is not None else None
    number = 0
    while (card := session.next_card()) is not None:
        number += 1
        shown = escape.terminal_data(card)  # what the terminal sees; the session rates ``card``
        label = "new" if card.new else "review"
        click.echo(click.style(f"[{number}] {label}: ", fg="cyan") + click.style(shown.name, bold=True))
        click.echo(f"    {shown.kind} · {shown.topic}")
        if numbered is None:
            click.echo("Press Enter to show the answer (q stops): ", nl=False)
            _answer(_line(stdin))
        click.echo("    " + shown.answer)
        if shown.builds_on:
            click.echo("    builds on: " + ", ".join(shown.builds_on))
        if numbered is None:
            rating = _ask(stdin)
        else:
            rating = _read(numbered, parse_rating)
            click.echo(f"rating: {RATING_NAMES[rating]}")
        click.echo(f"    next review {wait(session.rate(card, rating))}")
        click.echo()


def _line(stdin: IO[str]) -> str:
    """One line typed by the learner; piped input is not echoed, so end the prompt's line for it."""
    line = stdin.readline()
    if not stdin.isatty():
        click.echo()
    return line


def _answer(line: str) -> str:
    if not line:
        raise _Stop("end of input")
    if line.strip().casefold() in STOP_WORDS:
        raise _Stop("stopped")
    return line


def _ask(stdin: IO[str]) -> int:
    """A rating from the terminal, asking again after a typo."""
    from ..study import parse_rating

    while True:
        click.echo("again, hard, good, easy (1-4; q stops): ", nl=False)
        line = _answer(_line(stdin))
        try:
            return parse_rating(line)
        except UsageError as exc:
            click.echo(str(exc), err=True)


def _read(numbered: Iterator[tuple[int, str]], parse: Callable[[str], int]) -> int:
    """The next rating from a ratings file; blank lines and ``#`` comments are skipped."""
    for number, line in numbered:
        word = line.split("#", 1)[0].strip()
        if not word:
            continue
        try:
            return parse(_answer(word))
        except UsageError as exc:
            raise UsageError(f"--ratings line {number}: {exc}") from None
    raise _Stop("end of ratings")


@cli.command()
@progress_option
@json_option
@click.pass_context
def progress(ctx: click.Context, progress_file: str | None, as_json: bool) -> None:
    """What you know, what is due and what is new, per topic.

    A concept is known once it has been reviewed at least once (any rating); due when it is known
    and its next review time has come; new when it was never reviewed.

    \b
    Example:
        dlgraph progress
        dlgraph progress --progress ~/notes/dl.sqlite3 --json
    """
    from ..progress import Progress, resolve_path
    from ..study import progress_report, progress_summary

    cg = _graph(ctx)
    where = resolve_path(progress_file)
    states = None
    if where.exists():
        with Progress.open(where, create=False) as store:
            states = store.cards()
    _emit(progress_summary(cg, states, str(where)), as_json, progress_report)
