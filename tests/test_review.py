"""dlgraph review: each key's effect in the files, a rebuild that keeps every decision, SIGKILL mid-review,
consequences on a hand-made graph, and the interactive loop in a real terminal (tmux).

The built fixture is one small deck built once with the real build (blank spaCy, field-linked) and
copied for each test. Which relations extraction proposes may change as extraction improves, so the
piped review reads the queue first and checks each answer against the relation it was given.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlgraph import graph, review, store
from dlgraph.build import build
from dlgraph.errors import DecisionRefused
from dlgraph.vocabulary import LINEAGE_TYPES, RELATION_TYPES

from .conftest import load_json
from .reliability import record

ROOT = Path(__file__).resolve().parent.parent

DECK = """\
Mask R-CNN,adds a branch to Faster R-CNN to predict masks and uses RoI Align
Faster R-CNN,replaces selective search with a region proposal network
Adam,combines RMSprop and momentum
RMSprop,fixes Adagrad by using a moving average of squared gradients
Adagrad,adapts the learning rate per parameter; compare with momentum
Dropout,a regularizer that is often named beside batch normalization
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A graph folder built from DECK (which lives inside it, so a copy can be rebuilt)."""
    folder = tmp_path_factory.mktemp("built") / "graph"
    folder.mkdir()
    (folder / "deck.csv").write_text(DECK, encoding="utf-8")
    build(folder / "deck.csv", folder)
    return folder


@pytest.fixture
def deck_graph(built, tmp_path) -> Path:
    target = tmp_path / "graph"
    shutil.copytree(built, target)
    return target


def _relations(folder: Path) -> dict[tuple[str, str, str], dict]:
    return {review.triple(r): r for r in load_json(folder / store.RELATIONS_FILE)}


def _rejected(folder: Path) -> dict[tuple[str, str, str], dict]:
    return {review.triple(r): r for r in store.load_rejected(folder)["relations"]}


def test_the_readme_review_is_real_output(run, built, tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    answers = "y\\nn\\nt alternative-to\\nr\\ns\\nq\\n"
    command = f"$ printf '{answers}' | dlgraph --data-dir my-graph review --answers -\n"
    expected = readme.split(command)[1].split("```")[0]
    shutil.copytree(built, tmp_path / "my-graph")
    monkeypatch.chdir(tmp_path)
    result = run(
        "review", "--answers", "-", data_dir=Path("my-graph"), input="y\nn\nt alternative-to\nr\ns\nq\n"
    )
    assert result.stdout == expected


def _reversed(t: tuple[str, str, str]) -> tuple[str, str, str]:
    return (t[2], t[1], t[0])


def _piped_review(run, folder: Path):
    """y, n, t alternative-to, r, s, q on the first five relations of the queue (an r on the first,
    symmetric one is refused first); returns the queue's triples and the CLI result."""
    items = review.queue(graph.load_graph(folder))
    first = [review.triple(i.relation) for i in items[:5]]
    assert first[0][1] == "related-to", "the deck must give one extracted related-to: it is reviewed first"
    assert first[3][1] != "related-to" and first[2][1] != "alternative-to"
    answers = "r\ny\nn\nt alternative-to\n# a comment\n\nr\ns\nq\n"
    result = run("review", "--answers", "-", data_dir=folder, input=answers)
    return first, len(items), result


