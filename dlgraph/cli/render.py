"""The ``render`` command: the interactive concept map as one offline HTML file."""

from __future__ import annotations

import click

from .. import escape
from ..errors import UsageError
from ..report import count
from . import (
    PairedOptionCommand,
    _data_dir,
    _graph,
    _known,
    _resolve,
    _topic,
    cli,
    concept_arg,
    topic_arg,
)


@cli.command(cls=PairedOptionCommand)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Where to write the page; - for standard output.  [default: out/concept_map.html]",
)
@click.option("--force", is_flag=True, help="Replace an existing file (a device or FIFO is written through).")
@click.option("--focus", metavar="CONCEPT", help="Only this concept and its neighbours.", **concept_arg)
@click.option(
    "--depth", type=click.IntRange(min=1), help="With --focus: how many steps out to go.  [default: 1]"
)
@click.option("--topic", help="Only the concepts of this topic (see `dlgraph types`).", **topic_arg)
@click.option(
    "--path",
    "path_ends",
    nargs=2,
    metavar="FROM TO",
    help="Highlight the path between two concepts and fade the rest.",
)
@click.option(
    "--prereqs",
    metavar="CONCEPT",
    help="Highlight what to study before CONCEPT: the plan `dlgraph prereqs` prints.",
    **concept_arg,
)
@click.option(
    "--known",
    multiple=True,
    metavar="NAMES|FILE",
    help="Concepts already known (comma-separated, or a file), left out of study plans as by "
    "`dlgraph prereqs`.  [default: what was reviewed in the study progress, see --progress]",
)
@click.option("--edge-labels", is_flag=True, help="Write each relation's type on its edge.")
@click.option(
    "--progress",
    "progress_file",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[FILE]",
    help="Colour concepts by how well you remember them (from `dlgraph study`): grey never reviewed, "
    "red to green by recall probability; the topic moves to the border. FILE defaults to "
    "$DLGRAPH_PROGRESS, else the progress file in your data folder.",
)
@click.option("--title", default="dlgraph concept map", show_default=True, help="The page's title.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default web browser.")
@click.pass_context
def render(
    ctx: click.Context,
    output: str | None,
    force: bool,
    focus: str | None,
    depth: int | None,
    topic: str | None,
    path_ends: tuple[str, str] | None,
    prereqs: str | None,
    known: tuple[str, ...],
    edge_labels: bool,
    title: str,
    progress_file: str | None,
    open_browser: bool,
) -> None:
    """Draw the concept map: one self-contained HTML file that works offline.

    Nodes are coloured by topic and shaped by kind; edges are styled by relation family. In the page:
    search by name or alias, click a concept for its card, pick two concepts to see the path between
    them, and show or hide topics and relation types.

    An existing file is replaced only with --force; a device or FIFO (/dev/null, a named pipe) is
    written through, never replaced; a missing folder is an error, except out/ for the default path.

    \b
    Example:
        dlgraph render --path R-CNN "Mask R-CNN" -o rcnn.html
        dlgraph render --progress -o mastery.html --force
        dlgraph render --focus Adam -o - > adam.html
    """
    from .. import progress
    from .. import render as draw

    if open_browser and output == "-":
        raise UsageError("--open needs a file to open; give -o FILE instead of -o -")
    # Known before mastery: finding the progress file may move an old one, and this says so.
    already_known = tuple(_known(ctx, known, progress_file or None))
    mastery = None
    if progress_file is not None:
        where = progress.locate(progress_file or None, _data_dir(ctx)).path  # this graph's own
        if not where.exists():
            click.echo(
                f"note: no progress file at {where}; every concept is drawn as never reviewed", err=True
            )
        mastery = progress.mastery(where)

    options = draw.MapOptions(
        focus=_resolve(ctx, focus) if focus else None,
        depth=depth,
        topic=_topic(ctx, topic),
        path=(_resolve(ctx, path_ends[0]), _resolve(ctx, path_ends[1])) if path_ends else None,
        prereqs=_resolve(ctx, prereqs) if prereqs else None,
        edge_labels=edge_labels,
        title=title,
        mastery=mastery,
        known=already_known,
    )
    done = draw.write_map(_graph(ctx), output, options, force=force)
    if done["created"]:
        click.echo(f"note: made the folder {done['created']} for the map", err=True)
    # When the page itself went to standard output, what was drawn is said on stderr.
    where = "standard output" if output == "-" else done["output"]
    made = f"{count(done['concepts'], 'concept')}, {count(done['relations'], 'relation')}"
    click.echo(f"wrote {where}: {made}", err=done["stdout"])
    if done["highlight"]:
        click.echo(escape.terminal(done["highlight"]), err=done["stdout"])
    if open_browser:
        import webbrowser

        if not webbrowser.open(done["output"].resolve().as_uri()):
            click.echo(f"note: no web browser found; open {done['output']} yourself", err=True)
