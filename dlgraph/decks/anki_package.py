"""Anki packages and collections: ``.apkg``, ``.colpkg`` and bare ``collection.anki2/.anki21/.anki21b``.

A package is a zip holding the collection (an SQLite database) and a media map. Three generations
exist: ``collection.anki2`` (legacy, note types and decks as JSON in ``col``), ``collection.anki21``
(the same schema, written beside a placeholder ``collection.anki2`` that asks old Ankis to update),
and ``collection.anki21b`` (zstd-compressed, note types, fields and decks in tables, with a ``meta``
file naming the generation). The collection is read with :mod:`sqlite3`, read-only, on a copy in a
temporary folder: never the user's file in place, so a collection open in Anki is safe to read.

Each note becomes cards: the first two fields of a Basic-like note type are the front and the back
(a reversed type is read once, front to back); a cloze note gives one card per deletion. The deck
(``DL::Vision``) and the note's tags become the card's tags, deck first. Every note not read is
reported with its reason.

Examples
--------
>>> cloze_cards("{{c1::Adam}} combines {{c2::RMSprop::an optimizer}} and momentum")
[('[...] combines RMSprop and momentum', 'Adam\\nAdam combines RMSprop and momentum'), \
('Adam combines [an optimizer] and momentum', 'RMSprop\\nAdam combines RMSprop and momentum')]
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sqlite3
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..errors import DeckError
from .cards import Card, SkipNotes, make_card
from .text import html_to_text

#: A collection that unpacks to more than this is refused rather than filling the disk (a zip bomb).
MAX_COLLECTION_BYTES = 1 << 30

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
#: Collection members, newest generation first; ``meta``'s version (1, 2, 3) names one of them.
_MEMBERS = ("collection.anki21b", "collection.anki21", "collection.anki2")
_META_MEMBERS = {3: "collection.anki21b", 2: "collection.anki21", 1: "collection.anki2"}
#: The text of the one note in the placeholder collection Anki writes for old versions to find.
_STUB_TEXT = "please update to the latest anki version"
_DEFAULT_DECK = 1
_IMAGE_OCCLUSION = 6  # OriginalStockKind of Anki's image occlusion note type
_CHUNK = 1 << 20


def sniff(raw: bytes) -> str | None:
    """What kind of Anki file ``raw`` may be: ``"zip"``, ``"sqlite"``, ``"zstd"`` (a bare
    ``collection.anki21b``), or ``None`` for anything else (a text deck, presumably)."""
    if raw[:4] in _ZIP_MAGIC:
        return "zip"
    if raw.startswith(_SQLITE_MAGIC):
        return "sqlite"
    if raw.startswith(_ZSTD_MAGIC):
        return "zstd"
    return None


#: How :func:`sniff`'s answer reads in a message.
DESCRIPTIONS = {
    "zip": "a zip archive (an Anki package?)",
    "sqlite": "an SQLite database (an Anki collection?)",
    "zstd": "zstd-compressed data (a collection.anki21b?)",
}


def read_anki_package(
    raw: bytes, name: str = "<deck>", *, wal: bytes = b"", notes: list[str] | None = None
) -> list[Card]:
    """Cards from an Anki package (``.apkg``/``.colpkg``) or a bare collection file, given as bytes.

    ``wal`` is the content of a live collection's ``-wal`` file, if any, so that changes Anki has
    not yet written back are read too. Notes that give no card are reported in ``notes``.
    """
    kind = sniff(raw)
    if kind is None:
        raise DeckError(
            f"{name}: not an Anki package or collection (expected a zip holding collection.anki21b, "
            "collection.anki21 or collection.anki2, or an Anki collection file); drop "
            "--format anki-package to read it as a text deck"
        )
    collected = SkipNotes()
    with tempfile.TemporaryDirectory(prefix="dlgraph-anki-") as tmp:
        folder = Path(tmp)
        if kind == "zip":
            cards = _read_zip(raw, name, folder, collected)
        else:
            path = folder / "collection.db"
            if kind == "zstd":
                _unzstd(io.BytesIO(raw), path, name)
            else:
                path.write_bytes(raw)
                if wal:
                    path.with_name(path.name + "-wal").write_bytes(wal)
            cards = _read_collection(path, name, collected)
            if cards is None:
                raise DeckError(
                    f"{name}: this is Anki's 'please update Anki' placeholder, not the deck; the deck "
                    "is in the collection.anki21 or collection.anki21b beside it: give dlgraph the "
                    ".apkg or .colpkg itself"
                )
    if notes is not None:
        notes.extend(collected.finish())
    return cards


# --- unpacking ----------------------------------------------------------------------------------

_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    OSError,
)


def _damaged(name: str, exc: BaseException) -> DeckError:
    return DeckError(
        f"{name}: the Anki package is damaged ({exc or type(exc).__name__}); download it again, "
        "or export it again from Anki (File > Export, Anki Deck Package)"
    )


def _open_package(raw: bytes, name: str) -> tuple[zipfile.ZipFile, list[str], str | None]:
    """A package's archive, the collections it holds in the order to try them (the one its ``meta``
    names first, then the newest), and the one ``meta`` names (``None`` without ``meta``)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except _ZIP_ERRORS as exc:
        raise _damaged(name, exc) from None
    members = set(archive.namelist())
    present = [m for m in _MEMBERS if m in members]
    named = _META_MEMBERS.get(_meta_version(archive, name) if "meta" in members else 0)
    return archive, ([named] if named in present else []) + [m for m in present if m != named], named


