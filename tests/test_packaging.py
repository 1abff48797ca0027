"""Installed from a wheel (not editable), dlgraph finds its bundled graph from any folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("dlgraph-*.whl")
    return built


def test_wheel_ships_the_data_and_the_deck(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "concepts.json",
        "relations.json",
        "build.json",
        "graph.json",
        "decks/deep-learning-final.md",
        "field/concepts.json",
        "field/relations.json",
        "field/README.md",
    ):
        assert f"dlgraph/data/{needed}" in names
    assert "dlgraph/cli/__init__.py" in names
    assert "dlgraph/templates/concept_map.js" in names
    assert not any(name.startswith("tests/") for name in names)
    assert not any("/.dlgraph/" in name for name in names)  # a maintainer's undo copies never ship


def _run_installed(
    wheel: Path, tmp_path: Path, *args: str, input: str | None = None
) -> subprocess.CompletedProcess:
    site = tmp_path / "site"
    if not site.exists():
        zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    code = f"import sys; sys.path.insert(0, {str(site)!r})\nfrom dlgraph.cli import main\nmain()\n"
    # No .pyc files: an installer compiles them; here they would be Python's writes, not dlgraph's.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        input=input,
    )


def _tree(folder: Path) -> dict[Path, tuple[int, bytes]]:
    return {p: (p.stat().st_mtime_ns, p.read_bytes() if p.is_file() else b"") for p in folder.rglob("*")}


def test_the_installed_package_is_unchanged_by_every_kind_of_command(wheel, tmp_path):
    _run_installed(wheel, tmp_path, "--version")
    package = tmp_path / "site" / "dlgraph"
    before = _tree(package)
    data = str(package / "data")
    out = tmp_path / "out"
    out.mkdir()
    runs = [
        (["path", "R-CNN", "Mask R-CNN"], 0),
        (["validate"], 0),
        (["study", "--ratings", "-"], 0),
        (["progress"], 0),
        (["next"], 0),
        (["render", "-o", str(out / "map.html")], 0),
        (["export", "--format", "json", "-o", str(out / "graph.json")], 0),
        (["build"], 2),
        (["--data-dir", data, "build"], 2),
        (["--data-dir", data, "build", "--dry-run"], 2),
        (["--data-dir", data, "undo"], 2),
        (["build", data + "/decks/deep-learning-final.md", "--out", data], 2),
    ]
    for args, code in runs:
        done = _run_installed(wheel, tmp_path, *args, input="good\ngood\n")
        assert done.returncode == code, (args, done.stderr)
        if code == 2:
            assert "never" in done.stderr, (args, done.stderr)
    assert _tree(package) == before  # mtime and bytes of every file and folder
    # The bundled graph's progress went to the user's data folder, under the bundled graph's own id.
    assert (tmp_path / ".local" / "share" / "dlgraph" / "progress" / "bundled.sqlite3").is_file()


def test_the_shipped_data_is_exactly_what_its_own_build_produces(tmp_path):
    """The maintainer's command, `dlgraph --data-dir data build`, on a copy: every byte stays."""
    from click.testing import CliRunner

    from dlgraph import store
    from dlgraph.cli import cli

    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy, ignore=shutil.ignore_patterns(store.STORE_DIR))
    done = CliRunner().invoke(cli, ["--data-dir", str(copy), "build"], prog_name="dlgraph")
    assert done.exit_code == 0, done.output
    assert "a curated graph: nothing added" in done.stdout
    for name in (*store.GRAPH_FILES, store.MANIFEST_FILE):
        shipped = ROOT / "data" / name
        assert (copy / name).exists() == shipped.exists(), name
        if shipped.exists():
            assert (copy / name).read_bytes() == shipped.read_bytes(), (
                f"data/{name} is not what its build produces: run `dlgraph --data-dir data build`"
            )
    assert store.graph_id(copy) == store.BUNDLED_ID


def test_installed_wheel_answers_from_the_field(wheel, tmp_path):
    done = _run_installed(wheel, tmp_path, "--field", "path", "LeNet", "ResNet")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("LeNet-5 → AlexNet → ")


def test_installed_wheel_never_writes_into_its_package(wheel, tmp_path):
    _run_installed(wheel, tmp_path, "--version")
    data = tmp_path / "site" / "dlgraph" / "data"
    before = {p: p.stat().st_mtime_ns for p in data.rglob("*")}
    done = _run_installed(wheel, tmp_path, "--data-dir", str(data), "build")
    assert done.returncode == 2 and "never writes" in done.stderr
    assert {p: p.stat().st_mtime_ns for p in data.rglob("*")} == before


def test_installed_wheel_answers_from_another_folder(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        f"import sys; sys.path.insert(0, {str(site)!r})\n"
        "import dlgraph\n"
        f"assert dlgraph.__file__.startswith({str(site)!r}), dlgraph.__file__\n"
        "from dlgraph.cli import main\n"
        "main()\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code, "path", "R-CNN", "Mask R-CNN"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("R-CNN → Fast R-CNN → Faster R-CNN → Mask R-CNN\n")
