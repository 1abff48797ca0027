"""Load, validate and atomically save a graph folder: ``concepts.json``, ``relations.json`` and the
files a build keeps beside them, one generation at a time (see :func:`save_files`).

This module only needs :mod:`json`, so shell completion can read concept names without importing
networkx. Checks that need a graph (cycles) live in :mod:`dlgraph.graph`.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InvalidData
from .vocabulary import KINDS, LINEAGE_TYPES, RELATION_TYPES

CONCEPTS_FILE = "concepts.json"
RELATIONS_FILE = "relations.json"
#: Optional: what ``dlgraph build`` must never (re)create: ``{"concepts": [id, ...], "relations":
#: [{"source", "type", "target"}, ...]}``. Users add to it by hand; a build adds what they deleted.
REJECTED_FILE = "rejected.json"
#: What the last build read and wrote (see :mod:`dlgraph.build`).
BUILD_FILE = "build.json"
#: The log of ``dlgraph review``'s decisions (see :mod:`dlgraph.review`): part of the graph, so that a
#: decision and the relations it changed are written, and undone, together.
DECISIONS_FILE = "decisions.json"
ENV_DATA_DIR = "DLGRAPH_DATA_DIR"
ENV_FIELD_DIR = "DLGRAPH_FIELD_DIR"

CONCEPT_KEYS = ("id", "name", "aliases", "topic", "kind", "definition", "card")
RELATION_KEYS = ("source", "type", "target", "evidence", "origin")
#: Optional relation field: the work that introduced the source, as ``Short title (First author, Year)``.
#: Required on the field graph's lineage relations.
REFERENCE_KEY = "reference"
#: Optional relation field on extracted relations: what in the card's text typed the relation (the cue
#: phrase, the definition's form, or that nothing did), shown by ``show --why``.
CUE_KEY = "cue"
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
    switched = _finish_switch(folder) if (folder / MANIFEST_FILE).exists() else {}
    raw_concepts = switched.get(CONCEPTS_FILE) or read_bytes(folder / CONCEPTS_FILE)
    raw_relations = switched.get(RELATIONS_FILE) or read_bytes(folder / RELATIONS_FILE)
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
            and (CUE_KEY not in r or (type(r[CUE_KEY]) is str and r[CUE_KEY].strip()))
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
    if CUE_KEY in r and not (isinstance(r[CUE_KEY], str) and r[CUE_KEY].strip()):
        out.append("'cue' must be a non-empty string: what in the card typed the relation")
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


#: ``json.dumps(..., ensure_ascii=False)`` made once: a graph has a line for each of up to
#: hundreds of thousands of relations, and ``json.dumps`` with an option builds an encoder per call.
encode_line = json.JSONEncoder(ensure_ascii=False).encode


class JsonLines:
    """``json.dumps(..., ensure_ascii=False)`` of many small records that share their strings (the
    relations of one card quote one sentence): each distinct string is encoded once.

    >>> lines = JsonLines()
    >>> lines.object({"a": "é", "b": [1, None]}) == encode_line({"a": "é", "b": [1, None]})
    True
    >>> lines.array(["x", 2.5, True]), lines.object({}), lines.array([])
    ('["x", 2.5, true]', '{}', '[]')
    """

    def __init__(self) -> None:
        self.memo: dict[str, str] = {}

    def value(self, value: Any) -> str:
        if type(value) is not str:
            return encode_line(value)
        text = self.memo.get(value)
        if text is None:
            text = self.memo[value] = encode_line(value)
        return text

    def object(self, item: dict[str, Any]) -> str:
        if not all(type(key) is str for key in item):
            return encode_line(item)  # json turns other keys into strings: leave that to json
        return "{" + ", ".join(f"{self.value(k)}: {self.value(v)}" for k, v in item.items()) + "}"

    def array(self, values: list[Any]) -> str:
        return "[" + ", ".join(self.value(v) for v in values) + "]"


def dumps_relations(relations: list[dict[str, Any]]) -> str:
    """The canonical text of ``relations.json``: one relation a line, sorted by source, type, target."""
    keys = (*RELATION_KEYS, REFERENCE_KEY, CUE_KEY)
    encoder = JsonLines()
    value = encoder.value
    heads = [(k, f"{encode_line(k)}: ") for k in keys]
    lines = []
    for r in sorted(relations, key=relation_sort_key):
        # The fields in canonical order, as _ordered puts them, without making that dict.
        parts = [head + value(r[k]) for k, head in heads if k in r]
        if len(parts) == len(r):
            lines.append("  {" + ", ".join(parts) + "}")
        else:  # fields beyond the canonical ones follow them
            lines.append("  " + encoder.object(_ordered(r, keys)))
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
    """Write some of a graph's files as one new generation: all of them change, or none does.

    ``texts`` maps names in :data:`GRAPH_FILES` to their new text; the others keep their bytes.
    Text that cannot be encoded fails before anything is written. The steps, and why a kill at any
    of them leaves the old graph or the new one, are described above :data:`GRAPH_FILES`.
    """
    folder = Path(directory)
    unknown = sorted(set(texts) - set(GRAPH_FILES))
    if unknown:
        raise ValueError(f"not a graph file: {', '.join(unknown)}")
    data: dict[str, bytes | None] = {name: text.encode("utf-8") for name, text in texts.items()}
    if not folder.is_dir():
        _step("mkdir")
        folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        _commit(folder, data, _recover(folder))


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


# --- generations: one build, one transaction ------------------------------------------------------
#
# A graph folder's files (:data:`GRAPH_FILES`) change all at once or not at all, after a kill or a
# power cut at any instant. The protocol, in the order of its steps:
#
# 1. Under an exclusive ``flock`` on the folder, finish or clean what an earlier writer left (below).
# 2. Copy every file of the folder's present state and of the new one into ``.dlgraph/``, named by
#    its sha256 (temp file, fsync, rename; then the folder is fsynced). Nothing visible has changed.
# 3. **The commit point**: ``graph.json``, the manifest, is replaced atomically (temp, fsync, rename,
#    fsync the folder). It names the new files' hashes (``files``), the present ones'
#    (``previous``, what ``dlgraph undo`` restores) and says ``"switching": true``.
# 4. Each data file that differs is replaced from its copy (temp, fsync, rename); folder fsynced.
# 5. The manifest is written again without ``switching``; only the previous generation's copies stay
#    (for undo: the data files hold the new one's bytes).
#
# A kill before step 3 leaves the old files and some temp files, which the next write removes. A kill
# after it leaves a manifest saying ``switching``: the next :func:`load` (any command) or write
# finishes steps 4-5 from the copies, so every reader sees the new generation whole. No step ever
# puts a half-written file in a data file's place.
#
# **Hand edits stay legal.** With no switch pending, a data file whose hash differs from
# ``files`` was changed after a complete generation: by hand, by git, by an editor. That is the
# user's right, never an error. Only a folder where one file is back at the ``previous``
# generation while another is still at the last one (a partial restore, or a write by something
# that does not follow this protocol) is *mixed*: :func:`mixed_files` reports it, ``dlgraph
# validate`` warns, and ``dlgraph build`` refuses to infer deletions from it and says how to recover.
# A folder written by an older dlgraph has no manifest; its leftover temp files are judged by
# :func:`legacy_leftovers`.

#: The files of one generation of a graph folder.
GRAPH_FILES = (CONCEPTS_FILE, RELATIONS_FILE, BUILD_FILE, REJECTED_FILE, DECISIONS_FILE)
#: The manifest of the folder's generation, written last (see above).
MANIFEST_FILE = "graph.json"
#: Content-addressed copies of the present and previous generation's files.
STORE_DIR = ".dlgraph"
#: Fault hook for tests: ``DLGRAPH_FAULT_AT=N`` ends the process abruptly (``os._exit``, no cleanup)
#: just before the Nth durable step (write, fsync, rename, unlink, mkdir) of a graph write.
ENV_FAULT = "DLGRAPH_FAULT_AT"
FAULT_EXIT = 75
#: The id of the graph shipped with dlgraph and of the bundled field graph (progress is kept per id).
BUNDLED_ID = "bundled"
FIELD_ID = "field"

_MANIFEST_ABOUT = "written by dlgraph after each build; see README, 'How your graph is kept safe'"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_OUR_TEMP = re.compile(r"^\..+\.new-[a-z0-9_]+\.tmp$")
#: What dlgraph before generations left when killed: ``.concepts.json.k3j_x9ab.tmp``.
_LEGACY_TEMP = re.compile(r"^\.(concepts|relations|build|rejected)\.json\.[a-z0-9_]{8}\.tmp$")
_steps = 0


def _step(what: str) -> None:
    """Count one durable step; the fault hook (:data:`ENV_FAULT`) stops the process at step N."""
    global _steps
    _steps += 1
    at = os.environ.get(ENV_FAULT, "")
    if at.isdigit() and int(at) == _steps:
        os._exit(FAULT_EXIT)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _temp(folder: Path, name: str, data: bytes, mode: int) -> Path:
    """A complete, synced temp file in ``folder``, ready to be renamed over ``name``."""
    _step(f"write {name}")
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.new-", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            _step(f"fsync {name}")
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _put(folder: Path, name: str, data: bytes) -> None:
    """Replace ``folder/name`` with ``data`` (the mode it had, else 0644), without syncing the folder."""
    path = folder / name
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        mode = 0o644
    tmp = _temp(folder, name, data, mode)
    try:
        _step(f"rename {name}")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _sync(folder: Path) -> None:
    _step(f"fsync {folder.name}/")
    _fsync_dir(folder)


def _remove(path: Path) -> None:
    _step(f"unlink {path.name}")
    path.unlink(missing_ok=True)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One writer at a time per graph folder (an advisory lock on the folder itself, no lock file)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; one writer at a time is then the user's business
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def read_manifest(directory: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The folder's ``graph.json``, or None for a folder written before generations (or by hand)."""
    path = Path(directory) / MANIFEST_FILE
    if not path.exists():
        return None
    data = read_json(path)

    def hashes(value: Any) -> bool:
        return isinstance(value, dict) and all(
            k in GRAPH_FILES and (v is None or isinstance(v, str)) for k, v in value.items()
        )

    if not (
        isinstance(data, dict)
        and isinstance(data.get("id"), str)
        and _ID.match(data["id"])
        and hashes(data.get("files"))
        and (data.get("previous") is None or hashes(data["previous"]))
    ):
        raise InvalidData(
            f"{path}: not a dlgraph generation manifest; move it aside (the graph files stay as they "
            "are; what `dlgraph undo` could restore is forgotten)"
        )
    return data


