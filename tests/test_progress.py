"""The progress store: schema, one transaction per rating, concurrent writers, bad files, the known set."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dlgraph import progress
from dlgraph.errors import DlgraphError, InvalidData
from dlgraph.progress import Progress
from dlgraph.study import schedule

from .reliability import record

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _no_real_user_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a test forgets to pass, the user's real data folder stays untouched."""
    monkeypatch.setenv(progress.ENV_PROGRESS, str(tmp_path / "env-progress.sqlite3"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


def rate(store: Progress, cid: str, rating: int, when: datetime = T0) -> dict:
    return store.record(cid, rating, lambda old: schedule(old, cid, rating, when), when)


def test_a_new_file_gets_the_schema_in_wal_mode(tmp_path: Path):
    path = tmp_path / "deep" / "er" / "p.sqlite3"
    with Progress.open(path) as store:
        assert store.cards() == {}
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(progress.SCHEMA_VERSION,)]
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"cards", "reviews", "schema_version"} <= tables
    db.close()


def test_each_rating_updates_the_card_and_appends_to_the_log(tmp_path: Path):
    path = tmp_path / "p.sqlite3"
    with Progress.open(path) as store:
        first = rate(store, "adam", 3)
        second = rate(store, "adam", 1, T0 + timedelta(hours=1))
        rate(store, "rmsprop", 4)
        cards = store.cards()
        assert store.review_count() == 3
    assert set(cards) == {"adam", "rmsprop"}
    assert cards["adam"].reviews == 2
    assert cards["adam"].first_review == T0 and cards["adam"].last_review == T0 + timedelta(hours=1)
    # The stored card is fsrs's own dict, scheduled on from the previous one.
    assert cards["adam"].card == second and second["card_id"] == first["card_id"]
    assert datetime.fromisoformat(first["due"]) == T0 + timedelta(minutes=10)  # good: 2nd learning step
    assert cards["adam"].due == datetime.fromisoformat(second["due"])
    db = sqlite3.connect(path)
    log = db.execute("SELECT concept_id, rating FROM reviews ORDER BY id").fetchall()
    assert log == [("adam", 3), ("adam", 1), ("rmsprop", 4)]


def test_a_failure_inside_a_rating_writes_nothing(tmp_path: Path):
    def broken(old):
        raise KeyboardInterrupt  # Ctrl-C while the rating is in flight

    with Progress.open(tmp_path / "p.sqlite3") as store:
        rate(store, "adam", 3)
        with pytest.raises(KeyboardInterrupt):
            store.record("rmsprop", 3, broken, T0)
        assert set(store.cards()) == {"adam"} and store.review_count() == 1
        rate(store, "rmsprop", 3)  # the store is still usable afterwards
        assert store.review_count() == 2


def test_known_ids_is_none_without_a_file_and_never_creates_one(tmp_path: Path):
    path = tmp_path / "missing.sqlite3"
    assert progress.known_ids(path) is None
    assert not path.exists()
    assert progress.mastery(path) == {}
    assert not path.exists()
    with pytest.raises(DlgraphError, match="no progress file yet"):
        Progress.open(path, create=False)


def test_known_ids_are_the_concepts_reviewed_at_least_once(tmp_path: Path):
    path = tmp_path / "p.sqlite3"
    with Progress.open(path) as store:
        assert progress.known_ids(path) == set()
        rate(store, "adam", 1)  # even "again" counts: the learner has met the concept
        rate(store, "momentum", 3)
    assert progress.known_ids(path) == {"adam", "momentum"}


def test_path_comes_from_the_option_then_the_environment_then_the_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    assert progress.resolve_path(tmp_path / "x.sqlite3") == tmp_path / "x.sqlite3"
    assert progress.resolve_path() == tmp_path / "env-progress.sqlite3"
    monkeypatch.delenv(progress.ENV_PROGRESS)
    # The bundled graph's own file, in the user data folder (never in the package).
    if sys.platform.startswith("linux"):
        assert progress.resolve_path() == tmp_path / "xdg" / "dlgraph" / "progress" / "bundled.sqlite3"
    assert progress.resolve_path().name == "bundled.sqlite3"
    assert progress.resolve_path().parent.parent.name == "dlgraph"