def _read_zip(raw: bytes, name: str, folder: Path, collected: SkipNotes) -> list[Card]:
    """Cards from the collection a package holds: the one ``meta`` names, else the newest.

    Anki writes a placeholder ``collection.anki2`` beside a newer collection; it holds no deck and
    is skipped without a note. Any other collection left unread is noted.
    """
    archive, order, named = _open_package(raw, name)
    with archive:
        if not order:
            raise DeckError(
                f"{name}: a zip archive with no Anki collection inside (no collection.anki21b, "
                "collection.anki21 or collection.anki2); give dlgraph an .apkg or .colpkg exported by Anki"
            )
        if named is not None and named not in order:
            raise DeckError(
                f"{name}: the package's meta file names {named}, which is missing; export it again"
            )
        for index, member in enumerate(order):
            cards = _read_collection(_extract(archive, member, folder, name), name, collected)
            if cards is None:
                collected.add(
                    "collections", f"{name}: skipped {member}, Anki's 'please update Anki' placeholder"
                )
                continue
            for other in order[index + 1 :]:
                if not _is_stub_member(archive, other, folder, name):
                    collected.add("collections", f"{name}: skipped {other}, an older copy beside {member}")
            return cards
    raise DeckError(
        f"{name}: holds only Anki's 'please update Anki' placeholder, not the deck; export the deck "
        "again from Anki (File > Export, Anki Deck Package)"
    )


def _extract(archive: zipfile.ZipFile, member: str, folder: Path, name: str) -> Path:
    """Unpack (and for ``.anki21b`` decompress) one collection into ``folder``; its path there."""
    path = folder / member
    try:
        with archive.open(member) as source:
            if member.endswith(".anki21b"):
                _unzstd(source, path, name)
            else:
                _copy_capped(source, path, name)
    except _ZIP_ERRORS as exc:
        raise _damaged(name, exc) from None
    return path


def _is_stub_member(archive: zipfile.ZipFile, member: str, folder: Path, name: str) -> bool:
    try:
        with contextlib.closing(_connect(_extract(archive, member, folder, name), name)) as connection:
            return _is_stub(connection)
    except (DeckError, sqlite3.Error):
        return False


def _copy_capped(source: IO[bytes], path: Path, name: str) -> None:
    written = 0
    with path.open("wb") as out:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > MAX_COLLECTION_BYTES:
                raise DeckError(
                    f"{name}: its collection unpacks to more than {MAX_COLLECTION_BYTES >> 20} MB; "
                    "that is no flashcard deck (split the deck in Anki and export a part)"
                )
            out.write(chunk)


def _unzstd(source: IO[bytes], path: Path, name: str) -> None:
    """Decompress a ``collection.anki21b`` (one zstd stream) to ``path``, streaming and capped."""
    import zstandard

    try:
        with zstandard.ZstdDecompressor().stream_reader(source, read_across_frames=True) as reader:
            _copy_capped(reader, path, name)
    except zstandard.ZstdError as exc:
        raise _damaged(name, exc) from None