def _dumps_manifest(
    graph_id: str, files: dict[str, str | None], previous: dict[str, str | None] | None, switching: bool
) -> bytes:
    doc: dict[str, Any] = {"about": _MANIFEST_ABOUT, "id": graph_id}
    if switching:
        doc["switching"] = True
    doc["files"] = {name: files.get(name) for name in GRAPH_FILES}
    doc["previous"] = None if previous is None else {name: previous.get(name) for name in GRAPH_FILES}
    return (json.dumps(doc, indent=1) + "\n").encode("utf-8")


def _on_disk(folder: Path) -> dict[str, bytes | None]:
    return {name: (folder / name).read_bytes() if (folder / name).is_file() else None for name in GRAPH_FILES}


def _copy(folder: Path, digest: str) -> bytes:
    """The stored copy named ``digest``, checked against it."""
    path = folder / STORE_DIR / digest
    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    if _sha(data) != digest:
        raise InvalidData(
            f"{path}: the stored copy of a generation is missing or damaged, so it cannot be restored; "
            f"move {folder / MANIFEST_FILE} aside to use the files as they are"
        )
    return data


def _switch(folder: Path, target: dict[str, bytes | None]) -> None:
    """Make each data file hold ``target``'s bytes (None: no such file); the folder is synced after."""
    for name in GRAPH_FILES:
        path = folder / name
        have = path.read_bytes() if path.is_file() else None
        if have == target[name]:
            continue
        data = target[name]
        if data is None:
            _remove(path)
        else:
            _put(folder, name, data)
    _sync(folder)


