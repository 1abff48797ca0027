"""Kills at every step and at random moments: a graph folder is the old graph or the new one, whole.

The store's fault hook (``DLGRAPH_FAULT_AT=N``) ends a build or an undo abruptly just before its Nth
write, fsync, rename or unlink; every N is tried, until the command runs to its end. After each kill
the folder must read as the old or the new graph exactly, and the next build must infer no deletion
from it. A seeded loop also SIGKILLs `dlgraph build` and `dlgraph export` at random moments; two
builds at once must leave a valid graph. Each attempt is counted in the reliability ledger
(docs/reliability.md).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dlgraph import graph, store
from dlgraph.cli import cli

from .reliability import record

ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = store.GRAPH_FILES
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


def _leftovers(folder: Path) -> list[str]:
    """Temp files, and stored copies other than the previous generation's (kept for undo)."""
    temps = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    manifest = store.read_manifest(folder)
    named = set((manifest["previous"] or {}).values()) if manifest else set()
    copies = folder / store.STORE_DIR
    stray = [p.name for p in copies.iterdir() if p.name not in named] if copies.is_dir() else []
    return temps + stray


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> tuple[Path, dict, dict, float]:
    """A copy of the bundled graph (old), and what one uninterrupted extracting build makes of it (new)."""
    base = tmp_path_factory.mktemp("versions")
    old = base / "old"
    shutil.copytree(store.bundled_data_dir(), old)
    new = base / "new"
    shutil.copytree(old, new)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "dlgraph", "--data-dir", str(new), "build", "--extract"],
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
        proc = _dlgraph("--data-dir", str(folder), "build", "--extract")
        time.sleep(fraction * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        graph.load_graph(folder)  # what is there loads and validates (and finishes a pending switch)
        now = _snapshot(folder)
        held = now in (before, after)
        record("dlgraph build", "SIGKILL mid-build: the old graph or the new one, whole", held=held)
        assert held, [name for name in DATA_FILES if now[name] not in (before[name], after[name])]
        outcomes["new" if now == after else "old"] += 1
        rerun = _dlgraph("--data-dir", str(folder), "build", "--extract")
        held = rerun.wait(timeout=300) == 0 and _snapshot(folder) == after
        record("dlgraph build", "next build after a kill", held=held)
        assert held
        assert _leftovers(folder) == []
    # Kills landed both before the write and after it, or the loop tested less than it claims.
    assert outcomes["old"] and outcomes["new"], outcomes


def test_two_builds_at_once_leave_a_valid_graph(versions, tmp_path):
    old, _, after, _ = versions
    folder = tmp_path / "shared"
    shutil.copytree(old, folder)
    procs = [_dlgraph("--data-dir", str(folder), "build", "--extract") for _ in range(2)]
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


# --- a kill at every step ---------------------------------------------------------------------------

DECKS = Path(__file__).parent / "data" / "decks"


def _invoke(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="dlgraph")


def _killed_at(step: int, *args: str) -> int:
    """Run the CLI in a forked child whose store stops abruptly before its ``step``th durable step.

    The child is a real process that dies with no cleanup (``os._exit``), exactly as a kill leaves it;
    forking keeps spaCy loaded, so trying every step of a build stays fast.
    """
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            os.environ[store.ENV_FAULT] = str(step)
            store._steps = 0
            code = _invoke(*args).exit_code
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.fixture(scope="module")
def generations(tmp_path_factory) -> tuple[Path, dict, dict]:
    """A graph built from one deck and edited by hand (old), and what a build from another makes of it."""
    base = tmp_path_factory.mktemp("generations")
    old = base / "old"
    assert _invoke("build", "--no-field", str(DECKS / "anki-notes.txt"), "--out", str(old)).exit_code == 0
    relations = (old / store.RELATIONS_FILE).read_text(encoding="utf-8").splitlines()
    # A relation deleted by hand: the uninterrupted build remembers it in rejected.json, and only it.
    (old / store.RELATIONS_FILE).write_text(
        "\n".join([relations[0], *relations[2:]]) + "\n", encoding="utf-8"
    )
    new = base / "new"
    shutil.copytree(old, new)
    done = _invoke("--data-dir", str(new), "build", "--no-field", str(DECKS / "quizlet.txt"))
    assert done.exit_code == 0, done.output
    assert "remembered 1 relation deleted by hand" in done.output
    before, after = _snapshot(old), _snapshot(new)
    assert before != after and after[store.REJECTED_FILE] is not None
    return old, before, after


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_build_killed_at_every_step_leaves_the_old_graph_or_the_new_one(generations, tmp_path):
    old, before, after = generations
    build = ("build", "--no-field", str(DECKS / "quizlet.txt"))
    seen = {"old": 0, "new": 0}
    step = 0
    while True:
        step += 1
        folder = tmp_path / f"step{step}"
        shutil.copytree(old, folder)
        code = _killed_at(step, "--data-dir", str(folder), *build)
        if code != store.FAULT_EXIT:
            assert code == 0 and _snapshot(folder) == after  # past the last step: it ran to its end
            break
        # What dlgraph reads after the kill is one whole graph, and then so is what is on disk.
        check = _invoke("--data-dir", str(folder), "validate")
        now = _snapshot(folder)
        held = check.exit_code == 0 and now in (before, after)
        record("dlgraph build", "killed at each write, fsync and rename: old or new graph, whole", held=held)
        assert held, (step, check.output, [n for n in DATA_FILES if now[n] not in (before[n], after[n])])
        seen["new" if now == after else "old"] += 1
        # The next build infers no deletion the kill could have faked, and cleans what it left.
        rerun = _invoke("--data-dir", str(folder), *build)
        held = rerun.exit_code == 0 and _snapshot(folder) == after and _leftovers(folder) == []
        record("dlgraph build", "next build after a kill at a step: no deletion inferred", held=held)
        assert held, (step, rerun.output, _leftovers(folder))
        shutil.rmtree(folder)
    # The loop saw kills before the commit point and after it, and more steps than a build has files.
    assert seen["old"] > 4 and seen["new"] > 4, seen


def _run_dlgraph(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dlgraph", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DLGRAPH_CACHE": "off", **(env or {})},
    )