def _meta_version(archive: zipfile.ZipFile, name: str) -> int:
    """The package generation the ``meta`` file names (1, 2 or 3), or 0 when it names none we know."""
    try:
        with archive.open("meta") as source:
            data = source.read(4096)
    except _ZIP_ERRORS as exc:
        raise _damaged(name, exc) from None
    version = _protobuf_fields(data).get(1, 0)
    if isinstance(version, int) and version > max(_META_MEMBERS):
        raise DeckError(
            f"{name}: made by a newer Anki (package version {version}) than dlgraph reads; export it "
            "from Anki with 'Support older Anki versions' ticked"
        )
    return version if isinstance(version, int) else 0


def _protobuf_fields(data: bytes) -> dict[int, int | bytes]:
    """The first value of each top-level field of a protobuf message; stops at anything malformed.

    Anki keeps small settings (a note type's kind, the package version) in protobuf blobs; two
    integers do not justify a protobuf dependency.
    """
    fields: dict[int, int | bytes] = {}
    pos = 0

    def varint() -> int:
        nonlocal pos
        value = shift = 0
        while pos < len(data) and shift < 64:
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7
        raise ValueError("truncated varint")

    try:
        while pos < len(data):
            key = varint()
            number, wire = key >> 3, key & 7
            if wire == 0:
                value: int | bytes = varint()
            elif wire == 2:
                size = varint()
                value, pos = data[pos : pos + size], pos + size
            elif wire in (1, 5):
                size = 8 if wire == 1 else 4
                value, pos = data[pos : pos + size], pos + size
            else:
                break
            fields.setdefault(number, value)
    except ValueError:
        pass
    return fields


# --- the collection -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _NoteType:
    name: str
    cloze: bool = False
    occlusion: bool = False


@dataclass
class _Collection:
    note_types: dict[int, _NoteType] = field(default_factory=dict)
    decks: dict[int, str] = field(default_factory=dict)


def _unicase(a: str, b: str) -> int:
    """Anki's ``unicase`` collation, which its schema names; only needed for SQLite to accept it."""
    a, b = a.casefold(), b.casefold()
    return (a > b) - (a < b)


