"""The study progress store: one SQLite file of FSRS cards and a review log, one row per concept.

A concept is **known** once it has been reviewed at least once, whatever the rating: the learner has
met it, and that is what "what can I learn next" needs. How well it is remembered is FSRS's business
(see :func:`mastery`).

Safety: the file is in WAL mode and every rating is one ``BEGIN IMMEDIATE`` transaction that reads the
card, schedules it and writes it back, so a killed process loses at most the rating in flight and two
sessions on one file queue for the write lock instead of overwriting each other's reviews.

Progress belongs to a graph: by default each graph has its own file,
``progress/<graph id>.sqlite3`` in the user data folder (:func:`locate`), named by the id the graph
folder records (:func:`dlgraph.store.graph_id`), so it follows the folder when it moves; the bundled
graph's is ``progress/bundled.sqlite3``, never inside the package. A file records the graph it
belongs to on first use, and opening it for another graph is an error naming both, as is an empty
(0-byte) file: neither is ever taken for a fresh start. The single file of earlier versions
(``progress.sqlite3``) is moved, once, to the first graph that looks for its progress, with a note.

This module imports only the standard library (``fsrs`` only inside :func:`mastery`), so ``dlgraph
next`` can read the known set without paying for the scheduler.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> known_ids(folder / "none.sqlite3") is None
True
>>> with Progress.open(folder / "p.sqlite3") as store:
...     _ = store.record("adam", 3, lambda old: {"due": "2030-01-01T00:00:00+00:00"})
>>> known_ids(folder / "p.sqlite3")
{'adam'}
>>> import shutil; shutil.rmtree(folder)
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DlgraphError, InvalidData

if TYPE_CHECKING:
    from .graph import ConceptGraph

ENV_PROGRESS = "DLGRAPH_PROGRESS"
#: The one progress file of dlgraph before progress was kept per graph (moved on first use).
FILE_NAME = "progress.sqlite3"
#: The folder, in the user data folder, of the per-graph progress files.
PER_GRAPH_DIR = "progress"

#: How long a session waits for another one holding the write lock before giving up.
BUSY_TIMEOUT_SECONDS = 15.0

#: Migration ``i`` takes a file from schema version ``i`` to ``i + 1``; append, never edit.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE cards (
        concept_id   TEXT PRIMARY KEY,
        card         TEXT NOT NULL,     -- fsrs Card.to_dict() as JSON
        due          TEXT NOT NULL,     -- the card's due time, UTC, sortable text
        reviews      INTEGER NOT NULL CHECK (reviews >= 1),
        first_review TEXT NOT NULL,
        last_review  TEXT NOT NULL
    );
    CREATE INDEX cards_due ON cards (due);
    CREATE TABLE reviews (
        id          INTEGER PRIMARY KEY,
        concept_id  TEXT NOT NULL,
        rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
        reviewed_at TEXT NOT NULL,
        card        TEXT NOT NULL       -- the card after this review, to replay or audit a history
    );
    CREATE INDEX reviews_concept ON reviews (concept_id);
    """,
    # Implicit credit and Anki history (issue 17): what kind of review each log row is.
    """
    ALTER TABLE reviews ADD COLUMN kind TEXT NOT NULL DEFAULT 'rating'; -- rating, implicit or anki
    ALTER TABLE reviews ADD COLUMN credit REAL;      -- implicit: the fraction of a good review given
    ALTER TABLE reviews ADD COLUMN cause TEXT;       -- implicit: the concept whose review gave it
    ALTER TABLE reviews ADD COLUMN anki_id INTEGER;  -- anki: the review's id in Anki's revlog
    CREATE UNIQUE INDEX reviews_anki ON reviews (concept_id, anki_id) WHERE anki_id IS NOT NULL;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def user_folder() -> Path:
    """dlgraph's folder in the user's data folder (``~/.local/share/dlgraph`` on Linux)."""
    import platformdirs

    return platformdirs.user_data_path("dlgraph", appauthor=False)


def default_path(graph_dir: str | os.PathLike[str] | None = None) -> Path:
    """The progress file of the graph in ``graph_dir`` (default: the bundled graph):
    ``progress/<graph id>.sqlite3`` in :func:`user_folder`."""
    from .store import graph_id, resolve_data_dir

    return user_folder() / PER_GRAPH_DIR / f"{graph_id(resolve_data_dir(graph_dir))}.sqlite3"


def resolve_path(
    explicit: str | os.PathLike[str] | None = None, graph_dir: str | os.PathLike[str] | None = None
) -> Path:
    """``--progress`` if given, else ``$DLGRAPH_PROGRESS``, else :func:`default_path` of ``graph_dir``."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(ENV_PROGRESS)
    if from_env:
        return Path(from_env)
    return default_path(graph_dir)