def test_undo_killed_at_every_step_leaves_one_generation_whole(generations, tmp_path):
    """Through the real entry point, in fresh processes: undo writes through the same transaction."""
    _, before, after = generations
    built = tmp_path / "built"
    shutil.copytree(generations[0].parent / "new", built)
    step = 0
    while True:
        step += 1
        folder = tmp_path / f"undo{step}"
        shutil.copytree(built, folder)
        done = _run_dlgraph("--data-dir", str(folder), "undo", env={store.ENV_FAULT: str(step)})
        if done.returncode != store.FAULT_EXIT:
            assert done.returncode == 0, done.stderr
            assert _snapshot(folder) == before  # undo put back the hand-edited graph, byte for byte
            break
        store.load(folder)  # any command's load finishes a switch the kill interrupted
        now = _snapshot(folder)
        held = now in (before, after)
        record("dlgraph undo", "killed at each write, fsync and rename: old or new graph, whole", held=held)
        assert held, step
        shutil.rmtree(folder)
    assert step > 10  # copies, manifest, files, manifest again: every one of them was a kill point


def test_a_hand_edit_after_a_build_is_not_an_error_and_is_kept(generations, tmp_path):
    folder = tmp_path / "g"
    shutil.copytree(generations[0].parent / "new", folder)
    concepts = json.loads((folder / store.CONCEPTS_FILE).read_text(encoding="utf-8"))
    concepts[0]["definition"] = "My own words."
    (folder / store.CONCEPTS_FILE).write_text(json.dumps(concepts), encoding="utf-8")
    assert store.mixed_files(folder) is None
    assert _invoke("--data-dir", str(folder), "validate").exit_code == 0
    done = _invoke("--data-dir", str(folder), "build", "--no-field", str(DECKS / "quizlet.txt"))
    assert done.exit_code == 0, done.output
    assert (
        json.loads((folder / store.CONCEPTS_FILE).read_text(encoding="utf-8"))[0]["definition"]
        == "My own words."
    )
    # The hand-edited bytes are what undo puts back.
    edited = json.dumps(concepts).encode("utf-8")
    assert _invoke("--data-dir", str(folder), "undo").exit_code == 0
    assert (folder / store.CONCEPTS_FILE).read_bytes() == edited