def test_a_piped_review_applies_each_key_to_the_files(run, deck_graph):
    before = _relations(deck_graph)
    (kept, rejected, retyped, flipped, skipped), total, result = _piped_review(run, deck_graph)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"1 of {total} · 0 rejected\n")
    assert f"\n3 of {total} · 1 rejected\n" in out and f"\n6 of {total} · 1 rejected\n" in out
    assert "reads the same both ways; t picks another type" in result.stderr  # r on related-to
    assert out.rstrip().splitlines()[-3:] == [
        f"Stopped. Reviewed 5 of {total}: 1 kept, 1 rejected, 1 retyped, 1 reversed, 1 skipped.",
        f"Saved in {deck_graph} (relations.json, rejected.json, decisions.json).",
        f"{sum(not review.confirmed(r) for r in before.values()) - 4} relations still pending.",
    ]
    after = _relations(deck_graph)
    # y: the same relation, now curated (confirmed).
    assert after[kept] == {**before[kept], "origin": "curated"}
    # n: gone, and recorded so that no build brings it back.
    assert rejected not in after and _rejected(deck_graph)[rejected]["reason"] == "rejected in review"
    # t: the user's type replaces the proposal, which is rejected.
    new = (retyped[0], "alternative-to", retyped[2])
    assert after[new]["origin"] == "curated" and after[new]["evidence"] == before[retyped]["evidence"]
    assert (
        retyped not in after
        and "retyped in review as alternative-to" in _rejected(deck_graph)[retyped]["reason"]
    )
    # r: the other way round, curated; the proposal is rejected.
    assert after[_reversed(flipped)]["origin"] == "curated" and flipped not in after
    assert store.REFERENCE_KEY not in after[_reversed(flipped)]
    assert _rejected(deck_graph)[flipped]["reason"] == "reversed in review"
    # s and everything after q: untouched.
    assert after[skipped] == before[skipped]
    decisions = load_json(deck_graph / review.DECISIONS_FILE)
    assert [(d["decision"], (d["source"], d["type"], d["target"])) for d in decisions] == [
        ("keep", kept),
        ("reject", rejected),
        ("retype", retyped),
        ("reverse", flipped),
    ]
    assert decisions[2]["now"] == dict(zip(("source", "type", "target"), new, strict=True))
    assert graph.validate(deck_graph)["valid"]
    stats = run("review", "--stats", "--json", data_dir=deck_graph)
    counted = json.loads(stats.stdout)
    assert (counted["rejected"], counted["decisions"]) == (
        3,
        {"keep": 1, "reject": 1, "retype": 1, "reverse": 1},
    )
    assert counted["confirmed"] == 3 and counted["pending"] == len(after) - 3


def test_a_rebuild_keeps_every_decision(run, deck_graph):
    (kept, rejected, retyped, flipped, _), _, result = _piped_review(run, deck_graph)
    assert result.exit_code == 0, result.output
    reviewed = _relations(deck_graph)
    for _ in range(2):
        rebuilt = run("build", "--report", data_dir=deck_graph)
        assert rebuilt.exit_code == 0, rebuilt.output
        assert "honoured 4 of 4 review decisions" in rebuilt.stdout.splitlines()
        after = _relations(deck_graph)
        assert after[kept]["origin"] == "curated"
        assert rejected not in after and _reversed(rejected) not in after
        assert after[(retyped[0], "alternative-to", retyped[2])]["origin"] == "curated"
        assert after[_reversed(flipped)]["origin"] == "curated"
        # The proposals the user corrected do not come back beside the user's version.
        assert retyped not in after and flipped not in after
        assert not [t for t in after if {t[0], t[2]} == {retyped[0], retyped[2]} and t[1] != "alternative-to"]
        assert all(after[t] == r for t, r in reviewed.items() if r["origin"] == "curated")


def test_a_decision_changed_by_hand_later_is_not_counted_as_honoured(run, deck_graph):
    (kept, *_), _, result = _piped_review(run, deck_graph)
    relations = [r for r in load_json(deck_graph / store.RELATIONS_FILE) if review.triple(r) != kept]
    (deck_graph / store.RELATIONS_FILE).write_text(json.dumps(relations), encoding="utf-8")
    rebuilt = run("build", data_dir=deck_graph)
    assert "honoured 3 of 4 review decisions (1 changed by hand since)" in rebuilt.stdout
    assert kept not in _relations(deck_graph)  # the later hand edit (a deletion) wins


