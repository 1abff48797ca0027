"""The CLI as a user meets it: exact output, JSON shapes, exit codes, errors, completion, help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dlgraph import __version__
from dlgraph.cli import cli
from dlgraph.store import bundled_data_dir

from .conftest import MINI

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = bundled_data_dir()


def test_path_human_output_is_exact(run):
    result = run("path", "R-CNN", "mask rcnn")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "R-CNN → Fast R-CNN → Faster R-CNN → Mask R-CNN\n"
        "Mask R-CNN descends from R-CNN in 3 lineage steps.\n"
        "\n"
        "1. R-CNN —improved by→ Fast R-CNN\n"
        "   Fast R-CNN: shares one CNN pass across regions.\n"
        "2. Fast R-CNN —improved by→ Faster R-CNN\n"
        "   Faster R-CNN: replaces external proposal generator with region proposal network.\n"
        "3. Faster R-CNN —extended by→ Mask R-CNN\n"
        "   Mask R-CNN: adds a third branch to Faster R-CNN.\n"
    )
    assert result.stderr == ""


def test_path_json_has_the_documented_shape(run):
    result = run("path", "alexnet", "Inception-ResNet", "--json")
    data = json.loads(result.stdout)
    assert {"source", "target", "found", "kind", "path", "edges"} <= set(data)
    assert data["source"] == {"id": "alexnet", "name": "AlexNet"}
    assert data["found"] is True and data["kind"] == "lineage" and data["alternatives"] == 2
    assert [p["id"] for p in data["path"]] == ["alexnet", "googlenet", "inception-resnet"]
    assert set(data["edges"][0]) == {"source", "type", "target", "evidence"}


def test_path_says_when_there_is_no_lineage(run):
    result = run("path", "selective search", "RoI Pooling")
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "No lineage path between Selective search and RoI Pooling.\n"
        "Shortest connection through any relation (not a lineage):\n"
        "Selective search → Fast R-CNN → RoI Pooling\n"
    )
    assert "1. Selective search —used by→ Fast R-CNN" in result.stdout
    assert "2. Fast R-CNN —uses→ RoI Pooling" in result.stdout


def test_path_any_flag_and_not_connected(run):
    result = run("path", "--any", "adagrad", "adam")
    assert result.exit_code == 0
    assert "No lineage path" not in result.stdout
    assert result.stdout.startswith("Adagrad → Adam\n")
    missing = run("path", "Adam", "Lone island", "--json")
    assert missing.exit_code == 1
    assert json.loads(missing.stdout)["found"] is False


def test_path_reversed_arguments_note(run):
    result = run("path", "Mask R-CNN", "R-CNN")
    assert result.stdout.startswith("Note: it is the other way round: Mask R-CNN descends from R-CNN.\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "adma"), "Error: no concept named 'adma'; did you mean 'Adam'?\n"),
        (
            ("path", "R-CNN", "nope-nope-nope"),
            "Error: no concept named 'nope-nope-nope'; try `dlgraph search` or",
        ),
        (
            ("show", "dqn variant"),
            "Error: 'dqn variant' is ambiguous: it could be 'Double DQN', 'Dueling DQN'",
        ),
        (("path", "adam", "ADAM"), "Error: both names mean Adam; name two different concepts\n"),
        (("prereqs", "adam", "--known", "nadam-x"), "Error: no concept named 'nadam-x'"),
    ],
)
def test_user_errors_exit_2_with_a_message_and_no_traceback(run, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.output and result.stdout == ""


def test_fuzzy_guess_is_announced_on_stderr(run):
    result = run("show", "mask rcn")
    assert result.exit_code == 0
    assert result.stderr == "note: taking 'mask rcn' to mean 'Mask R-CNN'\n"
    assert result.stdout.startswith("Mask R-CNN  (mask-r-cnn)\n")


def test_prereqs_human_and_json(run):
    result = run("prereqs", "Adam")
    assert result.stdout.splitlines()[:4] == [
        "Study order for Adam (4 concepts, prerequisites first):",
        "1. Gradient descent  [depth 2]",
        "   Step the parameters against the gradient.",
        "   why: Adagrad improves on Gradient descent",
    ]
    data = json.loads(run("prereqs", "Adam", "--json", "--depth", "1").stdout)
    assert data["concept"] == {"id": "adam", "name": "Adam"}
    assert [p["id"] for p in data["prerequisites"]] == ["adagrad", "momentum", "rmsprop"]
    assert {"id", "name", "depth", "reason"} <= set(data["prerequisites"][0])


def test_prereqs_known_from_names_and_from_a_file(run, tmp_path):
    by_name = json.loads(run("prereqs", "adam", "--known", "adagrad", "--json").stdout)
    known_file = tmp_path / "known.txt"
    known_file.write_text("# what I know\nAdagrad\n", encoding="utf-8")
    by_file = json.loads(run("prereqs", "adam", "--known", str(known_file), "--json").stdout)
    assert by_name == by_file
    assert [p["id"] for p in by_file["prerequisites"]] == ["gradient-descent", "rmsprop", "momentum"]


def test_prereqs_bad_depth_is_a_usage_error(run):
    result = run("prereqs", "adam", "--depth", "0")
    assert result.exit_code == 2 and "--depth" in result.stderr


def test_next_lists_the_fringe(run):
    result = run("next", "--known", "gradient descent")
    assert result.stdout == (
        "Unlocked by what you know: 2 concepts.\n"
        "  Adagrad  (needs Gradient descent)\n"
        "  Momentum  (needs Gradient descent)\n"
    )
    data = json.loads(run("next", "--known", "gradient descent,adagrad,momentum", "--json").stdout)
    assert [r["id"] for r in data["results"]] == ["rmsprop"]


def test_lineage_tree(run):
    result = run("lineage", "fast rcnn")
    assert result.stdout == (
        "Fast R-CNN\n"
        "  descends from:\n"
        "    improves on R-CNN\n"
        "  leads to:\n"
        "    improved by Faster R-CNN\n"
        "      extended by Mask R-CNN\n"
    )
    data = json.loads(run("lineage", "fast rcnn", "--json").stdout)
    assert [a["id"] for a in data["ancestors"]] == ["r-cnn"]
    assert [d["id"] for d in data["descendants"]] == ["faster-r-cnn", "mask-r-cnn"]


def test_show_card(run):
    result = run("show", "Adam")
    assert result.stdout == (
        "Adam  (adam)\n"
        "topic: optimization · kind: algorithm\n"
        "card: Adam\n"
        "definition:\n"
        "  Combines RMSProp and Momentum.\n"
        "\n"
        "improves on: Adagrad, RMSprop\n"
        "   combines: Momentum, RMSprop\n"
    )
    data = json.loads(run("show", "Adam", "--json").stdout)
    assert {"id", "name", "aliases", "topic", "kind", "definition", "card", "relations"} <= set(data)
    assert {"source": "adam", "type": "combines", "target": "momentum"}.items() <= data["relations"][
        2
    ].items()


def test_search_list_types(run):
    assert run("search", "rcnn", "--limit", "1").stdout == "100.0  R-CNN  (r-cnn, name)\n"
    data = json.loads(run("search", "rcnn", "--json").stdout)
    assert data["results"][0]["id"] == "r-cnn"
    listed = run("list", "--kind", "component").stdout
    assert listed == "roi-pooling  RoI Pooling  object-detection  component\n"
    types = json.loads(run("types", "--json").stdout)
    assert [t["type"] for t in types["types"]][:3] == ["improves-on", "extends", "simplifies"]
    table = [line for line in run("types").stdout.splitlines() if "inverse:" in line]
    assert len(table) == 12 and table[0].startswith("  improves-on     inverse: improved by  ")
    assert len({line.index("inverse:") for line in table}) == 1  # aligned columns
    order = [
        next(line.index(w) for w in ("target first", "source first", "no order") if w in line)
        for line in table
    ]
    assert len(set(order)) == 1


def test_validate_reports_and_exits(run, mini_dir):
    ok = run("validate", data_dir=mini_dir)
    assert ok.exit_code == 0 and "valid: 20 concepts, 21 relations" in ok.stdout
    (mini_dir / "relations.json").write_text("[{]", encoding="utf-8")
    broken = run("validate", data_dir=mini_dir)
    assert broken.exit_code == 1
    assert (
        broken.stderr == f"Error: {mini_dir / 'relations.json'}: invalid JSON at line 1, column 3: "
        "Expecting property name enclosed in double quotes\n"
    )


def test_every_query_fails_cleanly_on_broken_data(run, mini_dir):
    (mini_dir / "concepts.json").write_text('[{"id": "x"}]', encoding="utf-8")
    result = run("show", "x", data_dir=mini_dir)
    assert result.exit_code == 1
    assert "missing field 'name'" in result.stderr and "Traceback" not in result.output


def test_data_dir_from_environment(run):
    result = run("show", "dqn", data_dir=None, env={"DLGRAPH_DATA_DIR": str(MINI)})
    assert result.stdout.startswith("DQN  (dqn)\n")


def test_version(run):
    assert run("--version").stdout == f"dlgraph, version {__version__}\n"


def test_colour_on_a_terminal_unless_no_color(run):
    coloured = run("prereqs", "adam", color=True)
    assert "\x1b[1mStudy order for Adam" in coloured.stdout
    assert "\x1b[" not in run("prereqs", "adam", color=True, env={"NO_COLOR": "1"}).stdout
    assert "\x1b[" not in run("prereqs", "adam").stdout  # a pipe


def _complete(words: str, shell: str = "bash") -> str:
    env = {
        **os.environ,
        "_DLGRAPH_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        "DLGRAPH_DATA_DIR": str(MINI),
    }
    if shell != "bash":
        env["_TYPER_COMPLETE_ARGS"] = words
    done = subprocess.run(
        [sys.executable, "-c", "from dlgraph.cli import main; main()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_bash_completion_of_concept_names():
    out = _complete("dlgraph path R-CNN fas")
    assert out.splitlines() == ["plain,fast-r-cnn", "plain,faster-r-cnn"]


def test_zsh_and_fish_completion_carry_the_display_name():
    env = {
        **os.environ,
        "_DLGRAPH_COMPLETE": "zsh_complete",
        "COMP_WORDS": "dlgraph show mask",
        "COMP_CWORD": "2",
        "DLGRAPH_DATA_DIR": str(MINI),
    }
    zsh = subprocess.run([sys.executable, "-m", "dlgraph"], env=env, capture_output=True, text=True).stdout
    assert zsh.splitlines() == ["plain", "mask-r-cnn", "Mask R-CNN"]
    env.update(_DLGRAPH_COMPLETE="fish_complete", COMP_WORDS="dlgraph show mask", COMP_CWORD="mask")
    fish = subprocess.run([sys.executable, "-m", "dlgraph"], env=env, capture_output=True, text=True).stdout
    # click before 8.4 prints "type,value<TAB>help" on one line, 8.4 prints three lines; both carry both.
    assert fish.replace("\t", "\n").replace(",", "\n").split() == ["plain", "mask-r-cnn", "Mask", "R-CNN"]


def test_completion_does_not_import_networkx():
    code = (
        "import sys, os\n"
        "from dlgraph.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('NX' if 'networkx' in sys.modules else 'clean', file=sys.stderr)\n"
    )
    env = {
        **os.environ,
        "_DLGRAPH_COMPLETE": "bash_complete",
        "COMP_WORDS": "dlgraph show ad",
        "COMP_CWORD": "2",
        "DLGRAPH_DATA_DIR": str(MINI),
    }
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert "plain,adam" in done.stdout
    assert done.stderr.strip().endswith("clean")


def test_queries_do_not_import_spacy_or_pyvis():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from dlgraph.cli import cli\n"
        f"r = CliRunner().invoke(cli, ['--data-dir', {str(MINI)!r}, 'path', 'R-CNN', 'Mask R-CNN'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in ('spacy', 'pyvis', 'networkx') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "['networkx']", done.stderr


def _commands():
    return sorted(cli.commands)


@pytest.mark.parametrize("name", _commands())
def test_every_command_has_help_with_an_example_and_a_readme_mention(name):
    command = cli.commands[name]
    assert (
        command.help and "Example:" in command.help and f"dlgraph {name}" in command.help.split("Example:")[1]
    )
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"dlgraph {name}" in readme


def test_python_dash_m_works():
    done = subprocess.run(
        [sys.executable, "-m", "dlgraph", "--data-dir", str(MINI), "show", "dqn", "--json"],
        capture_output=True,
        text=True,
    )
    assert json.loads(done.stdout)["id"] == "dqn"


def test_next_and_prereqs_use_study_progress_unless_known_is_given(run, tmp_path):
    env = {"DLGRAPH_PROGRESS": str(tmp_path / "progress.sqlite3")}
    studied = run("study", "--limit", "1", "--ratings", "-", input="good\n", env=env)
    assert studied.exit_code == 0, studied.output
    assert "[1] new: What is AlexNet?" in studied.stdout  # no card in the deck: a question from its name
    unlocked = json.loads(run("next", "--json", env=env).stdout)
    assert [r["id"] for r in unlocked["results"]] == ["googlenet", "resnet"]
    assert [k["id"] for k in unlocked["known"]] == ["alexnet"]
    plan = json.loads(run("prereqs", "inception-resnet", "--json", env=env).stdout)
    assert [p["id"] for p in plan["prerequisites"]] == ["googlenet", "resnet"]
    ignoring = json.loads(run("prereqs", "inception-resnet", "--known", "", "--json", env=env).stdout)
    assert [p["id"] for p in ignoring["prerequisites"]] == ["alexnet", "googlenet", "resnet"]


def test_global_options_after_the_command_are_taken(run):
    result = run("show", "adam", "--data-dir", str(MINI), data_dir=None)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Adam")
    field = run("path", "LeNet", "ResNet", "--field", data_dir=None)
    assert field.exit_code == 0, field.output
    assert field.stdout.startswith("LeNet-5 → AlexNet")


@pytest.mark.parametrize("typed", ["the adam optimizer", "Adam optimizer", "the Adam algorithm"])
def test_filler_words_around_a_name_are_ignored(run, typed):
    result = run("show", typed)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Adam")


def test_with_json_an_error_is_one_json_object_on_stdout(run):
    result = run("show", "xyz-no-such-concept", "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["exit_code"] == 2 and "no concept named" in data["error"]
    assert "no concept named" in result.stderr


def test_show_why_gives_each_relation_its_origin_and_text(run):
    lines = run("show", "Mask R-CNN", "--why").stdout.splitlines()
    why = lines[lines.index("Why each relation") + 1 :]
    assert why[0] == "Mask R-CNN extends Faster R-CNN  (curated by hand)"
    assert why[1].startswith("  Mask R-CNN: adds a third branch")
    plain = run("show", "Mask R-CNN").stdout
    assert "Why each relation" not in plain


def test_show_why_names_the_field_reference(tmp_path):
    from click.testing import CliRunner

    from dlgraph.cli import cli

    result = CliRunner().invoke(cli, ["--field", "show", "Faster R-CNN", "--why"])
    assert result.exit_code == 0, result.output
    assert "Faster R-CNN improves-on Fast R-CNN  (the field graph)" in result.stdout
    assert (
        "  reference: Faster R-CNN: Towards Real-Time Object Detection with Region Proposal Networks "
        "(Ren, 2015)" in result.stdout
    )


# --- Issue #19: a CLI that forgives how people type, each with the input the issue quotes -----------


def test_show_the_adam_optimizer_on_the_bundled_graph(run):
    result = run("show", "the adam optimizer", data_dir=BUNDLED)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("Adam  (adam)\ntopic: optimization · kind: algorithm\n")


def test_search_the_adam_optimizer_puts_adam_first(run):
    result = run("search", "the adam optimizer", "--limit", "3", data_dir=BUNDLED)
    assert result.exit_code == 0
    assert result.stdout == (
        "100.0  Adam       (adam, name)\n"
        " 68.3  Optimizer  (optimizer, name)\n"
        " 20.0  Adagrad    (adagrad, text)\n"
    )


def test_search_ignores_stop_words_and_ranks_names_above_definitions(run):
    result = run("search", "attention is all you need", "--json", data_dir=BUNDLED)
    rows = json.loads(result.stdout)["results"]
    assert [r["name"] for r in rows[:2]] == ["Attention", "Attention scaling"]
    assert "bidirectional-rnn" not in [r["id"] for r in rows]
    # Every name or alias match outranks every match in the text.
    names = [r["score"] for r in rows if r["match"] in ("name", "alias")]
    text = [r["score"] for r in rows if r["match"] in ("definition", "text")]
    assert names and min(names) > max(text, default=0)


def test_show_relu_says_where_the_graph_mentions_it(run):
    result = run("show", "relu", data_dir=BUNDLED)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: no concept named 'relu'; it is not a concept of this graph, but the text of "
        "Activation function, AlexNet, CNN mentions it (`dlgraph search relu`); "
        "or did you mean 'Reinforcement learning', 'GRU'?\n"
    )
    found = json.loads(run("search", "relu", "--json", data_dir=BUNDLED).stdout)["results"]
    assert {"activation-function", "alexnet"} <= {r["id"] for r in found}


def test_show_xyz_json_pipes_into_json_tool(tmp_path):
    done = subprocess.run(
        f"{sys.executable} -m dlgraph --data-dir {MINI} show xyz --json | {sys.executable} -m json.tool",
        shell=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "error": "no concept named 'xyz'; try `dlgraph search` or `dlgraph list`",
        "exit_code": 2,
    }


@pytest.mark.parametrize("value", ["missing.txt", "notes/known", "~/known.csv"])
def test_known_with_a_missing_file_names_the_file(run, value):
    result = run("prereqs", "adam", "--known", value)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: --known {value}: no such file (--known takes a file of names, one a line, "
        "or comma-separated names)\n"
    )


def test_known_names_with_a_slash_still_resolve(run, mini_dir):
    concepts = json.loads((mini_dir / "concepts.json").read_text(encoding="utf-8"))
    next(c for c in concepts if c["id"] == "momentum")["aliases"] = ["heavy ball/momentum"]
    (mini_dir / "concepts.json").write_text(json.dumps(concepts), encoding="utf-8")
    result = run("prereqs", "adam", "--known", "adagrad,heavy ball/momentum", "--json", data_dir=mini_dir)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["known"] == ["adagrad", "momentum"]


@pytest.mark.parametrize(
    ("args", "which"),
    [
        (("--path", "adam", "-o", "out/p.html"), "FROM is 'adam' but TO is missing"),
        (("-o", "out/p.html", "--path", "adam"), "FROM is 'adam' but TO is missing"),
        (("--path", "-o", "out/p.html"), "both are missing"),
    ],
)
def test_render_path_with_one_name_says_which_is_missing(run, tmp_path, args, which):
    result = run("render", *args)
    assert result.exit_code == 2
    assert result.stderr.endswith(
        f'Error: --path needs two concepts, FROM and TO: {which} (e.g. --path R-CNN "Mask R-CNN")\n'
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("typed", ["object detection", "Object-Detection", "obj"])
def test_topics_resolve_like_names(run, typed):
    result = run("list", "--topic", typed)
    assert result.exit_code == 0, result.output
    assert {line.split()[-2] for line in result.stdout.splitlines()} == {"object-detection"}


def test_an_ambiguous_topic_prefix_lists_both(run):
    result = run("list", "--topic", "o")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: no topic 'o' in this graph ('object-detection' or 'optimization'?); topics: "
    )


def test_study_limit_0_says_what_it_means(run):
    result = run("study", "--limit", "0", data_dir=BUNDLED)
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "Nothing due for review, and --limit 0 introduces no new concept; raise --limit to learn.\n"
    )


def test_next_known_adam_shows_the_starting_points(run):
    result = run("next", "--known", "adam", data_dir=BUNDLED)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "Nothing is unlocked by what you know (1 concept) yet.",
        "Starting points you have not studied: 27 concepts need nothing else first.",
        "  Activation function",
        "  Bilinear interpolation",
    ]
    data = json.loads(run("next", "--known", "adam", "--json", data_dir=BUNDLED).stdout)
    assert data["results"] == [] and len(data["starting_points"]) == 27


def test_prereqs_names_what_it_skipped_and_why(run, tmp_path):
    by_option = run("prereqs", "adam", "--known", "gradient descent,dqn")
    assert by_option.stdout.splitlines()[0] == (
        "Already known from --known, skipped with what only they need (1 concept): Gradient descent"
    )
    env = {"DLGRAPH_PROGRESS": str(tmp_path / "progress.sqlite3")}
    assert run("study", "--limit", "1", "--ratings", "-", input="good\n", env=env).exit_code == 0
    head = run("prereqs", "inception-resnet", env=env).stdout.split("Study order")[0]
    assert " ".join(head.split()) == (
        "Already known from your study progress "
        f"({tmp_path / 'progress.sqlite3'}), skipped with what only they need (1 concept): AlexNet"
    )
    data = json.loads(run("prereqs", "inception-resnet", "--json", env=env).stdout)
    assert data["skipped"] == [{"id": "alexnet", "name": "AlexNet"}]


def test_progress_list_shows_which_concepts_are_known_and_due(run, tmp_path):
    env = {"DLGRAPH_PROGRESS": str(tmp_path / "progress.sqlite3")}
    run("study", "--limit", "2", "--ratings", "-", input="good\nagain\n", env=env)
    result = run("progress", "--list", env=env)
    assert result.exit_code == 0, result.output
    listing = result.stdout.split("\n\n")[-1].splitlines()
    assert listing[0] == "Known concepts: 2, due now: 0"
    # "again" brings DQN back sooner (in a minute: a slow run may find it due already).
    header, *rows = listing[1:]
    assert header.split("  ")[0] == "concept" and [r.split()[0] for r in rows] == ["DQN", "AlexNet"]
    topics = ["reinforcement-learning", "cnn-architectures"]
    assert [row.index(t, 8) for row, t in zip(rows, topics, strict=True)] == [header.index("topic")] * 2
    assert [row[header.index("reviews") + 6] for row in rows] == ["1", "1"]  # right-aligned counts
    assert rows[1][header.index("next review") :] in ("in 10 minutes", "in 9 minutes")
    data = json.loads(run("progress", "--list", "--json", env=env).stdout)
    assert [(c["id"], c["reviews"]) for c in data["concepts"]] == [("dqn", 1), ("alexnet", 1)]
    assert data["concepts"][1]["status"] == "known" and data["concepts"][0]["status"] in ("known", "due")


def test_counts_of_one_are_singular(run):
    assert run("next", "--known", "gradient descent,adagrad,momentum").stdout == (
        "Unlocked by what you know: 1 concept.\n  RMSprop  (needs Adagrad)\n"
    )
    assert run("prereqs", "rmsprop").stdout.startswith("Study order for RMSprop (2 concepts")
    assert run("prereqs", "adagrad").stdout.startswith("Study order for Adagrad (1 concept, prerequisites")


def test_list_columns_are_aligned(run):
    assert run("list", "--kind", "algorithm").stdout == (
        "adagrad           Adagrad           optimization            algorithm\n"
        "adam              Adam              optimization            algorithm\n"
        "double-dqn        Double DQN        reinforcement-learning  algorithm\n"
        "dqn               DQN               reinforcement-learning  algorithm\n"
        "dueling-dqn       Dueling DQN       reinforcement-learning  algorithm\n"
        "gradient-descent  Gradient descent  optimization            algorithm\n"
        "momentum          Momentum          optimization            algorithm\n"
        "rmsprop           RMSprop           optimization            algorithm\n"
        "selective-search  Selective search  object-detection        algorithm\n"
    )


def test_long_text_wraps_between_words_in_show_and_study(run, mini_dir):
    words = [f"w{i}" + "x" * (i % 13) for i in range(400)]
    concepts = json.loads((mini_dir / "concepts.json").read_text(encoding="utf-8"))
    next(c for c in concepts if c["id"] == "gradient-descent")["definition"] = " ".join(words)
    (mini_dir / "concepts.json").write_text(json.dumps(concepts), encoding="utf-8")
    shown = run("show", "gradient descent", data_dir=mini_dir).stdout.splitlines()
    body = shown[shown.index("definition:") + 1 : shown.index("")]
    assert max(len(line) for line in body) <= 100
    assert " ".join(body).split() == words  # no word cut in two
    studied = run(
        "study", "gradient descent", "--limit", "1", "--ratings", "-", input="good\n", data_dir=mini_dir
    )
    answer = [line for line in studied.stdout.splitlines() if line.startswith("    w")]
    shown_words = " ".join(answer).split()  # a new card rated good comes back for its learning step
    assert max(len(line) for line in answer) <= 100 and shown_words[: len(words)] == words
    assert len(shown_words) % len(words) == 0


def test_show_of_a_4_mb_definition_finishes(mini_dir):
    # Wrapping is linear: a timeout guards against the quadratic textwrap path (9 s here before).
    concepts = json.loads((mini_dir / "concepts.json").read_text(encoding="utf-8"))
    definition = ("gradient " * 450_000) + "z" * 100_000
    next(c for c in concepts if c["id"] == "adam")["definition"] = definition
    (mini_dir / "concepts.json").write_text(json.dumps(concepts), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "dlgraph", "--data-dir", str(mini_dir), "show", "adam"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines.count("  " + "z" * 98) == 1020  # the long word, cut into line-sized pieces


def test_on_a_terminal_lines_wrap_at_its_width():
    leader, follower = os.openpty()
    try:
        env = {**os.environ, "COLUMNS": "60", "NO_COLOR": "1"}
        done = subprocess.run(
            [sys.executable, "-m", "dlgraph", "--data-dir", str(BUNDLED), "show", "GRU"],
            stdout=follower,
            env=env,
            timeout=120,
        )
        output = os.read(leader, 65536).decode("utf-8")
    finally:
        os.close(leader)
        os.close(follower)
    assert done.returncode == 0
    lines = output.replace("\r\n", "\n").splitlines()
    assert lines[5:7] == [
        "  simplifiedLSTM. merges cell state and hidden state. merges",
        "  forget and input gates into single update gate",
    ]
    assert max(len(line) for line in lines) <= 60


def test_build_report_lists_every_new_concept_and_note_with_singular_counts():
    from dlgraph.build import BuildReport, report_lines
    from dlgraph.report import plain

    names = [f"Concept number {i}" for i in range(40)]
    notes = [f"note {i}" for i in range(15)]
    made = BuildReport(
        "deck.txt",
        "csv",
        "g",
        cards=1,
        fresh=True,
        written=True,
        concepts=1,
        new_concepts=names,
        relations=1,
        extracted=1,
        covered=1,
        dropped=["a -uses-> b"],
        notes=notes,
    )
    lines = report_lines(made, plain, detailed=True)
    assert lines[:3] == [
        "wrote g: 1 concept (40 new), 1 relation (+0 -0)",
        "read 1 card from deck.txt as csv; extraction found 1 relation",
        "dropped 1 relation (rejected, or closing a cycle)",
    ]
    assert [line for line in lines if line.startswith("note")] == [f"note: {n}" for n in notes]
    listed = lines[lines.index("New concepts") + 1 : lines.index("Dropped") - 1]
    assert " ".join(line.strip() for line in listed).split(", ") == names  # every one, no "..."
    assert max(len(line) for line in listed) <= 100
    assert "  (1 extracted relation skipped: a kept relation already links the pair)" in lines
    # Without --report the summary keeps ten notes and says how many more there are.
    short = report_lines(made, plain)
    assert short[-1] == "note: and 5 more (see --report or --json)"


def test_types_shows_one_relation_type_by_name_or_label(run):
    expected = (
        "lineage\n"
        "  improves-on  inverse: improved by  target first  a newer method that fixes or beats the target\n"
        "                                                   (Faster R-CNN improves on Fast R-CNN)\n"
    )
    assert run("types", "improves-on").stdout == expected
    assert run("types", "improved by").stdout == expected
    assert [t["type"] for t in json.loads(run("types", "impr", "--json").stdout)["types"]] == ["improves-on"]
    unknown = run("types", "xyz")
    assert unknown.exit_code == 2 and unknown.stderr.startswith("Error: no relation type 'xyz'")