def test_known_ids_reads_the_environment_variable(tmp_path: Path):
    with Progress.open(tmp_path / "env-progress.sqlite3") as store:
        rate(store, "dqn", 3)
    assert progress.known_ids() == {"dqn"}


def test_mastery_is_the_recall_probability_and_fades_with_time(tmp_path: Path):
    path = tmp_path / "p.sqlite3"
    with Progress.open(path) as store:
        rate(store, "adam", 4)
        rate(store, "dqn", 3)
    now = progress.mastery(path, T0 + timedelta(days=1))
    later = progress.mastery(path, T0 + timedelta(days=200))
    assert set(now) == {"adam", "dqn"}
    assert all(0 < later[c] < now[c] <= 1 for c in now)
    assert now["adam"] > now["dqn"]  # easy leaves a more stable memory than good


def test_imports_stay_light_for_the_query_commands(tmp_path: Path):
    script = textwrap.dedent(
        f"""
        import sys
        from dlgraph import progress
        print(progress.known_ids({str(tmp_path / "nothing.sqlite3")!r}))
        print("fsrs" in sys.modules, "networkx" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["None", "False", "False"]


# --- bad files ------------------------------------------------------------------------------------


def test_a_corrupt_file_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "p.sqlite3"
    path.write_bytes(b"this is not SQLite at all, just some bytes that got here somehow" * 20)
    with pytest.raises(InvalidData, match=r"p\.sqlite3: not a dlgraph progress file, or it is damaged"):
        Progress.open(path)
    with pytest.raises(InvalidData, match="move it aside"):
        progress.known_ids(path)
    assert path.read_bytes().startswith(b"this is not SQLite")  # left alone for the user to inspect
    record("progress file", "not SQLite (left alone)")


def test_another_programs_database_is_refused(tmp_path: Path):
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (id INTEGER)")
    db.commit()
    db.close()
    with pytest.raises(InvalidData, match="not a dlgraph progress file"):
        Progress.open(path)
    record("progress file", "another program's SQLite database")


def test_a_file_from_a_newer_dlgraph_is_refused(tmp_path: Path):
    path = tmp_path / "p.sqlite3"
    Progress.open(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE schema_version SET version = ?", (progress.SCHEMA_VERSION + 1,))
    db.commit()
    db.close()
    with pytest.raises(InvalidData, match="newer than this dlgraph understands.*upgrade dlgraph"):
        Progress.open(path)


def test_a_half_migrated_file_is_brought_up_to_date(tmp_path: Path):
    """A file with only the version table (version 0), as a crash during creation could leave it."""
    path = tmp_path / "p.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    db.commit()
    db.close()
    with Progress.open(path) as store:
        rate(store, "adam", 3)
    assert progress.known_ids(path) == {"adam"}


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs the read-only /proc file system")
def test_a_read_only_location_is_a_clear_error():
    with pytest.raises(
        InvalidData, match=r"cannot write the progress file.*--progress FILE somewhere writable"
    ):
        Progress.open("/proc/dlgraph-progress.sqlite3")


def test_a_folder_in_the_way_is_a_clear_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InvalidData, match="cannot create the progress folder"):
        Progress.open(blocker / "p.sqlite3")
    with pytest.raises(InvalidData, match="is a folder"):
        Progress.open(tmp_path)


# --- concurrency ----------------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from dlgraph.progress import Progress

    def bump(old):
        # A counter carried in the card: a lost update (two writers reading the same card) shows.
        return {"due": "2030-01-01T00:00:00+00:00", "n": (old or {}).get("n", 0) + 1}

    path, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with Progress.open(path) as store:
        for i in range(count):
            store.record(("shared", name)[i % 2], 3, bump)
    """
)


def test_concurrent_writers_lose_no_review_and_leave_a_sound_file(tmp_path: Path):
    path = tmp_path / "p.sqlite3"
    writers, each = 4, 40
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"w{n}", str(each)], cwd=ROOT)
        for n in range(writers)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0] * writers
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT COUNT(*) FROM reviews").fetchone() == (writers * each,)
    # Read-modify-write under one lock: every card's counter matches its log, none was overwritten.
    counters = dict(db.execute("SELECT concept_id, reviews FROM cards"))
    logged = dict(db.execute("SELECT concept_id, COUNT(*) FROM reviews GROUP BY concept_id"))
    assert counters == logged
    assert counters["shared"] == writers * each // 2
    carried = {cid: json.loads(card)["n"] for cid, card in db.execute("SELECT concept_id, card FROM cards")}
    assert carried == counters
    db.close()
    record("progress file", "4 concurrent writers: no review lost")


