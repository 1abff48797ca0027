"""Anki packages and collections, read from real packages: made with genanki and with Anki's own library.

Every package here is built by the tests (genanki always; the official ``anki`` package, a test
extra, for the current formats), so the fixtures are what Anki itself writes.
"""

from __future__ import annotations

import io
import os
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import genanki
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlgraph.decks import FORMATS, html_to_text, load_deck, read_deck_bytes
from dlgraph.decks.anki_package import cloze_cards
from dlgraph.errors import DeckError

from .reliability import record

DECKS = Path(__file__).parent / "data" / "decks"
SAMPLE = DECKS / "deep-learning.apkg"
# A 1x1 transparent PNG: the image-only answer's media file.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _qat(cards) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(c.question, c.answer, c.tags) for c in cards]


# --- the genanki package (legacy collection.anki2, no meta) ----------------------------------------

OCCLUSION_MODEL = genanki.Model(
    1707392319,
    "Image Occlusion (made with genanki)",
    fields=[{"name": "Occlusion"}, {"name": "Image"}],
    templates=[{"name": "Cloze", "qfmt": "{{cloze:Occlusion}}{{Image}}", "afmt": "{{cloze:Occlusion}}"}],
    model_type=genanki.Model.CLOZE,
)


def build_genanki_package(path: Path) -> Path:
    """A small deep-learning deck as genanki writes it: nested decks, tags, HTML, cloze, an image.

    The committed sample ``tests/data/decks/deep-learning.apkg`` was written by it:
    ``python -c "from tests.test_decks_anki import SAMPLE, build_genanki_package as b; b(SAMPLE)"``.
    """
    vision = genanki.Deck(2059400110, "DL::Vision")
    optim = genanki.Deck(2059400111, "DL::Optimization")
    vision.add_note(
        genanki.Note(
            genanki.BASIC_MODEL,
            ["Mask R-CNN", "adds a <b>mask</b> branch to Faster&nbsp;R-CNN<br>and uses RoI Align"],
            tags=["detection", "cnn"],
        )
    )
    vision.add_note(
        genanki.Note(genanki.BASIC_MODEL, ["ResNet block", '<img src="resnet-block.png">'], tags=["cnn"])
    )
    vision.add_note(
        genanki.Note(genanki.BASIC_AND_REVERSED_CARD_MODEL, ["IoU", "intersection over union[sound:iou.mp3]"])
    )
    vision.add_note(
        genanki.Note(
            OCCLUSION_MODEL,
            ["{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.1}}", "<img src='x.png'>"],
        )
    )
    optim.add_note(
        genanki.Note(
            genanki.BASIC_MODEL,
            ["<div>Adam</div>", "combines <i>RMSprop</i> &amp; momentum"],
            tags=["optimization"],
        )
    )
    optim.add_note(
        genanki.Note(
            genanki.CLOZE_MODEL,
            ["{{c1::Adam}} combines {{c2::RMSprop::an optimizer}} and momentum", "Kingma &amp; Ba, 2014"],
            tags=["optimization"],
        )
    )
    optim.add_note(genanki.Note(genanki.BASIC_MODEL, ["Dropout", "[sound:dropout.mp3]"]))
    with tempfile.TemporaryDirectory() as folder:
        media = Path(folder) / "resnet-block.png"
        media.write_bytes(PNG)
        genanki.Package([vision, optim], media_files=[str(media)]).write_to_file(str(path))
    return path


GENANKI_CARDS = [
    (
        "Mask R-CNN",
        "adds a mask branch to Faster R-CNN\nand uses RoI Align",
        ("DL::Vision", "detection", "cnn"),
    ),
    ("ResNet block", "[image: resnet-block.png]", ("DL::Vision", "cnn")),
    ("IoU", "intersection over union", ("DL::Vision",)),
    ("Adam", "combines RMSprop & momentum", ("DL::Optimization", "optimization")),
    (
        "[...] combines RMSprop and momentum",
        "Adam\nAdam combines RMSprop and momentum\nKingma & Ba, 2014",
        ("DL::Optimization", "optimization"),
    ),
    (
        "Adam combines [an optimizer] and momentum",
        "RMSprop\nAdam combines RMSprop and momentum\nKingma & Ba, 2014",
        ("DL::Optimization", "optimization"),
    ),
]
NOTE_ID = r"note \d+"