def _new_id() -> str:
    import uuid

    return uuid.uuid4().hex


def _commit(folder: Path, changes: dict[str, bytes | None], manifest: dict[str, Any] | None) -> None:
    """Steps 2-5 of the protocol (the lock held, step 1 done: ``manifest`` is what it left)."""
    before = _on_disk(folder)
    after = {name: changes[name] if name in changes else before[name] for name in GRAPH_FILES}
    files = {name: None if data is None else _sha(data) for name, data in after.items()}
    if after == before:
        if manifest is None:  # nothing to change: record the generation, keep no history
            _put(folder, MANIFEST_FILE, _dumps_manifest(_new_id(), files, files, False))
            _sync(folder)
        return
    previous = {name: None if data is None else _sha(data) for name, data in before.items()}
    graph_id = manifest["id"] if manifest else _new_id()
    store = folder / STORE_DIR
    if not store.is_dir():
        _step("mkdir")
        store.mkdir(exist_ok=True)
    for data in {d for d in [*before.values(), *after.values()] if d is not None}:
        path = store / _sha(data)
        if not (path.is_file() and path.stat().st_size == len(data)):
            _put(store, path.name, data)
    _sync(store)
    _put(folder, MANIFEST_FILE, _dumps_manifest(graph_id, files, previous, True))
    _sync(folder)  # the commit point: from here on, the new generation is the folder's
    _switch(folder, after)
    _put(folder, MANIFEST_FILE, _dumps_manifest(graph_id, files, previous, False))
    _sync(folder)
    _clean(folder, set(previous.values()))


