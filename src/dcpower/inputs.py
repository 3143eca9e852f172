"""Reading input files: regular files only, within a size limit, and remembered.

Every file dcpower reads (spec and scenario TOML, weather files, cache entries) goes through
:func:`read_input`. It follows symbolic links and checks what they lead to *before* opening
it: a FIFO would block forever and a device (``/dev/zero``) never ends, so anything but a
regular file is refused with one line. The file is opened without blocking and read up to a
size limit that the message states; gzip data is inflated up to a limit too
(:func:`gunzip`). The files read are remembered so that an output (``-o FILE``) never
replaces an input of the same run (:func:`input_named`).
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import zlib

from dcpower.errors import DcpowerError

__all__ = ["read_input", "gunzip", "input_named", "remember_input", "forget_inputs", "describe_file", "format_size", "MiB",
           "MAX_TOML_BYTES", "MAX_TOML_DEPTH", "MAX_WEATHER_BYTES", "MAX_CACHE_BYTES", "nesting_depth"]

MiB = 1 << 20
# Limits: the largest built-in spec file is about 30 KB; an hourly EPW file is about 1.6 MB
# (2 MB with a leap day and long comments). The limits leave a wide margin above both.
MAX_TOML_BYTES = 4 * MiB
MAX_WEATHER_BYTES = 64 * MiB
MAX_CACHE_BYTES = 16 * MiB
# Tables and arrays nested deeper than this are refused: the built-in specs nest 4 deep.
MAX_TOML_DEPTH = 32

# (device, inode) -> the path it was read as, for every input this process has read.
_READ: dict[tuple[int, int], str] = {}


def format_size(n: int) -> str:
    """``64 MiB``, ``512 KiB``, ``10 bytes``."""
    if n >= MiB:
        return f"{n / MiB:.3g} MiB"
    if n >= 1024:
        return f"{n / 1024:.3g} KiB"
    return f"{n} bytes"


def describe_file(mode: int) -> str:
    """What a file that is not a regular file is, for messages: ``a FIFO (named pipe)``."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file" if not stat.S_ISREG(mode) else "a regular file"


def read_input(path, what: str, limit: int, error: type[DcpowerError] = DcpowerError, *,
               remember: bool = True) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Parameters
    ----------
    path : str or Path
        The file; a symbolic link is followed, and what it leads to must be a regular file.
    what : str
        What the file should be, for messages (``"an EnergyPlus .epw weather file"``).
    limit : int
        Largest size read. [bytes]
    error : type
        The :class:`~dcpower.errors.DcpowerError` subclass raised, with one line.
    remember : bool
        Record the file as an input of this run (see :func:`input_named`).
    """
    p = os.fspath(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise error(f"{path}: file not found; give the path to {what}") from None
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror or exc}); check the path and its permissions") from None
    if not stat.S_ISREG(st.st_mode):
        raise error(f"{path}: is {describe_file(st.st_mode)}, not a file; give the path to {what}")
    if st.st_size > limit:
        raise error(_too_large(path, st.st_size, limit, what))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(p, flags)
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror or exc}); check the path and its permissions") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):  # replaced between the check and the open
            raise error(f"{path}: is {describe_file(opened.st_mode)}, not a file; give the path to {what}")
        data = _read_at_most(fd, limit)
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror or exc}); check the path and its permissions") from None
    finally:
        os.close(fd)
    if len(data) > limit:  # the file grew after the check
        raise error(_too_large(path, len(data), limit, what))
    if remember:
        _READ[(opened.st_dev, opened.st_ino)] = p
    return data


def _read_at_most(fd: int, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes of ``fd``: one more than the limit tells a file that is too large."""
    chunks, total = [], 0
    while total <= limit:
        chunk = os.read(fd, min(MiB, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _too_large(path, size: int, limit: int, what: str) -> str:
    return (f"{path}: {format_size(size)} is more than the {format_size(limit)} dcpower reads for "
            f"{what}; check that this is the right file")


def gunzip(data: bytes, path, what: str, limit: int, error: type[DcpowerError] = DcpowerError) -> bytes:
    """Inflate gzip ``data`` of ``path`` to at most ``limit`` bytes (a gzip bomb stops there)."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb") as gz:
            out = gz.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise error(f"{path}: not a valid gzip file ({exc}); regenerate or re-download it") from None
    if len(out) > limit:
        raise error(f"{path}: decompresses to more than the {format_size(limit)} dcpower reads for "
                    f"{what}; check that this is the right file")
    return out


def remember_input(path) -> None:
    """Record ``path`` as an input of this run without reading it (an in-process cache served it)."""
    try:
        st = os.stat(os.fspath(path))
    except OSError:
        return
    _READ[(st.st_dev, st.st_ino)] = os.fspath(path)


def forget_inputs() -> None:
    """Start a new run: no file has been read yet (the command line calls this per command)."""
    _READ.clear()


def input_named(path) -> str | None:
    """The path under which this run read the file ``path`` names as input, or ``None``.

    Files are compared by device and inode, so a second name (a hard or symbolic link, a
    relative path) of an input is found too.
    """
    try:
        st = os.stat(os.fspath(path))
    except OSError:
        return None
    return _READ.get((st.st_dev, st.st_ino))


def nesting_depth(data, limit: int) -> int:
    """Depth of nested dicts and lists in ``data``, counted without recursion, up to ``limit + 1``."""
    deepest = 0
    stack = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            depth += 1
            deepest = max(deepest, depth)
            if depth > limit:
                return depth
            children = item.values() if isinstance(item, dict) else item
            stack.extend((c, depth) for c in children)
    return deepest
