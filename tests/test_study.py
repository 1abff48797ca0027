"""Study sessions: due cards first, new ones in prerequisite order; the CLI end to end; kills and races."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlgraph import progress, store
from dlgraph.graph import ConceptGraph, load_graph
from dlgraph.progress import Progress, parse_utc
from dlgraph.study import Session, parse_rating, progress_summary, schedule, study_order

from . import reliability
from .conftest import MINI

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)
ADAM_ORDER = ["gradient-descent", "adagrad", "momentum", "rmsprop", "adam"]


@pytest.fixture(autouse=True)
def _no_real_user_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a test forgets to pass, the user's real data folder stays untouched."""
    monkeypatch.setenv(progress.ENV_PROGRESS, str(tmp_path / "env-progress.sqlite3"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


@pytest.fixture(scope="module")
def mini() -> ConceptGraph:
    return load_graph(MINI)


@pytest.fixture
def pfile(tmp_path: Path) -> Path:
    return tmp_path / "progress.sqlite3"


class Clock:
    """A clock the test moves by hand, so due times are exact."""

    def __init__(self, start: datetime = T0):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def drive(
    session: Session, ratings: list[int] | int, step: timedelta = timedelta(0)
) -> list[tuple[str, bool]]:
    """Answer every card the session shows; ``ratings`` is a list, or one rating for every card."""
    shown = []
    answers = iter(ratings) if isinstance(ratings, list) else None
    while (card := session.next_card()) is not None and len(shown) < 300:
        rating = ratings if answers is None else next(answers, None)
        if rating is None:
            break
        session.rate(card, rating)
        shown.append((card.id, card.new))
        if isinstance(session.clock, Clock):
            session.clock.now += step
    return shown


def record(path: Path, cid: str, rating: int, when: datetime) -> None:
    with Progress.open(path) as db:
        db.record(cid, rating, lambda old: schedule(old, cid, rating, when), when)


# --- order and gating -----------------------------------------------------------------------------


def assert_prerequisites_first(cg: ConceptGraph, order: list[str]) -> None:
    position = {cid: i for i, cid in enumerate(order)}
    for after, before in cg.prereq.edges:
        if after in position and before in position:
            assert position[before] < position[after], f"{before} must come before {after}"


def test_study_order_of_the_whole_deck_puts_prerequisites_first():
    cg = load_graph(store.bundled_data_dir())
    order = study_order(cg)
    assert sorted(order) == sorted(cg.concepts)
    assert_prerequisites_first(cg, order)


def test_study_order_toward_a_target_is_the_prereqs_order_then_the_target(mini):
    assert study_order(mini, "adam") == ADAM_ORDER
    # What is known is dropped, and so is what was needed only through it.
    assert study_order(mini, "adam", {"adagrad"}) == ["gradient-descent", "rmsprop", "momentum", "adam"]
    assert study_order(mini, "faster-r-cnn", {"fast-r-cnn"}) == ["faster-r-cnn"]


def test_a_session_toward_a_target_introduces_everything_it_needs_in_order(mini, pfile):
    with Progress.open(pfile) as db:
        shown = drive(Session(mini, db, target="adam", clock=Clock()), 3)
    # Each new card, then (nothing else left) each one's second learning step, shown early as Anki
    # does; the clock stands still here, so they are all equally due: by name.
    again = ["adagrad", "adam", "gradient-descent", "momentum", "rmsprop"]
    assert shown == [(cid, True) for cid in ADAM_ORDER] + [(cid, False) for cid in again]


def test_limit_caps_the_new_concepts_of_one_session(mini, pfile):
    clock = Clock()
    with Progress.open(pfile) as db:
        assert drive(Session(mini, db, target="adam", limit=2, clock=clock), 3) == [
            ("gradient-descent", True),
            ("adagrad", True),
            ("adagrad", False),  # equally due (the clock stands still): by name
            ("gradient-descent", False),
        ]
        # Next session, an hour on: both graduated (due in days), so two new ones and their steps.
        clock.now += timedelta(hours=1)
        second = drive(Session(mini, db, target="adam", limit=2, clock=clock), 3)
    assert second == [("momentum", True), ("rmsprop", True), ("momentum", False), ("rmsprop", False)]


def test_a_concept_waits_until_its_prerequisites_have_enough_reviews(mini, pfile):
    clock = Clock()
    with Progress.open(pfile) as db:
        first = Session(mini, db, target="adam", prereq_reviews=3, clock=clock)
        # Two learning steps are two reviews: not yet the three adagrad and momentum wait for.
        assert drive(first, 3) == [("gradient-descent", True), ("gradient-descent", False)]
        assert first.waiting() == ["adagrad", "momentum", "rmsprop", "adam"]
        assert first.summary()["waiting"][0] == {"id": "adagrad", "name": "Adagrad"}
        clock.now += timedelta(days=3)
        second = Session(mini, db, target="adam", prereq_reviews=3, clock=clock)
        # The third review of gradient descent unlocks adagrad and momentum, not rmsprop yet.
        assert drive(second, 3)[:3] == [("gradient-descent", False), ("adagrad", True), ("momentum", True)]
        assert second.waiting() == ["rmsprop", "adam"]


def test_due_cards_come_first_most_overdue_first(mini, pfile):
    record(pfile, "dqn", 3, T0)
    record(pfile, "alexnet", 3, T0 - timedelta(hours=2))
    record(pfile, "resnet", 4, T0)  # easy: due in days, not now
    with Progress.open(pfile) as db:
        session = Session(mini, db, target="adam", limit=1, clock=Clock(T0 + timedelta(hours=1)))
        assert drive(session, 3) == [
            ("alexnet", False),  # learning steps that came due first, most overdue first
            ("dqn", False),
            ("gradient-descent", True),
            ("gradient-descent", False),
        ]
        summary = session.summary()
        assert (summary["reviewed"], summary["new"], summary["repeats"]) == (4, 1, 3)


def test_a_card_rated_again_or_hard_comes_back_in_the_same_session(mini, pfile):
    clock = Clock()
    with Progress.open(pfile) as db:
        session = Session(mini, db, target="momentum", clock=clock)
        shown = drive(session, [1, 3, 3, 2, 3, 3, 3], step=timedelta(seconds=20))
        states, summary = db.cards(), session.summary()
    assert shown == [
        ("gradient-descent", True),  # again: back after its 1-minute step
        ("momentum", True),  # good: to the 10-minute step
        ("gradient-descent", False),  # nothing else left: shown early; good
        ("momentum", False),  # hard: the 10-minute step again
        ("gradient-descent", False),  # good on the last step: graduated
        ("momentum", False),
    ]
    assert {cid: s.card["state"] for cid, s in states.items()} == {"gradient-descent": 2, "momentum": 2}
    assert summary["repeats"] == 4 and summary["learning"] == 0


def test_reviews_of_concepts_gone_from_the_graph_are_skipped(mini, pfile):
    record(pfile, "no-longer-here", 3, T0 - timedelta(days=3))
    with Progress.open(pfile) as db:
        assert drive(Session(mini, db, target="momentum", clock=Clock()), 3) == [
            ("gradient-descent", True),
            ("momentum", True),
            ("gradient-descent", False),
            ("momentum", False),
        ]
        summary = progress_summary(mini, db.cards(), str(pfile), T0)
    assert summary["not_in_graph"] == ["no-longer-here"]
    assert summary["total"] == {"known": 2, "due": 0, "new": len(mini.concepts) - 2, "total": 20}


def test_progress_summary_counts_known_due_and_new_per_topic(mini, pfile):
    record(pfile, "adam", 3, T0)
    record(pfile, "momentum", 4, T0)
    record(pfile, "dqn", 1, T0)
    with Progress.open(pfile) as db:
        summary = progress_summary(mini, db.cards(), str(pfile), T0 + timedelta(hours=1))
    rows = {r["topic"]: r for r in summary["topics"]}
    assert rows["optimization"] == {"topic": "optimization", "known": 2, "due": 1, "new": 3, "total": 5}
    assert rows["reinforcement-learning"] == {
        "topic": "reinforcement-learning",
        "known": 1,
        "due": 1,
        "new": 2,
        "total": 3,
    }
    assert [r["topic"] for r in summary["topics"]][:2] == ["foundations", "optimization"]  # vocabulary order
    assert summary["exists"] is True and summary["next_due"] == "2030-01-01T12:01:00.000000Z"
    assert progress_summary(mini, None, "x", T0)["total"]["new"] == 20


def test_ratings_are_words_or_digits():
    assert [parse_rating(w) for w in ("again", " HARD ", "Good", "easy", "1", "4")] == [1, 2, 3, 4, 1, 4]
    with pytest.raises(Exception, match="'5' is not a rating"):
        parse_rating("5")


@st.composite
def dags(draw):
    """A random prerequisite DAG: concept i may use any concept j < i."""
    n = draw(st.integers(2, 12))
    edges = draw(
        st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda e: e[0] > e[1]))
    )
    concepts = [
        {
            "id": f"c{i}",
            "name": f"Concept {i}",
            "aliases": [],
            "topic": "foundations",
            "kind": "concept",
            "definition": f"Concept number {i}.",
            "card": None,
        }
        for i in range(n)
    ]
    relations = [
        {"source": f"c{a}", "type": "uses", "target": f"c{b}", "evidence": "test", "origin": "curated"}
        for a, b in sorted(edges)
    ]
    return ConceptGraph(store.Dataset(concepts, relations)), draw(st.integers(0, n - 1))


