"""Shared fixtures: the small hand-made graph in tests/data/mini and a CliRunner helper."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dlgraph.cli import cli

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini"


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    """A writable copy of the mini graph."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def run():
    """Run the CLI like a user would; returns click's Result (stdout and stderr kept apart)."""

    def invoke(*args: str, data_dir: Path | None = MINI, input: str | None = None, env=None):
        prefix = ["--data-dir", str(data_dir)] if data_dir is not None else []
        return CliRunner().invoke(cli, [*prefix, *args], input=input, env=env, prog_name="dlgraph")

    return invoke


def load_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))