def _skipped(deck) -> list[str]:
    """The deck's notes with the file name and note ids made generic."""
    return [re.sub(NOTE_ID, "note N", n.replace(deck.path, "DECK")) for n in deck.notes]


GENANKI_SKIPPED = [
    "DECK: note N (Image Occlusion (made with genanki)): skipped, an image occlusion note: its cards are "
    "regions of a picture",
    "DECK: note N (Basic (genanki)): skipped, the back is empty (or only sound)",
]


@pytest.fixture(scope="module")
def genanki_apkg(tmp_path_factory) -> Path:
    return build_genanki_package(tmp_path_factory.mktemp("genanki") / "deep-learning.apkg")


def test_genanki_package_gives_every_card_with_deck_and_tags(genanki_apkg):
    deck = load_deck(genanki_apkg)
    assert deck.format == "anki-package"
    assert _qat(deck.cards) == GENANKI_CARDS
    assert _skipped(deck) == GENANKI_SKIPPED
    assert re.fullmatch(rf"{re.escape(str(genanki_apkg))}:note \d+", deck.cards[0].source)
    assert re.fullmatch(rf"{re.escape(str(genanki_apkg))}:note \d+ c2", deck.cards[5].source)


def test_the_committed_sample_is_the_genanki_package():
    """tests/data/decks/deep-learning.apkg (the reliability suite's sample) reads as the builder's."""
    deck = load_deck(SAMPLE)
    assert _qat(deck.cards) == GENANKI_CARDS and _skipped(deck) == GENANKI_SKIPPED


def test_package_is_recognised_by_content_whatever_its_name(genanki_apkg, tmp_path):
    for name in ("deck", "deck.txt", "deck.zip", "deck.csv"):
        copy = tmp_path / name
        copy.write_bytes(genanki_apkg.read_bytes())
        assert _qat(load_deck(copy).cards) == GENANKI_CARDS, name


def test_forcing_the_format(genanki_apkg, tmp_path):
    assert "anki-package" in FORMATS
    assert _qat(load_deck(genanki_apkg, "anki-package").cards) == GENANKI_CARDS
    # --format anki names Anki's text export, but on a package the user can only mean the package
    assert load_deck(genanki_apkg, "anki").format == "anki-package"
    with pytest.raises(
        DeckError, match=r"deep-learning.apkg: this is a zip archive .* not a csv deck; .*anki-package"
    ):
        load_deck(genanki_apkg, "csv")
    text = tmp_path / "deck.txt"
    text.write_text("Adam\tcombines RMSprop\n", encoding="utf-8")
    with pytest.raises(
        DeckError, match="deck.txt: not an Anki package or collection .* drop --format anki-package"
    ):
        load_deck(text, "anki-package")


