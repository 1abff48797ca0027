"""Load, validate and atomically save the two data files, ``concepts.json`` and ``relations.json``.

This module only needs :mod:`json`, so shell completion can read concept names without importing
networkx. Checks that need a graph (cycles) live in :mod:`dlgraph.graph`.
"""

from __future__ import annotations

import gc
import json
import math
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InvalidData
from .vocabulary import KINDS, LINEAGE_TYPES, RELATION_TYPES

CONCEPTS_FILE = "concepts.json"
RELATIONS_FILE = "relations.json"
#: Optional: what ``dlgraph build`` must never (re)create: ``{"concepts": [id, ...], "relations":
#: [{"source", "type", "target"}, ...]}``. Users add to it by hand; a build adds what they deleted.
REJECTED_FILE = "rejected.json"
ENV_DATA_DIR = "DLGRAPH_DATA_DIR"
ENV_FIELD_DIR = "DLGRAPH_FIELD_DIR"

CONCEPT_KEYS = ("id", "name", "aliases", "topic", "kind", "definition", "card")
RELATION_KEYS = ("source", "type", "target", "evidence", "origin")
#: Optional relation field: the work that introduced the source, as ``Short title (First author, Year)``.
#: Required on the field graph's lineage relations.
REFERENCE_KEY = "reference"
ORIGINS = ("curated", "extracted", "field")
FIELD_DIR = "field"

#: Data files at least this large together (about 1,000 concepts) make a large graph: it goes
#: through :mod:`dlgraph.cache` (a smaller one is checked faster than it could be hashed), and what
#: loading builds is frozen out of the garbage collector's sight (see :class:`paused_gc`).
LARGE_BYTES = 1_000_000

if TYPE_CHECKING:
    from .cache import Entry

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REFERENCE = re.compile(r"^\S.* \([^(),]+, (1[89]|20)\d\d\)$")


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
        #: The content hash of the two files when they go through :mod:`dlgraph.cache`, and the cache
        #: entry when one was found: the graph then passed every check before and needs none now.
        self.cache_key: str | None = None
        self.cache_entry: Entry | None = None
        #: Whether the files were at least :data:`LARGE_BYTES`: set by :func:`load`.
        self.large = False

    def concept_by_id(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self.concepts}


def bundled_data_dir() -> Path:
    """The graph shipped with dlgraph: inside the installed package, or ``data/`` in a source checkout."""
    packaged = Path(__file__).resolve().parent / "data"
    if (packaged / CONCEPTS_FILE).is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"


def field_data_dir() -> Path:
    """The field graph: ``$DLGRAPH_FIELD_DIR`` if set (a field of your own), else the one shipped
    with dlgraph, deep learning's concepts and referenced relations."""
    from_env = os.environ.get(ENV_FIELD_DIR)
    return Path(from_env) if from_env else bundled_data_dir() / FIELD_DIR


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


class paused_gc:
    """Pause cyclic garbage collection while building many objects that all stay alive.

    Loading a large graph allocates millions of dicts and lists; each collection would walk all of
    them and free none, so pausing makes loading a few times faster. Collection resumes (if it was
    on) when the block ends. With ``freeze``, everything alive is then moved out of the collector's
    sight for good (:func:`gc.freeze`), so that the first collections after loading do not walk it
    all again either: dlgraph freezes only for a large graph, whose data lives as long as a command.
    A program that loads and drops many large graphs can call :func:`gc.unfreeze` now and then.
    """

    def __init__(self, freeze: bool = False):
        self.freeze = freeze

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info: object) -> None:
        if self.freeze:
            gc.freeze()
        if self.was_enabled:
            gc.enable()


def read_json(path: Path) -> Any:
    """Parse one JSON file; any failure becomes :class:`InvalidData` naming the file and position."""
    return parse_json(path, read_bytes(path))


def read_bytes(path: Path) -> bytes:
    """The bytes of a data file; a missing, unreadable or irregular (a pipe, a device) file, or one
    larger than :data:`~dlgraph.files.MAX_DATA_BYTES`, becomes :class:`InvalidData`."""
    from .files import MAX_DATA_BYTES, read_bounded

    try:
        return read_bounded(
            path,
            MAX_DATA_BYTES,
            what="data file",
            instead="copy the graph to a folder of regular files and point --data-dir at it",
            larger="check that this is a dlgraph graph",
        )
    except FileNotFoundError:
        raise InvalidData(
            f"{path}: file not found; run `dlgraph build` or point --data-dir at a graph folder"
        ) from None
    except IsADirectoryError:
        raise InvalidData(f"{path}: is a folder, expected a JSON file") from None
    except OSError as exc:
        raise InvalidData(f"{path}: cannot read: {exc.strerror or exc}") from None


