"""Issue 18: hostile inputs get a clear message naming the file, and nothing is changed silently.

Every file input meets a FIFO and /dev/zero, each in a fresh process with a timeout as the guard
(a hang fails the test instead of blocking the suite); data files meet NaN, a 100,000-digit number
and a lone surrogate; decks meet run-on answers, mixed encodings and look-alike names. Every case is
counted in the reliability ledger.
"""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dlgraph import store
from dlgraph.build import build
from dlgraph.cli.build import _ProgressBar

from .conftest import DATA as DATA_DIR
from .conftest import MINI
from .reliability import record


def _hostile(kind: str, path: Path) -> None:
    """Make ``path`` a FIFO, or a link to /dev/zero."""
    path.unlink(missing_ok=True)
    if kind == "FIFO":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")


DATA = "copy the graph to a folder of regular files and point --data-dir at it"
NAMES = "save the names to a file and give that, or list them: --known A,B"
RATINGS = "save the ratings to a file and give that, or pipe them in with --ratings -"
PROGRESS = "pass --progress FILE naming a regular file"
ANKI = "export it from Anki and give the .apkg"
DECK = "| Question | Answer |\n|---|---|\n| Adam | an optimizer with momentum |\n"
STUDY = ["--data-dir", "g", "study", "--progress", "p.sqlite3", "--ratings", "input"]

#: (the input, the file made hostile, the command, what the message says to do).
INPUTS = [
    ("concepts.json", "g/concepts.json", ["--data-dir", "g", "list"], DATA),
    ("relations.json", "g/relations.json", ["--data-dir", "g", "list"], DATA),
    ("build.json", "g/build.json", ["build", "deck.md", "--out", "g", "--no-field"], DATA),
    ("rejected.json", "g/rejected.json", ["build", "deck.md", "--out", "g", "--no-field"], DATA),
    ("--known", "input", ["--data-dir", "g", "next", "--known", "input"], NAMES),
    ("--ratings", "input", STUDY, RATINGS),
    ("progress --progress", "input", ["--data-dir", "g", "progress", "--progress", "input"], PROGRESS),
    ("study --progress", "input", ["--data-dir", "g", "study", "--progress", "input"], PROGRESS),
    (
        "progress --from-anki",
        "input",
        ["--data-dir", "g", "progress", "--progress", "p.sqlite3", "--from-anki", "input"],
        ANKI,
    ),
]
CASES = [(f"{kind} as {name}", kind, *rest) for name, *rest in INPUTS for kind in ("FIFO", "/dev/zero")]

#: All cases run in one fresh process, each through the CLI; a hang makes it overrun this (the guard,
#: not a speed assertion), and the failure names the case it was stuck on.
GUARD_SECONDS = 120
_RUNNER = """
import json, os, sys
from click.testing import CliRunner
from dlgraph.cli import cli
for case in json.load(sys.stdin):
    os.chdir(case["cwd"])
    result = CliRunner().invoke(cli, case["args"], prog_name="dlgraph")
    print(json.dumps([case["id"], result.exit_code, result.stderr]), flush=True)
"""


