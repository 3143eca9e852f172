"""The user cache directory: derived data kept between runs, keyed by content hash.

dcpower caches only data (JSON of parsed TOML, numpy arrays of parsed weather), never code
and never pickles, in ``$XDG_CACHE_HOME/dcpower`` (``~/.cache/dcpower``). A changed input
has a new hash and is simply parsed again. Whatever is read back from the cache is checked
as a fresh parse is (the same ranges, the same spec validation); an entry that fails is
deleted and rebuilt, never trusted and never fatal, and a cache that cannot be written only
costs speed. ``DCPOWER_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["cache_dir", "store", "discard"]


def cache_dir(kind: str) -> Path | None:
    """Folder for one kind of cached data, or ``None`` when caching is off."""
    if os.environ.get("DCPOWER_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dcpower" / kind


def store(path: Path, data: bytes) -> None:
    """Write a cache entry whole (a fresh temporary file renamed into place), or not at all."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass  # a cache that cannot be written only costs speed
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def discard(path: Path) -> None:
    """Delete a cache entry that failed its checks (a folder or an undeletable file is left alone)."""
    try:
        if path.is_symlink() or path.is_file():
            path.unlink()
    except OSError:
        pass
