"""The user cache directory: derived data kept between runs, keyed by content hash.

dcpower caches only data (JSON of parsed TOML, markers of validated files, numpy arrays of
parsed weather), never code, in ``$XDG_CACHE_HOME/dcpower`` (``~/.cache/dcpower``). A
changed input has a new hash and is simply parsed again; a cache that cannot be written only
costs speed. ``DCPOWER_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(kind: str) -> Path | None:
    """Folder for one kind of cached data, or ``None`` when caching is off."""
    if os.environ.get("DCPOWER_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dcpower" / kind
