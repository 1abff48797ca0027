"""The README tells the truth: its console examples are real output, its type table is the vocabulary."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from dlgraph.cli import cli
from dlgraph.store import bundled_data_dir
from dlgraph.vocabulary import RELATION_TYPES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def console_examples() -> list[tuple[str, str]]:
    """Each ```console block as (command line, expected output)."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", README, flags=re.S):
        first, _, rest = block.partition("\n")
        assert first.startswith("$ dlgraph ")
        examples.append((first[2:], rest))
    return examples


@pytest.mark.parametrize(("command", "expected"), console_examples(), ids=lambda v: v[:40])
def test_console_example_is_real_output(command, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    args = shlex.split(command)[1:]
    # The bundled deck graph, pinned even if DLGRAPH_DATA_DIR is set; --field examples ask the field.
    prefix = [] if args[0] == "--field" else ["--data-dir", str(bundled_data_dir())]
    result = CliRunner().invoke(cli, [*prefix, *args], prog_name="dlgraph")
    assert result.exit_code == 0, result.output
    assert result.stdout == expected


def test_there_are_console_examples():
    assert len(console_examples()) >= 5


def test_relation_table_matches_the_vocabulary():
    table = README.split("<!-- types:start -->")[1].split("<!-- types:end -->")[0]
    rows = [line for line in table.strip().splitlines()[2:]]
    expected = [
        f"| `{t.name}` | {t.label} | {t.inverse} | {t.family} | {t.prerequisite or '—'} |"
        for t in RELATION_TYPES.values()
    ]
    assert rows == expected
