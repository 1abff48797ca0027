"""Bad input and faults against the data loader, the resolver and the CLI: only dlgraph's own errors.

Every attempt is counted in the reliability ledger (tests/reliability.py) that becomes
docs/reliability.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlgraph import graph, store
from dlgraph.errors import AmbiguousConcept, ConceptNotFound, InvalidData
from dlgraph.names import Resolver

from .conftest import MINI
from .reliability import record

FUZZ = settings(
    max_examples=120,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VALID_CONCEPTS = (MINI / "concepts.json").read_bytes()
VALID_RELATIONS = (MINI / "relations.json").read_bytes()


def _try_load(folder: Path, fault: str) -> None:
    """Load must either give a graph that validates, or raise InvalidData; anything else is a bug."""
    try:
        cg = graph.load_graph(folder)
    except InvalidData as exc:
        assert str(exc)
        record("data loader", fault)
        return
    except Exception:
        record("data loader", fault, held=False)
        raise
    result = graph.validate(folder)
    record("data loader", fault, held=result["valid"])
    assert result["valid"] and len(cg.concepts) == result["concepts"]


def _write(folder: Path, concepts: bytes, relations: bytes) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "concepts.json").write_bytes(concepts)
    (folder / "relations.json").write_bytes(relations)
    return folder


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_as_concepts(tmp_path, data):
    _try_load(_write(tmp_path / "g", data, VALID_RELATIONS), "random bytes")


@FUZZ
@given(st.integers(min_value=0, max_value=len(VALID_RELATIONS)))
def test_truncated_relations_file(tmp_path, cut):
    _try_load(_write(tmp_path / "g", VALID_CONCEPTS, VALID_RELATIONS[:cut]), "truncated file")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(json_values, json_values)
def test_random_json_documents(tmp_path, concepts, relations):
    folder = _write(tmp_path / "g", json.dumps(concepts).encode(), json.dumps(relations).encode())
    _try_load(folder, "random JSON values")


FIELDS = ["id", "name", "aliases", "topic", "kind", "definition", "card"]
WRONG = st.none() | st.integers() | st.lists(st.integers(), max_size=2) | st.text(max_size=5) | st.just({})


@FUZZ
@given(st.integers(0, 19), st.sampled_from(FIELDS), WRONG)
def test_a_field_of_the_wrong_type(tmp_path, index, field, value):
    concepts = json.loads(VALID_CONCEPTS)
    concepts[index][field] = value
    _try_load(
        _write(tmp_path / "g", json.dumps(concepts).encode(), VALID_RELATIONS), "field of the wrong type"
    )


@FUZZ
@given(st.integers(0, 20), st.sampled_from(["source", "type", "target", "evidence", "origin"]), WRONG)
def test_a_relation_field_of_the_wrong_type(tmp_path, index, field, value):
    relations = json.loads(VALID_RELATIONS)
    relations[index][field] = value
    _try_load(
        _write(tmp_path / "g", VALID_CONCEPTS, json.dumps(relations).encode()), "field of the wrong type"
    )


@pytest.mark.parametrize(
    ("fault", "payload"),
    [
        ("deep nesting", b"[" * 100_000 + b"]" * 100_000),
        ("NUL bytes", b'[{"id": "a\x00b"}]'),
        ("BOM", b"\xef\xbb\xbf" + VALID_CONCEPTS),
        ("invalid UTF-8", b'[{"id": "\xff\xfe"}]'),
        ("control characters", b'[{"id": "a\x01"}]'),
        ("huge string", b'[{"id": "' + b"x" * 5_000_000 + b'"}]'),
        ("empty file", b""),
    ],
)
def test_hostile_files(tmp_path, fault, payload):
    _try_load(_write(tmp_path / "g", payload, VALID_RELATIONS), fault)


@FUZZ
@given(st.text(max_size=60))
def test_resolver_only_raises_its_own_errors(text):
    resolver = Resolver(store.load(MINI).concepts)
    with contextlib.suppress(ConceptNotFound, AmbiguousConcept):
        resolver.resolve(text)
    record("name resolver", "random text")


ROOT = Path(__file__).resolve().parent.parent


def _cli(*args: str):
    return subprocess.run([sys.executable, "-m", "dlgraph", *args], capture_output=True, text=True, cwd=ROOT)


def test_data_dir_that_is_a_file(tmp_path):
    plain = tmp_path / "file"
    plain.write_text("x")
    done = _cli("--data-dir", str(plain), "show", "adam")
    held = done.returncode == 1 and f"{plain}: is a file" in done.stderr and "Traceback" not in done.stderr
    record("CLI", "data dir is a file", held=held)
    assert held, done.stderr


def test_missing_data_dir(tmp_path):
    done = _cli("--data-dir", str(tmp_path / "nowhere"), "path", "a", "b")
    held = done.returncode == 1 and "no such folder" in done.stderr and "Traceback" not in done.stderr
    record("CLI", "missing data dir", held=held)
    assert held, done.stderr


def _as_nobody(fn) -> str:
    """Run ``fn`` in a forked child without root's power to ignore permissions; return what it says."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: drop privileges, report, never return into pytest
        os.close(read)
        try:
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            message = fn()
        except BaseException as exc:  # report everything: the parent decides
            message = f"{type(exc).__name__}: {exc}"
        os.write(write, message.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        said = pipe.read()
    os.waitpid(pid, 0)
    return said


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_unreadable_data_file():
    # Outside pytest's tmp_path, whose parents only root may enter: nobody must reach the file itself.
    folder = Path(tempfile.mkdtemp(prefix="dlgraph-perm-"))
    folder.chmod(0o755)
    _write(folder, VALID_CONCEPTS, VALID_RELATIONS)
    (folder / "concepts.json").chmod(0o000)
    try:
        _check_unreadable(folder)
    finally:
        shutil.rmtree(folder)


def _check_unreadable(folder: Path) -> None:

    def load() -> str:
        try:
            graph.load_graph(folder)
        except InvalidData as exc:
            return f"InvalidData: {exc}"
        return "loaded"

    said = _as_nobody(load)
    held = said == f"InvalidData: {folder / 'concepts.json'}: cannot read: Permission denied"
    record("data loader", "unreadable file", held=held)
    assert held, said
