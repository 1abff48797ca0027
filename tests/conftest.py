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


@pytest.fixture(autouse=True)
def _isolated_user_files(tmp_path_factory, monkeypatch):
    """No test reads or writes the developer's real progress file or cache."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("DLGRAPH_PROGRESS", str(home / "progress.sqlite3"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    """A writable copy of the mini graph."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def run():
    """Run the CLI like a user would; returns click's Result (stdout and stderr kept apart)."""

    def invoke(*args: str, data_dir: Path | None = MINI, input: str | None = None, env=None, color=False):
        prefix = ["--data-dir", str(data_dir)] if data_dir is not None else []
        return CliRunner().invoke(
            cli, [*prefix, *args], input=input, env=env, prog_name="dlgraph", color=color
        )

    return invoke


def load_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def pytest_sessionfinish(session, exitstatus):
    """Write docs/reliability.md from the reliability ledger after a full, passing run."""
    from .reliability import DOC, LEDGER, render

    config = session.config
    full_run = (
        config.args_source == pytest.Config.ArgsSource.TESTPATHS
        and not config.option.keyword
        and not config.option.markexpr
    )
    if exitstatus == 0 and full_run and LEDGER:
        DOC.parent.mkdir(exist_ok=True)
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != render():
            DOC.write_text(render(), encoding="utf-8")