@pytest.fixture(scope="module")
def refused(tmp_path_factory) -> dict[str, tuple[int, str, str]]:
    """Each case's exit code, its stderr, and the message it should give."""
    cases, expected = [], {}
    for case, kind, target, args, todo in CASES:
        cwd = tmp_path_factory.mktemp("case")
        shutil.copytree(MINI, cwd / "g")
        (cwd / "deck.md").write_text(DECK, encoding="utf-8")
        _hostile(kind, cwd / target)
        expected[case] = f"Error: {Path(target)}: is not a regular file (a pipe, device or socket); {todo}\n"
        cases.append({"id": case, "cwd": str(cwd), "args": args})
    try:
        done = subprocess.run(
            [sys.executable, "-c", _RUNNER],
            input=json.dumps(cases),
            capture_output=True,
            text=True,
            timeout=GUARD_SECONDS,
            env={**os.environ, "DLGRAPH_CACHE": "off"},
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        answered = len(out.splitlines())
        pytest.fail(f"no answer within {GUARD_SECONDS} s: stuck on {cases[answered]['id']}")
    assert done.returncode == 0, done.stderr
    results = {}
    for line in done.stdout.splitlines():
        case, code, stderr = json.loads(line)
        results[case] = (code, stderr, expected[case])
    return results


@pytest.mark.parametrize("case", [c[0] for c in CASES])
def test_a_file_input_that_is_a_pipe_or_device_is_refused_at_once(refused, case):
    code, stderr, expected = refused[case]
    held = code == 1 and stderr == expected
    record("bounded inputs", case, held)
    assert held, stderr


def test_ratings_from_stdin_still_read_as_they_come(run, tmp_path):
    result = run("study", "adam", "--progress", str(tmp_path / "p.sqlite3"), "--ratings", "-", input="good\n")
    assert result.exit_code == 0, result.output
    assert "rating: good" in result.output


def test_ratings_piped_from_dev_zero_stop_at_the_first_line(tmp_path):
    with open("/dev/zero", "rb") as zero:
        done = subprocess.run(
            [sys.executable, "-m", "dlgraph", "--data-dir", str(MINI), "study", "--ratings", "-"],
            stdin=zero,
            capture_output=True,
            text=True,
            timeout=GUARD_SECONDS,
            env={**os.environ, "DLGRAPH_PROGRESS": str(tmp_path / "p.sqlite3")},
        )
    nuls = repr(chr(0) * 40 + "...")
    expected = f"Error: --ratings line 1: {nuls} is not a rating; use again, hard, good, easy (or 1-4)\n"
    held = done.returncode == 2 and done.stderr == expected
    record("bounded inputs", "/dev/zero piped to --ratings -", held)
    assert held, done.stderr[:300]


def test_a_stream_is_read_line_by_line_up_to_its_cap():
    import io

    from dlgraph.errors import InvalidData
    from dlgraph.files import MAX_LINE_BYTES, stream_lines

    lines = stream_lines(
        io.StringIO("x" * (MAX_LINE_BYTES + 5) + "\ngood\n"), name="<stdin>", what="ratings file"
    )
    assert [len(line) for line in lines] == [MAX_LINE_BYTES, 6, 5]
    with pytest.raises(
        InvalidData, match="^<stdin>: more than 10 characters, the most a ratings file may be$"
    ):
        list(stream_lines(io.StringIO("good\n" * 3), name="<stdin>", what="ratings file", limit=10))


# --- data files: values only Python's JSON reads ----------------------------------------------------


def _concepts_with(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "g"
    shutil.copytree(MINI, folder)
    (folder / "concepts.json").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NaN", "line 2, column 24: NaN is not a finite number; write a number or null"),
        ("-Infinity", "line 2, column 24: -Infinity is not a finite number; write a number or null"),
        ("1e999", "line 2, column 24: 1e999 is not a finite number; write a number or null"),
        (
            "9" * 100_000,
            "line 2, column 24: a number of more than 4,300 digits; no dlgraph field holds one, so remove it",
        ),
    ],
    ids=["NaN", "-Infinity", "1e999", "100,000 digits"],
)
def test_validate_names_the_file_and_position_of_a_number_strict_json_lacks(run, tmp_path, value, message):
    folder = _concepts_with(tmp_path, '[\n  {"name": "NaN", "x": ' + value + "}\n]\n")
    result = run("validate", data_dir=folder)
    expected = f"Error: {folder / 'concepts.json'}: invalid JSON at {message}\n"
    held = result.exit_code == 1 and result.stderr == expected
    record("data loader", f"{value if len(value) < 10 else 'a 100,000-digit number'} in a data file", held)
    assert held, result.stderr


def test_a_lone_surrogate_is_blamed_on_the_file_not_the_command_line(run, tmp_path):
    concepts = json.loads((MINI / "concepts.json").read_text(encoding="utf-8"))
    text = json.dumps(concepts, indent=2).replace('"name": "Adam"', '"name": "Adam \\ud800"', 1)
    folder = _concepts_with(tmp_path, text)
    line = next(n for n, row in enumerate(text.split("\n"), 1) if "\\ud800" in row)
    column = text.split("\n")[line - 1].index("\\ud800") + 1
    result = run("show", "adam", data_dir=folder)
    expected = (
        f"Error: {folder / 'concepts.json'}: line {line}, column {column}: an escaped lone surrogate "
        "(half of a UTF-16 pair) is not text; remove it, or write the character itself\n"
    )
    held = result.exit_code == 1 and result.stderr == expected
    record("data loader", "lone surrogate escape in a data file", held)
    assert held, result.stderr