def parse_json(path: Path, raw: bytes) -> Any:
    """Parse the bytes of ``path``; any failure becomes :class:`InvalidData` naming the file and position."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidData(f"{path}: not UTF-8 (bad byte at offset {exc.start}); save it as UTF-8") from None
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise InvalidData(
            f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise InvalidData(f"{path}: JSON nested too deeply") from None
    except _NotStrict as exc:
        line, column = _position(text, _NUMBER, _not_finite)
        raise InvalidData(
            f"{path}: invalid JSON at line {line}, column {column}: {exc} is not a finite number; "
            "write a number or null"
        ) from None
    except ValueError as exc:  # Python's cap on the digits of an integer (sys.set_int_max_str_digits)
        if "digits" not in str(exc):
            raise
        limit = sys.get_int_max_str_digits()
        line, column = _position(text, _NUMBER, lambda number: len(number.lstrip("-")) > limit)
        raise InvalidData(
            f"{path}: invalid JSON at line {line}, column {column}: a number of more than {limit:,} "
            "digits; no dlgraph field holds one, so remove it"
        ) from None
    if ("\\ud" in text or "\\uD" in text) and _LONE_SURROGATE.search(text):
        # An escaped half of a UTF-16 pair: valid JSON but not text, so it would fail only when printed.
        line, column = _position(text, _LONE_SURROGATE)
        raise InvalidData(
            f"{path}: line {line}, column {column}: an escaped lone surrogate (half of a UTF-16 pair) is "
            "not text; remove it, or write the character itself"
        )
    return data


class _NotStrict(ValueError):
    """A value only Python's JSON reads: NaN, Infinity, or a float too large to be finite."""


def _no_constant(name: str) -> Any:
    raise _NotStrict(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _NotStrict(text if len(text) <= 20 else text[:20] + "...")
    return value


def _not_finite(token: str) -> bool:
    return token in ("NaN", "Infinity", "-Infinity") or math.isinf(float(token))


# A string is matched whole first, so that text inside one is never taken for a number.
_STRING = r'"(?:[^"\\]|\\.)*"'
_NUMBER = re.compile(_STRING + r"|(-?Infinity|NaN|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)")
# \uD800-\uDBFF not followed by \uDC00-\uDFFF, or the latter not preceded by the former; never
# after an odd number of backslashes (that backslash is itself escaped).
_LONE_SURROGATE = re.compile(
    r"(?<!\\)(?:\\\\)*"
    r"((?:\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F]))"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2})"
)


def _position(text: str, pattern: re.Pattern[str], wanted: Any = None) -> tuple[int, int]:
    """The 1-based line and column of the first match of ``pattern``'s group 1 (that ``wanted``
    accepts, if given); strings are skipped by the patterns that match them whole."""
    for match in pattern.finditer(text):
        token = match.group(1)
        if token is None or (wanted is not None and not wanted(token)):
            continue
        at = match.start(1)
        return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
    return 1, 1


def load(directory: str | os.PathLike[str] | None = None, *, check: bool = True) -> Dataset:
    """Read a graph folder. With ``check`` every structural rule is enforced (see :func:`problems`)."""
    folder = resolve_data_dir(directory)
    if folder.exists() and not folder.is_dir():
        raise InvalidData(f"{folder}: is a file, expected a folder holding {CONCEPTS_FILE}")
    if not folder.exists():
        raise InvalidData(f"{folder}: no such folder; run `dlgraph build --out {folder}` to make a graph")
    raw_concepts = read_bytes(folder / CONCEPTS_FILE)
    raw_relations = read_bytes(folder / RELATIONS_FILE)
    content_key = entry = None
    large = len(raw_concepts) + len(raw_relations) >= LARGE_BYTES
    if check and large:
        from . import cache

        if cache.enabled():
            content_key = cache.key(raw_concepts, raw_relations)
            entry = cache.read(folder, content_key)
    with paused_gc(freeze=large):
        concepts = parse_json(folder / CONCEPTS_FILE, raw_concepts)
        del raw_concepts  # a large graph's bytes are worth freeing before the next file is parsed
        relations = parse_json(folder / RELATIONS_FILE, raw_relations)
        del raw_relations
    dataset = Dataset(concepts, relations, folder)
    dataset.cache_key, dataset.cache_entry, dataset.large = content_key, entry, large
    if entry is not None:
        # These very bytes passed every check when the entry was written (see dlgraph.cache).
        dataset.warnings = list(entry.warnings)
    elif check:
        errors, warnings = problems(dataset)
        if errors:
            raise InvalidData(
                f"{folder}: the graph is not valid ({len(errors)} problem{'' if len(errors) == 1 else 's'})",
                errors,
            )
        dataset.warnings = warnings
    return dataset


