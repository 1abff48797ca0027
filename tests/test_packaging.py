"""Installed from a wheel (not editable), dlgraph finds its bundled graph from any folder."""

from __future__ import annotations

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
        "decks/deep-learning-final.md",
        "field/concepts.json",
        "field/relations.json",
        "field/README.md",
    ):
        assert f"dlgraph/data/{needed}" in names
    assert "dlgraph/cli/__init__.py" in names
    assert "dlgraph/templates/concept_map.js" in names
    assert not any(name.startswith("tests/") for name in names)


def _run_installed(wheel: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    site = tmp_path / "site"
    if not site.exists():
        zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    code = f"import sys; sys.path.insert(0, {str(site)!r})\nfrom dlgraph.cli import main\nmain()\n"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=elsewhere, env=env, capture_output=True, text=True
    )


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