def test_creating_waits_for_a_reader_of_a_fresh_file_to_let_go(tmp_path: Path):
    """Switching to WAL needs the file alone; SQLite says "locked" at once, so open() must retry."""
    path = tmp_path / "p.sqlite3"
    db = sqlite3.connect(path)  # a file begun in rollback mode, as a crash during creation leaves it
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    db.commit()
    db.close()
    reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    reader.execute("BEGIN")
    reader.execute("SELECT * FROM sqlite_master").fetchall()  # a shared lock on the rollback journal
    threading.Timer(0.5, reader.execute, ["COMMIT"]).start()
    with Progress.open(path) as store:
        assert store.cards() == {}
    reader.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()


def test_the_schema_version_table_is_written_once_by_racing_creators(tmp_path: Path):
    path = tmp_path / "p.sqlite3"
    script = "import sys; from dlgraph.progress import Progress; Progress.open(sys.argv[1]).close()"
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path)], cwd=ROOT) for _ in range(6)]
    assert [p.wait(timeout=60) for p in procs] == [0] * 6
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(progress.SCHEMA_VERSION,)]
    db.close()
    record("progress file", "6 processes creating it at once")


LOOPER = textwrap.dedent(
    """
    import sys
    from dlgraph.progress import Progress

    def bump(old):
        return {"due": "2030-01-01T00:00:00+00:00", "n": (old or {}).get("n", 0) + 1}

    with Progress.open(sys.argv[1]) as store:
        for i in range(10**9):
            store.record(f"c{i % 7}", 1 + i % 4, bump)
            print(i + 1, flush=True)  # after the commit: this many ratings are on disk
    """
)


