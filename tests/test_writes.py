"""Writes never clobber: render and export onto files, folders, devices, FIFOs, symlinks and stdout.

Through the real CLI (click's runner in-process, or ``python -m dlgraph`` where file descriptors or
a kill matter). Device nodes are made with ``mknod`` in a temp folder, never in the real /dev.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dlgraph import outputs, store

from .conftest import MINI
from .reliability import record

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
needs_root = pytest.mark.skipif(not ROOT, reason="mknod of a device node needs root")


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """``dlgraph`` as a user runs it: its own process, real file descriptors."""
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    command = [sys.executable, "-m", "dlgraph", "--data-dir", str(MINI), *args]
    return subprocess.run(command, timeout=120, **kwargs)


def _device(folder: Path, name: str, major: int, minor: int, kind: int = stat.S_IFCHR) -> Path:
    node = folder / name
    try:
        os.mknod(node, kind | 0o666, os.makedev(major, minor))
    except PermissionError:
        pytest.skip("this container does not allow mknod")
    return node


# --- files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["render"], ["export", "-f", "json"]])
def test_an_existing_file_is_replaced_only_with_force(run, tmp_path, command):
    dest = tmp_path / "concepts.json"  # e.g. a graph's own data file
    dest.write_text("precious", encoding="utf-8")
    dest.chmod(0o640)
    refused = run(*command, "-o", str(dest))
    held = refused.exit_code == 1 and refused.stderr == (
        f"Error: {dest}: already exists; use --force to replace it\n"
    )
    held &= dest.read_text(encoding="utf-8") == "precious"
    forced = run(*command, "-o", str(dest), "--force")
    held &= forced.exit_code == 0 and dest.read_text(encoding="utf-8") != "precious"
    held &= stat.S_IMODE(dest.stat().st_mode) == 0o640  # a replaced file keeps its mode
    held &= sorted(p.name for p in tmp_path.iterdir()) == ["concepts.json"]
    record("writes", f"{command[0]} -o an existing file: refused without --force", held=held)
    assert held, (refused.stderr, forced.stderr)


@pytest.mark.parametrize("command", [["render"], ["export", "-f", "graphml"], ["export", "-f", "obsidian"]])
def test_no_parent_folder_is_made(run, tmp_path, command):
    dest = tmp_path / "missing" / "deeper" / "out"
    result = run(*command, "-o", str(dest))
    what = "the map" if command[0] == "render" else "the export"
    held = result.exit_code == 1 and result.stderr == (
        f"Error: {dest}: cannot write {what} (no folder {dest.parent}; create it first with "
        f"mkdir -p {dest.parent}); choose another path with -o\n"
    )
    held &= list(tmp_path.iterdir()) == []
    record("writes", f"{command[0]} -o in a missing folder: named, nothing made", held=held)
    assert held, result.stderr


def test_render_makes_only_its_default_folder_and_says_so(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("render")
    assert result.exit_code == 0, result.output
    assert result.stderr == "note: made the folder out for the map\n"
    again = run("render")
    assert again.exit_code == 1
    assert again.stderr == "Error: out/concept_map.html: already exists; use --force to replace it\n"
    assert run("render", "--force").exit_code == 0


def test_a_symlink_to_a_file_stays_a_symlink_and_its_target_is_replaced(run, tmp_path):
    target = tmp_path / "real.html"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "map.html"
    link.symlink_to(target)
    assert run("render", "-o", str(link)).exit_code == 1
    result = run("render", "-o", str(link), "--force")
    held = result.exit_code == 0 and link.is_symlink() and os.readlink(link) == str(target)
    held &= target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    dangling = tmp_path / "new.html"
    dangling.symlink_to(tmp_path / "not-yet.html")
    made = run("export", "-f", "dot", "-o", str(dangling))
    held &= made.exit_code == 0 and dangling.is_symlink()
    held &= (tmp_path / "not-yet.html").read_text(encoding="utf-8").startswith("digraph")
    record("writes", "-o a symlink: written through, the link kept", held=held)
    assert held, result.stderr


def test_dash_is_standard_output_and_the_summary_goes_to_stderr(run):
    page = run("render", "--focus", "Adam", "-o", "-")
    assert page.exit_code == 0, page.stderr
    assert page.stdout.startswith("<!DOCTYPE html>") and page.stdout.rstrip().endswith("</html>")
    assert page.stderr == "wrote standard output: 4 concepts, 5 relations\n"
    assert run("render", "-o", "-", "--open").exit_code == 2
    exported = run("export", "-f", "cypher", "-o", "-")
    assert exported.exit_code == 0 and exported.stdout.startswith("// dlgraph: 20 concepts")
    assert run("export", "-f", "obsidian", "-o", "-").exit_code == 2


def test_dev_stdout_is_written_through_even_when_it_is_a_file(tmp_path):
    """/dev/stdout redirected to a file names that file; it is written, not renamed over."""
    out = tmp_path / "page.html"
    with open(out, "wb") as handle:
        inode = os.fstat(handle.fileno()).st_ino
        done = _cli("render", "-o", "/dev/stdout", stdout=handle, stderr=subprocess.PIPE)
    held = done.returncode == 0 and out.stat().st_ino == inode
    held &= out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    held &= done.stderr.decode() == "wrote /dev/stdout: 20 concepts, 21 relations\n"
    piped = _cli("export", "-f", "json", "-o", "/dev/stdout")
    held &= piped.returncode == 0 and json.loads(piped.stdout)["nodes"][0]["id"] == "adagrad"
    held &= piped.stderr.decode().startswith("Wrote 20 concepts and 21 relations as json to /dev/stdout")
    record("writes", "-o /dev/stdout (a file, a pipe): written through", held=held)
    assert held, done.stderr


# --- devices and FIFOs ------------------------------------------------------------------------------


@needs_root
@pytest.mark.parametrize("force", [False, True])
def test_a_device_node_is_written_through_and_never_replaced(run, tmp_path, force):
    null = _device(tmp_path, "null", 1, 3)
    full = _device(tmp_path, "full", 1, 7)
    flags = ["--force"] if force else []
    wrote = run("render", "-o", str(null), *flags)
    exported = run("export", "-f", "gexf", "-o", str(null), *flags)
    failed = run("export", "-f", "json", "-o", str(full), *flags)
    held = wrote.exit_code == 0 and exported.exit_code == 0
    held &= failed.exit_code == 1 and "No space left on device" in failed.stderr
    for node, minor in ((null, 3), (full, 7)):
        info = os.lstat(node)
        held &= stat.S_ISCHR(info.st_mode) and info.st_rdev == os.makedev(1, minor)
    held &= sorted(p.name for p in tmp_path.iterdir()) == ["full", "null"]
    record("writes", "-o a character device (mknod null, full): written through, never replaced", held=held)
    assert held, (wrote.stderr, exported.stderr, failed.stderr)


@needs_root
def test_a_symlink_to_a_device_and_a_block_device(run, tmp_path):
    null = _device(tmp_path, "null", 1, 3)
    link = tmp_path / "link"
    link.symlink_to(null)
    through = run("render", "-o", str(link), "--force")
    block = _device(tmp_path, "loop", 7, 0, stat.S_IFBLK)
    refused = run("export", "-f", "json", "-o", str(block), "--force")
    held = through.exit_code == 0 and link.is_symlink() and stat.S_ISCHR(os.stat(link).st_mode)
    held &= refused.exit_code == 1 and refused.stderr == (
        f"Error: {block}: is a block device; dlgraph writes only files, FIFOs and character devices\n"
    )
    held &= stat.S_ISBLK(os.lstat(block).st_mode)
    record("writes", "-o a symlink to a device, a block device", held=held)
    assert held, (through.stderr, refused.stderr)


def test_a_fifo_is_written_through(run, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = run("export", "-f", "mermaid", "-o", str(fifo))
    reader.join(timeout=60)
    held = result.exit_code == 0 and got and got[0].startswith(b"%% dlgraph: 20 concepts")
    held &= stat.S_ISFIFO(os.lstat(fifo).st_mode)
    record("writes", "-o a FIFO: written through, never replaced", held=held)
    assert held, result.stderr


# --- folders ----------------------------------------------------------------------------------------


def _vault_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_symlinked_vault_is_written_where_it_points(run, tmp_path):
    real = tmp_path / "elsewhere" / "vault"
    real.parent.mkdir()
    link = tmp_path / "vault"
    link.symlink_to(real)
    first = run("export", "-f", "obsidian", "-o", str(link))
    again = run("export", "-f", "obsidian", "-o", str(link), "--force")
    held = first.exit_code == 0 and again.exit_code == 0 and link.is_symlink()
    held &= (real / "Adam.md").is_file() and (real / outputs.FOLDER_MARKER).is_file()
    held &= sorted(p.name for p in real.parent.iterdir()) == ["vault"]  # no leftovers
    held &= sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "vault"]
    record("writes", "export --force onto a symlinked vault: written there, exit 0", held=held)
    assert held, (first.stderr, again.stderr)


def test_leftovers_of_a_killed_export_are_removed_by_the_next(run, tmp_path):
    vault = tmp_path / "vault"
    assert run("export", "-f", "obsidian", "-o", str(vault)).exit_code == 0
    for leftover in (".vault.k2_9x0aq.tmp", ".vault.abcdefgh.old"):
        (tmp_path / leftover).mkdir()
        (tmp_path / leftover / "half.md").write_text("half", encoding="utf-8")
    (tmp_path / ".vault.notours.tmp").mkdir()  # not the shape dlgraph makes: left alone
    result = run("export", "-f", "obsidian", "-o", str(vault), "--force")
    held = result.exit_code == 0
    held &= sorted(p.name for p in tmp_path.iterdir()) == [".vault.notours.tmp", "vault"]
    record("writes", "leftover .tmp/.old folders of a killed export: removed next run", held=held)
    assert held, result.stderr


def test_a_vault_killed_mid_export_is_the_old_or_the_new_one(tmp_path):
    """SIGKILL at staggered instants of ``export --force``: the path always holds a whole vault."""
    vault = tmp_path / "vault"
    started = time.perf_counter()
    assert _cli("export", "-f", "obsidian", "-o", str(vault)).returncode == 0
    took = time.perf_counter() - started  # to spread the kills over a run, not to assert on
    whole = _vault_files(vault)
    seen_broken: list[str] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                if not (vault / "Study order.md").is_file():
                    seen_broken.append("no index note")
            except OSError as exc:
                seen_broken.append(str(exc))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for delay in [took * f for f in (0.5, 0.7, 0.8, 0.9, 0.95)] + [120]:
            proc = subprocess.Popen(
                [sys.executable, "-m", "dlgraph", "--data-dir", str(MINI), "export", "-f", "obsidian"]
                + ["-o", str(vault), "--force"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                proc.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
            time.sleep(0)  # let the watcher look between runs too
            assert _vault_files(vault) == whole
    finally:
        stop.set()
        watcher.join()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "vault"]
    held = not seen_broken and _vault_files(vault) == whole and leftovers == []
    record("writes", "export --force of a vault killed at 6 instants: old or new vault, always", held=held)
    assert held, (seen_broken[:3], leftovers)


# --- Obsidian file names ----------------------------------------------------------------------------


def _graph_of(tmp_path: Path, names: list[str]) -> Path:
    concepts = [
        {
            "id": f"c{i}-" + "x" * 290,
            "name": name,
            "aliases": [],
            "topic": "foundations",
            "kind": "concept",
            "definition": f"definition {i}",
            "card": None,
        }
        for i, name in enumerate(names)
    ]
    relations = [
        {"source": concepts[i]["id"], "type": "uses", "target": concepts[i + 1]["id"]}
        | {"evidence": "e", "origin": "curated"}
        for i in range(len(concepts) - 1)
    ]
    folder = tmp_path / "graph"
    folder.mkdir()
    store.save(store.Dataset(concepts, relations), folder)
    return folder


def test_long_names_sharing_their_first_120_bytes_get_distinct_names_within_255_bytes(run, tmp_path):
    prefix = "é" * 60  # 120 bytes of UTF-8
    names = [prefix + "a" * 240, prefix + "b" * 240, "語" * 300, "語" * 299 + "x"]
    vault = tmp_path / "vault"
    result = run("export", "-f", "obsidian", "-o", str(vault), data_dir=_graph_of(tmp_path, names))
    assert result.exit_code == 0, result.stderr
    notes = sorted(p.name for p in vault.glob("*.md") if p.name != "Study order.md")
    held = len(notes) == len(names) == len({n.casefold() for n in notes})
    held &= all(len(n.encode("utf-8")) <= 255 for n in notes)
    # Every link points at a note that exists under its final name.
    stems = {n.removesuffix(".md") for n in notes}
    for note in vault.glob("*.md"):
        for link in re.findall(r"\[\[([^\]|]+)", note.read_text(encoding="utf-8")):
            held &= link in stems or link == "Study order"
    record("writes", "Obsidian: 300-char names sharing 120 bytes, CJK: distinct, <= 255 bytes", held=held)
    assert held, notes


def test_a_destination_name_near_the_limit_still_gets_a_temp_name(run, tmp_path):
    vault = tmp_path / ("v" * 250)
    first = run("export", "-f", "obsidian", "-o", str(vault))
    again = run("export", "-f", "obsidian", "-o", str(vault), "--force")
    page = run("render", "-o", str(tmp_path / ("p" * 250)))
    held = first.exit_code == again.exit_code == page.exit_code == 0
    held &= sorted(p.name for p in tmp_path.iterdir()) == ["p" * 250, "v" * 250]
    record("writes", "-o a 250-byte name: temp names fit, no leftovers", held=held)
    assert held, (first.stderr, again.stderr, page.stderr)


def test_a_binary_export_goes_to_standard_output_when_asked(run):
    result = run("export", "-f", "anki", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(b"PK\x03\x04")  # a zip: the .apkg itself


@needs_root
@pytest.mark.skipif(sys.platform != "linux", reason="drops capabilities with Linux capset()")
def test_as_an_unprivileged_user_a_device_is_written_through_too(tmp_path):
    """The same rules without root's powers: a process that cannot replace /dev/null never tries to."""
    from click.testing import CliRunner

    from dlgraph.cli import cli

    from .test_reliability import _without_root_powers

    null = _device(tmp_path, "null", 1, 3)
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro").chmod(0o555)

    def attempt() -> list:
        codes = []
        for target in (null, tmp_path / "ro" / "map.html"):
            done = CliRunner().invoke(cli, ["--data-dir", str(MINI), "render", "-o", str(target), "--force"])
            codes.append([done.exit_code, done.output])
        return codes

    try:
        (through, through_out), (denied, denied_out) = _without_root_powers(attempt)
    finally:
        (tmp_path / "ro").chmod(0o755)
    held = through == 0 and stat.S_ISCHR(os.lstat(null).st_mode)
    held &= denied == 1 and "Permission denied" in denied_out and list((tmp_path / "ro").iterdir()) == []
    record("writes", "-o a device, -o in a read-only folder, without root's powers", held=held)
    assert held, (through_out, denied_out)