def test_bare_legacy_collection_reads_and_is_left_untouched(genanki_apkg, tmp_path):
    collection = tmp_path / "collection.anki2"
    collection.write_bytes(zipfile.ZipFile(genanki_apkg).read("collection.anki2"))
    before = (collection.read_bytes(), collection.stat().st_mtime_ns)
    deck = load_deck(collection)
    assert _qat(deck.cards) == GENANKI_CARDS
    assert (collection.read_bytes(), collection.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["collection.anki2"]  # no -shm, -wal, journal


def test_cloze_parsing():
    assert cloze_cards("{{c1::Adam}} and {{c1::RMSprop}} and {{c2::AdaGrad}}") == [
        ("[...] and [...] and AdaGrad", "Adam; RMSprop\nAdam and RMSprop and AdaGrad"),
        ("Adam and RMSprop and [...]", "AdaGrad\nAdam and RMSprop and AdaGrad"),
    ]
    # nested deletions, HTML inside, and an unclosed one kept as text
    assert cloze_cards("{{c1::<b>Mask {{c2::R-CNN}}</b>}} adds masks {{c3::oops") == [
        ("[...] adds masks {{c3::oops", "Mask R-CNN\nMask R-CNN adds masks {{c3::oops"),
        ("Mask [...] adds masks {{c3::oops", "R-CNN\nMask R-CNN adds masks {{c3::oops"),
    ]
    assert cloze_cards("no deletion }} here") == []


def test_images_are_kept_only_where_asked():
    field = 'a <img alt="x" src="f one.png"> b <img src=g.png/> <img data-src="h.png">'
    assert html_to_text(field, images=True) == "a [image: f one.png] b [image: g.png]"
    assert html_to_text(field) == "a b"


# --- damaged and foreign files --------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return buffer.getvalue()


def _sqlite(tmp_path: Path, *statements: str) -> bytes:
    path = tmp_path / "db.sqlite"
    with sqlite3.connect(path) as connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()
    return path.read_bytes()


def test_damaged_and_foreign_files_get_a_clear_message(genanki_apkg, tmp_path):
    raw = genanki_apkg.read_bytes()
    cases: list[tuple[bytes, str]] = [
        (
            raw[: len(raw) // 2],
            r"x.apkg: the Anki package is damaged \(.+\); download it again, or export it again",
        ),
        (_zip({"notes.txt": b"Adam\tmomentum"}), "x.apkg: a zip archive with no Anki collection inside"),
        (
            _zip({"collection.anki21b": b"\x28\xb5\x2f\xfd" + b"junk" * 10}),
            "x.apkg: the Anki package is damaged",
        ),
        (_zip({"collection.anki2": b"not a database at all"}), "x.apkg: not a readable Anki collection"),
        (
            _zip({"meta": b"\x08\x03", "collection.anki2": b""}),
            "meta file names collection.anki21b, which is missing",
        ),
        (_zip({"meta": b"\x08\x09", "collection.anki21b": b""}), r"newer Anki \(package version 9\)"),
        (_sqlite(tmp_path, "create table t(x)"), "x.apkg: an SQLite database, but not an Anki collection"),
        (
            _sqlite(tmp_path, "create table col(x)", "create table notes(x)", "create table cards(x)"),
            r"x.apkg: cannot read this Anki collection \(schema version unknown: no such column: ver\)",
        ),
        (b"\x28\xb5\x2f\xfd" + b"\x00" * 30, "x.apkg: not a readable Anki collection: .* damaged"),
    ]
    for bad, message in cases:
        with pytest.raises(DeckError, match=message):
            read_deck_bytes(bad, "x.apkg")


def test_every_note_that_gives_no_card_is_reported_with_its_reason(tmp_path):
    one_field = genanki.Model(
        1807392319,
        "Term only",
        fields=[{"name": "Term"}],
        templates=[{"name": "Card 1", "qfmt": "{{Term}}", "afmt": "{{Term}}"}],
    )
    deck = genanki.Deck(2059400112, "Odd notes")
    deck.add_note(genanki.Note(genanki.BASIC_MODEL, ["GRU", "simplifies the LSTM"]))
    deck.add_note(genanki.Note(genanki.BASIC_MODEL, ["Dropout", "<br>"]))
    deck.add_note(genanki.Note(genanki.BASIC_MODEL, ["<img>", "a picture without a source"]))
    deck.add_note(genanki.Note(genanki.CLOZE_MODEL, ["{{c1::Adam never closes", ""]))
    deck.add_note(genanki.Note(one_field, ["Softmax"]))
    path = tmp_path / "odd.apkg"
    genanki.Package(deck).write_to_file(str(path))
    loaded = load_deck(path)
    assert _qat(loaded.cards) == [("GRU", "simplifies the LSTM", ("Odd notes",))]
    assert _skipped(loaded) == [
        "DECK: note N (Basic (genanki)): skipped, the back is empty (or only sound)",
        "DECK: note N (Basic (genanki)): skipped, the front is empty (or only sound)",
        "DECK: note N (Cloze (genanki)): skipped, a cloze note without a {{c1::...}} deletion",
        "DECK: note N (Term only): skipped, its note type has a single field, so no answer",
    ]


def test_a_package_whose_notes_all_give_no_card_says_why(tmp_path):
    deck = genanki.Deck(2059400113, "Empty")
    deck.add_note(genanki.Note(genanki.BASIC_MODEL, ["Dropout", "<br>"]))
    path = tmp_path / "empty.apkg"
    genanki.Package(deck).write_to_file(str(path))
    with pytest.raises(
        DeckError, match=r"found no cards .*: note \d+ \(Basic \(genanki\)\): skipped, the back is"
    ):
        load_deck(path)


_MUTATIONS: dict[str, Callable[[bytes, int, int], bytes]] = {
    "truncated": lambda raw, at, n: raw[:at],
    "bytes overwritten": lambda raw, at, n: raw[:at] + bytes([n * 7 % 256]) * n + raw[at + n :],
    "NUL bytes inserted": lambda raw, at, n: raw[:at] + b"\x00" * n + raw[at:],
    "huge insert": lambda raw, at, n: raw[:at] + b"x" * 200_000 + raw[at:],
}


@settings(max_examples=120, deadline=None, derandomize=True)
@given(st.sampled_from(sorted(_MUTATIONS)), st.integers(0, 1 << 20), st.integers(1, 40))
def test_a_damaged_package_raises_only_deck_error(mutation, at, n):
    raw = SAMPLE.read_bytes()
    hostile = _MUTATIONS[mutation](raw, at % (len(raw) + 1), n)
    try:
        deck = read_deck_bytes(hostile, "hostile.apkg")
    except DeckError as exc:
        held = bool(str(exc))
    except Exception:
        record("deck reader: anki-package", f"damaged package: {mutation}", held=False)
        raise
    else:
        held = bool(deck.cards) and all(c.question and c.answer for c in deck.cards)
    record("deck reader: anki-package", f"damaged package: {mutation}", held=held)
    assert held


_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=6)
_note = st.tuples(
    st.sampled_from(["basic", "image", "cloze", "sound only", "no deletion"]),
    st.lists(_word, min_size=2, max_size=5, unique=True),
    st.lists(_word, max_size=2),
)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(_note, min_size=1, max_size=8, unique_by=lambda n: tuple(n[1])))
def test_generated_packages_give_every_note_as_cards_or_a_reason(notes):
    """The package form of 'every line accounted for': each note gives its cards or a noted reason."""
    from dlgraph.decks import read_anki_package

    deck = genanki.Deck(2059400200, "Gen::Deck")
    expected: list[tuple[str, str]] = []
    reasons = 0
    for kind, words, tags in notes:
        front, back = words[0], " ".join(words[1:])
        if kind == "cloze":
            text = " ".join(f"{{{{c{i}::{w}}}}}" for i, w in enumerate(words, 1))
            deck.add_note(genanki.Note(genanki.CLOZE_MODEL, [text, ""], tags=tags))
            whole = " ".join(words)
            for i, word in enumerate(words):
                expected.append((" ".join([*words[:i], "[...]", *words[i + 1 :]]), f"{word}\n{whole}"))
        elif kind == "no deletion":
            deck.add_note(genanki.Note(genanki.CLOZE_MODEL, [" ".join(words), ""], tags=tags))
            reasons += 1
        elif kind == "sound only":
            deck.add_note(genanki.Note(genanki.BASIC_MODEL, [front, f"[sound:{back}.mp3]"], tags=tags))
            reasons += 1
        else:
            answer = f'<img src="{back}.png">' if kind == "image" else f"<b>{back}</b>"
            deck.add_note(genanki.Note(genanki.BASIC_MODEL, [front, answer], tags=tags))
            expected.append((front, f"[image: {back}.png]" if kind == "image" else back))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gen.apkg"
        genanki.Package([deck]).write_to_file(str(path))
        said: list[str] = []
        cards = read_anki_package(path.read_bytes(), "gen.apkg", notes=said)
    assert sorted((c.question, c.answer) for c in cards) == sorted(expected)
    listed = len([n for n in said if ": skipped, " in n])
    more = sum(int(m.group(1)) for n in said if (m := re.match(r"\.\.\. and (\d+) more", n)))
    assert listed + more == reasons
    assert all(c.tags[0] == "Gen::Deck" for c in cards)
    record("deck reader: anki-package", "generated package, every note accounted for")