def test_a_mixed_set_is_reported_with_how_to_recover_and_never_used(generations, tmp_path):
    old, before, after = generations
    folder = tmp_path / "g"
    shutil.copytree(generations[0].parent / "new", folder)
    # relations.json back at the generation before, the other files still at the last one.
    (folder / store.RELATIONS_FILE).write_bytes(before[store.RELATIONS_FILE])
    assert store.mixed_files(folder) == (
        [store.CONCEPTS_FILE, store.BUILD_FILE, store.REJECTED_FILE],
        [store.RELATIONS_FILE],
    )
    check = _invoke("--data-dir", str(folder), "validate")
    assert "back at the one before" in check.output
    snapshot = _snapshot(folder)
    done = _invoke("--data-dir", str(folder), "build", "--no-field", str(DECKS / "quizlet.txt"))
    assert done.exit_code == 1
    assert "relations.json is back at the one before" in done.stderr and "undo" in done.stderr
    assert _snapshot(folder) == snapshot  # nothing inferred, nothing written
    record("dlgraph build", "a mixed set of files: refused, nothing inferred")
    assert _invoke("--data-dir", str(folder), "undo").exit_code == 0
    assert _snapshot(folder) == before


def test_an_older_dlgraphs_unfinished_write_is_refused_and_its_harmless_leftovers_cleaned(
    generations, tmp_path
):
    old, before, after = generations
    folder = tmp_path / "legacy"
    shutil.copytree(old, folder)
    (folder / store.MANIFEST_FILE).unlink()
    shutil.rmtree(folder / store.STORE_DIR, ignore_errors=True)
    # As dlgraph before generations left it when killed between its renames: relations.json replaced,
    # build.json not yet, its new version in a temp file.
    (folder / store.RELATIONS_FILE).write_text("[]\n", encoding="utf-8")
    (folder / ".build.json.k3j_x9ab.tmp").write_text("{}", encoding="utf-8")
    deck = str(DECKS / "anki-notes.txt")
    done = _invoke("--data-dir", str(folder), "build", "--no-field", deck)
    assert done.exit_code == 1 and "may not belong together" in done.stderr and "mv " in done.stderr
    assert not (folder / store.REJECTED_FILE).exists()  # 3 relations were not taken as deleted by hand
    # Killed before its first rename instead (a concepts temp file is left): the set is whole.
    (folder / ".build.json.k3j_x9ab.tmp").unlink()
    (folder / store.RELATIONS_FILE).write_bytes(before[store.RELATIONS_FILE])
    (folder / ".concepts.json.a1b2c3d4.tmp").write_text("[", encoding="utf-8")
    (folder / ".relations.json.e5f6g7h8.tmp").write_text("", encoding="utf-8")
    done = _invoke("--data-dir", str(folder), "build", "--no-field", deck)
    assert done.exit_code == 0, done.output
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_leftover_temp_files_and_stray_copies_are_cleaned_by_the_next_write(generations, tmp_path):
    folder = tmp_path / "g"
    shutil.copytree(generations[0].parent / "new", folder)
    (folder / ".concepts.json.new-abc123de.tmp").write_text("[", encoding="utf-8")
    (folder / store.STORE_DIR / ("0" * 64)).write_text("stray", encoding="utf-8")
    (folder / store.STORE_DIR / ".x.new-1.tmp").write_text("", encoding="utf-8")
    assert _invoke("--data-dir", str(folder), "undo").exit_code == 0
    assert _leftovers(folder) == []