@dataclass(frozen=True)
class Location:
    """Where a graph's progress is, the graph's id (the file must belong to it), and a note to show."""

    path: Path
    graph: str
    note: str | None = None


def locate(explicit: str | os.PathLike[str] | None, graph_dir: str | os.PathLike[str] | None) -> Location:
    """The progress file for the graph in ``graph_dir`` (see :func:`resolve_path`).

    The first time a graph's default file is looked for, the single file earlier versions kept for
    every graph is moved to it, and the note says so.
    """
    from .store import graph_id, resolve_data_dir

    folder = resolve_data_dir(graph_dir)
    where = resolve_path(explicit, folder)
    ident = graph_id(folder)
    note = None
    if not explicit and not os.environ.get(ENV_PROGRESS):
        note = _adopt_single_file(where, ident)
    return Location(where, ident, note)


def _adopt_single_file(target: Path, ident: str) -> str | None:
    """Move the one progress file of earlier versions to ``target``, once; the note, or None."""
    legacy = user_folder() / FILE_NAME
    if target.exists() or not legacy.is_file():
        return None
    try:
        if legacy.stat().st_size:
            # Reviews still in the write-ahead log go into the file first, so they move with it.
            db = sqlite3.connect(legacy)
            try:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                db.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(legacy, target)  # fails if another session moved it first: then that one is used
        legacy.unlink()
        for side in ("-wal", "-shm"):
            Path(f"{legacy}{side}").unlink(missing_ok=True)
    except (OSError, sqlite3.Error):
        return None
    return (
        f"moved your progress file {legacy} to {target}: each graph now keeps its own progress, and "
        f"this one ({ident}) takes what you studied so far; if that was another graph, move the file "
        "to that graph's (`dlgraph --data-dir GRAPH progress` names it)"
    )