def _where(kind: str, index: int, item: Any) -> str:
    if kind == "concept":
        label = item.get("id") if isinstance(item, dict) else None
        return f"{CONCEPTS_FILE}: concept #{index + 1}" + (f" ({label})" if isinstance(label, str) else "")
    if isinstance(item, dict) and all(isinstance(item.get(k), str) for k in ("source", "type", "target")):
        return f"{RELATIONS_FILE}: relation #{index + 1} ({item['source']} {item['type']} {item['target']})"
    return f"{RELATIONS_FILE}: relation #{index + 1}"


def _concept_ok(c: Any) -> bool:
    """A fast yes for a concept :func:`_concept_faults` finds nothing wrong with (no means: look)."""
    if type(c) is not dict:
        return False
    try:
        cid, name, topic, definition, aliases, card = (
            c["id"],
            c["name"],
            c["topic"],
            c["definition"],
            c["aliases"],
            c["card"],
        )
        return bool(
            type(cid) is str
            and type(name) is str
            and type(topic) is str
            and type(definition) is str
            and (card is None or type(card) is str)
            and type(aliases) is list
            and c["kind"] in KINDS
            and name.strip()
            and _SLUG.match(cid)
            and _SLUG.match(topic)
            and all(type(a) is str and a.strip() for a in aliases)
        )
    except (KeyError, TypeError):
        return False


def _concept_faults(c: Any) -> list[str]:
    """What is wrong with one concept, without its location (only a faulty item pays for that)."""
    if not isinstance(c, dict):
        return [f"expected an object, got {type(c).__name__}"]
    out = [f"missing field {key!r}" for key in CONCEPT_KEYS if key not in c]
    for key in ("id", "name", "topic", "kind", "definition"):
        if key in c and not isinstance(c[key], str):
            out.append(f"{key!r} must be a string")
    if isinstance(c.get("id"), str) and not _SLUG.match(c["id"]):
        out.append(f"id {c['id']!r} is not a slug (lowercase letters, digits and single dashes)")
    if isinstance(c.get("name"), str) and not c["name"].strip():
        out.append("'name' is empty")
    if isinstance(c.get("topic"), str) and not _SLUG.match(c["topic"]):
        out.append(f"topic {c['topic']!r} is not a slug")
    if isinstance(c.get("kind"), str) and c["kind"] not in KINDS:
        out.append(f"unknown kind {c['kind']!r}; known kinds: {', '.join(KINDS)}")
    if "aliases" in c and not (
        isinstance(c["aliases"], list) and all(isinstance(a, str) and a.strip() for a in c["aliases"])
    ):
        out.append("'aliases' must be a list of non-empty strings")
    if "card" in c and c["card"] is not None and not isinstance(c["card"], str):
        out.append("'card' must be a string or null")
    return out


def _relation_ok(r: Any, ids: set[str]) -> bool:
    """A fast yes for a relation :func:`_relation_faults` finds nothing wrong with (no means: look).

    Membership in ``ids``, the vocabulary and :data:`ORIGINS` implies a string, as JSON values
    equal to a string are strings; an unhashable value raises TypeError and gets the slow look.
    """
    if type(r) is not dict:
        return False
    try:
        source, target, evidence = r["source"], r["target"], r["evidence"]
        return bool(
            source in ids
            and target in ids
            and source != target
            and r["type"] in RELATION_TYPES
            and r["origin"] in ORIGINS
            and type(evidence) is str
            and evidence.strip()
            and (REFERENCE_KEY not in r or _REFERENCE.match(r[REFERENCE_KEY]))
            and (r["origin"] != "field" or r["type"] not in LINEAGE_TYPES or REFERENCE_KEY in r)
        )
    except (KeyError, TypeError):
        return False


