"""The one unit registry of dcpower.

Every quantity in the package comes from ``ureg`` (and its ``Q_``): pint refuses to mix
quantities of two registries, so no other module may build one.

The registry is built from ``units.txt`` beside this file, not from pint's stock
definitions: it parses in a few tens of milliseconds instead of several hundred, and it
defines on purpose the spellings this field types (``TR``, ``gpm``, ``cfm``, ``BTU/h``,
``MMBtu``, ``kVA``, ``USD``, ``kgCO2``, ``Mgal``) instead of inheriting surprising ones
(stock pint reads ``TR`` as tera x gas constant and ``cfm`` as centi-fermi).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pint

from dcpower.errors import InputError

__all__ = ["ureg", "Q_", "parse_quantity", "check_dimension", "DIMENSION_NAMES", "format_unit", "UNIT_GUIDE",
           "unit_guide", "has_dimension"]

DEFINITIONS = Path(__file__).with_name("units.txt")

class _Registry(pint.UnitRegistry):
    """pint's registry, remembering what each unit string parses to.

    pint keeps such a cache too, but only answers from it for plain unit names: a prefixed
    ``"MW"`` or a compound ``"L/kWh"`` is parsed again on every ``q.to("MW")``, which made
    unit parsing the largest cost of an estimate. A parsed unit is an immutable container
    and dcpower defines no unit after the registry is built, so the answer never changes.
    """

    _parsed: dict | None = None  # switched on once every definition is loaded

    def _parse_units_as_container(self, input_string, as_delta=True, case_sensitive=True):
        parsed = self._parsed
        if parsed is None:
            return super()._parse_units_as_container(input_string, as_delta, case_sensitive)
        key = (input_string, as_delta, case_sensitive)
        hit = parsed.get(key)
        if hit is None:
            hit = parsed[key] = super()._parse_units_as_container(input_string, as_delta, case_sensitive)
        return hit

    def define(self, definition):
        self._parsed = None  # a new name could change what a string means: stop remembering
        return super().define(definition)


def _build_registry() -> pint.UnitRegistry:
    # Parsed from the file on every start (about 15 ms more than pint's ":auto:" definition
    # cache): that cache is a pickle in the user's cache folder, and loading a pickle can run
    # whatever code was planted in it.
    registry = _Registry(str(DEFINITIONS), autoconvert_offset_to_baseunit=False, cache_folder=None)
    registry._parsed = {}
    return registry


ureg = _build_registry()
Q_ = ureg.Quantity

# Readable names and an example for the dimensions dcpower checks, used in error messages.
DIMENSION_NAMES: dict[str, tuple[str, str]] = {
    "[power]": ("a power", "500 kW"),
    "[energy]": ("an energy", "10 MWh"),
    "[apparent_power]": ("an apparent power", "2500 kVA"),
    "[temperature]": ("a temperature", "25 degC"),
    "[temperature_difference]": ("a temperature difference", "10 delta_degC"),
    "[pressure]": ("a pressure", "250 Pa"),
    "[length]": ("a length", "30 m"),
    "[area]": ("an area", "1000 m^2"),
    "[volume]": ("a volume", "1 Mgal"),
    "[volume_flow]": ("a volume flow", "500 gpm"),
    "[mass]": ("a mass", "1000 kg"),
    "[time]": ("a duration", "4 h"),
    "[bandwidth]": ("a data rate", "400 Gbit/s"),
    "[dimensionless]": ("a plain number", "0.95"),
    "[currency]": ("an amount of money", "1000 USD"),
    "[energy_price]": ("a price of energy", "0.065 USD/kWh"),
    "[demand_price]": ("a demand charge", "10 USD/kW/month"),
    "[carbon_intensity]": ("a carbon intensity", "0.283 kgCO2/kWh"),
    "[water_intensity]": ("a water intensity", "1.8 L/kWh"),
    "[heat_rate]": ("a heat rate", "9500 BTU/kWh"),
    "[fuel_co2]": ("a fuel CO2 factor", "53.06 kgCO2/MMBtu"),
    "[power_per_area]": ("a power per area", "10 W/m^2"),
    "[ramp_rate]": ("a ramp rate", "10 MW/min"),
    "[fan_efficacy]": ("a flow per power", "38.2 gpm/hp"),
    "[co2_mass]": ("a mass of CO2", "1000 tCO2"),
}

# What `dcpower units` lists, in the order a planner meets them: (quantity, dimension as in
# DIMENSION_NAMES, the spellings dcpower reads for it). Every spelling is tested to parse with its
# dimension; the example of each quantity is its DIMENSION_NAMES example.
UNIT_GUIDE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("power, heat", "[power]", ("W", "kW", "MW", "GW", "BTU/h", "MMBtu/h", "TR", "ton_of_refrigeration", "hp")),
    ("energy", "[energy]", ("J", "kWh", "MWh", "GWh", "BTU", "MMBtu", "therm")),
    ("apparent power", "[apparent_power]", ("VA", "kVA", "MVA")),
    ("temperature", "[temperature]", ("degC", "degF", "celsius", "fahrenheit")),
    ("temperature difference", "[temperature_difference]", ("K", "delta_degC", "delta_degF")),
    ("pressure", "[pressure]", ("Pa", "kPa", "bar", "psi", "inH2O", "in_wg", "atm")),
    ("flow", "[volume_flow]", ("L/s", "m^3/h", "m^3/d", "gpm", "cfm", "gal/d", "Mgal/day")),
    ("water volume", "[volume]", ("L", "m^3", "ML", "gal", "Mgal", "ft^3")),
    ("data rate", "[bandwidth]", ("bit/s", "Gbit/s", "Tbit/s", "GB/s", "bps")),
    ("money", "[currency]", ("USD", "dollar")),
    ("energy price", "[energy_price]", ("USD/kWh", "USD/MWh", "USD/MMBtu")),
    ("demand charge", "[demand_price]", ("USD/kW/month", "USD/MW/year")),
    ("CO2 mass", "[co2_mass]", ("kgCO2", "tCO2", "ktCO2", "MtCO2", "lbCO2")),
    ("carbon intensity", "[carbon_intensity]", ("gCO2/kWh", "kgCO2/kWh", "kgCO2/MWh", "lbCO2/MWh")),
    ("water intensity", "[water_intensity]", ("L/kWh", "m^3/MWh", "gal/MWh")),
    ("fuel CO2", "[fuel_co2]", ("kgCO2/MMBtu", "lbCO2/MMBtu")),
    ("heat rate", "[heat_rate]", ("BTU/kWh", "MJ/kWh")),
    ("ramp rate", "[ramp_rate]", ("MW/s", "MW/min", "kW/s")),
    ("area", "[area]", ("m^2", "ft^2", "acre", "ha")),
    ("power per area", "[power_per_area]", ("W/m^2", "kW/m^2", "W/ft^2")),
    ("length", "[length]", ("mm", "m", "km", "in", "ft", "mi")),
    ("duration", "[time]", ("s", "min", "h", "d", "week", "month", "yr")),
    ("mass", "[mass]", ("kg", "t", "lb", "ton")),
    ("fan efficacy", "[fan_efficacy]", ("cfm/W", "gpm/hp", "m^3/h/W")),
    ("fraction", "[dimensionless]", ("%", "percent", "ppm", "fraction")),
)

# Dimension names above that pint does not know itself, as pint dimensionality strings.
_COMPOSITE = {
    "[temperature_difference]": "[temperature]",
    "[volume_flow]": "[length] ** 3 / [time]",
    "[bandwidth]": "[information] / [time]",
    "[energy_price]": "[currency] / [energy]",
    "[demand_price]": "[currency] / [power] / [time]",
    "[carbon_intensity]": "[co2_mass] / [energy]",
    "[water_intensity]": "[length] ** 3 / [energy]",
    "[heat_rate]": "[dimensionless]",
    "[fuel_co2]": "[co2_mass] / [energy]",
    "[power_per_area]": "[power] / [length] ** 2",
    "[ramp_rate]": "[power] / [time]",
    "[fan_efficacy]": "[length] ** 3 / [time] / [power]",
}


@functools.lru_cache(maxsize=256)
def _dimensionality(dimension: str):
    pint_dim = _COMPOSITE.get(dimension, dimension)
    if pint_dim == "[dimensionless]":
        return ureg.dimensionless.dimensionality
    return ureg.get_dimensionality(pint_dim)


def format_unit(units) -> str:
    """Short unit string (``MW``, ``L/kWh``, ``degC``) used in tables and JSON."""
    text = f"{units:~C}"
    text = text.replace("Δ°C", "delta_degC").replace("Δ°F", "delta_degF")
    text = text.replace("°C", "degC").replace("°F", "degF")
    return text.replace("**", "^")


def has_dimension(unit: str, dimension: str) -> bool:
    """Whether a quantity in ``unit`` passes :func:`check_dimension` for ``dimension``."""
    try:
        check_dimension(Q_(1.0, _units(unit)), dimension, unit)
    except InputError:
        return False
    return True


def unit_guide(shown: list[tuple[str, str]] = ()) -> list[dict]:
    """The quantities of :data:`UNIT_GUIDE` as ``{"quantity", "dimension", "spellings", "example",
    "shown"}``; ``shown`` holds the (SI, US) display pairs from ``shown`` that have the quantity's
    dimension (what ``--units si`` and ``--units us`` print it in), each under the first quantity
    it fits (a water intensity and a fan efficacy share a dimension)."""
    out, placed = [], set()
    for quantity, dimension, spellings in UNIT_GUIDE:
        pairs = [(si, us) for si, us in shown if (si, us) not in placed and has_dimension(si, dimension)]
        placed.update(pairs)
        out.append({"quantity": quantity, "dimension": dimension, "spellings": list(spellings),
                    "example": DIMENSION_NAMES[dimension][1], "shown": pairs})
    return out


def check_dimension(q, dimension: str, what: str):
    """Return ``q`` if it has ``dimension``; raise :class:`InputError` naming ``what`` otherwise.

    Absolute temperatures and temperature differences are told apart: ``25 degC`` is not
    accepted where a difference is asked, and ``10 delta_degC`` (or ``10 K``) is not
    accepted where a temperature is asked.
    """
    name, example = DIMENSION_NAMES.get(dimension, (dimension, ""))
    hint = f"; try e.g. '{example}'" if example else ""
    if q.dimensionality != _dimensionality(dimension):
        raise InputError(f"{what}: '{_show(q)}' is not {name}{hint}")
    is_offset = not q._is_multiplicative
    if dimension == "[temperature]" and not is_offset:
        kelvin = float(q.to("K").magnitude) if isinstance(q.magnitude, (int, float)) else None
        if kelvin is not None and q.units == ureg.kelvin and kelvin > 150:  # meant as an absolute kelvin reading
            hint = f"; dcpower reads K as a difference: write '{kelvin - 273.15:g} degC' for {kelvin:g} K"
        raise InputError(f"{what}: '{_show(q)}' is a temperature difference, not {name}{hint}")
    if dimension == "[temperature_difference]" and is_offset:
        raise InputError(f"{what}: '{_show(q)}' is an absolute temperature, not {name}{hint}")
    return q


def _show(q) -> str:
    try:
        return f"{q.magnitude:g} {format_unit(q.units)}".strip()
    except (TypeError, ValueError):
        return str(q)


def parse_quantity(text, dimension: str | None = None, what: str = "value"):
    """Parse ``"700 W"`` (or a bare number, or a Quantity) into a Quantity of ``ureg``.

    Parameters
    ----------
    text : str, int, float or Quantity
        The quantity as typed. A bare number is dimensionless.
    dimension : str, optional
        Expected dimension, one of :data:`DIMENSION_NAMES` or a pint dimensionality string.
    what : str
        Name of the field, used in the error message.

    Raises
    ------
    InputError
        If the text does not parse, names an unknown unit, or has the wrong dimension.
    """
    if isinstance(text, ureg.Quantity):
        q = text
    elif isinstance(text, bool):
        raise InputError(f"{what}: expected a number or quantity, got {text!r}")
    elif isinstance(text, (int, float)):
        q = Q_(text)
    elif isinstance(text, str):
        mag, units = _parse_cached(text.strip(), what)
        q = Q_(mag, units)
    else:
        raise InputError(f"{what}: expected a number or quantity such as '500 kW', got {text!r}")
    if dimension is not None:
        check_dimension(q, dimension, what)
    return q


def _parse_cached(text: str, what: str):
    """(magnitude, units) of ``text``, parsed once per distinct string."""
    hit = _PARSED.get(text)
    if hit is None:
        q = _parse_text(text, what)
        hit = (q.magnitude, q.units)
        if len(_PARSED) < 4096:
            _PARSED[text] = hit
    return hit


_PARSED: dict[str, tuple] = {}


@functools.lru_cache(maxsize=1024)
def _units(text: str):
    # Unit parsing is most of the cost of reading a spec; units are immutable, so cache them.
    return ureg.parse_units(text)


# a leading number, then the unit with or without a space: "25 degC", "25degC", "1.5e3 kW"
_NUMBER_UNIT = re.compile(r"^([+-]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*)$")


def _parse_text(text: str, what: str):
    if not text:
        raise InputError(f"{what}: empty value; give a number with its unit, e.g. '500 kW'")
    if len(text) > 100 or not text.isprintable():
        raise InputError(f"{what}: {text[:40]!r} is not a quantity; write a number then a unit, e.g. '500 kW'")
    # "25 °C" as the error messages print it: pint's parser reads the degree sign as "degree"
    # and then fails on "degreeC", so the sign is spelled out first
    text = _DEGREE_SIGN.sub(lambda m: "deg" + m.group(1).upper(), text.replace("\u2103", "°C").replace("\u2109", "°F"))
    m = _NUMBER_UNIT.match(text)
    magnitude, unit = None, text
    if m:
        try:
            magnitude = float(m.group(1).replace("_", ""))
            unit = m.group(2)
        except ValueError:
            magnitude = None
    try:
        if magnitude is not None:
            # "25 degC" must stay an absolute temperature: build it as Quantity(25, "degC")
            # instead of parsing "25 * degC", which pint rejects for offset units.
            return Q_(magnitude, _units(unit.strip() or "dimensionless"))
        q = Q_(text)
    except pint.UndefinedUnitError as exc:
        raise InputError(f"{what}: unknown unit '{', '.join(exc.unit_names)}' in '{text}'; "
                         "see 'dcpower units' for the spellings dcpower knows") from None
    except Exception:  # noqa: BLE001 - pint's expression parser raises many kinds (TokenError, RecursionError...)
        raise InputError(f"{what}: cannot read '{text}' as a quantity; write a number then a unit, "
                         "e.g. '500 kW'") from None
    if not any(c.isdigit() for c in text) and not _NON_FINITE.match(text):
        # pint reads a lone unit as one of it ("kW" is 1 kW): a number left out, not a value
        raise InputError(f"{what}: '{text}' has no number; write the number before the unit, e.g. '1.5 {text}'")
    return q


_DEGREE_SIGN = re.compile(r"[°º]\s*([CcFf])\b")
# "nan W", "-inf" hold no digit but are numbers: the range checks refuse them with their own message
_NON_FINITE = re.compile(r"^[+-]?(nan|inf|infinity)\b", re.IGNORECASE)