def test_build_reads_a_package(run, genanki_apkg, tmp_path):
    out = tmp_path / "graph"
    result = run("build", "--no-field", str(genanki_apkg), "--out", str(out), data_dir=None)
    assert result.exit_code == 0, result.output
    unwrapped: list[str] = []
    for line in result.stdout.splitlines():  # long notes wrap between words, continued indented
        if line.startswith("  ") and unwrapped:
            unwrapped[-1] += " " + line.strip()
        else:
            unwrapped.append(line)
    generic = (re.sub(NOTE_ID, "note N", line) for line in unwrapped)
    lines = [re.sub(r"found \d+ relations", "found N relations", line) for line in generic]
    assert lines[1:] == [
        f"read 6 cards from {genanki_apkg} as anki-package; extraction found N relations",
        f"note: {genanki_apkg}: note N (Image Occlusion (made with genanki)): skipped, an image occlusion "
        "note: its cards are regions of a picture",
        f"note: {genanki_apkg}: note N (Basic (genanki)): skipped, the back is empty (or only sound)",
        "note: 1 card(s) name a term another card already stands for, so their term's concept keeps the "
        "other card and they are not studied on their own: '[...] combines RMSprop and momentum'",
    ]


# --- packages made by Anki itself ----------------------------------------------------------------