def _hand_made(folder: Path, relations: list[tuple[str, str, str, str]]) -> Path:
    """A graph of concepts A-E and the given (source, type, target, origin) relations."""
    folder.mkdir()
    concepts = [
        {
            "id": c,
            "name": c.upper(),
            "aliases": [],
            "topic": "foundations",
            "kind": "concept",
            "definition": "",
            "card": None,
        }
        for c in "abcde"
    ]
    store.save(
        store.Dataset(
            concepts,
            [
                {"source": s, "type": t, "target": o, "evidence": f"{s.upper()}: says so", "origin": origin}
                | (
                    {"reference": "A paper (Someone, 2020)"}
                    if origin == "field" and t in LINEAGE_TYPES
                    else {}
                )
                for s, t, o, origin in relations
            ],
        ),
        folder,
    )
    return folder


CHAIN = [
    ("a", "uses", "b", "extracted"),
    ("b", "uses", "c", "curated"),
    ("a", "related-to", "d", "extracted"),
    ("d", "is-a", "e", "field"),
]


def test_the_queue_puts_the_most_uncertain_and_most_consequential_first(tmp_path):
    # E uses C closes the loop A-B-C-E-D-A; each prerequisite relation alone orders two pairs.
    folder = _hand_made(tmp_path / "g", [*CHAIN, ("e", "uses", "c", "extracted")])
    items = review.queue(graph.load_graph(folder))
    assert [(review.triple(i.relation), i.why) for i in items] == [
        (("a", "related-to", "d"), "extracted, no cue (related-to) · closes a loop"),
        (
            ("a", "uses", "b"),
            "extracted, no cue for uses in its sentence · alone orders 2 study pairs · closes a loop",
        ),
        (
            ("e", "uses", "c"),
            "extracted, no cue for uses in its sentence · alone orders 2 study pairs · closes a loop",
        ),
        (("d", "is-a", "e"), "field relation · alone orders 2 study pairs · closes a loop"),
    ]
    assert sorted(items[1].settles) == [("a", "b"), ("a", "c")]


@pytest.mark.parametrize(
    ("kind", "cue", "tier", "phrase"),
    [
        ("uses", "cue 'with'", 1, "with"),  # weak, whatever else the sentence holds
        ("combines", "cue 'combines'", 2, "combines"),
        ("is-a", "the definition's head noun (its genus)", 2, None),
        ("uses", "no cue; put to a purpose ('to' 'extract')", 1, None),
        ("related-to", "cue 'compare with'", 0, "compare with"),
    ],
)
def test_the_tier_follows_what_extraction_stored_as_typing_it(kind, cue, tier, phrase):
    # the evidence holds "combines" for every case: the stored cue decides, not a re-read
    relation = {"source": "a", "type": kind, "target": "b", "origin": "extracted", "cue": cue}
    relation["evidence"] = "A: combines B with C"
    assert review._cue(relation, ["B"]) == (tier, phrase)


def test_what_each_decision_settled_is_said(run, tmp_path):
    folder = _hand_made(tmp_path / "g", CHAIN)
    result = run("review", "--concept", "A", "--answers", "-", data_dir=folder, input="y\nn\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "1 of 2 · 0 rejected\n"
        "A —is related to— D\n"
        "  related-to · extracted, no cue (related-to)\n"
        "  evidence: A: says so\n"
        "> y\n"
        "  kept\n"
        "  confirmed; related-to puts nothing in the study order\n"
        "\n"
        "2 of 2 · 0 rejected\n"
        "A —uses→ B\n"
        "  uses · extracted, no cue for uses in its sentence · alone orders 2 study pairs\n"
        "  evidence: A: says so\n"
        "> n\n"
        "  rejected\n"
        "  A no longer comes after B\n"
        "  rejecting this also drops 1 relation that only it implied: A after C\n"
        "\n"
        "Reviewed 2 of 2: 1 kept, 1 rejected, 0 retyped, 0 reversed, 0 skipped.\n"
        f"Saved in {folder} (relations.json, rejected.json, decisions.json).\n"
        "1 relation still pending.\n"
    )


