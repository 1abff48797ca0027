"""The review history of an Anki package or collection: its ``revlog`` table, by note and card.

The card reader (:mod:`.anki_package`) turns notes into cards; this module reads what the student did
with them. It opens the collection the same way (a private copy, read-only; the collection a
package's ``meta`` names, else the newest that is not Anki's placeholder) and returns every review
with the note and card ordinal it belongs to, oldest first.

Anki's revlog ``type`` is 0 learning, 1 review, 2 relearning, 3 a review in a filtered deck, 4 a
manual change and 5 a rescheduling; ``ease`` is the button pressed (1 again … 4 easy), 0 for the
manual kinds. A manual entry with interval 0 is "Forget": the card starts afresh there.
"""

from __future__ import annotations

import contextlib
import io
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import DeckError
from ..files import read_bounded
from .anki_package import _connect, _extract, _is_stub, _open_package, _unzstd, sniff
from .load import MAX_DECK_BYTES


@dataclass(frozen=True)
class AnkiReview:
    """One revlog row: when, which button (``ease`` 1-4, 0 for a manual change), on which card."""

    review_id: int  # epoch milliseconds of the review, unique in its collection
    note_id: int
    ord: int  # the card's ordinal in its note (cloze c1 is 0)
    ease: int
    kind: int  # revlog type
    interval: int

    @property
    def reviewed_at(self) -> datetime:
        return datetime.fromtimestamp(self.review_id / 1000, tz=timezone.utc)

    @property
    def is_review(self) -> bool:
        return 1 <= self.ease <= 4 and self.kind in (0, 1, 2, 3)

    @property
    def is_reset(self) -> bool:
        return self.ease == 0 and self.kind == 4 and self.interval == 0


def read_anki_file(path: Path) -> bytes:
    """The bytes of an Anki package or collection: a regular file of bounded size, as every deck
    (a FIFO given to ``--from-anki`` must not hang, ``/dev/zero`` must not fill memory)."""
    try:
        return read_bounded(
            path,
            MAX_DECK_BYTES,
            what="Anki file",
            error=DeckError,
            instead="export it from Anki and give the .apkg",
        )
    except OSError as exc:
        raise DeckError(f"{path}: cannot read it ({exc.strerror or exc})") from None


def read_revlog(path: str | Path, raw: bytes | None = None) -> list[AnkiReview]:
    """Every review in the Anki package or collection at ``path``, oldest first ([] if it has none);
    ``raw`` is its bytes when the caller has read them already (see :func:`read_anki_file`).

    A live ``collection.anki2`` is read with its ``-wal`` file, so reviews Anki has not yet written
    back count too. Raises :class:`DeckError` for a file that is not an Anki package or collection.
    """
    path = Path(path)
    name = str(path)
    if raw is None:
        raw = read_anki_file(path)
    kind = sniff(raw)
    if kind is None:
        raise DeckError(f"{name}: not an Anki package or collection, so it holds no review history")
    with tempfile.TemporaryDirectory(prefix="dlgraph-revlog-") as tmp:
        folder = Path(tmp)
        if kind == "zip":
            return _from_zip(raw, name, folder)
        copy = folder / "collection.db"
        if kind == "zstd":
            _unzstd(io.BytesIO(raw), copy, name)
        else:
            copy.write_bytes(raw)
            wal = path.with_name(path.name + "-wal")
            if wal.is_file():
                copy.with_name(copy.name + "-wal").write_bytes(wal.read_bytes())
        return _from_collection(copy, name) or []


def _from_zip(raw: bytes, name: str, folder: Path) -> list[AnkiReview]:
    archive, order, _ = _open_package(raw, name)
    with archive:
        for member in order:
            reviews = _from_collection(_extract(archive, member, folder, name), name)
            if reviews is not None:
                return reviews
    return []


def _from_collection(path: Path, name: str) -> list[AnkiReview] | None:
    """The reviews of one collection copy; None for Anki's placeholder collection."""
    connection = _connect(path, name)
    try:
        with contextlib.closing(connection):
            if _is_stub(connection):
                return None
            tables = {r[0] for r in connection.execute("select name from sqlite_master where type = 'table'")}
            if "revlog" not in tables:
                return []
            rows = connection.execute(
                "select r.id, c.nid, c.ord, r.ease, r.type, r.ivl from revlog r "
                "join cards c on c.id = r.cid order by r.id"
            ).fetchall()
    except sqlite3.Error as exc:
        raise DeckError(
            f"{name}: cannot read the review history of this Anki collection ({exc}); open it in Anki "
            "and export it again"
        ) from None
    return [AnkiReview(int(i), int(n), int(o), int(e), int(t), int(v or 0)) for i, n, o, e, t, v in rows]
