"""Reading weather files: bounded text reads and one-line errors that name file and line."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from dcpower.errors import WeatherError

__all__ = ["fail", "read_text", "parse_float"]


def fail(path, line, what: str, fix: str):
    where = f"{path}: line {line}" if line else f"{path}"
    raise WeatherError(f"{where}: {what}; {fix}")


def read_text(path: Path, kind: str) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise WeatherError(f"{path}: file not found; give the path to {kind}") from None
    except IsADirectoryError:
        raise WeatherError(f"{path}: is a directory; give the path to {kind}") from None
    except OSError as exc:
        raise WeatherError(f"{path}: cannot read ({exc.strerror or exc}); check the path and "
                           "its permissions") from None
    if path.suffix == ".gz" or data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise WeatherError(f"{path}: not a valid gzip file ({exc}); regenerate it") from None
    # EPW files are ASCII in practice; Latin-1 decodes any byte, so a stray accent in a
    # station name or comment never stops the read.
    return data.decode("latin-1")


def parse_float(text: str, path, line: int, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not np.isfinite(value):
        fail(path, line, f"{what} '{text.strip()}' is not a number",
              "fix the field (see the EnergyPlus Weather File Data Dictionary)")
    return value
