"""Reading weather files: bounded text reads and one-line errors that name file and line."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dcpower.errors import WeatherError
from dcpower.inputs import MAX_WEATHER_BYTES, gunzip, read_input

__all__ = ["fail", "read_text", "parse_float"]


def fail(path, line, what: str, fix: str):
    where = f"{path}: line {line}" if line else f"{path}"
    raise WeatherError(f"{where}: {what}; {fix}")


def read_text(path: Path, kind: str) -> str:
    """The text of a weather file (gzip or not), a regular file within :data:`MAX_WEATHER_BYTES`.

    A FIFO, a device or a folder is refused before it is opened, a file larger than the
    limit is not read past it, and gzip data is inflated to the same limit at most.
    """
    data = read_input(path, kind, MAX_WEATHER_BYTES, WeatherError)
    if path.suffix == ".gz" or data[:2] == b"\x1f\x8b":
        data = gunzip(data, path, kind, MAX_WEATHER_BYTES, WeatherError)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        fail(path, 1, "the file is UTF-16 text (as some Windows editors save it)", "save it as UTF-8 or ASCII")
    # EPW files are ASCII in practice; Latin-1 decodes any byte, so a stray accent in a
    # station name or comment never stops the read. A UTF-8 byte-order mark (Notepad) is dropped.
    return data.removeprefix(b"\xef\xbb\xbf").decode("latin-1")


def parse_float(text: str, path, line: int, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not np.isfinite(value):
        fail(path, line, f"{what} '{text.strip()}' is not a number",
              "fix the field (see the EnergyPlus Weather File Data Dictionary)")
    return value