def _recover(folder: Path) -> dict[str, Any] | None:
    """Step 1: finish a switch a killed writer began, remove what it left; the manifest after."""
    manifest = read_manifest(folder)
    if manifest is not None and manifest.get("switching"):
        target = {name: None if d is None else _copy(folder, d) for name, d in manifest["files"].items()}
        _switch(folder, {name: target.get(name) for name in GRAPH_FILES})
        _put(
            folder,
            MANIFEST_FILE,
            _dumps_manifest(manifest["id"], manifest["files"], manifest["previous"], False),
        )
        _sync(folder)
        manifest = read_manifest(folder)
    _clean(folder, _kept(manifest))
    return manifest


def _kept(manifest: dict[str, Any] | None) -> set[str | None]:
    """The copies a finished generation keeps: those of the previous one, for undo (the data files
    themselves hold the present one's bytes)."""
    return set(((manifest or {}).get("previous") or {}).values())


def _clean(folder: Path, keep: set[str | None]) -> None:
    """Remove our temp files, copies no generation names, and an old dlgraph's harmless leftovers."""
    names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    stale = [folder / n for n in names if _OUR_TEMP.match(n)]
    leftovers = legacy_leftovers(folder)
    if leftovers and f".{CONCEPTS_FILE}." in " ".join(leftovers):
        stale += [folder / n for n in leftovers]  # killed before its first rename: the set is whole
    store = folder / STORE_DIR
    if store.is_dir():
        stale += [p for p in store.iterdir() if p.name.endswith(".tmp") or p.name not in keep]
    for path in stale:
        _remove(path)
    if store.is_dir() and not any(store.iterdir()):
        _step("rmdir")
        store.rmdir()  # a graph with nothing to undo keeps no copies folder
        stale.append(store)
    if stale:
        _sync(folder)


def legacy_leftovers(directory: str | os.PathLike[str]) -> list[str]:
    """Temp files an older dlgraph (one file renamed after another) left when it was killed.

    It wrote every temp file before its first rename, ``concepts.json`` first: a leftover concepts
    temp means no file was replaced yet (harmless; removed on the next write); leftovers without one
    are the new versions of files it had not replaced yet, so the folder may be a mixed set.
    """
    folder = Path(directory)
    if not folder.is_dir() or (folder / MANIFEST_FILE).exists():
        return []
    return sorted(p.name for p in folder.iterdir() if _LEGACY_TEMP.match(p.name))


def _finish_switch(folder: Path) -> dict[str, bytes]:
    """For :func:`load`: finish a pending switch if the folder can be written (as SQLite rolls a hot
    journal on open); if not, the new generation's bytes from the copies, so the reader sees it whole."""
    manifest = read_manifest(folder)
    if manifest is None or not manifest.get("switching"):
        return {}
    try:
        with _locked(folder):
            _recover(folder)
        return {}
    except OSError:
        return {name: _copy(folder, d) for name, d in manifest["files"].items() if d is not None}