def test_keeping_and_reversing_say_what_changed_in_the_study_order(run, tmp_path):
    folder = _hand_made(tmp_path / "g", CHAIN)
    kept = run("review", "--type", "uses", "--answers", "-", data_dir=folder, input="y\n")
    assert "  settled: A comes after B in the study order\n" in kept.stdout
    assert "  it alone also orders 1 more pair: A after C\n" in kept.stdout
    flipped = run("review", "--type", "is-a", "--answers", "-", data_dir=folder, input="r\n")
    assert flipped.exit_code == 0, flipped.output
    assert (
        "  now: E is a kind of D\n  E now comes after D in the study order\n  D no longer comes after E\n"
        in (flipped.stdout)
    )


def test_a_retype_or_reverse_that_would_close_a_cycle_is_refused_and_asked_again(run, tmp_path):
    # C needs A, A needs B: reading "B related-to C" as "B uses C" would make B need itself.
    folder = _hand_made(
        tmp_path / "g",
        [("a", "uses", "b", "curated"), ("c", "uses", "a", "curated"), ("b", "related-to", "c", "extracted")],
    )
    result = run("review", "--answers", "-", data_dir=folder, input="t uses\nr\nt 7\n")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "  not changed: B uses C would break the graph: prerequisite cycle: A uses B; B uses C; C uses A",
        "  related-to reads the same both ways; t picks another type",
    ]
    assert "> t 7\n  now: B is part of C\n" in result.stdout
    assert _relations(folder)[("b", "part-of", "c")]["origin"] == "curated"
    # Reversing "A uses C" would close A -> B -> C -> A; a type it already has is no change.
    folder = _hand_made(
        tmp_path / "h",
        [("a", "uses", "b", "curated"), ("b", "uses", "c", "curated"), ("a", "uses", "c", "extracted")],
    )
    result = run("review", "--answers", "-", data_dir=folder, input="r\nt uses\ns\n")
    assert result.exit_code == 0, result.output
    assert "not changed: C uses A would break the graph: prerequisite cycle" in result.stderr
    assert "it is already uses; y keeps it as it is" in result.stderr
    assert "> s\n  skipped" in result.stdout
    assert _relations(folder)[("a", "uses", "c")]["origin"] == "extracted"
    assert not (folder / review.DECISIONS_FILE).exists()


def test_bad_answers_and_graphs_dlgraph_ships_are_refused(run, deck_graph):
    before = _relations(deck_graph)
    result = run("review", "--answers", "-", data_dir=deck_graph, input="y\nmaybe\n")
    assert result.exit_code == 2
    assert "Error: --answers line 2: 'maybe' is not an answer; use y keep" in result.stderr
    assert "Stopped. Reviewed 1 of" in result.stdout  # the first decision is saved
    kept = len(load_json(deck_graph / review.DECISIONS_FILE)) == 1 and _relations(deck_graph) != before
    record("dlgraph review", "bad --answers line: exit 2, earlier decisions kept", held=kept)
    assert kept
    bundled = run("review", data_dir=store.bundled_data_dir())
    assert bundled.exit_code == 2 and "ships with dlgraph and is never written" in bundled.stderr
    field = run("--field", "review", "--answers", "-", data_dir=None, input="y\n")
    assert field.exit_code == 2 and "ships with dlgraph" in field.stderr
    assert run("review", "--json", data_dir=deck_graph).exit_code == 2
    stats = run("review", "--stats", data_dir=store.bundled_data_dir())
    assert stats.stdout.startswith("304 relations: 304 confirmed, 0 pending; 0 rejected\n")


def test_filters_and_an_empty_queue(run, deck_graph):
    loose = sum(r["type"] == "related-to" for r in _relations(deck_graph).values())
    assert loose >= 2  # the deck gives two: the filter must show both, and nothing else
    only = run("review", "--type", "related-to", "--answers", "-", data_dir=deck_graph, input="y\n" * loose)
    assert only.stdout.startswith(f"1 of {loose} · 0 rejected\n")
    assert f"{loose} of {loose} · 0 rejected\n" in only.stdout
    assert [line for line in only.stdout.splitlines() if "—" in line and "is related to" not in line] == []
    again = run("review", "--type", "related-to", data_dir=deck_graph)
    assert again.stdout == "Nothing to review of type related-to: every relation is confirmed.\n"
    adam = run("review", "--concept", "adam", "--answers", "-", data_dir=deck_graph, input="q\n")
    shown = [line for line in adam.stdout.splitlines() if "—" in line]
    assert shown and all("Adam" in line for line in shown)


