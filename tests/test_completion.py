"""Shell completion as each real shell runs it: bash, zsh and fish, through click's own scripts.

Every case is the installed ``dlgraph`` script answering the shell's completion protocol, on the
bundled graph. A shell that is not installed is skipped with the command that installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dlgraph import store

BIN = Path(sys.executable).parent
DLGRAPH = shutil.which("dlgraph", path=str(BIN)) or shutil.which("dlgraph")

pytestmark = pytest.mark.skipif(DLGRAPH is None, reason="the dlgraph script is not installed")


def _shell(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (apt-get install -y {name})")
    return found


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{Path(DLGRAPH).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DLGRAPH_DATA_DIR": str(store.bundled_data_dir()),
        "HOME": str(tmp_path),  # no user rc file changes what the shells do
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }


# What a user types (the words before the cursor) and what bash's completion function offers.
BASH_CASES = [
    # Both start with what was typed: an id and an alias, never an id that does not.
    (["show", "mask"], ["mask-r-cnn", "masked\\ self-attention"]),
    # The names as typed, escaped so that bash inserts each as one word.
    (["show", "Fas"], ["Fast\\ R-CNN", "Faster\\ R-CNN"]),
    # One concept left: its id, one word that resolves exactly.
    (["show", "Faster\\ R"], ["faster-r-cnn"]),
    (["path", "R-CNN", "mask\\ r"], ["mask-r-cnn"]),
    (["list", "--topic", "obj"], ["object-detection"]),
    (["render", "--topic", "Seq"], ["sequence-models"]),
    (["list", "--kind", "comp"], ["component"]),
    (["export", "--format", "obs"], ["obsidian"]),
    (["build", "--format", "anki"], ["anki", "anki-package"]),
    (["types", "impr"], ["improves-on"]),
    (["show", "zzzz"], []),
]


def test_bash_completes_what_was_typed(env):
    bash = _shell("bash")
    lines = ['eval "$(_DLGRAPH_COMPLETE=bash_source dlgraph)"']
    for words, _ in BASH_CASES:
        # What bash does on Tab: COMP_WORDS and COMP_CWORD set, then the registered function.
        quoted = " ".join(f"'{w}'" for w in ["dlgraph", *words])
        lines.append(
            f"COMP_WORDS=({quoted}); COMP_CWORD={len(words)}; COMPREPLY=(); "
            '_dlgraph_completion dlgraph; printf "%s\\n" "${COMPREPLY[@]}"; echo "--"'
        )
    done = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", "\n".join(lines)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    answers = [[x for x in block.split("\n") if x] for block in done.stdout.split("--\n")[:-1]]
    assert answers == [expected for _, expected in BASH_CASES]


def test_bash_registers_the_completion_function(env):
    bash = _shell("bash")
    done = subprocess.run(
        [
            bash,
            "--norc",
            "--noprofile",
            "-c",
            'eval "$(_DLGRAPH_COMPLETE=bash_source dlgraph)"; complete -p dlgraph',
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "complete -o nosort -F _dlgraph_completion dlgraph"


# What a user types, and the line zsh's completion system leaves after one Tab.
ZSH_CASES = [
    # Two concepts start with "mask": zsh keeps what they share, which is what was typed.
    ("dlgraph show mask", "dlgraph show mask"),
    # Two names: their common start, as typed.
    ("dlgraph show Fas", "dlgraph show Fast"),
    # The alias as typed picks one concept: the id takes its place.
    ("dlgraph show masked\\ s", "dlgraph show decoder-self-attention "),
    ('dlgraph show "masked s', 'dlgraph show "decoder-self-attention" '),
    ("dlgraph list --topic obj", "dlgraph list --topic object-detection "),
    ("dlgraph list --kind comp", "dlgraph list --kind component "),
    ("dlgraph export --format obs", "dlgraph export --format obsidian "),
    ("dlgraph types simp", "dlgraph types simplifies "),
]

# An interactive zsh on a pseudo-terminal (zsh's own zpty module): compinit, click's zsh script, then
# for each case: type it, press Tab, and a widget bound to Ctrl-Y appends the edited line to a file.
ZSH_DRIVER = r"""
zmodload zsh/zpty
out=$1; shift
zpty -b z zsh -f -i
zpty -w z "PS1='%% '; autoload -U compinit && compinit -u -D; \
eval \"\$(_DLGRAPH_COMPLETE=zsh_source dlgraph)\"; \
dump() { print -r -- \"<\$BUFFER>\" >> $out; BUFFER=''; }; zle -N dump; bindkey '^Y' dump"
n=0
for typed in "$@"; do
  zpty -w -n z "$typed"$'\t\x19'
  (( n += 1 ))
  for i in {1..600}; do
    [[ -f $out && $(wc -l < $out) -ge $n ]] && break
    sleep 0.1
  done
done
zpty -d z
"""


def test_zsh_completes_what_was_typed(env, tmp_path):
    zsh = _shell("zsh")
    driver = tmp_path / "drive.zsh"
    driver.write_text(ZSH_DRIVER, encoding="utf-8")
    out = tmp_path / "lines.txt"
    done = subprocess.run(
        [zsh, "-f", str(driver), str(out), *(typed for typed, _ in ZSH_CASES)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").splitlines() == [f"<{line}>" for _, line in ZSH_CASES]


# What a user types, and what fish's own `complete -C` (the completions of a command line) lists.
FISH_CASES = [
    ("dlgraph show mask", ["masked self-attention\tDecoder self-attention", "mask-r-cnn\tMask R-CNN"]),
    ("dlgraph show Fas", ["Fast R-CNN", "Faster R-CNN"]),
    # Fish keeps only what extends the typed word, so it gets the alias, not the id.
    ('dlgraph show "masked s', ["masked self-attention\tDecoder self-attention"]),
    ("dlgraph list --topic obj", ["object-detection"]),
    ("dlgraph list --kind comp", ["component"]),
    ("dlgraph export --format obs", ["obsidian"]),
    ("dlgraph types part", ["part-of\tis part of"]),
]


def test_fish_completes_what_was_typed(env):
    fish = _shell("fish")
    script = ["source (env _DLGRAPH_COMPLETE=fish_source dlgraph | psub)"]
    for typed, _ in FISH_CASES:
        escaped = typed.replace("\\", "\\\\").replace("'", "\\'")
        script.append(f"complete -C '{escaped}'; echo ==")
    done = subprocess.run(
        [fish, "--no-config", "-c", "\n".join(script)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    answers = [sorted(x for x in block.split("\n") if x) for block in done.stdout.split("==\n")[:-1]]
    assert answers == [sorted(expected) for _, expected in FISH_CASES]
