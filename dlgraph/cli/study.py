"""Study commands: study (a spaced-repetition session in prerequisite order) and progress."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import IO

import click

from .. import escape
from ..errors import DlgraphError, UsageError
from . import _data_dir, _emit, _graph, _resolve, cli, concept_arg, json_option

# The literal, not progress.ENV_PROGRESS: importing progress would load sqlite3 for every command.
progress_option = click.option(
    "--progress",
    "progress_file",
    type=click.Path(dir_okay=False, path_type=str),
    envvar="DLGRAPH_PROGRESS",
    show_envvar=True,
    help="Progress file (default: this graph's own, in your user data folder).",
)


def _progress(ctx: click.Context, progress_file: str | None):
    """Where this graph's progress is (a :class:`~dlgraph.progress.Location`); notes a move."""
    from ..progress import locate

    found = locate(progress_file, _data_dir(ctx))
    if found.note:
        click.echo(f"note: {found.note}", err=True)
    return found


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
    "--steps",
    default="1m 10m",
    show_default=True,
    metavar="STEPS",
    help="Learning steps of a new card, as Anki writes them (s, m, h, d); a card rated again or hard "
    "comes back after them in the same session.",
)
@click.option(
    "--implicit/--no-implicit",
    default=True,
    show_default=True,
    help="Let a good review of a concept count, in part, as a review of what it builds on.",
)
@click.option(
    "--ratings",
    # A path, not click.File: opening a FIFO would block before dlgraph could refuse it.
    type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=str),
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
    steps: str,
    implicit: bool,
    ratings: str | None,
) -> None:
    """Review due cards, then learn new concepts in prerequisite order (toward CONCEPT, or all).

    Each card shows its question (the deck's front, or "What is ...?"); press Enter for the answer,
    then rate how well you knew it: again, hard, good or easy (or 1-4; q stops). As in Anki, a new
    card climbs the learning steps and one rated again comes back later in the session; FSRS
    schedules the reviews. A new concept comes only after its prerequisites have been reviewed, and a
    good review also counts in part for what the concept builds on (--no-implicit turns that off).
    When the graph was built from an Anki package or collection, its review history counts too.
    Every rating is saved at once: Ctrl-C ends the session (exit 130) without losing any.

    \b
    Example:
        dlgraph study "Faster R-CNN" --limit 5
        printf 'good\\nagain\\n' | dlgraph study --ratings -
    """
    from ..anki_history import sync_from_build
    from ..files import text_lines
    from ..progress import Progress
    from ..study import Session, parse_steps, session_report

    cg = _graph(ctx)
    lines = None
    if ratings is not None:
        piped = click.open_file("-", encoding="utf-8") if ratings == "-" else None
        lines = text_lines(
            ratings,
            piped,
            what="ratings file",
            encoding_error=UsageError,
            instead="save the ratings to a file and give that, or pipe them in with --ratings -",
        )
    target = _resolve(ctx, concept) if concept else None
    learning_steps = parse_steps(steps)
    where = _progress(ctx, progress_file)
    with Progress.open(where.path, graph=where.graph) as store:
        imported = sync_from_build(cg, store, learning_steps)
        if imported is not None and imported["added"]:
            click.echo(imported["message"])
        session = Session(
            cg,
            store,
            target=target,
            limit=limit,
            prereq_reviews=prereq_reviews,
            steps=learning_steps,
            implicit=implicit,
        )
        why, error, code = "", None, 0
        try:
            _run(session, lines)
        except _Stop as stop:
            why = stop.why
        except KeyboardInterrupt:
            click.echo()
            why, code = "interrupted", 130
        except DlgraphError as exc:  # a bad rating, or a ratings stream past its cap
            why, error = "stopped", exc
        except UnicodeDecodeError:
            source = ratings if ratings not in (None, "-") else "<stdin>"
            why, error = "stopped", UsageError(f"{source}: not UTF-8; save the ratings as UTF-8")
        for line in session_report(escape.terminal_data(session.summary()), why, click.style):
            click.echo(line)
    if error is not None:
        raise error
    if code:
        ctx.exit(code)


_LABELS = {"new": "new", "review": "review", "repeat": "learning", "prerequisite": "prerequisite first"}