@settings(max_examples=25, deadline=None)
@given(dags(), st.lists(st.integers(1, 4), min_size=1, max_size=4))
def test_every_session_introduces_a_concept_only_after_its_prerequisites(drawn, pattern):
    cg, target = drawn
    with tempfile.TemporaryDirectory() as folder, Progress.open(Path(folder) / "p.sqlite3") as db:
        seen: list[str] = []
        clock = Clock()
        for day in range(12):  # 6 whole-deck sessions of 3 new cards cover the 12 concepts at most
            session = Session(cg, db, target=f"c{target}" if day % 2 else None, limit=3, clock=clock)
            for _ in range(30):  # an 'again' every time would keep a learning card coming back
                card = session.next_card()
                if card is None:
                    break
                if card.new:
                    assert all(p in seen for p in cg.prereq.successors(card.id))
                    seen.append(card.id)
                session.rate(card, pattern[len(seen) % len(pattern)])
            clock.now += timedelta(days=1)
        assert sorted(seen) == sorted(cg.concepts)  # and nothing is left behind for good


# --- the CLI ---------------------------------------------------------------------------------------


def test_study_with_a_ratings_file_prints_each_card_and_saves_each_rating(run, pfile, tmp_path):
    ratings = tmp_path / "ratings.txt"
    ratings.write_text("good\n\n# a comment line\n2\n", encoding="utf-8")
    result = run("study", "adam", "--progress", str(pfile), "--ratings", str(ratings))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "card 1 of 5 · 0 to repeat · 4 new left\n"
        "[1] new: What is Gradient descent?\n"  # no card in the deck: a question made from the name
        "    algorithm · optimization\n"
        "    Step the parameters against the gradient.\n"
        "rating: good\n"
        "    next review in 10 minutes\n"
        "\n"
        "card 2 of 6 · 1 to repeat · 3 new left\n"
        "[2] new: adagrad\n"  # the deck card's own front
        "    algorithm · optimization\n"
        "    Per-parameter learning rates from all past squared gradients.\n"
        "    builds on: Gradient descent\n"
        "rating: hard\n"
        "    next review in 6 minutes\n"
        "\n"
        "card 3 of 7 · 2 to repeat · 2 new left\n"
        "[3] new: momentum\n"
    )
    assert (
        "End of ratings. Session over: 2 cards (2 new, 0 reviews): again 0, hard 1, good 1, easy 0.\n"
        f"Progress saved in {pfile}.\n"
        "3 new concepts still to learn toward Adam.\n"
        "2 cards still in learning steps: the next one is due in "
    ) in result.stdout
    assert progress.known_ids(pfile) == {"gradient-descent", "adagrad"}


