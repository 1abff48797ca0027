"""Load, validate and atomically save the two data files, ``concepts.json`` and ``relations.json``.

This module only needs :mod:`json`, so shell completion can read concept names without importing
networkx. Checks that need a graph (cycles) live in :mod:`dlgraph.graph`.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from .errors import InvalidData
from .vocabulary import KINDS, RELATION_TYPES

CONCEPTS_FILE = "concepts.json"
RELATIONS_FILE = "relations.json"
#: Optional: what ``dlgraph build`` must never (re)create: ``{"concepts": [id, ...], "relations":
#: [{"source", "type", "target"}, ...]}``. Users add to it by hand; a build adds what they deleted.
REJECTED_FILE = "rejected.json"
ENV_DATA_DIR = "DLGRAPH_DATA_DIR"

CONCEPT_KEYS = ("id", "name", "aliases", "topic", "kind", "definition", "card")
RELATION_KEYS = ("source", "type", "target", "evidence", "origin")
ORIGINS = ("curated", "extracted")

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Dataset:
    """The concepts and relations of one graph, as plain dicts in file order."""

    # A plain class rather than a dataclass: every query command imports this, and start-up counts.
    def __init__(
        self,
        concepts: list[dict[str, Any]],
        relations: list[dict[str, Any]],
        directory: Path | None = None,
        warnings: list[str] | None = None,
    ):
        self.concepts = concepts
        self.relations = relations
        self.directory = directory
        self.warnings = warnings if warnings is not None else []

    def concept_by_id(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self.concepts}


def bundled_data_dir() -> Path:
    """The graph shipped with dlgraph: inside the installed package, or ``data/`` in a source checkout."""
    packaged = Path(__file__).resolve().parent / "data"
    if (packaged / CONCEPTS_FILE).is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"


def bundled_deck() -> Path:
    """The seed deck the bundled graph was built from."""
    return bundled_data_dir() / "decks" / "deep-learning-final.md"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` if given, else ``$DLGRAPH_DATA_DIR``, else the bundled graph."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(ENV_DATA_DIR)
    if from_env:
        return Path(from_env)
    return bundled_data_dir()


def read_json(path: Path) -> Any:
    """Parse one JSON file; any failure becomes :class:`InvalidData` naming the file and position."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidData(
            f"{path}: file not found; run `dlgraph build` or point --data-dir at a graph folder"
        ) from None
    except IsADirectoryError:
        raise InvalidData(f"{path}: is a folder, expected a JSON file") from None
    except OSError as exc:
        raise InvalidData(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidData(f"{path}: not UTF-8 (bad byte at offset {exc.start}); save it as UTF-8") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidData(
            f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise InvalidData(f"{path}: JSON nested too deeply") from None


def load(directory: str | os.PathLike[str] | None = None, *, check: bool = True) -> Dataset:
    """Read a graph folder. With ``check`` every structural rule is enforced (see :func:`problems`)."""
    folder = resolve_data_dir(directory)
    if folder.exists() and not folder.is_dir():
        raise InvalidData(f"{folder}: is a file, expected a folder holding {CONCEPTS_FILE}")
    if not folder.exists():
        raise InvalidData(f"{folder}: no such folder; run `dlgraph build --out {folder}` to make a graph")
    concepts = read_json(folder / CONCEPTS_FILE)
    relations = read_json(folder / RELATIONS_FILE)
    dataset = Dataset(concepts, relations, folder)
    if check:
        errors, warnings = problems(dataset)
        if errors:
            raise InvalidData(f"{folder}: the graph is not valid ({len(errors)} problems)", errors)
        dataset.warnings = warnings
    return dataset


def _where(kind: str, index: int, item: Any) -> str:
    if kind == "concept":
        label = item.get("id") if isinstance(item, dict) else None
        return f"{CONCEPTS_FILE}: concept #{index + 1}" + (f" ({label})" if isinstance(label, str) else "")
    if isinstance(item, dict) and all(isinstance(item.get(k), str) for k in ("source", "type", "target")):
        return f"{RELATIONS_FILE}: relation #{index + 1} ({item['source']} {item['type']} {item['target']})"
    return f"{RELATIONS_FILE}: relation #{index + 1}"


def _check_concept(c: Any, where: str) -> list[str]:
    if not isinstance(c, dict):
        return [f"{where}: expected an object, got {type(c).__name__}"]
    out = [f"{where}: missing field {key!r}" for key in CONCEPT_KEYS if key not in c]
    for key in ("id", "name", "topic", "kind", "definition"):
        if key in c and not isinstance(c[key], str):
            out.append(f"{where}: {key!r} must be a string")
    if isinstance(c.get("id"), str) and not _SLUG.match(c["id"]):
        out.append(f"{where}: id {c['id']!r} is not a slug (lowercase letters, digits and single dashes)")
    if isinstance(c.get("name"), str) and not c["name"].strip():
        out.append(f"{where}: 'name' is empty")
    if isinstance(c.get("topic"), str) and not _SLUG.match(c["topic"]):
        out.append(f"{where}: topic {c['topic']!r} is not a slug")
    if isinstance(c.get("kind"), str) and c["kind"] not in KINDS:
        out.append(f"{where}: unknown kind {c['kind']!r}; known kinds: {', '.join(KINDS)}")
    if "aliases" in c and not (
        isinstance(c["aliases"], list) and all(isinstance(a, str) and a.strip() for a in c["aliases"])
    ):
        out.append(f"{where}: 'aliases' must be a list of non-empty strings")
    if "card" in c and c["card"] is not None and not isinstance(c["card"], str):
        out.append(f"{where}: 'card' must be a string or null")
    return out


def _check_relation(r: Any, where: str, ids: set[str]) -> list[str]:
    if not isinstance(r, dict):
        return [f"{where}: expected an object, got {type(r).__name__}"]
    out = [f"{where}: missing field {key!r}" for key in RELATION_KEYS if key not in r]
    for key in RELATION_KEYS:
        if key in r and not isinstance(r[key], str):
            out.append(f"{where}: {key!r} must be a string")
    if isinstance(r.get("type"), str) and r["type"] not in RELATION_TYPES:
        out.append(f"{where}: unknown relation type {r['type']!r}; see `dlgraph types`")
    for end in ("source", "target"):
        if isinstance(r.get(end), str) and r[end] not in ids:
            out.append(f"{where}: {end} {r[end]!r} is not a concept id")
    if isinstance(r.get("source"), str) and r.get("source") == r.get("target"):
        out.append(f"{where}: self-loop (a concept cannot relate to itself)")
    if isinstance(r.get("origin"), str) and r["origin"] not in ORIGINS:
        out.append(f"{where}: origin must be one of {', '.join(ORIGINS)}")
    if isinstance(r.get("evidence"), str) and not r["evidence"].strip():
        out.append(f"{where}: 'evidence' is empty; quote the card or give a one-line rationale")
    return out


def problems(dataset: Dataset) -> tuple[list[str], list[str]]:
    """Every structural error and warning, as readable lines. Cheap: one pass over each file.

    Errors break the data model (missing fields, duplicate ids, unknown types, dangling or duplicate
    relations, self-loops). Warnings are legal but suspicious (orphans, names shared by two concepts).
    """
    from .names import normalize

    errors: list[str] = []
    warnings: list[str] = []
    if not isinstance(dataset.concepts, list):
        return [f"{CONCEPTS_FILE}: expected a JSON array of concepts"], []
    if not isinstance(dataset.relations, list):
        return [f"{RELATIONS_FILE}: expected a JSON array of relations"], []

    ids: set[str] = set()
    for i, c in enumerate(dataset.concepts):
        where = _where("concept", i, c)
        errors += _check_concept(c, where)
        if isinstance(c, dict) and isinstance(c.get("id"), str):
            if c["id"] in ids:
                errors.append(f"{where}: duplicate id {c['id']!r}")
            ids.add(c["id"])

    seen: set[tuple[str, str, str]] = set()
    linked: set[str] = set()
    for i, r in enumerate(dataset.relations):
        where = _where("relation", i, r)
        found = _check_relation(r, where, ids)
        errors += found
        if found:
            continue
        key = (r["source"], r["type"], r["target"])
        mirror = (r["target"], r["type"], r["source"])
        if key in seen or (RELATION_TYPES[r["type"]].symmetric and mirror in seen):
            errors.append(f"{where}: duplicate relation")
        seen.add(key)
        linked.update((r["source"], r["target"]))

    if errors:
        return errors, warnings

    owners: dict[str, set[str]] = {}
    for c in dataset.concepts:
        for label in [c["name"], *c["aliases"]]:
            owners.setdefault(normalize(label), set()).add(c["id"])
    for label, who in sorted(owners.items()):
        if len(who) > 1 and label:
            warnings.append(f"{CONCEPTS_FILE}: the name {label!r} belongs to {', '.join(sorted(who))}")
    for c in dataset.concepts:
        if c["id"] not in linked:
            warnings.append(f"{CONCEPTS_FILE}: concept {c['id']!r} has no relations (orphan)")
    return errors, warnings


def dumps_concepts(concepts: list[dict[str, Any]]) -> str:
    """The canonical text of ``concepts.json``: sorted by id, fixed key order, two-space indent."""
    ordered = [_ordered(c, CONCEPT_KEYS) for c in sorted(concepts, key=lambda c: c["id"])]
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"


def relation_sort_key(r: dict[str, Any]) -> tuple[str, str, str]:
    return (r["source"], r["type"], r["target"])


def dumps_relations(relations: list[dict[str, Any]]) -> str:
    """The canonical text of ``relations.json``: one relation a line, sorted by source, type, target."""
    lines = [
        "  " + json.dumps(_ordered(r, RELATION_KEYS), ensure_ascii=False)
        for r in sorted(relations, key=relation_sort_key)
    ]
    return "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"


def _ordered(item: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    out = {k: item[k] for k in keys if k in item}
    out.update((k, v) for k, v in item.items() if k not in out)
    return out


def save_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a crash leaves either the old file or the new one."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def save(dataset: Dataset, directory: str | os.PathLike[str]) -> None:
    """Write both files in canonical form, each atomically."""
    save_files(
        directory,
        {CONCEPTS_FILE: dumps_concepts(dataset.concepts), RELATIONS_FILE: dumps_relations(dataset.relations)},
    )


def save_files(directory: str | os.PathLike[str], texts: dict[str, str]) -> None:
    """Write several files of one folder: every temp file is complete and synced before the first
    rename, so a failure while writing leaves all the old files in place."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[str, Path]] = []
    try:
        for name, text in texts.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            temps.append((tmp, folder / name))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def load_rejected(directory: str | os.PathLike[str]) -> dict[str, list[Any]]:
    """The folder's rejected concept ids and relations (empty lists when there is no such file)."""
    path = Path(directory) / REJECTED_FILE
    if not path.exists():
        return {"concepts": [], "relations": []}
    data = read_json(path)
    ok = (
        isinstance(data, dict)
        and isinstance(data.get("concepts", []), list)
        and all(isinstance(c, str) for c in data.get("concepts", []))
        and isinstance(data.get("relations", []), list)
        and all(
            isinstance(r, dict) and all(isinstance(r.get(k), str) for k in ("source", "type", "target"))
            for r in data.get("relations", [])
        )
    )
    if not ok:
        raise InvalidData(
            f'{path}: expected {{"concepts": [ids], "relations": [{{"source", "type", "target"}}]}}'
        )
    return {"concepts": list(data.get("concepts", [])), "relations": list(data.get("relations", []))}


def dumps_rejected(rejected: dict[str, list[Any]]) -> str:
    """The canonical text of ``rejected.json``: sorted ids, one relation a line."""
    concepts = json.dumps(sorted(set(rejected.get("concepts", []))), ensure_ascii=False)
    relations = dumps_relations(rejected.get("relations", [])).rstrip("\n")
    relations = "\n  ".join(relations.split("\n"))
    return f'{{\n  "concepts": {concepts},\n  "relations": {relations}\n}}\n'