def _slow_review(folder: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dlgraph", "--data-dir", str(folder), "review", "--answers", "-"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "DLGRAPH_CACHE": "off", "PYTHONUNBUFFERED": "1"},
    )


def _read_until(proc: subprocess.Popen, marker: str) -> None:
    for line in proc.stdout:
        if line.startswith(marker):
            return
    raise AssertionError(f"the review ended before printing {marker!r}")


@pytest.mark.parametrize("answered", [1, 3])
def test_sigkill_during_a_review_loses_no_saved_decision(deck_graph, answered):
    proc = _slow_review(deck_graph)
    try:
        _read_until(proc, "1 of ")
        for n in range(answered):
            proc.stdin.write("n\n")
            proc.stdin.flush()
            _read_until(proc, f"{n + 2} of ")  # printed only after decision n + 1 was saved
        proc.stdin.write("y\n")  # one more decision in flight
        proc.stdin.flush()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        proc.kill()
        proc.wait()
        proc.stdin.close()
        proc.stdout.close()
    decisions = load_json(deck_graph / review.DECISIONS_FILE)
    rejected = _rejected(deck_graph)
    relations = _relations(deck_graph)
    made = [(d["source"], d["type"], d["target"]) for d in decisions if d["decision"] == "reject"]
    held = (
        len(made) == answered
        and len(decisions) in (answered, answered + 1)
        and all(t in rejected and t not in relations for t in made)
        and graph.validate(deck_graph)["valid"]
    )
    record("dlgraph review", "SIGKILL mid-review: every saved decision kept", held=held)
    assert held, (decisions, sorted(rejected))


def _tmux(*args: str, socket: str) -> str:
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, check=True).stdout


def _wait_for(text: str, socket: str) -> str:
    """The pane once it shows ``text`` (polled; a pane that never shows it fails the test)."""
    for _ in range(300):
        pane = _tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", "review", socket=socket)
        if text in pane:
            return pane
        time.sleep(0.1)
    raise AssertionError(f"the terminal never showed {text!r}:\n{pane}")


def test_the_interactive_loop_in_a_real_terminal(deck_graph, tmp_path):
    if shutil.which("tmux") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("tmux is missing in CI; .ci/run installs Debian's tmux")
        pytest.skip("tmux is not installed (apt-get install tmux)")
    socket = f"dlgraph-review-{os.getpid()}"
    items = review.queue(graph.load_graph(deck_graph))
    first, second = (review.triple(i.relation) for i in items[:2])
    command = f"{sys.executable} -m dlgraph --data-dir {deck_graph} review; echo EXIT=$?; sleep 60"
    env = {**os.environ, "DLGRAPH_CACHE": "off", "NO_COLOR": "1"}
    subprocess.run(
        ["tmux", "-L", socket, "new-session", "-d", "-s", "review", "-x", "160", "-y", "50", command],
        check=True,
        env=env,
        cwd=ROOT,
    )
    try:
        _wait_for("y keep · n reject · t type · r reverse · s skip · q stop:", socket)
        _tmux("send-keys", "-t", "review", "maybe", "Enter", socket=socket)
        _wait_for("'maybe' is not an answer", socket)
        _tmux("send-keys", "-t", "review", "y", "Enter", socket=socket)
        _wait_for(f"2 of {len(items)} · 0 rejected", socket)
        _tmux("send-keys", "-t", "review", "t", "Enter", socket=socket)
        _wait_for("11 alternative-to", socket)
        _tmux("send-keys", "-t", "review", "11", "Enter", socket=socket)
        _wait_for(f"3 of {len(items)}", socket)
        _tmux("send-keys", "-t", "review", "q", "Enter", socket=socket)
        pane = _wait_for("EXIT=", socket)
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
    assert "EXIT=0" in pane and f"Stopped. Reviewed 2 of {len(items)}" in pane
    after = _relations(deck_graph)
    assert after[first]["origin"] == "curated"
    assert (second[0], "alternative-to", second[2]) in after and second not in after