def test_study_reads_ratings_from_stdin_and_uses_the_environment_variable(run, tmp_path):
    result = run("study", "momentum", "--ratings", "-", input="easy\ngood\n")
    assert result.exit_code == 0, result.output
    assert "Every concept toward Momentum has been reviewed at least once." in result.stdout
    assert progress.known_ids(tmp_path / "env-progress.sqlite3") == {"gradient-descent", "momentum"}


def test_interactive_session_waits_for_enter_asks_again_after_a_typo_and_stops_on_q(run, pfile):
    result = run("study", "adam", "--progress", str(pfile), input="\ngod\ngood\n\nq\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "card 1 of 5 · 0 to repeat · 4 new left\n"
        "[1] new: What is Gradient descent?\n"
        "    algorithm · optimization\n"
        "Press Enter to show the answer (q stops): \n"
        "    Step the parameters against the gradient.\n"
        "again, hard, good, easy (1-4; q stops): \n"
        "again, hard, good, easy (1-4; q stops): \n"
        "    next review in 10 minutes\n"
    )
    assert "'god' is not a rating; use again, hard, good, easy (or 1-4)" in result.stderr
    assert "Stopped. Session over: 1 card (1 new, 0 reviews)" in result.stdout
    assert progress.known_ids(pfile) == {"gradient-descent"}


def test_end_of_input_ends_the_session_cleanly(run, pfile):
    result = run("study", "--progress", str(pfile), input="\n3\n\n")
    assert result.exit_code == 0, result.output
    assert "End of input. Session over: 1 card" in result.stdout
    assert result.stderr == ""


def test_a_bad_rating_in_a_file_is_an_error_after_saving_the_good_ones(run, pfile):
    result = run("study", "adam", "--progress", str(pfile), "--ratings", "-", input="good\ngreat\n")
    assert result.exit_code == 2
    assert "Error: --ratings line 2: 'great' is not a rating" in result.stderr
    assert "Traceback" not in result.output
    assert "Stopped. Session over: 1 card" in result.stdout
    assert progress.known_ids(pfile) == {"gradient-descent"}


def test_nothing_to_study(run, pfile):
    result = run("study", "adam", "--progress", str(pfile), "--limit", "0", "--ratings", "-", input="")
    assert result.exit_code == 0
    # --limit 0 is a choice, not "nothing is ready": the message says so.
    assert result.stdout.startswith(
        "Nothing due for review, and --limit 0 introduces no new concept; raise --limit to learn.\n"
    )
    assert "5 new concepts still to learn toward Adam." in result.stdout


def test_due_reviews_come_before_new_cards_in_the_cli(run, pfile):
    record(pfile, "dqn", 4, datetime.now(timezone.utc) - timedelta(days=60))  # easy: straight to review
    result = run("study", "adam", "--progress", str(pfile), "--ratings", "-", input="good\ngood\n")
    assert result.stdout.startswith("card 1 of 6 · 0 to repeat · 5 new left\n")
    assert "\n[1] review: What is DQN?\n" in result.stdout
    assert "\n[2] new: What is Gradient descent?\n" in result.stdout
    assert "Session over: 2 cards (1 new, 1 review)" in result.stdout


def test_an_unknown_target_is_a_usage_error(run, pfile):
    result = run("study", "no such thing at all", "--progress", str(pfile))
    assert result.exit_code == 2
    assert "no concept named 'no such thing at all'" in result.stderr
    assert "Traceback" not in result.output
    assert not pfile.exists()  # nothing created for a session that never started


def test_a_corrupt_progress_file_is_a_clear_error_for_both_commands(run, pfile):
    pfile.write_bytes(b"\x00garbage" * 100)
    for args in (["study", "--ratings", "-"], ["progress"]):
        result = run(*args, "--progress", str(pfile), input="good\n")
        assert result.exit_code == 1
        assert f"Error: {pfile}: not a dlgraph progress file, or it is damaged" in result.stderr
        assert "Traceback" not in result.output
        reliability.record(f"dlgraph {args[0]}", "corrupt progress file")


def test_a_read_only_location_is_a_clear_error(run):
    result = run("study", "--progress", "/proc/dlgraph.sqlite3", "--ratings", "-", input="good\n")
    assert result.exit_code == 1
    assert "cannot write the progress file" in result.stderr and "Traceback" not in result.output


def test_progress_text_is_exact(run, pfile):
    record(pfile, "adam", 3, T0)
    record(pfile, "dqn", 3, T0)
    result = run("progress", "--progress", str(pfile))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        f"Progress file: {pfile}\n"
        "Known = reviewed at least once; due = known and due for review now; new = never reviewed.\n"
        "\n"
        "topic                   known    due    new  total\n"
        "foundations                 0      0      2      2\n"
        "optimization                1      0      4      5\n"
        "cnn-architectures           0      0      4      4\n"
        "object-detection            0      0      6      6\n"
        "reinforcement-learning      1      0      2      3\n"
        "all topics                  2      0     18     20\n"
        "\n"
        "Next review: 2030-01-01 12:10 UTC ("
    )


