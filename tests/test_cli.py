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

from .conftest import MINI

ROOT = Path(__file__).resolve().parent.parent


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