def _connect(path: Path, name: str) -> sqlite3.Connection:
    with path.open("rb") as file:
        header = file.read(len(_SQLITE_MAGIC))
    if header != _SQLITE_MAGIC:
        raise DeckError(
            f"{name}: not a readable Anki collection: the collection inside is not an SQLite database "
            "(the package is damaged or not from Anki); download or export the deck again"
        )
    connection = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True)
    try:
        connection.create_collation("unicase", _unicase)
        tables = {row[0] for row in connection.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.Error as exc:
        connection.close()
        raise DeckError(
            f"{name}: not a readable Anki collection: the database is damaged ({exc}); download or "
            "export the deck again"
        ) from None
    if not {"col", "notes", "cards"} <= tables:
        connection.close()
        raise DeckError(
            f"{name}: an SQLite database, but not an Anki collection (it has no col, notes and cards "
            "tables); give dlgraph an Anki package (.apkg, .colpkg) or an Anki collection file"
        )
    return connection


def _is_stub(connection: sqlite3.Connection) -> bool:
    """Whether a collection is the one-note placeholder Anki writes beside a newer collection."""
    rows = connection.execute("select flds from notes limit 2").fetchall()
    return len(rows) == 1 and str(rows[0][0]).strip().casefold().startswith(_STUB_TEXT)


def _read_collection(path: Path, name: str, collected: SkipNotes) -> list[Card] | None:
    """The cards of the collection at ``path`` (a private copy), or ``None`` for the placeholder."""
    connection = _connect(path, name)
    version: object = "unknown"
    try:
        with contextlib.closing(connection):
            version = connection.execute("select ver from col").fetchone()[0]
            if _is_stub(connection):
                return None
            tables = {r[0] for r in connection.execute("select name from sqlite_master where type = 'table'")}
            collection = _schema_18(connection) if "notetypes" in tables else _legacy_schema(connection)
            decks = _note_decks(connection)
            rows = connection.execute("select id, mid, flds, tags from notes order by id").fetchall()
    except (sqlite3.Error, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise DeckError(
            f"{name}: cannot read this Anki collection (schema version {version}: {exc}); it is damaged "
            "or of a schema dlgraph does not know: open it in Anki and export the deck again as an .apkg"
        ) from None
    cards: list[Card] = []
    for note_id, type_id, fields, tags in rows:
        deck = collection.decks.get(decks.get(note_id, _DEFAULT_DECK), "")
        hints = ((deck,) if deck and deck != "Default" else ()) + tuple(str(tags or "").split())
        cards += _note_cards(
            name, note_id, collection.note_types.get(type_id), str(fields).split("\x1f"), hints, collected
        )
    return cards


def _legacy_schema(connection: sqlite3.Connection) -> _Collection:
    """Note types and deck names of a schema-11 collection: JSON in the ``col`` row."""
    models, decks = connection.execute("select models, decks from col").fetchone()
    collection = _Collection()
    for key, model in json.loads(models).items():
        collection.note_types[int(key)] = _NoteType(
            str(model.get("name", key)),
            cloze=model.get("type") == 1,
            occlusion=model.get("originalStockKind") == _IMAGE_OCCLUSION,
        )
    collection.decks = {int(key): str(deck.get("name", "")) for key, deck in json.loads(decks).items()}
    return collection


def _schema_18(connection: sqlite3.Connection) -> _Collection:
    """Note types and deck names of a current collection (schema 15 and later): tables.

    A note type's kind (normal or cloze) lives in its protobuf ``config``: field 1, ``kind``;
    field 9, the stock type it was made from. Fields are read by position, so the ``fields``
    table's names are not needed.
    """
    collection = _Collection()
    for type_id, type_name, config in connection.execute("select id, name, config from notetypes"):
        settings = _protobuf_fields(bytes(config or b""))
        collection.note_types[type_id] = _NoteType(
            str(type_name),
            cloze=settings.get(1) == 1,
            occlusion=settings.get(9) == _IMAGE_OCCLUSION,
        )
    collection.decks = {
        deck_id: str(deck_name).replace("\x1f", "::")
        for deck_id, deck_name in connection.execute("select id, name from decks")
    }
    return collection


def _note_decks(connection: sqlite3.Connection) -> dict[int, int]:
    """Each note's deck: that of its first card, the home deck for a card in a filtered deck."""
    decks: dict[int, int] = {}
    query = "select nid, case when odid != 0 then odid else did end from cards order by nid, ord"
    for note_id, deck_id in connection.execute(query):
        decks.setdefault(note_id, deck_id)
    return decks


def _note_cards(
    name: str,
    note_id: int,
    note_type: _NoteType | None,
    fields: list[str],
    tags: tuple[str, ...],
    collected: SkipNotes,
) -> list[Card]:
    """The cards of one note; a note that gives none is reported in ``collected`` with its reason."""
    label = f"{name}: note {note_id}" + (f" ({note_type.name})" if note_type else "")

    def skip(kind: str, reason: str) -> list[Card]:
        collected.add(kind, f"{label}: skipped, {reason}")
        return []

    if note_type is None:
        return skip("notes of an unknown note type", "its note type is not in the collection")
    if note_type.occlusion or any("image-occlusion:" in f for f in fields):
        return skip("image occlusion notes", "an image occlusion note: its cards are regions of a picture")
    source = f"{name}:note {note_id}"
    if note_type.cloze:
        # The deletions live in the first field that has any (``Text`` in Anki's stock type); the
        # field after it (``Back Extra``) adds to every answer.
        cloze_field = next((i for i, f in enumerate(fields) if _CLOZE_OPEN.search(f)), 0)
        sides = _cloze_sides(fields[cloze_field]) if fields else []
        if not sides:
            return skip("cloze notes without a deletion", "a cloze note without a {{c1::...}} deletion")
        extra = html_to_text(fields[cloze_field + 1], images=True) if cloze_field + 1 < len(fields) else ""
        cards = []
        for number, question, answer in sides:
            card = make_card(question, "\n".join(filter(None, (answer, extra))), tags, f"{source} c{number}",
                             as_html=False)  # fmt: skip
            if card is None:
                skip("cloze deletions with no text", f"deletion c{number} leaves no question or answer")
            else:
                cards.append(card)
        return cards
    if len(fields) < 2:
        return skip("notes with one field", "its note type has a single field, so no answer")
    card = make_card(fields[0], fields[1], tags, source, as_html=True, images=True)
    if card is None:
        side = "front" if not html_to_text(fields[0], images=True) else "back"
        return skip(f"notes with an empty {side}", f"the {side} is empty (or only sound)")
    return [card]


# --- cloze deletions ----------------------------------------------------------------------------

_CLOZE_OPEN = re.compile(r"\{\{c\d+::")
#: Deletions nested deeper than this are read as text: Anki nests a few, and reading is recursive.
MAX_CLOZE_DEPTH = 20
_CLOZE_TOKEN = re.compile(r"\{\{c(\d+)::|\}\}")


@dataclass
class _Cloze:
    number: int
    opener: str
    children: list[str | _Cloze] = field(default_factory=list)
    hint: str = ""


def _parse_cloze(text: str) -> list[str | _Cloze]:
    """The text as plain runs and (possibly nested) deletions, in one linear pass.

    ``{{c1::text::hint}}`` opens with ``{{cN::`` and closes with ``}}``; the hint follows the first
    ``::`` of the deletion's last run. An unclosed deletion is kept as literal text, and so is an
    opener nested deeper than :data:`MAX_CLOZE_DEPTH`.
    """
    root: list[str | _Cloze] = []
    current = root
    stack: list[tuple[_Cloze, list[str | _Cloze]]] = []
    pos = 0
    for token in _CLOZE_TOKEN.finditer(text):
        if token.start() > pos:
            current.append(text[pos : token.start()])
        pos = token.end()
        if token.group(1) is not None and len(stack) >= MAX_CLOZE_DEPTH:
            current.append(token.group(0))  # deeper than any note nests: text
        elif token.group(1) is not None:
            cloze = _Cloze(int(token.group(1)), token.group(0))
            current.append(cloze)
            stack.append((cloze, current))
            current = cloze.children
        elif stack:
            cloze, current = stack.pop()
            last = cloze.children[-1] if cloze.children else None
            if isinstance(last, str) and "::" in last:
                cloze.children[-1], cloze.hint = last.split("::", 1)
        else:
            current.append(token.group(0))
    if pos < len(text):
        current.append(text[pos:])
    while stack:
        cloze, parent = stack.pop()
        parent[-1:] = [cloze.opener, *cloze.children]
    return root


def _render(nodes: list[str | _Cloze], hidden: int | None) -> str:
    """The text with deletion ``hidden`` blanked (``[...]`` or ``[hint]``) and every other shown."""
    parts = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(node)
        elif node.number == hidden:
            parts.append(f"[{node.hint.strip() or '...'}]")
        else:
            parts.append(_render(node.children, hidden))
    return "".join(parts)


def _deleted(nodes: list[str | _Cloze], number: int) -> list[str]:
    """The text of every deletion numbered ``number``."""
    found = []
    for node in nodes:
        if isinstance(node, _Cloze):
            found += (
                [_render(node.children, None)] if node.number == number else _deleted(node.children, number)
            )
    return found


def _numbers(nodes: list[str | _Cloze]) -> set[int]:
    found = set()
    for node in nodes:
        if isinstance(node, _Cloze):
            found |= {node.number} | _numbers(node.children)
    return found


def _cloze_sides(field_html: str) -> list[tuple[int, str, str]]:
    """``(number, question, answer)`` per deletion number of a cloze field, as plain text.

    The question is the text with that deletion blanked; the answer is the deleted text, then the
    whole text as context.
    """
    nodes = _parse_cloze(field_html)
    context = html_to_text(_render(nodes, None), images=True)
    sides = []
    for number in sorted(_numbers(nodes)):
        question = html_to_text(_render(nodes, number), images=True)
        deleted = "; ".join(filter(None, (html_to_text(d, images=True) for d in _deleted(nodes, number))))
        sides.append((number, question, "\n".join(filter(None, (deleted, context)))))
    return sides


def cloze_cards(text: str) -> list[tuple[str, str]]:
    """The ``(question, answer)`` cards an HTML cloze field gives, one per deletion number."""
    return [(question, answer) for _, question, answer in _cloze_sides(text)]