def test_an_escaped_surrogate_pair_and_an_escaped_backslash_are_text(tmp_path):
    from dlgraph import store

    path = tmp_path / "x.json"
    path.write_text('["\\ud83d\\ude00", "\\\\ud800"]', encoding="utf-8")
    assert store.read_json(path) == ["\U0001f600", "\\ud800"]


def test_every_json_document_is_strict(run):
    def refuse(name: str):
        raise AssertionError(f"{name} in --json output")

    for args in (["stats", "--json"], ["list", "--json"], ["validate", "--json"], ["types", "--json"]):
        result = run(*args)
        assert result.exit_code == 0, result.output
        json.loads(result.stdout, parse_constant=refuse)


# --- right messages ---------------------------------------------------------------------------------


def test_render_on_an_empty_graph_says_there_is_nothing_to_draw(run, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    for name in ("concepts.json", "relations.json"):
        (folder / name).write_text("[]\n", encoding="utf-8")
    result = run("render", "-o", str(tmp_path / "map.html"), data_dir=folder)
    expected = (
        f"Error: {folder}: has no concepts, so there is no map to draw; build a graph from a deck first "
        "(dlgraph build DECK --out DIR)\n"
    )
    held = result.exit_code == 1 and result.stderr == expected and not (tmp_path / "map.html").exists()
    record("CLI", "render on an empty graph", held)
    assert held, result.stderr


def test_a_mixed_encoding_deck_lists_its_bad_lines_instead_of_the_iconv_hint(run, tmp_path):
    deck = tmp_path / "mixed.csv"
    deck.write_bytes("Q,A\ncafé,crème brûlée\n".encode() + "naïve,résumé\n".encode("cp1252"))
    result = run("build", str(deck), "--out", str(tmp_path / "g"), "--no-field", data_dir=None)
    expected = (
        f"Error: {deck}: not UTF-8: the file mixes UTF-8 with another encoding, so converting it whole "
        "would garble its UTF-8 lines; these are not UTF-8: line 3 ('na\ufffdve,r\ufffdsum\ufffd'); retype "
        "their accented characters (or re-save just those lines as UTF-8)\n"
    )
    held = result.exit_code == 1 and result.stderr == expected and "iconv" not in result.stderr
    record("deck reader: any (format detected)", "mixed UTF-8 and Windows-1252 lines", held)
    assert held, result.stderr


def test_a_deck_wholly_in_windows_1252_keeps_the_iconv_hint(run, tmp_path):
    deck = tmp_path / "w.csv"
    deck.write_bytes("Q,A\nnaïve,résumé\n".encode("cp1252"))
    result = run("build", str(deck), "--out", str(tmp_path / "g"), "--no-field", data_dir=None)
    assert result.exit_code == 1
    assert f"`iconv -f WINDOWS-1252 -t UTF-8 {deck} > deck-utf8.txt`" in result.stderr


# --- nothing changed silently -----------------------------------------------------------------------


def test_a_long_answer_is_kept_whole_as_the_definition(tmp_path):
    answer = "Adaptive moment estimation, " + "which keeps running averages of the gradients and " * 60
    answer = answer.strip()
    deck = tmp_path / "deck.md"
    deck.write_text(
        f"| Question | Answer |\n|---|---|\n| Adam | {answer} |\n| Glubbword | {answer} |\n", encoding="utf-8"
    )
    # With a (small) field: Adam is adopted from it, Glubbword is the deck's own.
    build(deck, tmp_path / "g", field_graph=store.load(DATA_DIR / "field"))
    concepts = {c["name"]: c for c in json.loads((tmp_path / "g" / "concepts.json").read_text("utf-8"))}
    assert len(answer) > 2_000
    assert concepts["Adam"]["kind"] == "algorithm"  # the field's: adopted, not made up
    assert concepts["Adam"]["definition"] == answer
    assert concepts["Glubbword"]["definition"] == answer
    record("dlgraph build", "answer longer than 500 characters kept whole")


def test_build_warns_about_look_alike_names_and_merges_nfc_with_nfd(run, tmp_path):
    deck = tmp_path / "deck.md"
    rows = ["Adam", "\u0410dam", "Caf\u00e9 net", "Cafe\u0301 net"]
    deck.write_text(
        "| Question | Answer |\n|---|---|\n" + "".join(f"| {q} | an optimizer |\n" for q in rows),
        encoding="utf-8",
    )
    result = run("build", str(deck), "--out", str(tmp_path / "g"), "--no-field", data_dir=None)
    assert result.exit_code == 0, result.output
    ids = sorted(c["id"] for c in json.loads((tmp_path / "g" / "concepts.json").read_text("utf-8")))
    assert ids.count("cafe-net") == 1 and len(ids) == 3  # NFC and NFD spell one name
    other = next(i for i in ids if i not in ("adam", "cafe-net"))  # the Cyrillic one's id
    warning = (
        f"the names 'Adam' (adam) and '\u0410dam' ({other}) look alike but are different text ('A' is "
        "LATIN CAPITAL LETTER A, '\u0410' is CYRILLIC CAPITAL LETTER A); merge the two concepts or retype "
        "one name"
    )
    held = f"note: {warning}" in " ".join(result.output.split())  # the note wraps between words
    record("dlgraph build", "look-alike names across scripts", held)
    assert held, result.output
    checked = run("validate", data_dir=tmp_path / "g")
    assert f"warning: concepts.json: {warning}" in " ".join(checked.output.split())


# --- bounded work per card, and progress ------------------------------------------------------------


def test_a_run_on_answer_is_read_in_bounded_windows(tmp_path):
    from collections import Counter

    import spacy

    from dlgraph.extract.tokens import MAX_CLAUSE_TOKENS, Words, clauses

    nlp = spacy.blank("en")
    doc = nlp(" ".join(["gradient descent, and momentum"] * 200))  # 1,000 tokens, no full stop
    clause_of, sentence_starts = clauses(doc, Words(nlp).of(doc))
    windows = Counter(clause_of).values()
    assert sentence_starts == [0]  # still one sentence, as evidence quotes it
    assert len(windows) > 1 and max(windows) <= 2 * MAX_CLAUSE_TOKENS


def test_run_on_evidence_stays_short_and_progress_reaches_every_card(tmp_path):
    run_on = ", ".join(f"unlike Momentum and RMSprop variant {i}" for i in range(2_000))  # 80 KB
    deck = tmp_path / "deck.md"
    deck.write_text(
        f"| Question | Answer |\n|---|---|\n| Momentum | a velocity term |\n| RMSprop | a running average |\n"
        f"| Adam | {run_on} |\n",
        encoding="utf-8",
    )
    calls: list[tuple[int, int]] = []
    report = build(
        deck, tmp_path / "g", use_field=False, progress=lambda done, total: calls.append((done, total))
    )
    relations = json.loads((tmp_path / "g" / "relations.json").read_text("utf-8"))
    assert report.cards == 3 and relations
    assert all(len(r["evidence"]) <= len("Adam: ") + 300 for r in relations)
    assert calls[-1] == (3, 3) and [done for done, _ in calls] == sorted(done for done, _ in calls)
    record("dlgraph build", "80 KB run-on answer")


def test_the_progress_bar_draws_on_a_terminal(monkeypatch):
    parent, child = pty.openpty()
    terminal = os.fdopen(child, "w", buffering=1)
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(_ProgressBar, "SHOW_AFTER", 0.0)
    bar = _ProgressBar()
    for done in (0, 40, 100):
        bar(done, 100)
    bar.close()
    terminal.flush()
    chunks = []
    while select.select([parent], [], [], 0.5)[0]:  # everything written so far, however it was split
        chunks.append(os.read(parent, 65536))
    drawn = b"".join(chunks).decode()
    terminal.close()
    os.close(parent)
    assert "extracting" in drawn and "40/100" in drawn and "cards/s" in drawn


def test_no_progress_bar_when_stderr_is_not_a_terminal(run, tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text(DECK, encoding="utf-8")
    result = run("build", str(deck), "--out", str(tmp_path / "g"), "--no-field", data_dir=None)
    assert result.exit_code == 0 and result.stderr == ""
