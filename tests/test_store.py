"""Loading, validation rules (one broken fixture each) and the canonical, atomic writer."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlgraph import graph, store
from dlgraph.errors import InvalidData

from .conftest import MINI, load_json
from .reliability import record


def _write(folder: Path, concepts=None, relations=None) -> None:
    if concepts is not None:
        (folder / "concepts.json").write_text(json.dumps(concepts), encoding="utf-8")
    if relations is not None:
        (folder / "relations.json").write_text(json.dumps(relations), encoding="utf-8")


def _errors(folder: Path) -> list[str]:
    return graph.validate(folder)["errors"]


def test_mini_fixture_is_valid():
    result = graph.validate(MINI)
    assert result["valid"] and result["errors"] == []
    assert result["concepts"] == 20 and result["relations"] == 21


def test_broken_json_names_file_line_and_column(mini_dir):
    (mini_dir / "relations.json").write_text('[\n  {"source": "adam",\n  oops\n]\n', encoding="utf-8")
    with pytest.raises(InvalidData) as caught:
        store.load(mini_dir)
    assert str(caught.value).startswith(f"{mini_dir / 'relations.json'}: invalid JSON at line 3, column 3")


def test_non_utf8_file_is_named(mini_dir):
    (mini_dir / "concepts.json").write_bytes(b'[{"name": "caf\xe9"}]')
    with pytest.raises(InvalidData, match=r"concepts\.json: not UTF-8"):
        store.load(mini_dir)


def test_missing_file_and_folder_and_file_as_folder(tmp_path):
    with pytest.raises(InvalidData, match="no such folder"):
        store.load(tmp_path / "nope")
    (tmp_path / "plain").write_text("x")
    with pytest.raises(InvalidData, match="is a file"):
        store.load(tmp_path / "plain")
    with pytest.raises(InvalidData, match=r"concepts\.json: file not found"):
        store.load(tmp_path)


def _mutate_concepts(fn):
    concepts = load_json(MINI / "concepts.json")
    fn(concepts)
    return concepts


def _mutate_relations(fn):
    relations = load_json(MINI / "relations.json")
    fn(relations)
    return relations


CONCEPT_CASES = {
    "missing field": (lambda cs: cs[0].pop("kind"), "concept #1 (adagrad): missing field 'kind'"),
    "duplicate id": (lambda cs: cs[1].update(id="adagrad"), "duplicate id 'adagrad'"),
    "bad slug": (lambda cs: cs[0].update(id="Ada Grad"), "is not a slug"),
    "unknown kind": (lambda cs: cs[0].update(kind="gizmo"), "unknown kind 'gizmo'"),
    "aliases not a list": (lambda cs: cs[0].update(aliases="SGD"), "'aliases' must be a list"),
    "card wrong type": (lambda cs: cs[0].update(card=3), "'card' must be a string or null"),
    "not an object": (lambda cs: cs.append("adam"), "expected an object, got str"),
}


@pytest.mark.parametrize("case", CONCEPT_CASES)
def test_each_concept_rule_has_a_broken_fixture(mini_dir, case):
    mutate, expected = CONCEPT_CASES[case]
    _write(mini_dir, concepts=_mutate_concepts(mutate))
    errors = _errors(mini_dir)
    assert any(expected in e for e in errors), errors
    with pytest.raises(InvalidData):
        store.load(mini_dir)


def _add(relations, source, kind, target, evidence="because"):
    relations.append(
        {"source": source, "type": kind, "target": target, "evidence": evidence, "origin": "curated"}
    )


RELATION_CASES = {
    "unknown type": (
        lambda rs: _add(rs, "adam", "befriends", "momentum"),
        "unknown relation type 'befriends'",
    ),
    "missing concept": (lambda rs: _add(rs, "adam", "uses", "nadam"), "target 'nadam' is not a concept id"),
    "self-loop": (lambda rs: _add(rs, "adam", "uses", "adam"), "self-loop"),
    "duplicate": (
        lambda rs: _add(rs, "adam", "combines", "momentum"),
        "(adam combines momentum): duplicate relation",
    ),
    "mirrored symmetric duplicate": (
        lambda rs: _add(rs, "dueling-dqn", "alternative-to", "double-dqn"),
        "duplicate relation",
    ),
    "bad origin": (lambda rs: rs[0].update(origin="guessed"), "origin must be one of curated, extracted"),
    "empty evidence": (lambda rs: rs[0].update(evidence="  "), "'evidence' is empty"),
    "missing field": (lambda rs: rs[0].pop("evidence"), "missing field 'evidence'"),
}


@pytest.mark.parametrize("case", RELATION_CASES)
def test_each_relation_rule_has_a_broken_fixture(mini_dir, case):
    mutate, expected = RELATION_CASES[case]
    _write(mini_dir, relations=_mutate_relations(mutate))
    errors = _errors(mini_dir)
    assert any(expected in e for e in errors), errors


def test_lineage_cycle_is_reported_with_its_steps(mini_dir):
    _write(mini_dir, relations=_mutate_relations(lambda rs: _add(rs, "r-cnn", "inspired-by", "mask-r-cnn")))
    errors = _errors(mini_dir)
    assert len([e for e in errors if "lineage cycle" in e]) == 1
    cycle = next(e for e in errors if "lineage cycle" in e)
    for step in (
        "R-CNN was inspired by Mask R-CNN",
        "Mask R-CNN extends Faster R-CNN",
        "Fast R-CNN improves on R-CNN",
    ):
        assert step in cycle
    with pytest.raises(InvalidData, match="lineage cycle"):
        graph.load_graph(mini_dir)


def test_prerequisite_cycle_through_part_of_is_reported(mini_dir):
    # Adam combines Momentum (study Momentum first) + Adam part-of Momentum (study Adam first): a loop.
    _write(mini_dir, relations=_mutate_relations(lambda rs: _add(rs, "adam", "part-of", "momentum")))
    errors = _errors(mini_dir)
    assert any("prerequisite cycle" in e and "Adam is part of Momentum" in e for e in errors), errors


def test_warnings_do_not_invalidate(mini_dir):
    result = graph.validate(mini_dir)
    assert result["valid"]
    assert result["warnings"] == ["concepts.json: the name 'dqnvariant' belongs to double-dqn, dueling-dqn"]


def test_orphan_is_a_warning(mini_dir):
    _write(
        mini_dir, relations=[r for r in load_json(MINI / "relations.json") if r["source"] != "lone-island"]
    )
    warnings = graph.validate(mini_dir)["warnings"]
    assert "concepts.json: concept 'lone-island' has no relations (orphan)" in warnings


def test_canonical_dump_round_trips_the_fixture_byte_for_byte():
    dataset = store.load(MINI)
    assert store.dumps_concepts(dataset.concepts) == (MINI / "concepts.json").read_text(encoding="utf-8")
    assert store.dumps_relations(dataset.relations) == (MINI / "relations.json").read_text(encoding="utf-8")


def test_canonical_dump_sorts_and_orders_keys_but_keeps_extra_fields():
    concepts = [
        {
            "name": "B",
            "id": "b",
            "card": None,
            "kind": "concept",
            "topic": "t",
            "aliases": [],
            "definition": "",
            "note": "mine",
        },
        {
            "id": "a",
            "name": "A",
            "aliases": [],
            "topic": "t",
            "kind": "concept",
            "definition": "",
            "card": None,
        },
    ]
    text = store.dumps_concepts(concepts)
    parsed = json.loads(text)
    assert [c["id"] for c in parsed] == ["a", "b"]
    assert list(parsed[1]) == [*store.CONCEPT_KEYS, "note"]


def test_save_atomic_leaves_no_temp_files_and_replaces(tmp_path):
    target = tmp_path / "x.json"
    target.write_text("old")
    store.save_atomic(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]
    assert target.stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0600
    target.chmod(0o640)
    store.save_atomic(target, "newer")
    assert target.stat().st_mode & 0o777 == 0o640  # a mode the user chose survives
    store.save_atomic(tmp_path / "fresh.json", "{}")
    assert (tmp_path / "fresh.json").stat().st_mode & 0o777 == 0o644


def test_data_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv(store.ENV_DATA_DIR, raising=False)
    assert store.resolve_data_dir() == store.bundled_data_dir()
    monkeypatch.setenv(store.ENV_DATA_DIR, str(tmp_path))
    assert store.resolve_data_dir() == tmp_path
    assert store.resolve_data_dir(MINI) == MINI


def test_paused_gc_turns_collection_off_inside_and_restores_it_after():
    import gc

    assert gc.isenabled()
    with store.paused_gc():
        assert not gc.isenabled()
        with store.paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # an inner pause does not switch it back on early
    assert gc.isenabled()
    with pytest.raises(RuntimeError), store.paused_gc():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_data_file_that_is_a_pipe_is_refused_without_reading_it(mini_dir):
    import os

    (mini_dir / "relations.json").unlink()
    os.mkfifo(mini_dir / "relations.json")  # reading it would block: only its status is looked at
    with pytest.raises(InvalidData) as caught:
        store.load(mini_dir)
    assert str(caught.value) == (
        f"{mini_dir / 'relations.json'}: is not a regular file (a pipe, device or socket); "
        "copy the graph to a folder of regular files and point --data-dir at it"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[{"a": NaN}]',
            "invalid JSON at line 1, column 8: NaN is not a finite number; write a number or null",
        ),
        ('[\n "NaN", Infinity]', "invalid JSON at line 2, column 9: Infinity is not a finite number"),
        ("[1e400]", "invalid JSON at line 1, column 2: 1e400 is not a finite number"),
        ("[" + "7" * 5000 + "]", "invalid JSON at line 1, column 2: a number of more than 4,300 digits"),
        ('["\\udc00"]', "line 1, column 3: an escaped lone surrogate (half of a UTF-16 pair) is not text"),
    ],
    ids=["NaN", "Infinity", "1e400", "5,000 digits", "lone surrogate"],
)
def test_values_strict_json_lacks_are_refused_with_file_and_position(mini_dir, text, message):
    (mini_dir / "concepts.json").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidData) as caught:
        store.load(mini_dir)
    assert str(caught.value).startswith(f"{mini_dir / 'concepts.json'}: {message}")


def test_look_alike_names_are_a_warning_naming_both(mini_dir):
    concepts = _mutate_concepts(
        lambda cs: cs.append({**cs[0], "id": "twin", "name": "\u0410" + cs[0]["name"][1:]})
    )
    first = concepts[0]
    _write(mini_dir, concepts=concepts)
    warnings = store.load(mini_dir).warnings
    assert any(
        w.startswith(f"concepts.json: the names {first['name']!r} ({first['id']}) and ") and "(twin)" in w
        for w in warnings
    ), warnings


# --- generations: undo, dry run, ids, permissions -------------------------------------------------

DECKS = Path(__file__).parent / "data" / "decks"


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, the undo copies included, by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def rebuilt(run, tmp_path: Path) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """A graph built from one deck, then from another: (folder, files before the 2nd build, after)."""
    folder = tmp_path / "g"
    assert (
        run(
            "build", "--no-field", str(DECKS / "anki-notes.txt"), "--out", str(folder), data_dir=None
        ).exit_code
        == 0
    )
    first = {name: (folder / name).read_bytes() for name in store.GRAPH_FILES if (folder / name).exists()}
    assert run("build", "--no-field", str(DECKS / "quizlet.txt"), data_dir=folder).exit_code == 0
    second = {name: (folder / name).read_bytes() for name in store.GRAPH_FILES if (folder / name).exists()}
    assert first != second
    return folder, first, second


def _graph_files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in store.GRAPH_FILES if (folder / name).exists()}


def test_undo_restores_the_graph_before_the_last_build_byte_for_byte_and_again_redoes(run, rebuilt):
    folder, first, second = rebuilt
    graph_id = store.graph_id(folder)
    done = run("undo", data_dir=folder)
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith(f"restored {folder} to before its last build: concepts.json restored")
    assert _graph_files(folder) == first
    assert run("undo", data_dir=folder).exit_code == 0
    assert _graph_files(folder) == second
    assert store.graph_id(folder) == graph_id  # the id is the folder's, not a generation's


def test_undo_with_nothing_to_go_back_to_says_so(run, tmp_path, mini_dir):
    before = _files(mini_dir)
    done = run("undo", data_dir=mini_dir)  # a folder no build wrote
    assert done.exit_code == 1 and "nothing to undo" in done.stderr
    assert _files(mini_dir) == before
    fresh = tmp_path / "fresh"
    assert (
        run(
            "build", "--no-field", str(DECKS / "anki-notes.txt"), "--out", str(fresh), data_dir=None
        ).exit_code
        == 0
    )
    done = run("undo", data_dir=fresh)
    assert done.exit_code == 1 and "made the graph from an empty folder" in done.stderr
    assert run("undo", data_dir=None).exit_code == 2  # the bundled graph is never written


def test_dry_run_lists_each_concept_and_relation_it_would_change_and_writes_nothing(run, rebuilt, tmp_path):
    folder, _, _ = rebuilt
    assert run("undo", data_dir=folder).exit_code == 0  # back to the graph of the first deck
    before = _files(folder)
    quizlet = str(DECKS / "quizlet.txt")
    done = run("build", "--no-field", quizlet, "--dry-run", data_dir=folder)
    assert done.exit_code == 0, done.output
    assert _files(folder) == before
    lines = done.stdout.splitlines()
    at = lines.index("Would add 1 concept")
    assert lines[at : at + 2] == ["Would add 1 concept", "  lstm"]
    assert "Would remove 3 relations" in lines and "  mask-r-cnn uses roi-align" in lines
    data = json.loads(run("build", "--no-field", quizlet, "--dry-run", "--json", data_dir=folder).stdout)
    assert data["diff"]["concepts"] == {"added": ["lstm"], "changed": [], "removed": []}
    assert data["diff"]["relations"]["added"] == []
    assert "mask-r-cnn extends faster-r-cnn" in data["diff"]["relations"]["removed"]
    assert _files(folder) == before
    nothing = run("build", "--no-field", str(DECKS / "anki-notes.txt"), "--dry-run", data_dir=folder)
    assert nothing.stdout.splitlines()[-1] == "nothing would change"
    # The other way round, the relations a deck would add are listed too.
    other = tmp_path / "quizlet-graph"
    assert run("build", "--no-field", quizlet, "--out", str(other), data_dir=None).exit_code == 0
    added = run("build", "--no-field", str(DECKS / "anki-notes.txt"), "--dry-run", data_dir=other)
    lines = added.stdout.splitlines()
    assert "Would add 3 relations" in lines and "  mask-r-cnn extends faster-r-cnn" in lines


def test_a_graph_id_is_recorded_once_and_kept_when_the_folder_moves(rebuilt, tmp_path):
    folder, _, _ = rebuilt
    graph_id = store.graph_id(folder)
    assert re.fullmatch(r"[0-9a-f]{32}", graph_id)
    moved = tmp_path / "moved"
    folder.rename(moved)
    assert store.graph_id(moved) == graph_id
    assert store.graph_id(store.bundled_data_dir()) == store.BUNDLED_ID
    assert store.graph_id(store.bundled_data_dir() / "field") == store.FIELD_ID
    assert store.graph_id(MINI).startswith("path-")  # no build wrote it


def test_a_damaged_manifest_is_a_clear_error(run, rebuilt):
    folder, _, _ = rebuilt
    (folder / store.MANIFEST_FILE).write_text('{"id": 3}', encoding="utf-8")
    done = run("undo", data_dir=folder)
    assert done.exit_code == 1 and "graph.json: not a dlgraph generation manifest" in done.stderr


def _as_nobody(fn) -> int:
    """Run ``fn`` in a forked child that has dropped root for the ``nobody`` user: the kernel's own
    permission checks, with every module already imported. Returns the child's exit code."""
    if not hasattr(os, "fork") or os.geteuid() != 0:
        pytest.skip("needs root, to drop to an unprivileged user")
    try:
        import pwd

        nobody = pwd.getpwnam("nobody")
    except (ImportError, KeyError):
        pytest.skip("no 'nobody' user to run as")
    pid = os.fork()
    if pid == 0:
        code = 3
        try:
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            code = fn()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_as_an_unprivileged_user_a_graph_it_cannot_write_is_left_whole(rebuilt):
    import shutil
    import tempfile

    from click.testing import CliRunner

    import dlgraph.graph  # noqa: F401  (imported before the fork: the child cannot read root's files)
    from dlgraph.cli import cli

    # Somewhere the unprivileged user can reach (pytest's own temp folders are private to root).
    shared = Path(tempfile.mkdtemp(prefix="dlgraph-perm-", dir="/tmp"))
    try:
        shared.chmod(0o755)
        folder = shared / "g"
        shutil.copytree(rebuilt[0], folder)
        before = _files(folder)

        def undo_as_nobody() -> int:
            done = CliRunner().invoke(cli, ["--data-dir", str(folder), "undo"], prog_name="dlgraph")
            return 10 + done.exit_code if "cannot write the graph" in done.stderr else 20

        code = _as_nobody(undo_as_nobody)
        assert code == 11  # a clear error, exit 1
        assert _files(folder) == before
        # Left mid-switch by a kill: a reader that cannot finish the switch still reads the new graph.
        manifest = json.loads((folder / store.MANIFEST_FILE).read_text(encoding="utf-8"))
        relations = (folder / store.RELATIONS_FILE).read_bytes()
        previous = (folder / store.STORE_DIR / manifest["previous"][store.RELATIONS_FILE]).read_bytes()
        # As a kill between the commit point and the swap leaves it: copies of both sets, the old file.
        for name, digest in manifest["files"].items():
            if digest is not None:
                (folder / store.STORE_DIR / digest).write_bytes((folder / name).read_bytes())
        (folder / store.RELATIONS_FILE).write_bytes(previous)
        manifest["switching"] = True
        (folder / store.MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")

        def read_as_nobody() -> int:
            return 0 if store.load(folder).relations == json.loads(relations) else 1

        assert _as_nobody(read_as_nobody) == 0
        assert (folder / store.RELATIONS_FILE).read_bytes() == previous  # it could not write, and did not
        store.load(folder)  # root can: the switch is finished on disk
        assert (folder / store.RELATIONS_FILE).read_bytes() == relations
        record("graph folder", "unprivileged user: unwritable graph left whole, a mid-switch one read whole")
    finally:
        shutil.rmtree(shared)


_JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(alphabet=st.characters(codec="utf-8"))
)
_JSON = st.recursive(
    _JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dictionaries(st.sampled_from(["source", "type", "é", "\x1b"]), _JSON), max_size=5))
def test_relation_lines_are_what_json_writes(records):
    """The encoder that writes relations.json and build.json line by line (encoding each shared
    string once) writes exactly the text json.dumps does."""
    lines = store.JsonLines()
    for item in records * 2:  # the second time round, every string comes from the memo
        assert lines.object(item) == json.dumps(item, ensure_ascii=False)
        assert lines.array(list(item.values())) == json.dumps(list(item.values()), ensure_ascii=False)


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "source": st.text(max_size=4),
                "type": st.sampled_from(["uses", "is-a"]),
                "target": st.text(max_size=4),
            },
            optional={"evidence": st.text(max_size=8), store.REFERENCE_KEY: _JSON, "note": _JSON},
        ),
        max_size=6,
    )
)
def test_relations_json_is_each_relation_as_json_writes_it(relations):
    """relations.json, written field by field, is one json.dumps line a relation: canonical keys
    first, any others after them."""
    keys = (*store.RELATION_KEYS, store.REFERENCE_KEY)
    ordered = sorted(relations, key=store.relation_sort_key)
    lines = ["  " + json.dumps(store._ordered(r, keys), ensure_ascii=False) for r in ordered]
    assert store.dumps_relations(relations) == ("[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n")