def test_progress_json_without_a_file_says_so_and_creates_nothing(run, pfile):
    result = run("progress", "--progress", str(pfile), "--json")
    data = json.loads(result.stdout)
    assert data["exists"] is False and data["total"] == {"known": 0, "due": 0, "new": 20, "total": 20}
    assert data["definition"].startswith("known = reviewed at least once")
    assert data["next_due"] is None
    assert not pfile.exists()


def test_progress_json_counts_due_reviews(run, pfile):
    record(pfile, "adam", 3, datetime.now(timezone.utc) - timedelta(days=1))
    data = json.loads(run("progress", "--progress", str(pfile), "--json").stdout)
    assert data["exists"] is True
    assert data["total"] == {"known": 1, "due": 1, "new": 19, "total": 20}


def test_the_option_and_the_library_name_the_same_environment_variable():
    from dlgraph.cli.study import study

    option = next(p for p in study.params if p.name == "progress_file")
    assert option.envvar == progress.ENV_PROGRESS


# --- real processes: killed, interrupted, racing ---------------------------------------------------


def spawn(pfile: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "dlgraph", "--data-dir", str(MINI), "study", "--progress", str(pfile), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def read_until(proc: subprocess.Popen, marker: str) -> str:
    """Lines from the session until one starts with ``marker`` (a watchdog kills a hung session)."""
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    seen = []
    try:
        while line := proc.stdout.readline():
            seen.append(line)
            if line.startswith(marker):
                return "".join(seen)
    finally:
        watchdog.cancel()
    raise AssertionError(f"session ended before {marker!r}:\n{''.join(seen)}{proc.stderr.read()}")


def test_a_session_killed_mid_way_keeps_every_rating_given(run, pfile):
    proc = spawn(pfile, "adam", "--ratings", "-")
    read_until(proc, "[1] ")
    proc.stdin.write("good\n")
    proc.stdin.flush()
    read_until(proc, "[2] ")
    proc.stdin.write("easy\n")
    proc.stdin.flush()
    read_until(proc, "[3] ")  # shown, waiting for its rating: the answer in flight
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdin.close()
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    db = sqlite3.connect(pfile)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT concept_id, rating FROM reviews ORDER BY id").fetchall() == [
        ("gradient-descent", 3),
        ("adagrad", 4),
    ]
    db.close()
    # It reopens, and the next session carries on where the killed one stopped.
    result = run("study", "adam", "--progress", str(pfile), "--ratings", "-", input="good\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == "[1] new: momentum"
    assert progress.known_ids(pfile) == {"gradient-descent", "adagrad", "momentum"}
    reliability.record("dlgraph study", "SIGKILL mid-session: every rating given kept, next session goes on")


def test_ctrl_c_ends_the_session_cleanly_and_keeps_the_ratings(pfile):
    proc = spawn(pfile, "adam")
    read_until(proc, "[1] ")
    proc.stdin.write("\ngood\n")
    proc.stdin.flush()
    read_until(proc, "[2] ")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Interrupted. Session over: 1 card (1 new, 0 reviews)" in out
    assert "Traceback" not in err
    assert progress.known_ids(pfile) == {"gradient-descent"}
    reliability.record("dlgraph study", "Ctrl-C mid-session: clean stop, ratings kept")


def test_two_sessions_on_one_file_at_once_both_keep_their_ratings(tmp_path, pfile):
    ratings = tmp_path / "ratings.txt"
    ratings.write_text("good\nhard\ngood\nagain\n" * 5, encoding="utf-8")
    procs = [spawn(pfile, "--ratings", str(ratings), "--limit", "20") for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    db = sqlite3.connect(pfile)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    shown = sum(out.count("\nrating: ") + out.startswith("rating: ") for out, _ in outs)
    # Every card either session rated is in the log, and between them they met the whole deck.
    assert db.execute("SELECT COUNT(*) FROM reviews WHERE kind = 'rating'").fetchone() == (shown,)
    assert shown >= 20
    assert {cid for (cid,) in db.execute("SELECT concept_id FROM cards")} == set(load_graph(MINI).concepts)
    counters = dict(db.execute("SELECT concept_id, reviews FROM cards"))
    given = "SELECT concept_id, COUNT(*) FROM reviews WHERE kind = 'rating' GROUP BY concept_id"
    assert counters == dict(db.execute(given))
    db.close()
    reliability.record("dlgraph study", "two sessions on one progress file at once")


# --- the card's front, in a real terminal ------------------------------------------------------------

HUBEL = {
    "id": "hubel-and-wiesel",
    "name": "Hubel and Wiesel",
    "aliases": [],
    "topic": "cnn-architectures",
    "kind": "person",
    "definition": "D. Hubel and T. Wiesel",
    "card": "CNN biological inspiration",
}


@pytest.fixture
def hubel_dir(tmp_path: Path) -> Path:
    """A one-card graph whose card's answer is the concept's name: the name must not be on the front."""
    folder = tmp_path / "hubel"
    store.save(store.Dataset([HUBEL], []), folder)
    return folder


def test_the_front_is_the_cards_question_and_the_name_comes_with_the_answer(run, hubel_dir, pfile):
    result = run("study", "--progress", str(pfile), "--ratings", "-", input="good\n", data_dir=hubel_dir)
    assert result.exit_code == 0, result.output
    front, _, back = result.stdout.partition("    D. Hubel and T. Wiesel\n")
    assert front == (
        "card 1 of 1 · 0 to repeat · 0 new left\n"
        "[1] new: CNN biological inspiration\n"  # the card's question, not the concept's name
        "    cnn-architectures\n"  # nor its kind (a person) until the answer
    )
    assert back.startswith("    = Hubel and Wiesel (person)\nrating: good\n")


def _screen(session: str) -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True, check=True
    ).stdout


def _wait_for(session: str, text: str) -> str:
    """The tmux screen once it shows ``text`` (a human's pace: polled, up to 60 s, never asserted on time)."""
    deadline = datetime.now() + timedelta(seconds=60)
    while datetime.now() < deadline:
        screen = _screen(session)
        if text in screen:
            return screen
        threading.Event().wait(0.2)
    raise AssertionError(f"{text!r} never appeared:\n{_screen(session)}")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (apt-get install tmux)")
def test_in_a_real_terminal_the_answer_is_hidden_until_enter(hubel_dir, pfile):
    name = f"dlgraph-study-{os.getpid()}"
    command = (
        f"NO_COLOR=1 {sys.executable} -m dlgraph --data-dir {hubel_dir} study --progress {pfile}; "
        "echo EXIT=$?; sleep 30"
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "30", command], check=True, cwd=ROOT
    )
    try:
        before = _wait_for(name, "Press Enter to show the answer")
        assert "[1] new: CNN biological inspiration" in before
        assert "Wiesel" not in before and "Hubel" not in before
        subprocess.run(["tmux", "send-keys", "-t", name, "Enter"], check=True)
        after = _wait_for(name, "again, hard, good, easy")
        assert "D. Hubel and T. Wiesel" in after and "= Hubel and Wiesel (person)" in after
        subprocess.run(["tmux", "send-keys", "-t", name, "good", "Enter"], check=True)
        again = _wait_for(name, "[2] learning: CNN biological inspiration")  # its 10-minute step, early
        assert again.count("Wiesel") == 2  # the first card's answer only
        subprocess.run(["tmux", "send-keys", "-t", name, "q", "Enter"], check=True)
        done = _wait_for(name, "EXIT=")
        assert "EXIT=0" in done and "Stopped. Session over: 1 card (1 new, 0 reviews)" in done
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    assert progress.known_ids(pfile) == {"hubel-and-wiesel"}


