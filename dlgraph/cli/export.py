"""Commands that hand the graph to other tools: export, stats."""

from __future__ import annotations

import click

from .. import store
from ..errors import UsageError
from ..report import count
from . import _emit, _graph, _resolve, _topic, cli, concept_arg, json_option, topic_arg

#: The names of dlgraph.export.FORMATS, kept here so that ``--help`` does not import networkx;
#: a test checks the two lists agree.
FORMAT_NAMES = (
    "json",
    "graphml",
    "gexf",
    "dot",
    "mermaid",
    "turtle",
    "cypher",
    "neo4j-csv",
    "obsidian",
    "anki",
    "anki-text",
)


@cli.command()
@click.option("--format", "-f", "fmt", type=click.Choice(FORMAT_NAMES), required=True, help="Output format.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=True, path_type=str),
    help="File or folder to write (text formats print to stdout without it, or with -o -).",
)
@click.option("--focus", metavar="NAME", help="Only concepts near this one (see --depth).", **concept_arg)
@click.option(
    "--depth", type=click.IntRange(min=0), help="How many relations away from --focus [default: 1]."
)
@click.option("--topic", help="Only concepts of this topic.", **topic_arg)
@click.option(
    "--prereqs", metavar="NAME", help="Only this concept and what to study before it.", **concept_arg
)
@click.option(
    "--force", is_flag=True, help="Replace an existing file, or a full folder an earlier export wrote."
)
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str,
    output: str | None,
    focus: str | None,
    depth: int | None,
    topic: str | None,
    prereqs: str | None,
    force: bool,
) -> None:
    """Write the graph, or part of it, for other tools.

    \b
    Formats:
      json       networkx node-link JSON (D3, scripts)
      graphml    yEd, Cytoscape, Gephi
      gexf       Gephi
      dot        Graphviz (dot -Tsvg graph.dot > graph.svg)
      mermaid    Mermaid flowchart for Markdown, GitHub, Obsidian
      turtle     RDF: SKOS concepts plus dlgraph's relation vocabulary
      cypher     Cypher script for Neo4j (cypher-shell -f graph.cypher)
      neo4j-csv  folder of CSV files for neo4j-admin database import
      obsidian   folder: a note per concept with typed [[links]], a study-order index
      anki       Anki package (.apkg), new cards in study order
      anki-text  Anki plain-text notes (File > Import)

    Filters combine: --topic object-detection --prereqs "Mask R-CNN" keeps what both select.
    Files are written whole or not at all and folders swapped in whole; an existing file, or a full
    folder an earlier export wrote, is replaced only with --force. A device or FIFO is written
    through, never replaced; a missing parent folder is an error.

    \b
    Example:
        dlgraph export --format obsidian -o vault/ --prereqs "Mask R-CNN"
        dlgraph export -f dot --focus ResNet --depth 2 | dot -Tsvg > resnet.svg
    """
    from .. import export as exporter

    if depth is not None and focus is None:
        raise UsageError("--depth needs --focus NAME")
    spec = exporter.get_format(fmt)
    if (output is None and spec.layout != "text") or (output == "-" and spec.layout == "folder"):
        example = f"dlgraph-{fmt}{spec.suffix}" if spec.suffix else f"dlgraph-{fmt}/"
        raise UsageError(f"--format {fmt} writes a {spec.layout}; give -o PATH (e.g. -o {example})")
    output = output or "-"  # "-" is standard output, as in most Unix tools
    exporter.check_destination(fmt, output, force=force)  # refuse before the work, not after
    with store.paused_gc():  # loading and writing a large graph: see store.paused_gc
        sel = exporter.select(
            _graph(ctx),
            focus=_resolve(ctx, focus) if focus is not None else None,
            depth=depth if depth is not None else 1,
            topic=_topic(ctx, topic),
            prereqs=_resolve(ctx, prereqs) if prereqs is not None else None,
        )
        done = exporter.export(sel, fmt, output, force=force)
    if output == "-":
        return
    # On standard output under another name (/dev/stdout) the summary must not mix into the data.
    made = f"{count(done['concepts'], 'concept')} and {count(done['relations'], 'relation')}"
    click.echo(f"Wrote {made} as {fmt} to {output}", err=done["stdout"])


@cli.command()
@click.option(
    "--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many central concepts."
)
@json_option
@click.pass_context
def stats(ctx: click.Context, top: int, as_json: bool) -> None:
    """The graph's shape: counts, components, central concepts, lineage chains, gaps, warnings.

    Centrality: PageRank over relations from a concept to what it builds on (so foundations rank
    high) and betweenness over relations in either direction (concepts that bridge areas).

    \b
    Example:
        dlgraph stats
        dlgraph stats --json
    """
    from .. import stats as shape

    _emit(shape.stats(_graph(ctx), top=top), as_json, shape.stats_report)
