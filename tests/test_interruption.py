"""SIGKILL at random moments: every data file is the old version or the new one, and the next run works.

A seeded loop kills `dlgraph build` and `dlgraph export` while they run; two builds at once must also
leave a valid graph. Each attempt is counted in the reliability ledger (docs/reliability.md).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlgraph import graph, store

from .reliability import record

ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = ("concepts.json", "relations.json", "build.json", "rejected.json")
KILLS = 8
KILL_AT = (0.1, 0.3, 0.5, 0.7, 0.85, 0.95, 1.05, 1.6)


def _dlgraph(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dlgraph", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "DLGRAPH_CACHE": "off"},
    )


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    return {name: (folder / name).read_bytes() if (folder / name).exists() else None for name in DATA_FILES}


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> tuple[Path, dict, dict, float]:
    """A copy of the bundled graph (old), and what one uninterrupted build makes of it (new)."""
    base = tmp_path_factory.mktemp("versions")
    old = base / "old"
    shutil.copytree(store.bundled_data_dir(), old)
    new = base / "new"
    shutil.copytree(old, new)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "dlgraph", "--data-dir", str(new), "build"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    duration = time.perf_counter() - started
    before, after = _snapshot(old), _snapshot(new)
    assert before != after  # the build must change something, or the test proves nothing
    return old, before, after, duration


def test_build_killed_at_random_moments_leaves_old_or_new_files(versions, tmp_path):
    old, before, after, duration = versions
    outcomes = {"old": 0, "new": 0}
    # Kill at fractions of an uninterrupted build's time: early, mid-extraction, around the write, after.
    for attempt, fraction in enumerate(KILL_AT):
        folder = tmp_path / f"run{attempt}"
        shutil.copytree(old, folder)
        proc = _dlgraph("--data-dir", str(folder), "build")
        time.sleep(fraction * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = _snapshot(folder)
        for name in DATA_FILES:
            held = now[name] in (before[name], after[name])
            record("dlgraph build", "SIGKILL mid-build: each file old or new", held=held)
            assert held, f"{name} is neither the old nor the new version after a kill"
        outcomes["new" if now == after else "old"] += 1
        leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
        assert leftovers == [] or all(p.startswith(".") for p in leftovers)
        graph.load_graph(folder)  # what is there loads and validates
        rerun = _dlgraph("--data-dir", str(folder), "build")
        held = rerun.wait(timeout=300) == 0 and _snapshot(folder) == after
        record("dlgraph build", "next build after a kill", held=held)
        assert held
    # Kills landed both before the write and after it, or the loop tested less than it claims.
    assert outcomes["old"] and outcomes["new"], outcomes


def test_two_builds_at_once_leave_a_valid_graph(versions, tmp_path):
    old, _, after, _ = versions
    folder = tmp_path / "shared"
    shutil.copytree(old, folder)
    procs = [_dlgraph("--data-dir", str(folder), "build") for _ in range(2)]
    codes = [p.wait(timeout=300) for p in procs]
    assert 0 in codes
    result = graph.validate(folder)
    held = result["valid"] and _snapshot(folder) == after
    record("dlgraph build", "two builds at once", held=held)
    assert held, (codes, result["errors"])


def test_export_killed_at_random_moments_leaves_old_or_new_file(tmp_path):
    target = tmp_path / "graph.graphml"
    first = _dlgraph("export", "--format", "graphml", "-o", str(target))
    assert first.wait(timeout=120) == 0
    new = target.read_bytes()
    rng = random.Random(7)
    for _ in range(KILLS):
        target.write_bytes(b"<old/>")
        proc = _dlgraph("export", "--format", "graphml", "-o", str(target), "--force")
        time.sleep(rng.uniform(0.05, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        held = target.read_bytes() in (b"<old/>", new)
        record("dlgraph export", "SIGKILL mid-export: file old or new", held=held)
        assert held