@pytest.fixture(scope="module")
def anki_files(tmp_path_factory) -> dict[str, Path]:
    """One collection made with Anki's library, exported in every form Anki writes."""
    pytest.importorskip("anki")
    from anki.collection import Collection, ExportAnkiPackageOptions

    folder = tmp_path_factory.mktemp("anki")
    (folder / "profile").mkdir()
    col = Collection(str(folder / "profile" / "collection.anki2"))
    vision, optim = col.decks.id("DL::Vision"), col.decks.id("DL::Optimization")

    def add(notetype: str, deck: int, tags: list[str], **fields: str) -> None:
        note = col.new_note(col.models.by_name(notetype))
        for key, value in fields.items():
            note[key.replace("_", " ")] = value
        note.tags = tags
        col.add_note(note, deck)

    add(
        "Basic",
        vision,
        ["detection", "cnn"],
        Front="Mask R-CNN",
        Back="adds a <b>mask</b> branch<br>to Faster R-CNN",
    )
    add("Basic (and reversed card)", vision, [], Front="IoU", Back="intersection over union[sound:iou.mp3]")
    (folder / "resnet-block.png").write_bytes(PNG)
    image = col.media.add_file(str(folder / "resnet-block.png"))
    add("Basic", vision, ["cnn"], Front="ResNet block", Back=f'<img src="{image}">')
    add(
        "Cloze",
        optim,
        ["optimization"],
        Text="{{c1::Adam}} combines {{c2::RMSprop::an optimizer}} and momentum",
        Back_Extra="Kingma &amp; Ba",
    )
    add(
        "Image Occlusion",
        vision,
        [],
        Occlusion="{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.1:oi=1}}",
        Image=f'<img src="{image}">',
    )
    files = {"live collection": folder / "profile" / "collection.anki2"}
    live = folder / "live"
    live.mkdir()
    for suffix in ("", "-wal"):  # as Anki leaves it while open: recent notes only in the -wal
        source = files["live collection"].with_name("collection.anki2" + suffix)
        if source.exists():
            (live / ("collection.anki2" + suffix)).write_bytes(source.read_bytes())
    files["live collection"] = live / "collection.anki2"
    for legacy, label in ((True, "apkg, collection.anki21"), (False, "apkg, collection.anki21b")):
        out = folder / f"{'legacy' if legacy else 'latest'}.apkg"
        options = ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=True, legacy=legacy
        )
        col.export_anki_package(out_path=str(out), options=options, limit=None)
        files[label] = out
    files["colpkg"] = folder / "collection.colpkg"
    col.export_collection_package(str(files["colpkg"]), include_media=True, legacy=False)
    col.close()
    files["bare collection.anki2 (current schema)"] = folder / "profile" / "collection.anki2"
    latest = zipfile.ZipFile(files["apkg, collection.anki21b"])
    files["bare collection.anki21b"] = folder / "collection.anki21b"
    files["bare collection.anki21b"].write_bytes(latest.read("collection.anki21b"))
    files["bare collection.anki21"] = folder / "collection.anki21"
    files["bare collection.anki21"].write_bytes(
        zipfile.ZipFile(files["apkg, collection.anki21"]).read("collection.anki21")
    )
    files["stub"] = folder / "stub" / "collection.anki2"
    files["stub"].parent.mkdir()
    files["stub"].write_bytes(latest.read("collection.anki2"))
    return files


