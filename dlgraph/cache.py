"""A cache of validated, indexed graphs: a query on a large graph skips re-checking and re-indexing it.

An entry holds what a load computes beyond parsing the two JSON files: the validation warnings, the
name index and the lineage and prerequisite views. It is keyed by a hash of the bytes of both data
files and of the code that validates and indexes them, so editing either file (or dlgraph) makes it
stale. :func:`dlgraph.graph.load_graph` writes it only after the graph passed every check
(structure and cycles), atomically. Reading is defensive: each section carries a digest, and a
missing, truncated, corrupt, foreign or stale entry or section is ignored and rebuilt from the data.
The cache makes loading faster; it can never make an invalid graph look valid.

Sections are pickles whose relation dicts are stored as indexes into the relations list, so a
loaded view shares them with the dataset. Unpickling only admits networkx's graph classes and
dlgraph's :class:`~dlgraph.names.Resolver`: a planted entry cannot run code.

Small graphs skip the cache (see :data:`dlgraph.store.LARGE_BYTES`): checking them is faster
than hashing, and importing this module is not free either. One
entry per data folder is kept, for the :data:`KEEP` folders used last. ``DLGRAPH_CACHE_DIR`` moves
it (default ``$XDG_CACHE_HOME/dlgraph``, else ``~/.cache/dlgraph``); ``DLGRAPH_CACHE=off`` turns it
off.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import __version__

ENV_DIR = "DLGRAPH_CACHE_DIR"
ENV_SWITCH = "DLGRAPH_CACHE"

#: Bump when the layout of an entry changes; older entries are then ignored.
FORMAT = 2
#: How many data folders keep an entry; the least recently written ones are removed beyond this.
KEEP = 16

# The modules whose rules decide what is valid and how it is indexed: a change to any of them must
# invalidate every entry, even without a version bump (as happens during development).
_CODE = ("cache.py", "store.py", "graph.py", "names.py", "vocabulary.py")
_SUFFIX = ".graph"
_MAGIC = f"dlgraph-cache {FORMAT}"


def enabled() -> bool:
    """Whether the cache is on (``DLGRAPH_CACHE=off`` turns it off)."""
    return os.environ.get(ENV_SWITCH, "").strip().lower() not in ("off", "0", "no", "false")


def directory() -> Path:
    """Where entries live: ``$DLGRAPH_CACHE_DIR``, ``$XDG_CACHE_HOME/dlgraph`` or ``~/.cache/dlgraph``."""
    explicit = os.environ.get(ENV_DIR)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "dlgraph"


def key(*blobs: bytes) -> str:
    """A hex digest of the data files' bytes, the cache format, Python, and dlgraph's version and code."""
    digest = hashlib.sha256(f"dlgraph {__version__} {_MAGIC} python {sys.version}".encode())
    here = Path(__file__).parent
    for name in _CODE:
        try:
            digest.update((here / name).read_bytes())
        except OSError:  # no sources (a frozen install): the version alone has to do
            digest.update(name.encode())
    for blob in blobs:
        digest.update(len(blob).to_bytes(8, "little"))  # so that two files cannot run together
        digest.update(blob)
    return digest.hexdigest()


def entry_path(folder: Path) -> Path:
    """The entry of one data folder (named by a hash of its absolute path)."""
    return directory() / (hashlib.sha256(str(Path(folder).absolute()).encode()).hexdigest()[:32] + _SUFFIX)


class Entry:
    """An entry written for exactly the current data files: its warnings, and sections on demand.

    The layout is a header line ``dlgraph-cache FORMAT KEY``, a line of ``name:offset:length:sha256``
    for each section, then the sections' bytes.
    """

    def __init__(self, path: Path, content_key: str, sections: dict[str, tuple[int, int, str]]):
        self.path = path
        self.key = content_key
        self.sections = sections
        self.warnings: list[str] = []

    def load(self, name: str, relations: list[dict[str, Any]]) -> Any | None:
        """Section ``name`` with its relation references resolved in ``relations``; None on any doubt."""
        if name not in self.sections:
            return None
        offset, length, digest = self.sections[name]
        try:
            with open(self.path, "rb") as handle:
                if handle.readline(200).decode("ascii", "replace").split() != [*_MAGIC.split(), self.key]:
                    return None  # replaced since it was opened
                handle.seek(offset)
                body = handle.read(length)
            if len(body) != length or hashlib.sha256(body).hexdigest() != digest:
                return None
            return _Unpickler(io.BytesIO(body), relations).load()
        except (OSError, EOFError, ValueError, TypeError, IndexError, AttributeError, pickle.UnpicklingError):
            return None


def read(folder: Path, content_key: str) -> Entry | None:
    """The entry of ``folder`` if it was written for exactly ``content_key``, with its warnings loaded."""
    path = entry_path(folder)
    try:
        with open(path, "rb") as handle:
            header = handle.readline(200).decode("ascii").split()
            table = handle.readline(4000).decode("ascii").split()
            start = handle.tell()
        if header != [*_MAGIC.split(), content_key]:
            return None  # stale: another version of the data, of dlgraph or of the format
        sections = {}
        for item in table:
            name, offset, length, digest = item.split(":")
            sections[name] = (start + int(offset), int(length), digest)
    except (OSError, ValueError):
        return None
    entry = Entry(path, content_key, sections)
    warnings = entry.load("warnings", [])
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        return None
    entry.warnings = warnings
    return entry


def write(folder: Path, content_key: str, sections: dict[str, Any], relations: list[dict[str, Any]]) -> bool:
    """Store an entry for ``folder``; only call this for a graph that passed every check.

    ``sections`` must include ``"warnings"``; the other values may reference the dicts of
    ``relations``, which are stored as their indexes. Never raises: an unwritable cache folder only
    means the next load checks again. Returns whether the entry was written.
    """
    target = entry_path(folder)
    tmp = None
    try:
        index = {id(r): i for i, r in enumerate(relations)}
        bodies = {name: _dumps(value, index) for name, value in sections.items()}
        table, offset = [], 0
        for name, body in bodies.items():
            table.append(f"{name}:{offset}:{len(body)}:{hashlib.sha256(body).hexdigest()}")
            offset += len(body)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".entry.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(f"{_MAGIC} {content_key}\n{' '.join(table)}\n".encode("ascii"))
            for body in bodies.values():
                handle.write(body)
        os.replace(tmp, target)
        tmp = None
        _prune(target.parent)
    except (OSError, ValueError, TypeError, AttributeError, RecursionError):
        return False
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return True


def _dumps(value: Any, index: dict[int, int]) -> bytes:
    """Pickle ``value``, writing each relation dict (``id`` in ``index``) as its position."""

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj: Any) -> int | None:
            # Relation dicts are stored by position: the loaded view then shares the dataset's dicts.
            return index.get(id(obj)) if type(obj) is dict else None

    out = io.BytesIO()
    Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return out.getvalue()


def _allowed(module: str, name: str) -> bool:
    return module.startswith("networkx.classes.") or (module, name) == ("dlgraph.names", "Resolver")


class _Unpickler(pickle.Unpickler):
    """Resolves relation references in the dataset, and admits only graph and resolver classes."""

    def __init__(self, file: Any, relations: list[dict[str, Any]]):
        super().__init__(file)
        # A C-level callable: a view holds hundreds of thousands of references, and a Python method
        # per reference would cost a third of the load. A bad reference raises, and the section is
        # then ignored.
        self.persistent_load = relations.__getitem__

    def find_class(self, module: str, name: str) -> Any:
        if not _allowed(module, name):
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a dlgraph cache")
        return super().find_class(module, name)


def _prune(folder: Path) -> None:
    """Remove all but the :data:`KEEP` most recently written entries."""
    entries = []
    for path in folder.glob("*" + _SUFFIX):
        try:
            entries.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    for _, path in sorted(entries, reverse=True)[KEEP:]:
        path.unlink(missing_ok=True)
