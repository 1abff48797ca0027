"""Reading what a user hands dlgraph as a file: only a regular file (or stdin for ``-``), never more
than a cap, in one linear pass.

A FIFO would block a read for ever and ``/dev/zero`` never ends; either is refused at once, by name,
with what to do instead. Every file input goes through here: decks, the data files, ``--known`` and
``--ratings``; the progress file (SQLite reads it page by page) only needs :func:`require_regular`.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> (folder / "names.txt").write_text("adam\\n")
5
>>> read_bounded(folder / "names.txt", 100, what="names file")
b'adam\\n'
>>> try:
...     read_bounded(pathlib.Path("/dev/null"), 100, what="names file")
... except InvalidData as exc:
...     print(exc)
/dev/null: is not a regular file (a pipe, device or socket); save the names file to a file and give that
>>> import shutil; shutil.rmtree(folder)
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import DlgraphError, InvalidData

#: The most a small text input (``--known``, ``--ratings``) may be: names or ratings one a line.
MAX_TEXT_BYTES = 16 * 1024 * 1024
#: The most one data file (``concepts.json``, ``relations.json``, ...) may be: a 100,000-concept
#: graph is about 90 MB for both files together, and loading takes several times a file's size.
MAX_DATA_BYTES = 1024 * 1024 * 1024
#: The longest line read from a stream (stdin) at once, so a line that never ends is not held whole.
MAX_LINE_BYTES = 64 * 1024


def require_regular(
    path: Path, *, what: str, error: type[DlgraphError] = InvalidData, instead: str = ""
) -> os.stat_result:
    """``path``'s status when it is a regular file; a pipe, device or socket is ``error`` at once,
    saying what to do ``instead`` (by default: save the ``what`` to a file and give that).

    A missing file raises :class:`FileNotFoundError` and a folder :class:`IsADirectoryError`, for
    the caller to word (it knows what the file is for).
    """
    info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(path)
    if not stat.S_ISREG(info.st_mode):
        instead = instead or f"save the {what} to a file and give that"
        raise error(f"{path}: is not a regular file (a pipe, device or socket); {instead}")
    return info


def read_bounded(
    path: Path,
    limit: int,
    *,
    what: str,
    error: type[DlgraphError] = InvalidData,
    larger: str = "",
    instead: str = "",
) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else is ``error`` at once.

    ``what`` names the file's role in the messages, without an article ("deck"); ``larger`` says
    how to read a larger one, when there is a way (``give --max-size MB to read it``).
    """
    info = require_regular(path, what=what, error=error, instead=instead)
    too_big = f"{path}: is larger than {limit:,} bytes, the most a {what} may be" + (
        f"; {larger}" if larger else ""
    )
    if info.st_size > limit:
        raise error(too_big)
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew while we looked
        raise error(too_big)
    return data


def read_text(
    path: Path,
    *,
    what: str,
    limit: int = MAX_TEXT_BYTES,
    error: type[DlgraphError] = InvalidData,
    encoding_error: type[DlgraphError] | None = None,
    instead: str = "",
) -> str:
    """A regular UTF-8 text file (a BOM is dropped) of at most ``limit`` bytes, as ``str``.

    A missing, unreadable or irregular file is ``error``; one that is not UTF-8 is
    ``encoding_error`` (by default ``error`` too); each names the file.
    """
    try:
        raw = read_bounded(path, limit, what=what, error=error, instead=instead)
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, expected a {what}") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise (encoding_error or error)(
            f"{path}: not UTF-8 (bad byte at offset {exc.start}); save it as UTF-8"
        ) from None


def text_lines(
    value: str,
    stdin: IO[str] | None,
    *,
    what: str,
    encoding_error: type[DlgraphError] | None = None,
    instead: str = "",
) -> Iterator[str]:
    """The lines of the file ``value`` names (see :func:`read_text`), or of ``stdin`` when ``value``
    is ``-`` (see :func:`stream_lines`)."""
    if value == "-" and stdin is not None:
        return stream_lines(stdin, name="<stdin>", what=what)
    return iter(
        read_text(Path(value), what=what, encoding_error=encoding_error, instead=instead).splitlines(
            keepends=True
        )
    )


def stream_lines(
    stream: IO[str],
    *,
    name: str,
    what: str,
    limit: int = MAX_TEXT_BYTES,
    error: type[DlgraphError] = InvalidData,
) -> Iterator[str]:
    """The lines of a text stream (stdin), read as they come, at most ``limit`` characters in all.

    Lazily, so a program that feeds ratings one by one still gets each card as it answers; a line
    longer than :data:`MAX_LINE_BYTES` is cut there (what it holds is then not a name or a rating,
    and says so where it is parsed), and a stream that never ends stops at ``limit``.
    """
    total = 0
    while True:
        line = stream.readline(MAX_LINE_BYTES)
        if not line:
            return
        total += len(line)
        if total > limit:
            raise error(f"{name}: more than {limit:,} characters, the most a {what} may be")
        yield line