def utc_text(moment: datetime) -> str:
    """A timezone-aware time as fixed-width UTC text, so SQL can compare due times as strings.

    >>> utc_text(datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    '2030-01-02T03:04:05.000000Z'
    """
    if moment.tzinfo is None:
        raise ValueError("times in the progress file must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(text: str) -> datetime:
    """The inverse of :func:`utc_text` (also reads any ISO time with an offset)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class LogEntry:
    """One row of the review log: a rating given here, credit from a review of ``cause``, or a
    review imported from Anki (``anki_id``)."""

    concept_id: str
    kind: str  # "rating", "implicit" or "anki"
    rating: int
    reviewed_at: datetime
    credit: float | None = None
    cause: str | None = None
    anki_id: int | None = None


@dataclass(frozen=True)
class CardState:
    """What the store holds for one reviewed concept."""

    concept_id: str
    card: dict[str, Any]
    due: datetime
    reviews: int
    first_review: datetime
    last_review: datetime


class Progress:
    """An open progress file. Use :meth:`open`; close it (or use ``with``) when done."""

    def __init__(self, path: Path, connection: sqlite3.Connection):
        self.path = path
        self._db = connection

    # --- opening -----------------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | os.PathLike[str] | None = None, *, create: bool = True, graph: str | None = None
    ) -> Progress:
        """Open (and with ``create``, make) a progress file, bringing its schema up to date.

        With ``graph`` (a graph id), the file must belong to that graph; a file that belongs to none
        yet is given to it. Raises :class:`InvalidData` when the file is empty, is not a dlgraph
        progress file, belongs to another graph, is damaged, comes from a newer dlgraph, or cannot be
        written; :class:`DlgraphError` when it is missing and ``create`` is false.
        """
        where = resolve_path(path)
        if where.is_dir():
            raise InvalidData(f"{where}: is a folder; --progress wants a file such as {where / FILE_NAME}")
        if where.exists():
            from .files import require_regular

            # SQLite would block on a FIFO for ever; a device is no database either.
            require_regular(where, what="progress file", instead="pass --progress FILE naming a regular file")
        if where.is_file() and where.stat().st_size == 0:
            raise InvalidData(
                f"{where}: is empty (0 bytes), so it is not a progress file (perhaps it was cut short); "
                "restore it from a backup, or delete it to start afresh"
            )
        if not where.exists():
            if not create:
                raise DlgraphError(f"{where}: no progress file yet; run `dlgraph study` first")
            try:
                where.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InvalidData(
                    f"{where.parent}: cannot create the progress folder ({exc.strerror or exc}); "
                    "pass --progress FILE somewhere writable"
                ) from None
            with _translated(where):
                _create(where)
        with _translated(where):
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per rating.
            db = sqlite3.connect(where, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        store = cls(where, db)
        try:
            with _translated(where):
                store._prepare()
                if graph is not None:
                    store._bind(graph)
        except BaseException:
            db.close()
            raise
        return store

    def _bind(self, graph: str) -> None:
        """The file belongs to ``graph``: recorded on first use, refused for any other graph."""
        owner = self._owner()
        if owner is None:
            try:
                with self._transaction():
                    self._db.execute("CREATE TABLE IF NOT EXISTS graph (id TEXT NOT NULL)")
                    owner = self._owner()
                    if owner is None:
                        self._db.execute("INSERT INTO graph (id) VALUES (?)", (graph,))
                        owner = graph
            except sqlite3.OperationalError as exc:
                if "readonly" not in str(exc):
                    raise
                return  # a read-only file of no graph yet can be read; rating in it fails plainly
        if owner != graph:
            raise InvalidData(
                f"{self.path}: holds the progress of another graph ({owner}), not of this one ({graph}); "
                "leave out --progress to use this graph's own file, or pass another --progress FILE"
            )

    def _owner(self) -> str | None:
        tables = {name for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "graph" not in tables:
            return None
        row = self._db.execute("SELECT id FROM graph").fetchone()
        return None if row is None else str(row[0])

    def _prepare(self) -> None:
        version = self._version()
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise InvalidData(
                f"{self.path}: progress file has schema version {version}, newer than this dlgraph "
                f"understands ({SCHEMA_VERSION}); upgrade dlgraph"
            )
        self._use_wal()
        with self._transaction():
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            version = self._version()  # another session may have migrated while we waited
            if version == SCHEMA_VERSION:
                return
            for number in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):
                    self._db.execute(statement)
            self._db.execute("DELETE FROM schema_version")
            self._db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))

    def _use_wal(self) -> None:
        """Switch the file to WAL, so a reader can look while a session writes; it stays so once set.

        The switch needs the file to itself, and SQLite reports "locked" at once instead of calling
        the busy handler, so two sessions creating one file at the same moment retry here.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _version(self) -> int:
        tables = {name for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "schema_version" not in tables:
            if tables:
                raise InvalidData(
                    f"{self.path}: an SQLite file, but not a dlgraph progress file (no schema_version "
                    "table); pass --progress FILE to use another file"
                )
            return 0
        row = self._db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` takes the write lock up front, so read-modify-write cannot interleave."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            # Also on Ctrl-C: the rating in flight is dropped whole, never half-written.
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- reading -----------------------------------------------------------------------------------

    def cards(self) -> dict[str, CardState]:
        """Every reviewed concept, by id."""
        with _translated(self.path):
            rows = self._db.execute(
                "SELECT concept_id, card, due, reviews, first_review, last_review FROM cards"
            ).fetchall()
        return {
            cid: CardState(cid, json.loads(card), parse_utc(due), reviews, parse_utc(first), parse_utc(last))
            for cid, card, due, reviews, first, last in rows
        }

    def card(self, concept_id: str) -> dict[str, Any] | None:
        """One concept's stored FSRS card (``Card.to_dict()``), or None if it was never reviewed."""
        with _translated(self.path):
            row = self._db.execute("SELECT card FROM cards WHERE concept_id = ?", (concept_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def reviewed_ids(self) -> set[str]:
        with _translated(self.path):
            return {cid for (cid,) in self._db.execute("SELECT concept_id FROM cards")}

    def review_count(self) -> int:
        with _translated(self.path):
            return int(self._db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0])

    # --- writing -----------------------------------------------------------------------------------

    def record(
        self,
        concept_id: str,
        rating: int,
        schedule: Callable[[dict[str, Any] | None], dict[str, Any]],
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Apply one rating in one transaction: ``schedule`` maps the stored card (None if new) to the next.

        The stored card is read inside the write lock, so a rating given in another session a moment
        ago is scheduled on, not overwritten. Returns the new card.
        """
        when = utc_text(now or datetime.now(timezone.utc))
        with _translated(self.path), self._transaction():
            row = self._db.execute("SELECT card FROM cards WHERE concept_id = ?", (concept_id,)).fetchone()
            card = schedule(json.loads(row[0]) if row else None)
            text = json.dumps(card, sort_keys=True)
            due = utc_text(parse_utc(card["due"]))
            self._db.execute(
                "INSERT INTO cards (concept_id, card, due, reviews, first_review, last_review) "
                "VALUES (?, ?, ?, 1, ?, ?) "
                "ON CONFLICT (concept_id) DO UPDATE SET card = excluded.card, due = excluded.due, "
                "reviews = reviews + 1, last_review = excluded.last_review",
                (concept_id, text, due, when, when),
            )
            self._db.execute(
                "INSERT INTO reviews (concept_id, rating, reviewed_at, card) VALUES (?, ?, ?, ?)",
                (concept_id, rating, when, text),
            )
        return card

    def record_implicit(
        self,
        cause: str,
        credits: dict[str, float],
        update: Callable[[dict[str, Any], float], dict[str, Any]],
        now: datetime | None = None,
    ) -> dict[str, float]:
        """Give each reviewed concept in ``credits`` its share of a review of ``cause``, in one transaction.

        ``update`` maps a stored card and its credit to the credited card; a card it leaves as it
        was (not in review yet) is skipped. The review counter and last review time stay: credit is
        not a review the learner gave. Returns the credits given.
        """
        when = utc_text(now or datetime.now(timezone.utc))
        given: dict[str, float] = {}
        with _translated(self.path), self._transaction():
            for cid, credit in sorted(credits.items()):
                row = self._db.execute("SELECT card FROM cards WHERE concept_id = ?", (cid,)).fetchone()
                if row is None:
                    continue
                old = json.loads(row[0])
                card = update(old, credit)
                if card == old:
                    continue
                text = json.dumps(card, sort_keys=True)
                due = utc_text(parse_utc(card["due"]))
                self._db.execute("UPDATE cards SET card = ?, due = ? WHERE concept_id = ?", (text, due, cid))
                self._db.execute(
                    "INSERT INTO reviews (concept_id, rating, reviewed_at, card, kind, credit, cause) "
                    "VALUES (?, 3, ?, ?, 'implicit', ?, ?)",
                    (cid, when, text, credit, cause),
                )
                given[cid] = credit
        return given

    def log(self, concept_id: str | None = None, kind: str | None = None) -> list[LogEntry]:
        """The review log in time order, for one concept and/or one kind of review."""
        where, args = [], []
        if concept_id is not None:
            where.append("concept_id = ?")
            args.append(concept_id)
        if kind is not None:
            where.append("kind = ?")
            args.append(kind)
        sql = "SELECT concept_id, kind, rating, reviewed_at, credit, cause, anki_id FROM reviews"
        sql += (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY reviewed_at, id"
        with _translated(self.path):
            rows = self._db.execute(sql, args).fetchall()
        return [LogEntry(c, k, r, parse_utc(t), credit, cause, a) for c, k, r, t, credit, cause, a in rows]

    def import_reviews(
        self,
        concept_id: str,
        entries: list[LogEntry],
        replay: Callable[[list[LogEntry]], dict[str, Any]],
    ) -> int:
        """Add reviews from elsewhere (Anki) to a concept's log and replay the whole log, in one transaction.

        A review already in the log (same ``anki_id``) is not added twice. ``replay`` maps the
        concept's full log, in time order, to its card. Returns how many reviews were new.
        """
        with _translated(self.path), self._transaction():
            added = 0
            for e in entries:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO reviews (concept_id, rating, reviewed_at, card, kind, anki_id) "
                    "VALUES (?, ?, ?, '{}', 'anki', ?)",
                    (concept_id, e.rating, utc_text(e.reviewed_at), e.anki_id),
                )
                added += cursor.rowcount
            if not added:
                return 0
            rows = self._db.execute(
                "SELECT concept_id, kind, rating, reviewed_at, credit, cause, anki_id FROM reviews "
                "WHERE concept_id = ? ORDER BY reviewed_at, id",
                (concept_id,),
            ).fetchall()
            log = [LogEntry(c, k, r, parse_utc(t), credit, cause, a) for c, k, r, t, credit, cause, a in rows]
            card = replay(log)
            real = [e for e in log if e.kind != "implicit"]
            self._db.execute(
                "INSERT OR REPLACE INTO cards (concept_id, card, due, reviews, first_review, last_review) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    concept_id,
                    json.dumps(card, sort_keys=True),
                    utc_text(parse_utc(card["due"])),
                    len(real),
                    utc_text(real[0].reviewed_at),
                    utc_text(real[-1].reviewed_at),
                ),
            )
        return added


def _create(where: Path) -> None:
    """Make a new progress file whole in a temp file, then link it into place, so no process ever
    sees it empty (an empty file is an error, never a fresh start); a file that appeared meanwhile wins."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{where.name}.", suffix=".new", dir=where.parent)
    except OSError as exc:
        raise InvalidData(
            f"{where}: cannot write the progress file ({exc.strerror or exc}); "
            "pass --progress FILE somewhere writable or fix the permissions"
        ) from None
    os.close(fd)
    try:
        db = sqlite3.connect(tmp, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            Progress(Path(tmp), db)._prepare()  # the 0-byte temp becomes a whole, empty progress file
        finally:
            db.close()
        try:
            os.link(tmp, where)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: a rename, unless a file appeared meanwhile
            if not where.exists():
                os.replace(tmp, where)
    finally:
        for name in (tmp, f"{tmp}-wal", f"{tmp}-shm"):
            Path(name).unlink(missing_ok=True)


def _statements(script: str) -> list[str]:
    """A migration script split into statements (``executescript`` would commit our transaction)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


@contextmanager
def _translated(path: Path) -> Iterator[None]:
    """SQLite failures as dlgraph errors that say what is wrong with which file and what to do."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if "locked" in message or "busy" in message:
            raise DlgraphError(
                f"{path}: another dlgraph session kept the progress file locked for "
                f"{BUSY_TIMEOUT_SECONDS:.0f} s; try again"
            ) from None
        if "readonly" in message or "unable to open" in message or "disk I/O" in message:
            raise InvalidData(
                f"{path}: cannot write the progress file ({message}); "
                "pass --progress FILE somewhere writable or fix the permissions"
            ) from None
        raise InvalidData(f"{path}: progress file error: {message}") from None
    except sqlite3.DatabaseError as exc:
        raise InvalidData(
            f"{path}: not a dlgraph progress file, or it is damaged ({exc}); "
            "move it aside to start afresh, or pass --progress FILE"
        ) from None
    except (json.JSONDecodeError, KeyError, ValueError, TypeError) as exc:
        raise InvalidData(f"{path}: a card in the progress file is damaged ({exc})") from None


def known_ids(path: str | os.PathLike[str] | None = None, graph: str | None = None) -> set[str] | None:
    """Ids of every concept reviewed at least once, or None when there is no progress file.

    For ``dlgraph next`` and ``dlgraph prereqs``: stdlib only, and it never creates a file. With
    ``graph``, the file must belong to that graph (see :meth:`Progress.open`).
    """
    where = resolve_path(path)
    if not where.exists():
        return None
    with Progress.open(where, create=False, graph=graph) as store:
        return store.reviewed_ids()


def known_concepts(cg: ConceptGraph, where: Location) -> list[str]:
    """The concepts of ``cg`` counted as known when no ``--known`` is given, sorted: those reviewed in
    its progress file ``where``, or in the Anki deck it was built from (issue 17).

    ``dlgraph prereqs``, ``next`` and ``render`` all start from this set, so the map draws the plan the
    terminal prints. A file may name concepts the graph no longer has: they cannot count as known here.
    """
    from .anki_history import known_from_build

    reviewed = (known_ids(where.path, where.graph) or set()) | known_from_build(cg)
    return sorted(reviewed & set(cg.concepts))


def mastery(path: str | os.PathLike[str] | None = None, now: datetime | None = None) -> dict[str, float]:
    """How well each reviewed concept is remembered now, 0 to 1: FSRS's retrievability (recall odds).

    Concepts never reviewed are absent; no progress file gives an empty dict.
    """
    where = resolve_path(path)
    if not where.exists():
        return {}
    from fsrs import Card, Scheduler

    scheduler = Scheduler()
    moment = now or datetime.now(timezone.utc)
    with Progress.open(where, create=False) as store:
        states = store.cards()
    with _translated(where):
        return {
            cid: float(scheduler.get_card_retrievability(Card.from_dict(s.card), moment))
            for cid, s in sorted(states.items())
        }
