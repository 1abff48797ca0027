"""Where a command's output lands, and the rules that keep it from clobbering anything.

A file output is one of: standard output (``-``, ``/dev/stdout``), a character device or FIFO that is
written *through* (``/dev/null``, a named pipe: the node itself is never replaced), a new file, or an
existing regular file replaced whole with ``force`` (through a symlink: the file it points to). A
folder output is written beside the destination and swapped in at once, so the old folder stays
until the new one is complete; a full folder is only replaced with ``force`` and only if dlgraph
wrote it. Nothing creates a missing parent folder, and the temp files or folders a killed run
left behind are removed by the next run to the same destination.

Every refusal is a :class:`~dlgraph.errors.DlgraphError` naming the path and what to do.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, NamedTuple

from .errors import DlgraphError

STDOUT = "-"
#: The file a folder export leaves in its folder: what makes ``--force`` willing to replace it.
FOLDER_MARKER = ".dlgraph-export"
#: What a user (or Obsidian) adds to an exported folder that a replacement carries over.
KEPT_IN_FOLDERS = (".obsidian",)
#: Names of a process's own open files: writing to them means writing to that stream.
_STREAM_NAMES = re.compile(r"^/(?:dev|proc/self)/fd/(\d+)$|^/dev/std(out|err)$")


class Plan(NamedTuple):
    """How a file output will be written: ``how`` is stdout, through, new or replace."""

    how: str
    path: Path | None
    fd: int | None = None


def _cannot(dest: str | os.PathLike[str], what: str, why: str) -> DlgraphError:
    return DlgraphError(f"{dest}: cannot write {what} ({why}); choose another path with -o")


def _missing_parent(path: Path, what: str) -> DlgraphError:
    """The message for a destination whose folder is missing or is not a folder."""
    parent = path.parent
    for ancestor in (parent, *parent.parents):
        if ancestor.exists():
            if not ancestor.is_dir():
                return _cannot(path, what, f"{ancestor} is a file, not a folder")
            break
    return _cannot(path, what, f"no folder {parent}; create it first with mkdir -p {parent}")


def plan_file(dest: str | os.PathLike[str], *, force: bool, what: str = "the file") -> Plan:
    """Decide how ``dest`` will be written, or refuse: before the (slow) work, and again as writing starts."""
    if str(dest) == STDOUT:
        return Plan("stdout", None, 1)
    path = Path(dest)
    stream = _STREAM_NAMES.match(str(path))
    if stream:
        return Plan("stdout" if stream.group(2) == "out" else "through", path, _stream_fd(stream))
    try:
        info = os.stat(path)  # follows a symlink: what matters is what it points to
    except FileNotFoundError:
        target = Path(os.path.realpath(path)) if path.is_symlink() else path
        if not target.parent.is_dir():
            raise _missing_parent(target, what) from None
        return Plan("new", target)
    except NotADirectoryError:
        raise _missing_parent(path, what) from None
    except OSError as exc:
        raise _cannot(path, what, exc.strerror or str(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise DlgraphError(f"{path}: is a folder; give a file name")
    if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
        return Plan("through", path)
    if not stat.S_ISREG(info.st_mode):
        kind = "a block device" if stat.S_ISBLK(info.st_mode) else "a socket"
        raise DlgraphError(f"{path}: is {kind}; dlgraph writes only files, FIFOs and character devices")
    if not force:
        raise DlgraphError(f"{path}: already exists; use --force to replace it")
    return Plan("replace", Path(os.path.realpath(path)))


def _stream_fd(match: re.Match[str]) -> int:
    if match.group(2):
        return 1 if match.group(2) == "out" else 2
    return int(match.group(1))


def write_file(
    dest: str | os.PathLike[str],
    write: Callable[[IO[bytes]], None],
    *,
    force: bool = False,
    what: str = "the file",
    check: Callable[[IO[bytes]], None] | None = None,
    binary: bool = False,
) -> Plan:
    """Write what ``write`` produces to ``dest`` by the rules above; returns how it was written.

    ``check`` reads the finished bytes back (from the start) and raises if they are not what the
    format promises: nothing reaches the destination then. ``binary`` output is refused on a terminal.
    """
    plan = plan_file(dest, force=force, what=what)
    if plan.how in ("stdout", "through"):
        _write_stream(plan, write, check, binary, what)
        return plan
    assert plan.path is not None
    folder, name = plan.path.parent, plan.path.name
    _remove_leftovers(folder, name, kinds=("tmp",), folders=False)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{_temp_stem(name)}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _cannot(dest, what, exc.strerror or str(exc)) from None
    tmp = Path(tmp_name)
    try:
        # Write-only: a text layer over a readable handle (ElementTree's) resets a decoder per write.
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if check is not None:
            with open(tmp, "rb") as written:
                check(written)
        if plan.how == "replace":
            _replace(tmp, plan.path, dest, what)
        else:
            os.chmod(tmp, _from_umask(0o666))  # mkstemp makes it private; an output is a normal file
            _link_new(tmp, plan.path, force, what)
        _fsync_dir(folder)
    except OSError as exc:
        raise _cannot(dest, what, exc.strerror or str(exc)) from None
    finally:
        tmp.unlink(missing_ok=True)
    return plan


def _write_stream(plan: Plan, write, check, binary: bool, what: str) -> None:
    """stdout or a device/FIFO: the bytes are made and checked first, then copied through."""
    if binary and plan.fd in (1, 2) and (sys.stdout if plan.fd == 1 else sys.stderr).isatty():
        raise DlgraphError(f"{what} is binary; redirect it to a file (> FILE) or give -o FILE")
    with tempfile.TemporaryFile(prefix="dlgraph-") as buffer:
        with os.fdopen(os.dup(buffer.fileno()), "wb") as writing:  # write-only, as in write_file
            write(writing)
        if check is not None:
            buffer.seek(0)
            check(buffer)
        buffer.seek(0)
        if plan.fd in (1, 2):
            stream = sys.stdout if plan.fd == 1 else sys.stderr
            stream.flush()
            shutil.copyfileobj(buffer, stream.buffer)
            stream.buffer.flush()
            return
        try:
            if plan.fd is not None:
                fd = os.dup(plan.fd)
            else:
                # No O_CREAT, no O_TRUNC: if the node changed since it was looked at, nothing is made.
                fd = os.open(plan.path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
                if not (stat.S_ISCHR(os.fstat(fd).st_mode) or stat.S_ISFIFO(os.fstat(fd).st_mode)):
                    os.close(fd)
                    raise DlgraphError(f"{plan.path}: changed while dlgraph was writing; run it again")
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(buffer, out)
        except OSError as exc:
            raise _cannot(plan.path, what, exc.strerror or str(exc)) from None


def _replace(tmp: Path, target: Path, dest, what: str) -> None:
    """Rename ``tmp`` over the regular file ``target``, keeping its mode; refuse if it stopped being one."""
    info = os.lstat(target)
    if not stat.S_ISREG(info.st_mode):
        raise DlgraphError(f"{dest}: changed while dlgraph was writing; run it again")
    os.chmod(tmp, stat.S_IMODE(info.st_mode))
    os.replace(tmp, target)


def _link_new(tmp: Path, target: Path, force: bool, what: str) -> None:
    """Put ``tmp`` at ``target`` only if nothing is there yet: a hard link fails rather than replaces."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise DlgraphError(
            f"{target}: appeared while dlgraph was writing; use --force to replace it"
        ) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS):
            raise
        # A file system without hard links (FAT, some network mounts): check, then rename.
        if os.path.lexists(target):
            raise DlgraphError(
                f"{target}: appeared while dlgraph was writing; use --force to replace it"
            ) from None
        os.rename(tmp, target)