ANKI_CARDS = [
    (
        "Mask R-CNN",
        "adds a mask branch\nto Faster R-CNN",
        ("DL::Vision", "cnn", "detection"),
    ),  # Anki sorts tags
    ("IoU", "intersection over union", ("DL::Vision",)),
    ("ResNet block", "[image: resnet-block.png]", ("DL::Vision", "cnn")),
    (
        "[...] combines RMSprop and momentum",
        "Adam\nAdam combines RMSprop and momentum\nKingma & Ba",
        ("DL::Optimization", "optimization"),
    ),
    (
        "Adam combines [an optimizer] and momentum",
        "RMSprop\nAdam combines RMSprop and momentum\nKingma & Ba",
        ("DL::Optimization", "optimization"),
    ),
]
ANKI_SKIPPED = [
    "DECK: note N (Image Occlusion): skipped, an image occlusion note: its cards are regions of a picture"
]


@pytest.mark.parametrize(
    "form",
    [
        "apkg, collection.anki21",
        "apkg, collection.anki21b",
        "colpkg",
        "bare collection.anki2 (current schema)",
        "bare collection.anki21",
        "bare collection.anki21b",
        "live collection",
    ],
)
def test_every_form_anki_writes_gives_the_same_cards(anki_files, form):
    path = anki_files[form]
    before = path.read_bytes()
    deck = load_deck(path)
    assert deck.format == "anki-package"
    assert _qat(deck.cards) == ANKI_CARDS
    assert _skipped(deck) == ANKI_SKIPPED  # the 'please update Anki' placeholder is no deck: no note
    assert "please update" not in repr(deck.cards).casefold()
    assert path.read_bytes() == before


def test_the_placeholder_alone_is_refused_with_what_to_do(anki_files):
    stub = anki_files["stub"]
    with pytest.raises(
        DeckError, match=r"collection.anki2: this is Anki's 'please update Anki' placeholder, not "
    ):
        load_deck(stub)
    only_stub = _zip({"collection.anki2": stub.read_bytes(), "media": b"{}"})
    with pytest.raises(DeckError, match=r"x.apkg: holds only Anki's 'please update Anki' placeholder"):
        read_deck_bytes(only_stub, "x.apkg")


def test_an_older_copy_beside_the_read_collection_is_noted(anki_files):
    archive = zipfile.ZipFile(anki_files["apkg, collection.anki21"])
    both = _zip(
        {
            "collection.anki21": archive.read("collection.anki21"),
            "collection.anki2": anki_files["bare collection.anki21"].read_bytes(),
        }
    )
    deck = read_deck_bytes(both, "x.apkg")
    assert _qat(deck.cards) == ANKI_CARDS
    assert deck.notes[-1] == "x.apkg: skipped collection.anki2, an older copy beside collection.anki21"


def test_a_live_collection_is_read_with_its_write_ahead_log(anki_files, tmp_path):
    """The copy is read with the -wal Anki keeps while open, so the newest notes are not missed."""
    live = anki_files["live collection"]
    assert live.with_name("collection.anki2-wal").exists()
    assert sorted(os.listdir(live.parent)) == ["collection.anki2", "collection.anki2-wal"]
    assert len(load_deck(live).cards) == len(ANKI_CARDS)
    assert sorted(os.listdir(live.parent)) == ["collection.anki2", "collection.anki2-wal"]
    try:  # the same file without its log: Anki has not written the notes back yet
        alone = len(read_deck_bytes(live.read_bytes(), "no-wal").cards)
    except DeckError:
        alone = 0
    assert alone < len(ANKI_CARDS)