def mixed_files(directory: str | os.PathLike[str]) -> tuple[list[str], list[str]] | None:
    """``(files at the last generation, files back at the one before)`` when a folder holds both, else None.

    A file that matches neither was edited, which is fine; a deleted file counts as edited.
    """
    folder = Path(directory)
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("switching") or not manifest.get("previous"):
        return None
    last, before = [], []
    for name in GRAPH_FILES:
        now, previous = manifest["files"].get(name), manifest["previous"].get(name)
        path = folder / name
        if now == previous or not path.is_file():
            continue
        have = _sha(path.read_bytes())
        if have == now:
            last.append(name)
        elif have == previous:
            before.append(name)
    return (last, before) if last and before else None


def check_whole(directory: str | os.PathLike[str]) -> None:
    """Raise :class:`InvalidData`, saying how to recover, when the folder's files may not belong
    together (:func:`mixed_files`, or an older dlgraph's unfinished write): never infer from such a set."""
    folder = Path(directory)
    leftovers = legacy_leftovers(folder)
    if leftovers and f".{CONCEPTS_FILE}." not in " ".join(leftovers):
        names = ", ".join(leftovers)
        raise InvalidData(
            f"{folder}: an earlier dlgraph was stopped while replacing its files, one after another: {names} "
            "hold the new versions of files it had not replaced yet, so the files may not belong together "
            "and nothing is inferred from them. To finish that write, rename each over its file (e.g. "
            f"mv {folder / leftovers[0]} {folder / leftovers[0][1:].rsplit('.', 2)[0]}); or delete them and "
            f"{BUILD_FILE}, then build again naming the deck"
        )
    mixed = mixed_files(folder)
    if mixed:
        last, before = mixed
        raise InvalidData(
            f"{folder}: {', '.join(last)} {'is' if len(last) == 1 else 'are'} from the last build but "
            f"{', '.join(before)} {'is' if len(before) == 1 else 'are'} back at the one before, so the files "
            "may not belong together and nothing is inferred from them. `dlgraph undo --data-dir "
            f"{folder}` restores the earlier build whole; to keep the files as they are (the next "
            f"build then takes every difference from {BUILD_FILE} as your edit), move "
            f"{folder / MANIFEST_FILE} aside"
        )


def graph_id(directory: str | os.PathLike[str]) -> str:
    """The id a graph folder is known by, wherever it moves (progress is kept per id).

    Recorded in ``graph.json`` by the first build; the bundled graph ships its own (:data:`BUNDLED_ID`);
    the bundled field graph is :data:`FIELD_ID`; a folder no build wrote is known by its path.
    """
    folder = Path(directory)
    manifest = read_manifest(folder)
    if manifest is not None:
        return manifest["id"]
    resolved = folder.resolve()
    if resolved == (bundled_data_dir() / FIELD_DIR).resolve():
        return FIELD_ID
    return "path-" + _sha(str(resolved).encode("utf-8", "surrogateescape"))[:16]


def undo(directory: str | os.PathLike[str]) -> dict[str, str]:
    """Put back, byte for byte, the files the folder held before its last build; undo again to redo.

    Returns what happened to each file (``restored``, ``removed``, ``unchanged``). Raises
    :class:`~dlgraph.errors.DlgraphError` when there is nothing to go back to, or the folder cannot
    be written (it is then left as it was).
    """
    from .errors import DlgraphError

    folder = Path(directory)
    if not folder.is_dir():
        raise InvalidData(f"{folder}: no such folder")
    try:
        with _locked(folder):
            manifest = _recover(folder)
            previous = (manifest or {}).get("previous")
            if not previous or previous == manifest["files"]:
                raise DlgraphError(f"{folder}: no earlier generation is kept, so there is nothing to undo")
            if all(d is None for d in previous.values()):
                raise DlgraphError(
                    f"{folder}: its last build made the graph from an empty folder; there is nothing to go "
                    "back to (delete the folder to remove the graph)"
                )
            target = {
                name: None if previous.get(name) is None else _copy(folder, previous[name])
                for name in GRAPH_FILES
            }
            before = _on_disk(folder)
            _commit(folder, target, manifest)
    except OSError as exc:
        raise DlgraphError(
            f"{folder}: cannot write the graph ({exc.strerror or exc}); it is left as it was"
        ) from None
    return {
        name: "unchanged"
        if before[name] == target[name]
        else "removed"
        if target[name] is None
        else "restored"
        for name in GRAPH_FILES
        if before[name] is not None or target[name] is not None
    }
