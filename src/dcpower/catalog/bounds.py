"""Physical bounds of spec and scenario values: the range each field may take, and why.

Every numeric field of the spec and scenario models carries a :class:`Dim`: the dimension
its quantity must have and, where physics or the equipment set one, the range it must lie
in (an efficiency in (0, 1], cycles of concentration above 1, a site elevation between the
Dead Sea shore and the highest towns). The check runs in one place, when a model is
validated, so the same rule holds for CLI options, ``--set``, scenario files, user spec
files, library arguments, ``specs validate`` and the values a sweep or fit tries.

A failed check is one line naming the value, the range and the likely fix::

    96 is not in the range of an efficiency (above 0, at most 1); 96 looks like a percentage: write 0.96

Bounds that are sanity limits rather than physics (the largest GPU count, the highest PUE)
say so in their ``why``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from dcpower.errors import InputError
from dcpower.units import parse_quantity

__all__ = ["Dim", "check_magnitudes", "finite"]


class Dim:
    """Field metadata: the dimension of a value and the physical range it must lie in.

    Parameters
    ----------
    dimension : str
        Pint dimensionality the quantity must have (``"[power]"``).
    low, high : str or float, optional
        Range ends as quantity strings (``"0 W"``, ``"-90 degC"``) or plain numbers.
    open_low, open_high : bool
        Whether the end itself is excluded (an efficiency must be above 0, not 0).
    integer : bool
        The value counts things and must be a whole number.
    what : str
        What the value is, for messages ("an efficiency").
    why : str
        Where the range comes from, for messages.
    """

    def __init__(self, dimension: str, low=None, high=None, *, open_low: bool = False,
                 open_high: bool = False, integer: bool = False, what: str = "", why: str = ""):
        self.dimension = dimension
        self.low, self.high = low, high
        self.open_low, self.open_high, self.integer = open_low, open_high, integer
        self.what, self.why = what, why

    def __repr__(self) -> str:
        return f"Dim({self.dimension!r}, {self.low!r}, {self.high!r})"

    @functools.cached_property
    def _ends(self):
        lo = None if self.low is None else parse_quantity(self.low, self.dimension, "bound")
        hi = None if self.high is None else parse_quantity(self.high, self.dimension, "bound")
        return lo, hi

    def clip(self, low: float, high: float, units) -> tuple[float, float]:
        """``(low, high)`` in ``units`` narrowed to this range (open ends stay just inside).

        A study that widens a sourced range (a Monte Carlo ``spread`` above 1) stays within
        what is physically possible.
        """
        ends = [None if e is None else float(e.to(units).magnitude) for e in self._ends]
        lo_end, hi_end = ends
        if lo_end is not None and low <= lo_end:
            low = lo_end + (1e-6 * max(abs(high - lo_end), 1e-9) if self.open_low else 0.0)
        if hi_end is not None and high >= hi_end:
            high = hi_end - (1e-6 * max(abs(hi_end - low), 1e-9) if self.open_high else 0.0)
        return low, high

    def range_text(self) -> str:
        """``"above 0, at most 1"``: the allowed range in words."""
        lo, hi = self._ends
        parts = []
        if lo is not None:
            parts.append(f"{'above' if self.open_low else 'at least'} {_fmt(lo)}")
        if hi is not None:
            parts.append(f"{'below' if self.open_high else 'at most'} {_fmt(hi)}")
        if self.integer:
            parts.append("a whole number")
        return ", ".join(parts) or "any finite value"

    def check(self, quantity, shown) -> None:
        """Raise :class:`InputError` unless every magnitude of ``quantity`` is in range.

        ``shown`` is the value as the user wrote it, quoted in the message.
        """
        lo, hi = self._ends
        unit = (lo if lo is not None else hi).units if (lo is not None or hi is not None) else quantity.units
        mag = np.asarray(quantity.to(unit).magnitude, dtype=float)
        lo = None if lo is None else lo.to(unit)
        hi = None if hi is None else hi.to(unit)
        if not np.all(np.isfinite(mag)):
            raise InputError(f"{shown} is not a finite number; give a value {self.range_text()}")
        bad = np.zeros(mag.shape, dtype=bool)
        if lo is not None:
            bad |= (mag <= lo.magnitude) if self.open_low else (mag < lo.magnitude)
        if hi is not None:
            bad |= (mag >= hi.magnitude) if self.open_high else (mag > hi.magnitude)
        if self.integer:
            bad |= mag != np.round(mag)
        if np.any(bad):
            raise InputError(self._message(shown, mag[bad].flat[0], hi))

    def _message(self, shown, first_bad: float, hi) -> str:
        what = f"of {self.what}" if self.what else "allowed"
        text = f"{shown} is not in the range {what} ({self.range_text()})"
        if hi is not None and hi.dimensionless and hi.magnitude == 1 and 10 <= first_bad <= 100:
            text += f"; {first_bad:g} looks like a percentage: write {first_bad / 100:g}"
        elif self.why:
            text += f"; {self.why}"
        return text


def _fmt(q) -> str:
    mag = q.magnitude
    text = f"{mag:,.0f}" if abs(mag) >= 1e4 and float(mag).is_integer() else f"{mag:g}"
    unit = f"{q.units:~P}"
    return f"{text} {unit}" if unit else text


def check_magnitudes(dim: Dim, magnitudes, units, what: str) -> None:
    """Check an array of magnitudes in ``units`` against ``dim`` (values a study tries)."""
    from dcpower.units import Q_

    arr = np.asarray(magnitudes, dtype=float)
    try:
        dim.check(Q_(arr, units), f"{what} = {_span(arr)}")
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a unit mismatch is a user error here
        raise InputError(f"{what}: {exc}") from None


def _span(arr) -> str:
    arr = np.ravel(arr)
    if arr.size == 1:
        return f"{arr[0]:g}"
    finite = arr[np.isfinite(arr)]
    if finite.size < arr.size:
        return "a range holding non-finite values"
    return f"{finite.min():g}..{finite.max():g}"


def finite(value: float, what: str) -> float:
    """``value`` if it is a finite number; else :class:`InputError`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{what} must be a finite number, got {value!r}")
    return value