def test_killing_a_writer_at_any_moment_leaves_every_committed_rating_and_a_sound_file(tmp_path: Path):
    path = tmp_path / "p.sqlite3"
    committed = 0
    for stop_after in (1, 7, 30, 55, 80):
        proc = subprocess.Popen(
            [sys.executable, "-c", LOOPER, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(stop_after):
            last = int(proc.stdout.readline())
        proc.kill()  # SIGKILL while it keeps writing: usually inside a transaction
        proc.wait(timeout=30)
        proc.stdout.close()
        db = sqlite3.connect(path)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        total = db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
        assert total >= committed + last  # nothing reported as saved was lost
        counters = dict(db.execute("SELECT concept_id, reviews FROM cards"))
        carried = {c: json.loads(card)["n"] for c, card in db.execute("SELECT concept_id, card FROM cards")}
        logged = dict(db.execute("SELECT concept_id, COUNT(*) FROM reviews GROUP BY concept_id"))
        assert counters == carried == logged  # no half-applied rating
        db.close()
        record("progress file", "SIGKILL mid-write: committed ratings kept, file sound")
        committed = total


# --- review kinds (schema 2): implicit credit and Anki history -----------------------------------


def test_a_schema_1_file_is_migrated_and_its_reviews_are_ratings(tmp_path: Path):
    path = tmp_path / "p.sqlite3"
    db = sqlite3.connect(path)
    for statement in progress._statements(progress.MIGRATIONS[0]):
        db.execute(statement)
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    db.execute("INSERT INTO schema_version VALUES (1)")
    card = json.dumps(schedule(None, "adam", 3, T0 - timedelta(days=1)))
    db.execute("INSERT INTO cards VALUES ('adam', ?, '2030-01-01T00:00:00.000000Z', 1, 'x', 'x')", (card,))
    db.execute("INSERT INTO reviews (concept_id, rating, reviewed_at, card) VALUES ('adam', 3, ?, ?)",
               ("2029-12-31T00:00:00.000000Z", card))  # fmt: skip
    db.commit()
    db.close()
    with Progress.open(path) as store:
        assert [(e.concept_id, e.kind, e.rating) for e in store.log()] == [("adam", "rating", 3)]
        rate(store, "adam", 3)
    assert progress.known_ids(path) == {"adam"}
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(progress.SCHEMA_VERSION,)]
    db.close()


def test_implicit_credit_changes_the_card_but_not_the_review_count(tmp_path: Path):
    with Progress.open(tmp_path / "p.sqlite3") as store:
        rate(store, "rmsprop", 4)
        before = store.cards()["rmsprop"]

        def credited(old: dict, credit: float) -> dict:
            return {**old, "due": "2031-01-01T00:00:00+00:00", "credit": credit}

        given = store.record_implicit("adam", {"rmsprop": 0.6, "never-reviewed": 0.5}, credited, T0)
        after = store.cards()["rmsprop"]
        log = store.log("rmsprop")
    assert given == {"rmsprop": 0.6}  # a concept never reviewed takes no credit
    assert after.reviews == before.reviews == 1 and after.last_review == before.last_review
    assert after.due == datetime(2031, 1, 1, tzinfo=timezone.utc)
    assert [(e.kind, e.cause, e.credit) for e in log] == [("rating", None, None), ("implicit", "adam", 0.6)]


def test_imported_reviews_are_added_once_and_the_card_replayed_from_the_whole_log(tmp_path: Path):
    from dlgraph.progress import LogEntry
    from dlgraph.study import replay

    entries = [LogEntry("adam", "anki", 3, T0 - timedelta(days=d), anki_id=d) for d in (30, 29)]
    with Progress.open(tmp_path / "p.sqlite3") as store:
        rate(store, "adam", 1, T0)  # given here, after the Anki reviews
        assert store.import_reviews("adam", entries, lambda log: replay(log, "adam")) == 2
        assert store.import_reviews("adam", entries, lambda log: replay(log, "adam")) == 0
        state, log = store.cards()["adam"], store.log("adam")
    assert [e.kind for e in log] == ["anki", "anki", "rating"]  # time order, whatever the order added
    assert state.reviews == 3 and state.first_review == T0 - timedelta(days=30)
    assert state.card == replay(log, "adam")
    assert state.card["state"] == 3  # the lapse here, after graduating in Anki: relearning


# --- progress belongs to a graph --------------------------------------------------------------------


def _graph_copy(folder: Path) -> Path:
    """A copy of the mini graph written by dlgraph, so that it records an id of its own."""
    from dlgraph import store

    from .conftest import MINI

    store.save(store.load(MINI), folder)
    return folder


def _cli(*args: str, input: str | None = None):
    from click.testing import CliRunner

    from dlgraph.cli import cli

    return CliRunner().invoke(cli, list(args), input=input, prog_name="dlgraph")


@pytest.fixture
def own_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No DLGRAPH_PROGRESS: each graph's default file, in a private user data folder."""
    monkeypatch.delenv(progress.ENV_PROGRESS)
    return tmp_path / "xdg" / "dlgraph"


def test_studying_one_graph_leaves_another_graphs_progress_untouched(own_default: Path, tmp_path: Path):
    from dlgraph import store

    a, b = _graph_copy(tmp_path / "a"), _graph_copy(tmp_path / "b")
    assert store.graph_id(a) != store.graph_id(b)
    before = _cli("--data-dir", str(b), "next", "--json").stdout
    done = _cli("--data-dir", str(a), "study", "--ratings", "-", input="good\ngood\n")
    assert done.exit_code == 0, done.output
    assert f"Progress saved in {own_default / 'progress' / store.graph_id(a)}.sqlite3" in done.stdout
    assert progress.known_ids(progress.default_path(a)) == {"alexnet", "dqn"}  # the first in study order
    assert not progress.default_path(b).exists()
    assert _cli("--data-dir", str(b), "next", "--json").stdout == before
    assert json.loads(_cli("--data-dir", str(b), "progress", "--json").stdout)["total"]["known"] == 0
    record("progress file", "studying graph A: graph B's progress untouched")


def test_a_graphs_progress_follows_it_when_the_folder_moves(own_default: Path, tmp_path: Path):
    a = _graph_copy(tmp_path / "a")
    assert _cli("--data-dir", str(a), "study", "--ratings", "-", input="good\n").exit_code == 0
    moved = tmp_path / "elsewhere" / "renamed"
    moved.parent.mkdir()
    a.rename(moved)
    assert progress.known_ids(progress.default_path(moved)) == {"alexnet"}
    assert json.loads(_cli("--data-dir", str(moved), "progress", "--json").stdout)["total"]["known"] == 1


def test_the_single_file_of_earlier_versions_moves_once_to_the_first_graph_with_a_note(
    own_default: Path, tmp_path: Path
):
    legacy = own_default / progress.FILE_NAME
    legacy.parent.mkdir(parents=True)
    with Progress.open(legacy) as store:
        rate(store, "adam", 3)
    a = _graph_copy(tmp_path / "a")
    first = _cli("--data-dir", str(a), "progress", "--json")
    assert first.exit_code == 0
    assert f"note: moved your progress file {legacy} to {progress.default_path(a)}" in first.stderr
    assert not legacy.exists() and progress.known_ids(progress.default_path(a)) == {"adam"}
    again = _cli("--data-dir", str(a), "progress", "--json")
    assert again.exit_code == 0 and again.stderr == ""  # once
    # Another graph starts with its own, empty progress.
    b = _graph_copy(tmp_path / "b")
    assert json.loads(_cli("--data-dir", str(b), "progress", "--json").stdout)["total"]["known"] == 0


@pytest.mark.parametrize("args", [["study", "--ratings", "-"], ["progress"], ["next"]])
def test_an_empty_progress_file_is_an_error_naming_it_not_a_fresh_start(own_default, tmp_path, args):
    a = _graph_copy(tmp_path / "a")
    path = progress.default_path(a)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    done = _cli("--data-dir", str(a), *args, input="good\n")
    assert done.exit_code == 1, done.output
    assert f"Error: {path}: is empty (0 bytes)" in done.stderr and "Traceback" not in done.output
    assert path.read_bytes() == b""  # left for the user to restore
    record("progress file", "0 bytes: an error naming it, not a fresh start")


def test_another_graphs_progress_file_is_refused_naming_both(own_default: Path, tmp_path: Path):
    from dlgraph import store

    a, b = _graph_copy(tmp_path / "a"), _graph_copy(tmp_path / "b")
    mine = tmp_path / "mine.sqlite3"
    assert (
        _cli(
            "--data-dir", str(a), "study", "--progress", str(mine), "--ratings", "-", input="good\n"
        ).exit_code
        == 0
    )
    done = _cli("--data-dir", str(b), "study", "--progress", str(mine), "--ratings", "-", input="good\n")
    assert done.exit_code == 1
    assert f"{mine}: holds the progress of another graph ({store.graph_id(a)})" in done.stderr
    assert store.graph_id(b) in done.stderr
    assert progress.known_ids(mine) == {"alexnet"}  # nothing of graph b was written into it
    record("progress file", "another graph's progress file: refused")


def test_a_new_file_is_never_seen_empty_by_racing_creators(tmp_path: Path):
    path = tmp_path / "p.sqlite3"
    script = (
        "import sys; from dlgraph.progress import Progress\n"
        "for _ in range(20):\n"
        "    Progress.open(sys.argv[1], graph='g').close()\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path)], cwd=ROOT) for _ in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0] * 4
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_as_an_unprivileged_user_a_read_only_progress_file_of_no_graph_yet_is_still_read():
    import shutil
    import tempfile

    from .test_store import _as_nobody

    shared = Path(tempfile.mkdtemp(prefix="dlgraph-perm-", dir="/tmp"))
    try:
        shared.chmod(0o777)  # SQLite needs to make the -shm beside a WAL file even to read it
        path = shared / "p.sqlite3"
        with Progress.open(path) as store:  # as an earlier dlgraph made it: bound to no graph
            rate(store, "adam", 3)
        path.chmod(0o644)

        def read_as_nobody() -> int:
            return 0 if progress.known_ids(path, graph="some-graph") == {"adam"} else 1

        assert _as_nobody(read_as_nobody) == 0
        with Progress.open(path) as store:
            assert store._owner() is None  # it could not record an owner, and did not
    finally:
        shutil.rmtree(shared)