# --- folders ----------------------------------------------------------------------------------------


def plan_folder(dest: str | os.PathLike[str], *, force: bool, what: str = "the folder") -> Path:
    """The real folder ``dest`` names (a symlink is followed), after checking it may be written."""
    if str(dest) == STDOUT:
        raise DlgraphError(f"{what} is a folder; give -o FOLDER")
    path = Path(dest)
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        info = os.stat(real)
    except FileNotFoundError:
        if not real.parent.is_dir():
            raise _missing_parent(real, what) from None
        return real
    except NotADirectoryError:
        raise _missing_parent(real, what) from None
    except OSError as exc:
        raise _cannot(path, what, exc.strerror or str(exc)) from None
    if not stat.S_ISDIR(info.st_mode):
        raise DlgraphError(f"{path}: is a file; this format writes a folder")
    try:
        entries = {entry.name for entry in os.scandir(real)}
    except OSError as exc:
        raise _cannot(path, what, exc.strerror or str(exc)) from None
    if entries and not force:
        raise DlgraphError(f"{path}: folder is not empty; use --force to replace it, or pick a new folder")
    if entries and FOLDER_MARKER not in entries:
        raise DlgraphError(
            f"{path}: holds files dlgraph did not write (no {FOLDER_MARKER} in it), so --force leaves "
            "it alone; move them away or pick a new folder"
        )
    return real