def test_ctrl_c_in_a_piped_session_exits_130_with_every_rating_saved(pfile):
    proc = spawn(pfile, "adam", "--ratings", "-")
    read_until(proc, "[1] ")
    proc.stdin.write("good\n")
    proc.stdin.flush()
    read_until(proc, "[2] ")
    proc.stdin.write("again\n")
    proc.stdin.flush()
    read_until(proc, "[3] ")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Interrupted. Session over: 2 cards (2 new, 0 reviews): again 1, hard 0, good 1, easy 0." in out
    assert "Traceback" not in err
    db = sqlite3.connect(pfile)
    assert db.execute("SELECT concept_id, rating FROM reviews ORDER BY id").fetchall() == [
        ("gradient-descent", 3),
        ("adagrad", 1),
    ]
    db.close()


def test_a_piped_again_brings_the_card_back_before_the_session_ends(run, pfile):
    result = run(
        "study", "momentum", "--progress", str(pfile), "--ratings", "-", input="again\ngood\n" + "good\n" * 4
    )
    assert result.exit_code == 0, result.output
    headers = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert headers[:3] == [
        "[1] new: What is Gradient descent?",
        "[2] new: momentum",
        "[3] learning: What is Gradient descent?",
    ]
    assert "card 2 of 3 · 1 to repeat · 0 new left" in result.stdout
    assert "Session over: 5 cards (2 new, 0 reviews, 3 repeats): again 1, hard 0, good 4" in result.stdout


def test_steps_are_read_as_anki_writes_them(run, pfile):
    from dlgraph.study import parse_steps

    assert parse_steps("1m 10m") == (timedelta(minutes=1), timedelta(minutes=10))
    assert parse_steps("30s, 2h 1d") == (timedelta(seconds=30), timedelta(hours=2), timedelta(days=1))
    result = run("study", "--progress", str(pfile), "--steps", "1m ten", "--ratings", "-", input="good\n")
    assert result.exit_code == 2 and "--steps: 'ten' is not a step" in result.stderr
    # One 5-minute step: good graduates at once from the last (only) step.
    result = run(
        "study", "momentum", "--progress", str(pfile), "--steps", "5m", "--ratings", "-", input="good\n" * 4
    )
    assert "next review in 5 minutes" not in result.stdout
    assert (
        result.stdout.count("next review in ") == 2
        and "Session over: 2 cards (2 new, 0 reviews)" in result.stdout
    )


# --- Anki history ----------------------------------------------------------------------------------

DAY_MS = 86_400_000


def make_anki_package(folder: Path) -> Path:
    """A package made by Anki itself, with scheduling: four of the mini graph's cards, three studied.

    Adam and RMSprop are answered good (and Adam good again, so it graduates); momentum is answered
    again then forgotten ("Forget", which drops its history); adagrad is never studied. The reviews
    are moved 20 days into the past, as if studied then.
    """
    pytest.importorskip("anki")
    from anki.collection import Collection, ExportAnkiPackageOptions

    col = Collection(str(folder / "collection.anki2"))
    deck = col.decks.id("DL::Optimization")
    for front, back in [
        ("Adam", "Combines RMSProp and Momentum."),
        ("RMSprop", "Adagrad with an exponential moving average."),
        ("momentum", "Adds a fraction of the previous update."),
        ("adagrad", "Per-parameter learning rates from all past squared gradients."),
    ]:
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"], note["Back"] = front, back
        col.add_note(note, deck)
    col.decks.select(deck)
    by_front = {col.get_card(cid).note().fields[0]: cid for cid in col.find_cards("")}
    for front, ease in [("Adam", 3), ("Adam", 3), ("RMSprop", 3), ("momentum", 1)]:
        card = col.get_card(by_front[front])
        card.start_timer()
        col.sched.answerCard(card, ease)
    col.sched.schedule_cards_as_new([by_front["momentum"]], restore_position=True, reset_counts=False)
    col.db.execute("update revlog set id = id - ?", 20 * DAY_MS)
    out = folder / "studied.apkg"
    options = ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False
    )
    col.export_anki_package(out_path=str(out), options=options, limit=None)
    col.close()
    return out