def test_the_map_data_marks_unconfirmed_relations(run, deck_graph):
    from dlgraph import render

    loose = sum(r["type"] == "related-to" for r in _relations(deck_graph).values())
    run("review", "--type", "related-to", "--answers", "-", data_dir=deck_graph, input="y\n" * loose)
    cg = graph.load_graph(deck_graph)
    data = render.map_data(cg)
    flags = {render.edge_id(r): review.confirmed(r) for r in cg.dataset.relations}
    assert {e["id"]: e["confirmed"] for e in data["edges"]} == flags
    assert sorted(flags.values()).count(True) == loose
    adam = data["cards"]["adam"]["unconfirmed"]
    assert adam and all(not flags[i] and "adam" in i.split("|") for i in adam)
    assert data["cards"]["dropout"]["unconfirmed"] == []  # its one relation was just confirmed
    # Drawn apart: an unconfirmed directed relation is thinner, with a small arrowhead.
    for e in data["edges"]:
        if e["arrows"] and not e["confirmed"]:
            assert e["arrows"] == {"to": {"enabled": True, "scaleFactor": render.UNCONFIRMED_ARROW}}
        elif e["arrows"]:
            assert e["arrows"] == "to"


def test_a_damaged_decisions_log_is_a_note_not_a_failed_build(run, deck_graph):
    _piped_review(run, deck_graph)
    (deck_graph / review.DECISIONS_FILE).write_text("[{", encoding="utf-8")
    rebuilt = run("build", data_dir=deck_graph)
    assert rebuilt.exit_code == 0, rebuilt.output
    flat = " ".join(rebuilt.stdout.split())  # notes wrap between words at the terminal's width
    assert f"note: {deck_graph / review.DECISIONS_FILE}: invalid JSON at line 1, column 3" in flat
    assert len(_rejected(deck_graph)) == 3  # the decisions themselves held
    stats = run("review", "--stats", data_dir=deck_graph)
    assert stats.exit_code == 1 and "decisions.json: invalid JSON" in stats.stderr


MIXED = [
    ("a", "improves-on", "b", "extracted"),
    ("b", "uses", "c", "extracted"),
    ("c", "related-to", "d", "extracted"),
    ("d", "extends", "e", "field"),
    ("a", "uses", "c", "extracted"),
    ("e", "is-a", "b", "curated"),
    ("a", "alternative-to", "e", "extracted"),
]
ANSWER = st.one_of(
    st.sampled_from(["keep", "reject", "reverse", "skip"]).map(lambda a: (a, None)),
    st.sampled_from(sorted(RELATION_TYPES)).map(lambda t: ("retype", t)),
)


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(ANSWER, min_size=1, max_size=8))
def test_any_sequence_of_decisions_leaves_a_valid_graph_that_honours_them_all(tmp_path_factory, answers):
    folder = _hand_made(tmp_path_factory.mktemp("random") / "g", MIXED)
    cg = graph.load_graph(folder)
    session = review.Review(cg, folder)
    for item, (action, kind) in zip(review.queue(cg), answers, strict=False):
        if action == "skip":
            continue
        with contextlib.suppress(DecisionRefused):
            session.apply(item.relation, action, kind)
    decisions = review.load_decisions(folder)
    relations = load_json(folder / store.RELATIONS_FILE)
    held = (
        graph.validate(folder)["valid"]
        and review.honoured(decisions, relations) == len(decisions) == sum(session.counts.values())
        and all(
            (d["source"], d["type"], d["target"]) in _rejected(folder)
            for d in decisions
            if d["decision"] != "keep"
        )
    )
    record("dlgraph review", "random decision sequences: valid graph, every decision honoured", held=held)
    assert held, decisions
