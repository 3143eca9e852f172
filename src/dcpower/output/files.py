"""Writing output files: whole or not at all, and never over what must not be replaced.

:func:`write_atomic` writes a temporary file beside the target and renames it into place,
so a reader sees the old file or the new one, never half of one; the temporary file is
removed on every failure, an interrupt included. :func:`check_output` refuses, with one line
that says why and what to do, a target that is an input this run read (a scenario, spec or
weather file), a device or FIFO (``/dev/null``, ``/dev/stdout``: renaming over one would
replace it with a plain file), a folder, a read-only file, or a symbolic link that leads out
of the folder named.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from dcpower.errors import InputError
from dcpower.inputs import describe_file, input_named

__all__ = ["write_atomic", "check_output"]


def check_output(path) -> Path:
    """The file that writing ``path`` replaces or creates; :class:`InputError` if it must not be written.

    A symbolic link is followed when it leads to a file in the same folder (the link stays a
    link); one that leads elsewhere is refused.
    """
    p = Path(path)
    if not str(path) or p.name in ("", ".", ".."):
        raise InputError(f"cannot write '{path}': give a file name")
    if str(path).endswith(("/", os.sep)):  # Path() drops the slash: "out.txt/" would write the file out.txt
        raise InputError(f"cannot write {path}: a name ending in '/' is a folder; give a file name, "
                         f"e.g. {str(path).rstrip('/' + os.sep)}")
    folder = p.parent
    if not folder.is_dir():
        raise InputError(f"cannot write {path}: folder '{folder}' does not exist; create it first")
    try:
        st = os.stat(p)  # what a link leads to
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise InputError(f"cannot write {path}: it is a folder; give a file name")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise InputError(f"cannot write {path}: it is {describe_file(st.st_mode)}, and -o replaces a file "
                         "whole; leave out -o and redirect standard output instead")
    target = p
    if p.is_symlink():
        target = Path(os.path.realpath(p))
        if target.parent != Path(os.path.realpath(folder)):
            raise InputError(f"cannot write {path}: it is a symbolic link to {target}, outside the folder "
                             "named; give the file's own path, or remove the link")
    if st is None:
        return target
    read_as = input_named(target)
    if read_as is not None:
        also = f" (read as {read_as})" if os.path.realpath(read_as) != os.path.realpath(p) else ""
        raise InputError(f"cannot write {path}: this command reads it as input{also}; dcpower never "
                         "writes over its inputs, so choose another output file")
    if not st.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise InputError(f"cannot write {path}: the file is read-only; choose another name, or make "
                         "it writable first (chmod u+w)")
    return target


def write_atomic(path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: a temporary file beside it, then rename.

    Raises :class:`InputError` (one line) when :func:`check_output` refuses the target, or
    when the folder cannot be written or the disk fills; nothing is left behind then.
    """
    target = check_output(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}; check the folder's permissions") from None
    done = False
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(target))  # mkstemp makes 0600
        check_output(path)  # nothing became an input, a device or read-only meanwhile
        os.replace(tmp, target)
        done = True
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}; nothing was written, "
                         f"{_fix(exc)}") from None
    finally:
        if not done:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _fix(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "free some space or write to another disk"
    return "check the folder and its permissions"


def _mode_for(target: Path) -> int:
    """Permissions of the file replaced, or the usual ones (0666 less the umask) for a new file."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