@pytest.fixture(scope="module")
def studied_apkg(tmp_path_factory) -> Path:
    return make_anki_package(tmp_path_factory.mktemp("anki-history"))


def test_the_revlog_is_read_with_note_and_card(studied_apkg):
    from dlgraph.decks.anki_revlog import read_revlog

    reviews = read_revlog(studied_apkg)
    assert [(r.ease, r.is_review, r.is_reset) for r in reviews] == [
        (3, True, False),
        (3, True, False),
        (3, True, False),
        (1, True, False),
        (0, False, True),  # Forget
    ]
    assert all(r.ord == 0 for r in reviews)
    assert reviews[0].reviewed_at < datetime.now(timezone.utc) - timedelta(days=19)


def test_from_anki_imports_the_history_into_the_progress_file_once(run, studied_apkg, pfile):
    result = run("progress", "--progress", str(pfile), "--from-anki", str(studied_apkg), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # Forgotten momentum and never-studied adagrad are not known.
    assert progress.known_ids(pfile) == {"adam", "rmsprop"}
    assert data["anki"]["added"] == 3 and data["anki"]["known"] == 2
    assert data["total"]["known"] == 2
    with Progress.open(pfile) as db:
        cards = db.cards()
        assert [e.kind for e in db.log("adam")] == ["anki", "anki"]
    # Replayed with FSRS: Adam graduated from its steps 20 days ago (review state), RMSprop is still
    # on its second step, so it is due.
    assert cards["adam"].card["state"] == 2 and cards["adam"].reviews == 2
    assert cards["rmsprop"].card["state"] == 1 and cards["rmsprop"].due < datetime.now(timezone.utc)
    again = json.loads(
        run("progress", "--progress", str(pfile), "--from-anki", str(studied_apkg), "--json").stdout
    )
    assert again["anki"]["added"] == 0  # nothing twice
    with Progress.open(pfile) as db:
        assert db.review_count() == 3


def test_a_graph_built_from_an_anki_package_starts_from_its_history(run, studied_apkg, tmp_path):
    out = tmp_path / "graph"
    built = run("build", "--no-field", str(studied_apkg), "--out", str(out), data_dir=None)
    assert built.exit_code == 0, built.output
    record = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert sorted(record["anki_cards"]) == ["adagrad", "adam", "momentum", "rmsprop"]
    assert all(len(keys) == 1 and keys[0][1] == 0 for keys in record["anki_cards"].values())
    pfile = tmp_path / "p.sqlite3"
    # Read-only commands count the history without writing anything.
    shown = json.loads(run("progress", "--progress", str(pfile), "--json", data_dir=out).stdout)
    assert shown["total"]["known"] == 2 and shown["anki"]["known"] == 2 and not pfile.exists()
    known = json.loads(run("next", "--json", data_dir=out, env={"DLGRAPH_PROGRESS": str(pfile)}).stdout)
    assert {k["id"] for k in known["known"]} == {"adam", "rmsprop"}
    # A study session imports it, then asks what is due (RMSprop's step) before anything new.
    session = run("study", "--progress", str(pfile), "--ratings", "-", input="good\n", data_dir=out)
    assert session.exit_code == 0, session.output
    assert session.stdout.startswith("Anki history: 3 new reviews of 2 concepts imported from ")
    assert "[1] learning: RMSprop\n" in session.stdout
    assert progress.known_ids(pfile) == {"adam", "rmsprop"}


# --- implicit credit down the prerequisite graph ---------------------------------------------------


def test_credit_follows_the_documented_weights_and_depth_discount(mini):
    from dlgraph.credit import CREDIT, CreditRules, credit_targets

    # Adam combines RMSprop and momentum (0.6), improves on Adagrad (0.4, better than 0.6 x 0.4 x 0.5
    # through RMSprop); gradient descent is two steps away: best path momentum, 0.6 x 0.4 x 0.5.
    assert credit_targets(mini, "adam") == pytest.approx(
        {"rmsprop": 0.6, "momentum": 0.6, "adagrad": 0.4, "gradient-descent": 0.12}
    )
    assert credit_targets(mini, "gradient-descent") == {}
    # Tunable in one place: no depth, or a higher floor, and the far prerequisites drop out.
    assert set(credit_targets(mini, "adam", CreditRules(max_depth=1))) == {"rmsprop", "momentum", "adagrad"}
    assert set(credit_targets(mini, "adam", CreditRules(min_credit=0.5))) == {"rmsprop", "momentum"}
    assert CREDIT.ratings == {3, 4}


def _reviewed(pfile: Path, when: datetime, *cids: str) -> None:
    """Concepts rated easy at ``when``: straight to FSRS's review state."""
    with Progress.open(pfile) as db:
        for cid in cids:
            db.record(cid, 4, lambda old, cid=cid: schedule(old, cid, 4, when, fuzz=False), when)


def _prerequisites_known_adam_due(pfile: Path, now: datetime) -> None:
    """Adam's prerequisites reviewed 5 days ago (not due yet), Adam 40 days ago (due)."""
    _reviewed(pfile, now - timedelta(days=5), "adagrad", "momentum", "rmsprop", "gradient-descent")
    _reviewed(pfile, now - timedelta(days=40), "adam")


def test_a_good_review_credits_the_prerequisites_and_again_never_does(mini, pfile):
    _prerequisites_known_adam_due(pfile, T0)
    with Progress.open(pfile) as db:
        before = db.cards()
        session = Session(mini, db, target="adam", clock=Clock(T0))
        card = session.next_card()
        assert card.id == "adam" and card.reason == "review"
        outcome = session.rate(card, 3)
        after = db.cards()
        implicit = db.log(kind="implicit")
    assert outcome.credited == pytest.approx(
        {"rmsprop": 0.6, "momentum": 0.6, "adagrad": 0.4, "gradient-descent": 0.12}
    )
    for cid in outcome.credited:
        # More stable, due later, same difficulty and last review; not counted as a review given.
        assert after[cid].card["stability"] > before[cid].card["stability"]
        assert after[cid].due >= before[cid].due
        assert after[cid].card["difficulty"] == before[cid].card["difficulty"]
        assert after[cid].reviews == before[cid].reviews and after[cid].last_review == before[cid].last_review
    assert after["rmsprop"].due > before["rmsprop"].due and after["momentum"].due > before["momentum"].due
    # The bigger the credit, the more of a full good review's stability gain it gives.
    gain = {c: after[c].card["stability"] / before[c].card["stability"] for c in outcome.credited}
    assert gain["rmsprop"] > gain["adagrad"] > gain["gradient-descent"] > 1
    assert {(e.concept_id, e.cause) for e in implicit} == {(c, "adam") for c in outcome.credited}


@pytest.mark.parametrize("rating", [1, 2])
def test_again_and_hard_give_no_credit(mini, pfile, rating):
    _prerequisites_known_adam_due(pfile, T0)
    with Progress.open(pfile) as db:
        before = db.cards()
        session = Session(mini, db, target="adam", clock=Clock(T0))
        outcome = session.rate(session.next_card(), rating)
        after = db.cards()
        assert db.log(kind="implicit") == []
    assert outcome.credited == {}
    assert all(after[c] == before[c] for c in ("adagrad", "momentum", "rmsprop", "gradient-descent"))


def test_no_implicit_turns_credit_off_and_progress_shows_implicit_reviews(run, pfile):
    _prerequisites_known_adam_due(pfile, datetime.now(timezone.utc))
    off = run(
        "study", "adam", "--progress", str(pfile), "--no-implicit", "--ratings", "-", input="good\n" * 3
    )
    assert "implicit credit" not in off.stdout.casefold()
    with Progress.open(pfile) as db:
        assert db.log(kind="implicit") == []
    pfile.unlink()
    _prerequisites_known_adam_due(pfile, datetime.now(timezone.utc))
    on = run("study", "adam", "--progress", str(pfile), "--ratings", "-", input="good\n")
    assert (
        "    implicit credit: Momentum 0.60, RMSprop 0.60, Adagrad 0.40, Gradient descent 0.12\n" in on.stdout
    )
    assert "Implicit credit: 4 prerequisites reviewed in part" in on.stdout
    shown = run("progress", "--progress", str(pfile))
    assert (
        "Implicit reviews: 4 of 4 concepts (credit a good review of a concept gave what it builds on); "
        "latest:\n" in shown.stdout
    )
    assert "  Adagrad from Adam (0.40)\n" in shown.stdout
    data = json.loads(run("progress", "--progress", str(pfile), "--json").stdout)
    assert data["implicit"]["count"] == 4 and data["implicit"]["recent"][0]["from"]["id"] == "adam"


def test_a_failed_review_asks_the_weakest_shaky_prerequisite_first(mini, pfile):
    _reviewed(pfile, T0 - timedelta(days=400), "adam")  # the most overdue: asked first
    _reviewed(pfile, T0 - timedelta(days=300), "rmsprop")  # long forgotten: the weakest
    _reviewed(pfile, T0 - timedelta(days=5), "momentum", "adagrad")  # fresh
    with Progress.open(pfile) as db:
        session = Session(mini, db, target="adam", clock=Clock(T0))
        adam = session.next_card()
        assert adam.id == "adam"
        outcome = session.rate(adam, 1)
        first = session.next_card()
        assert outcome.first == "rmsprop"
        assert (first.id, first.reason) == ("rmsprop", "prerequisite")
        session.rate(first, 3)
        assert session.next_card().id != "rmsprop"


def _session_order(mini, folder, reviewed, rules=None, implicit=True, ratings=3):
    """The concepts a session shows at T0 (no new ones, every card rated ``ratings``) on a fresh
    progress file where each concept of ``reviewed`` was rated easy that many days before T0."""
    from dlgraph.credit import CREDIT

    path = folder / f"order-{len(list(folder.glob('order-*.sqlite3')))}.sqlite3"
    for cid, days in reviewed.items():
        _reviewed(path, T0 - timedelta(days=days), cid)
    with Progress.open(path) as db:
        session = Session(mini, db, limit=0, clock=Clock(T0), implicit=implicit, rules=rules or CREDIT)
        shown = [cid for cid, _ in drive(session, ratings)]
        credited = {e.concept_id: e.cause for e in db.log(kind="implicit")}
        due = {cid: parse_utc(db.card(cid)["due"]) for cid in reviewed}
    return shown, credited, due


#: RMSprop due two days ago, Adam (which combines it) one day ago: due order asks RMSprop first.
BOTH_DUE = {"rmsprop": 10, "adam": 9}


def test_a_due_prerequisite_with_a_due_dependent_is_covered_by_the_dependent(mini, tmp_path):
    from dataclasses import replace

    from dlgraph.credit import CREDIT

    assert CREDIT.compress_days == 0
    off = replace(CREDIT, compress_days=None)
    assert _session_order(mini, tmp_path, BOTH_DUE, off)[0] == ["rmsprop", "adam"]
    assert _session_order(mini, tmp_path, BOTH_DUE, implicit=False)[0] == ["rmsprop", "adam"]
    # Compressed: Adam first, and its good review's credit covers RMSprop for today.
    shown, credited, due = _session_order(mini, tmp_path, BOTH_DUE)
    assert shown == ["adam"]
    assert credited["rmsprop"] == "adam" and due["rmsprop"] > T0


def test_a_failed_dependent_leaves_its_prerequisite_due(mini, tmp_path):
    shown, credited, _ = _session_order(mini, tmp_path, BOTH_DUE, ratings=[1] + [3] * 20)
    # Adam forgotten: its never-seen prerequisite Adagrad first, then RMSprop, still due, is asked.
    assert shown[:3] == ["adam", "adagrad", "rmsprop"]
    assert "rmsprop" not in credited


def test_the_compression_window_pulls_a_dependent_forward_only_within_it(mini, tmp_path):
    from dataclasses import replace

    from dlgraph.credit import CREDIT

    adam_tomorrow = {"rmsprop": 10, "adam": 7}
    assert _session_order(mini, tmp_path, adam_tomorrow)[0] == ["rmsprop"]  # window 0: not due, not asked
    assert _session_order(mini, tmp_path, adam_tomorrow, replace(CREDIT, compress_days=2))[0] == ["adam"]
    # A dependent recalled worse than compress_recall is not asked in its place.
    unsure = replace(CREDIT, compress_days=2, compress_recall=0.99)
    assert _session_order(mini, tmp_path, adam_tomorrow, unsure)[0] == ["rmsprop"]


def test_a_replayed_log_gives_the_card_the_session_stored(mini, pfile):
    from dlgraph.study import replay

    _prerequisites_known_adam_due(pfile, T0)
    with Progress.open(pfile) as db:
        session = Session(mini, db, target="adam", clock=Clock(T0), fuzz=False)
        session.rate(session.next_card(), 3)
        stored, log = db.cards()["rmsprop"].card, db.log("rmsprop")
    assert [e.kind for e in log] == ["rating", "implicit"]
    assert replay(log, "rmsprop")["stability"] == pytest.approx(stored["stability"])


# --- the simulation (benchmarks/study_sim.py): its invariants ---------------------------------------


@pytest.fixture(scope="module")
def study_sim():
    import importlib.util

    spec = importlib.util.spec_from_file_location("study_sim", ROOT / "benchmarks" / "study_sim.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["study_sim"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@settings(max_examples=6, deadline=None)
@given(
    dags(),
    st.sampled_from([0.0, 0.3, 0.6]),
    st.booleans(),
    st.integers(0, 2**16),
    st.sampled_from([None, 0.0, 3.0]),
)
def test_a_simulated_learner_never_meets_a_concept_before_its_prerequisites_and_repeats_itself(
    study_sim, drawn, transfer, implicit, seed, compress
):
    from dataclasses import replace

    from dlgraph.credit import CREDIT

    cg, _ = drawn
    with tempfile.TemporaryDirectory() as folder:
        runs = [
            study_sim.simulate(
                cg,
                days=5,
                transfer=transfer,
                implicit=implicit,
                seed=seed,
                new_per_day=3,
                folder=Path(folder),
                rules=replace(CREDIT, compress_days=compress),
            )
            for _ in range(2)
        ]
    first, second = ({k: v for k, v in vars(r).items() if k != "seconds"} for r in runs)
    assert first == second  # the same seed, the same learner
    assert first["violations"] == 0
    assert first["learned"] == min(len(cg.concepts), 12)
    assert 0.0 <= first["retention"] <= 1.0


def test_credit_goes_to_nearly_due_prerequisites_and_never_postpones_past_the_floor():
    from fsrs import Card

    from dlgraph.credit import CREDIT, CreditRules, interval_days, partial_review
    from dlgraph.study import scheduler

    sched = scheduler(fuzz=False)
    card = schedule(None, "rmsprop", 4, T0 - timedelta(days=5), fuzz=False)
    assert (CREDIT.recall_below, CREDIT.floor) == (0.95, 0.85)
    # Just reviewed: recall odds 1, over recall_below, so credit does nothing.
    fresh = schedule(None, "rmsprop", 4, T0, fuzz=False)
    assert partial_review(fresh, 0.6, T0, sched) == fresh
    # Five days on, nearly due (recall odds under 0.95): credited, up to the floor's day.
    assert sched.get_card_retrievability(Card.from_dict(card), T0) < CREDIT.recall_below
    latest = T0 - timedelta(days=5) + timedelta(days=interval_days(card["stability"], sched, CREDIT.floor))
    credited = partial_review(card, 0.6, T0, sched)
    assert credited["stability"] > card["stability"] and credited["implicit_base"] == card["stability"]
    assert parse_utc(card["due"]) < parse_utc(credited["due"]) <= latest
    # However many dependents credit it later, its review stays on or before that day.
    again = credited
    for day in range(1, 30):
        again = partial_review(again, 0.6, T0 + timedelta(days=day), sched)
        assert parse_utc(again["due"]) <= latest
    # The bound is the rule's: without a floor and threshold the same credit goes further.
    unbounded = CreditRules(recall_below=float("inf"), floor=None)
    assert parse_utc(partial_review(card, 0.6, T0, sched, unbounded)["due"]) > latest
    # A review the learner gives starts again from its own stability.
    reviewed = schedule(again, "rmsprop", 3, latest, fuzz=False)
    assert "implicit_base" not in reviewed
    later = parse_utc(reviewed["due"]) - timedelta(days=1)
    assert partial_review(reviewed, 0.6, later, sched)["implicit_base"] == reviewed["stability"]


def test_from_anki_with_a_file_that_is_not_anki_is_a_clear_error(run, pfile, tmp_path):
    deck = tmp_path / "deck.txt"
    deck.write_text("Adam\tcombines RMSprop and momentum\n", encoding="utf-8")
    result = run("progress", "--progress", str(pfile), "--from-anki", str(deck))
    assert result.exit_code == 1
    assert f"Error: {deck}: not an Anki package or collection; --from-anki wants an .apkg" in result.stderr
    assert "Traceback" not in result.output and not pfile.exists()