def _run(session, ratings: Iterable[str] | None) -> None:
    """Show cards until the session runs out of them; raises _Stop when the learner ends it."""
    from ..report import fit, wrap
    from ..study import RATING_NAMES, parse_rating, wait

    stdin = sys.stdin
    numbered = enumerate(ratings, 1) if ratings is not None else None
    while (card := session.next_card()) is not None:
        counts = session.counts(card)
        shown = escape.terminal_data(card)  # what the terminal sees; the session rates ``card``
        line = f"card {counts['number']} of {counts['total']} · {counts['repeat']} to repeat"
        if counts["reviews"]:
            line += f" · {counts['reviews']} due"
        click.echo(click.style(line + f" · {counts['new']} new left", dim=True))
        head = f"[{counts['number']}] {_LABELS[card.reason]}: "
        click.echo(click.style(head, fg="cyan") + click.style(shown.question, bold=True))
        click.echo(f"    {shown.topic}" if card.name_hidden else f"    {shown.kind} · {shown.topic}")
        if numbered is None:
            click.echo("Press Enter to show the answer (q stops): ", nl=False)
            _answer(_line(stdin))
        for paragraph in shown.answer.splitlines() or [""]:  # the author's line breaks, then words
            click.echo("\n".join(wrap(paragraph, "    ")))
        if card.name_hidden:
            click.echo(f"    = {shown.name} ({shown.kind})")
        if shown.builds_on:
            click.echo("\n".join(fit("    builds on: " + ", ".join(shown.builds_on), "      ")))
        if numbered is None:
            rating = _ask(stdin)
        else:
            rating = _read(numbered, parse_rating)
            click.echo(f"rating: {RATING_NAMES[rating]}")
        outcome = session.rate(card, rating)
        click.echo(f"    next review {wait(outcome.next_due)}")
        if outcome.credited:
            names = ", ".join(
                f"{session.cg.name(cid)} {credit:.2f}"
                for cid, credit in sorted(outcome.credited.items(), key=lambda kv: (-kv[1], kv[0]))
            )
            click.echo(f"    implicit credit: {names}")
        if outcome.first:
            click.echo(f"    first, its shaky prerequisite: {session.cg.name(outcome.first)}")
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
@click.option(
    "--list",
    "listing",
    is_flag=True,
    help="Also list every known concept with its next review, those due now first.",
)
@click.option(
    "--from-anki",
    "from_anki",
    type=click.Path(exists=True, dir_okay=False, path_type=str),
    metavar="FILE",
    help="First import the review history of this Anki package or collection into the progress file.",
)
@json_option
@click.pass_context
def progress(
    ctx: click.Context, progress_file: str | None, listing: bool, from_anki: str | None, as_json: bool
) -> None:
    """What you know, what is due and what is new, per topic; which reviews were implicit (--list:
    which concepts).

    A concept is known once it has been reviewed at least once (any rating), here or in the Anki
    deck the graph was built from; due when it is known and its next review time has come; new when
    it was never reviewed. --from-anki FILE imports FILE's review history into the progress file.

    \b
    Example:
        dlgraph progress --list
        dlgraph progress --from-anki ~/Anki2/User\\ 1/collection.anki2 --json
    """
    from ..study import progress_report, progress_view

    cg = _graph(ctx)
    found = _progress(ctx, progress_file)
    result = progress_view(cg, found.path, from_anki=from_anki, listing=listing, graph=found.graph)
    _emit(result, as_json, _progress_listing if listing else progress_report)


def _progress_listing(result: dict, style: Callable[..., str]) -> list[str]:
    """``dlgraph progress --list``: the per-topic table, then one aligned row per known concept."""
    from ..progress import parse_utc
    from ..study import progress_report, when

    lines = progress_report(result, style)
    rows = result["concepts"]
    lines.append("")
    if not rows:
        return [*lines, "No concept is known yet: run `dlgraph study` to start."]
    due = sum(1 for r in rows if r["status"] == "due")
    lines.append(style(f"Known concepts: {len(rows)}, due now: {due}", bold=True))
    now = parse_utc(result["now"])
    table = [("concept", "topic", "reviews", "next review")]
    for r in rows:
        moment = parse_utc(r["due"])
        table.append(
            (
                r["name"],
                r["topic"],
                str(r["reviews"]),
                "due now" if r["status"] == "due" else when(moment, now),
            )
        )
    w_name, w_topic, w_reviews = (max(len(row[i]) for row in table) for i in range(3))
    for i, (name, topic, reviews, nxt) in enumerate(table):
        line = f"{name:<{w_name}}  {topic:<{w_topic}}  {reviews:>{w_reviews}}  {nxt}"
        lines.append(style(line, bold=True) if i == 0 else line)
    return lines