def _relation_faults(r: Any, ids: set[str]) -> list[str]:
    """What is wrong with one relation, without its location."""
    if not isinstance(r, dict):
        return [f"expected an object, got {type(r).__name__}"]
    out = [f"missing field {key!r}" for key in RELATION_KEYS if key not in r]
    for key in RELATION_KEYS:
        if key in r and not isinstance(r[key], str):
            out.append(f"{key!r} must be a string")
    if isinstance(r.get("type"), str) and r["type"] not in RELATION_TYPES:
        out.append(f"unknown relation type {r['type']!r}; see `dlgraph types`")
    for end in ("source", "target"):
        if isinstance(r.get(end), str) and r[end] not in ids:
            out.append(f"{end} {r[end]!r} is not a concept id")
    if isinstance(r.get("source"), str) and r.get("source") == r.get("target"):
        out.append("self-loop (a concept cannot relate to itself)")
    if isinstance(r.get("origin"), str) and r["origin"] not in ORIGINS:
        out.append(f"origin must be one of {', '.join(ORIGINS)}")
    if isinstance(r.get("evidence"), str) and not r["evidence"].strip():
        out.append("'evidence' is empty; quote the card or give a one-line rationale")
    if REFERENCE_KEY in r and not (isinstance(r[REFERENCE_KEY], str) and _REFERENCE.match(r[REFERENCE_KEY])):
        out.append("'reference' must read 'Short title (First author, Year)'")
    elif REFERENCE_KEY not in r and r.get("origin") == "field" and r.get("type") in LINEAGE_TYPES:
        out.append("a field lineage relation needs a 'reference': the work that introduced the source")
    return out


def problems(dataset: Dataset) -> tuple[list[str], list[str]]:
    """Every structural error and warning, as readable lines. Cheap: one pass over each file.

    Errors break the data model (missing fields, duplicate ids, unknown types, dangling or duplicate
    relations, self-loops). Warnings are legal but suspicious (orphans, names shared by two concepts).
    """
    from .names import lookalikes, normalize

    errors: list[str] = []
    warnings: list[str] = []
    if not isinstance(dataset.concepts, list):
        return [f"{CONCEPTS_FILE}: expected a JSON array of concepts"], []
    if not isinstance(dataset.relations, list):
        return [f"{RELATIONS_FILE}: expected a JSON array of relations"], []

    ids: set[str] = set()
    for i, c in enumerate(dataset.concepts):
        found = [] if _concept_ok(c) else _concept_faults(c)
        if found:
            errors += [f"{_where('concept', i, c)}: {fault}" for fault in found]
        if isinstance(c, dict) and isinstance(c.get("id"), str):
            if c["id"] in ids:
                errors.append(f"{_where('concept', i, c)}: duplicate id {c['id']!r}")
            ids.add(c["id"])

    seen: set[tuple[str, str, str]] = set()
    linked: set[str] = set()
    for i, r in enumerate(dataset.relations):
        found = [] if _relation_ok(r, ids) else _relation_faults(r, ids)
        if found:
            errors += [f"{_where('relation', i, r)}: {fault}" for fault in found]
            continue
        source, kind, target = r["source"], r["type"], r["target"]
        key = (source, kind, target)
        if key in seen or (RELATION_TYPES[kind].symmetric and (target, kind, source) in seen):
            errors.append(f"{_where('relation', i, r)}: duplicate relation")
        seen.add(key)
        linked.add(source)
        linked.add(target)

    if errors:
        return errors, warnings

    owners: dict[str, set[str]] = {}
    for c in dataset.concepts:
        for label in [c["name"], *c["aliases"]]:
            owners.setdefault(normalize(label), set()).add(c["id"])
    for label, who in sorted(owners.items()):
        if len(who) > 1 and label:
            warnings.append(f"{CONCEPTS_FILE}: the name {label!r} belongs to {', '.join(sorted(who))}")
    warnings += [f"{CONCEPTS_FILE}: {warning}" for warning in lookalikes(dataset.concepts)]
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
        "  " + json.dumps(_ordered(r, (*RELATION_KEYS, REFERENCE_KEY)), ensure_ascii=False)
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
    tmp = _write_temp(path.parent, path.name, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _write_temp(folder: Path, name: str, text: str) -> Path:
    """A complete, synced temp file beside ``folder/name``, ready to be renamed over it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        # mkstemp makes the file private (0600); a data file keeps the mode it had, or gets the usual 0644.
        try:
            mode = (folder / name).stat().st_mode & 0o777
        except OSError:
            mode = 0o644
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


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
    temps: list[tuple[Path, Path]] = []
    try:
        for name, text in texts.items():
            temps.append((_write_temp(folder, name, text), folder / name))
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
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