def write_folder(
    dest: str | os.PathLike[str],
    write: Callable[[Path], None],
    *,
    force: bool = False,
    what: str = "the folder",
    marker: str = "written by dlgraph\n",
) -> Path:
    """Write a folder beside ``dest``, then swap it in at once; returns the real folder written.

    On Linux the swap is one ``renameat2(RENAME_EXCHANGE)``: at every instant the path holds the
    old folder or the new one. Elsewhere it is two renames, and a run killed between them leaves
    the old folder as a ``.old`` leftover beside the path, which the next run removes.
    """
    real = plan_folder(dest, force=force, what=what)
    parent = real.parent
    _remove_leftovers(parent, real.name, kinds=("tmp", "old"), folders=True)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{_temp_stem(real.name)}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise _cannot(dest, what, exc.strerror or str(exc)) from None
    try:
        write(tmp)
        (tmp / FOLDER_MARKER).write_text(marker, encoding="utf-8")
        for name in KEPT_IN_FOLDERS:
            kept = real / name
            if kept.is_dir() and not kept.is_symlink():
                shutil.copytree(kept, tmp / name, symlinks=True)
        _fsync_tree(tmp)
        os.chmod(tmp, _from_umask(0o777))
        plan_folder(dest, force=force, what=what)  # the check again: it may have changed meanwhile
        if not real.exists() or not any(real.iterdir()):
            os.rename(tmp, real)  # onto nothing or an empty folder: one rename
        elif _exchange(tmp, real):
            shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old folder
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{_temp_stem(real.name)}.", suffix=".old", dir=parent))
            os.rmdir(old)
            os.rename(real, old)
            os.rename(tmp, real)
            shutil.rmtree(old, ignore_errors=True)
        _fsync_dir(parent)
    except OSError as exc:
        raise _cannot(dest, what, exc.strerror or str(exc)) from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return real


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


# --- leftovers and durability ---------------------------------------------------------------------


def leftover_pattern(name: str, kinds: tuple[str, ...] = ("tmp", "old")) -> re.Pattern[str]:
    """The names of the temp files and folders a write to ``name`` makes (mkstemp's 8 random chars).

    >>> bool(leftover_pattern("vault").match(".vault.k2_9x0aq.old"))
    True
    """
    return re.compile(rf"^\.{re.escape(_temp_stem(name))}\.[a-z0-9_]{{8}}\.(?:{'|'.join(kinds)})$")


def _temp_stem(name: str) -> str:
    """``name`` in a temp name beside it, or a hash of it when ``name`` leaves no room under 255 bytes."""
    if len(os.fsencode(name)) <= 200:
        return name
    return hashlib.sha1(os.fsencode(name)).hexdigest()[:16]


def _remove_leftovers(folder: Path, name: str, *, kinds: tuple[str, ...], folders: bool) -> None:
    """Remove what a killed earlier write to ``folder/name`` left, if this user made it."""
    pattern = leftover_pattern(name, kinds)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not pattern.match(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if hasattr(os, "getuid") and info.st_uid != os.getuid():
                continue
            if stat.S_ISDIR(info.st_mode) and folders:
                shutil.rmtree(entry.path)
            elif stat.S_ISREG(info.st_mode):
                os.unlink(entry.path)
        except OSError:
            continue  # someone else's, or already gone: not ours to insist on


def _from_umask(full: int) -> int:
    mask = os.umask(0)
    os.umask(mask)
    return full & ~mask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename is done either way
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    """Sync every file and folder under ``folder``, so the swap never exposes half-written files."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(root))
