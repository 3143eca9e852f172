"""Moist-air properties: humidity ratio, wet-bulb, enthalpy, density, latent heat.

The equations are those of the ASHRAE Handbook—Fundamentals (2017), chapter 1, as
implemented by `psychrolib <https://github.com/psychrometrics/psychrolib>`_ (SI units).
This is the only module that imports psychrolib.

psychrolib works on one scalar at a time (it uses ``math`` and ``if``); the functions here
take pint Quantities holding numpy arrays of 8,760 hours and must run in milliseconds. They
vectorize psychrolib in three ways, each checked against direct psychrolib calls in
``tests/test_psychrometrics.py``:

* Functions of temperature alone (saturation vapour pressure) are evaluated with psychrolib
  once, on a 0.05 K grid from -100 to 200 °C, and interpolated (in log space) with numpy.
  The interpolation error is below 1e-6 relative.
* Plain arithmetic of psychrolib (humidity ratio from vapour pressure, enthalpy, density) is
  written as the same numpy expression with psychrolib's constants.
* The wet-bulb temperature, which psychrolib finds by bisection one value at a time (about
  1 s for 8,760 hours), is found by the same bisection run on whole arrays at once.

Temperatures are absolute temperatures (``degC`` or ``degF``); a temperature difference
(``K``, ``delta_degC``) is rejected with :class:`~dcpower.errors.InputError`.
"""

from __future__ import annotations

import functools

import numpy as np
import psychrolib

from dcpower.errors import InputError
from dcpower.units import Q_, check_dimension, ureg

__all__ = [
    "pressure_from_elevation",
    "saturation_vapor_pressure",
    "saturation_humidity_ratio",
    "humidity_ratio_from_dew_point",
    "humidity_ratio_from_wet_bulb",
    "wet_bulb_temperature",
    "moist_air_enthalpy",
    "moist_air_density",
    "latent_heat_of_vaporization",
]

psychrolib.SetUnitSystem(psychrolib.SI)

# Range of ASHRAE's saturation-pressure correlation as psychrolib enforces it. [°C]
T_MIN = -100.0
T_MAX = 200.0
_GRID_STEP = 0.05  # [K]; linear interpolation of ln(p_ws) then errs by ~1e-6 relative (tested)

# Ratio of the molar masses of water and dry air, ASHRAE Fundamentals 2017 ch. 1 eq. 20
# (the coefficient psychrolib.GetHumRatioFromVapPres uses).
_MOLAR_MASS_RATIO = 0.621945
# 1/0.621945, ASHRAE Fundamentals 2017 ch. 1 eq. 26 (psychrolib.GetMoistAirVolume).
_VOLUME_FACTOR = 1.607858


def _si() -> None:
    # psychrolib keeps its unit system in a module global: make sure nobody switched it to IP.
    if psychrolib.GetUnitSystem() is not psychrolib.SI:
        psychrolib.SetUnitSystem(psychrolib.SI)


def _require_quantity(q, what: str):
    if not isinstance(q, ureg.Quantity):
        raise InputError(f"{what}: expected a quantity with a unit (e.g. Q_(25, 'degC')), got {q!r}")
    return q


def _celsius(q, what: str) -> np.ndarray:
    """Magnitude of an absolute temperature in °C, as a float array (or 0-d array)."""
    check_dimension(_require_quantity(q, what), "[temperature]", what)
    t = np.asarray(q.to(ureg.degC).magnitude, dtype=float)
    finite = t[np.isfinite(t)]
    if finite.size and (finite.min() < T_MIN or finite.max() > T_MAX):
        bad = finite.min() if finite.min() < T_MIN else finite.max()
        raise InputError(f"{what}: {bad:g} degC is outside the range of the ASHRAE psychrometric "
                         f"equations ({T_MIN:g} to {T_MAX:g} degC); check the input")
    return t


def _pascal(q, what: str) -> np.ndarray:
    check_dimension(_require_quantity(q, what), "[pressure]", what)
    p = np.asarray(q.to(ureg.Pa).magnitude, dtype=float)
    if np.any(p <= 0):
        raise InputError(f"{what}: pressure must be positive; got {np.min(p):g} Pa")
    return p


def _ratio(q, what: str) -> np.ndarray:
    if not isinstance(q, ureg.Quantity):
        q = Q_(np.asarray(q, dtype=float))
    check_dimension(q, "[dimensionless]", what)
    w = np.asarray(q.to(ureg.dimensionless).magnitude, dtype=float)
    if np.any(w < 0):
        raise InputError(f"{what}: humidity ratio cannot be negative; got {np.min(w):g}")
    return w


def _out(x: np.ndarray):
    """Return 0-d arrays as Python floats so scalar inputs give scalar Quantities."""
    return float(x) if np.ndim(x) == 0 else x


_CHUNK = 10.0  # [K]; the grid is built in chunks, only over the temperatures asked for


@functools.lru_cache(maxsize=64)
def _saturation_chunk(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Grid chunk ``k``: temperatures [°C] from ``tp + 10 k`` to ``tp + 10 (k+1)`` (clipped to
    the correlation's range) and ln(saturation vapour pressure [Pa]) from psychrolib.

    Chunk edges sit on the triple point (0.01 °C), where ASHRAE switches from the over-ice
    to the over-water correlation, so no interval straddles the switch.
    """
    _si()
    tp = psychrolib.TRIPLE_POINT_WATER_SI
    lo = max(T_MIN, tp + _CHUNK * k)
    hi = min(T_MAX, tp + _CHUNK * (k + 1))
    grid = np.linspace(lo, hi, int(round((hi - lo) / _GRID_STEP)) + 1)
    return grid, np.log([psychrolib.GetSatVapPres(float(t)) for t in grid])


@functools.lru_cache(maxsize=64)
def _saturation_grid(k_lo: int, k_hi: int) -> tuple[np.ndarray, np.ndarray]:
    parts = [_saturation_chunk(k) for k in range(k_lo, k_hi + 1)]
    # drop each chunk's first node after the first: it repeats the previous chunk's last
    grid = np.concatenate([parts[0][0]] + [g[1:] for g, _ in parts[1:]])
    ln_pws = np.concatenate([parts[0][1]] + [v[1:] for _, v in parts[1:]])
    return grid, ln_pws


def _sat_vap_pres(t_c: np.ndarray) -> np.ndarray:
    t = np.asarray(t_c, dtype=float)
    finite = t[np.isfinite(t)]
    if finite.size == 0:
        return np.full_like(t, np.nan)
    tp = psychrolib.TRIPLE_POINT_WATER_SI
    k_lo = int(np.floor((max(finite.min(), T_MIN) - tp) / _CHUNK))
    k_hi = int(np.floor((min(finite.max(), T_MAX) - tp) / _CHUNK))
    grid, ln_pws = _saturation_grid(k_lo, k_hi)
    return np.exp(np.interp(t, grid, ln_pws))


def _hum_ratio_from_vap_pres(p_w: np.ndarray, p: np.ndarray) -> np.ndarray:
    # psychrolib.GetHumRatioFromVapPres, ASHRAE Fundamentals 2017 ch. 1 eq. 20.
    return np.maximum(_MOLAR_MASS_RATIO * p_w / (p - p_w), psychrolib.MIN_HUM_RATIO)


def pressure_from_elevation(elevation):
    """Standard-atmosphere barometric pressure at an elevation.

    Parameters
    ----------
    elevation : Quantity
        Elevation above sea level. [m]

    Returns
    -------
    Quantity
        Barometric pressure. [Pa]

    Notes
    -----
    .. math:: p = 101325 \\,(1 - 2.25577\\times10^{-5} Z)^{5.2559}

    with :math:`Z` in m, evaluated by ``psychrolib.GetStandardAtmPressure``.

    References
    ----------
    ASHRAE Handbook—Fundamentals (2017), ch. 1, eq. 3.
    """
    check_dimension(_require_quantity(elevation, "elevation"), "[length]", "elevation")
    z = np.asarray(elevation.to(ureg.m).magnitude, dtype=float)
    _si()
    p = np.vectorize(psychrolib.GetStandardAtmPressure, otypes=[float])(z)
    return Q_(_out(p), ureg.Pa)


def saturation_vapor_pressure(temperature):
    """Saturation pressure of water vapour over liquid water (above 0.01 °C) or ice (below).

    Parameters
    ----------
    temperature : Quantity
        Temperature, -100 to 200 °C. [°C]

    Returns
    -------
    Quantity
        Saturation vapour pressure. [Pa]

    Notes
    -----
    Hyland–Wexler correlation, :math:`\\ln p_{ws} = C_8/T + C_9 + C_{10} T + C_{11} T^2
    + C_{12} T^3 + C_{13} \\ln T` over water (and eq. 5 over ice), as
    ``psychrolib.GetSatVapPres`` evaluates it, tabulated once on a 0.05 K grid and
    interpolated linearly in :math:`\\ln p_{ws}`.

    References
    ----------
    ASHRAE Handbook—Fundamentals (2017), ch. 1, eqs. 5 and 6.
    """
    t = _celsius(temperature, "temperature")
    return Q_(_out(_sat_vap_pres(t)), ureg.Pa)


def saturation_humidity_ratio(temperature, pressure):
    """Humidity ratio of air saturated with water vapour.

    Parameters
    ----------
    temperature : Quantity
        Air temperature. [°C]
    pressure : Quantity
        Barometric (station) pressure. [Pa]

    Returns
    -------
    Quantity
        Saturation humidity ratio. [kg water / kg dry air]

    Notes
    -----
    .. math:: W_s = 0.621945\\, \\frac{p_{ws}(t)}{p - p_{ws}(t)}

    as ``psychrolib.GetSatHumRatio`` (floored at ``psychrolib.MIN_HUM_RATIO``).

    References
    ----------
    ASHRAE Handbook—Fundamentals (2017), ch. 1, eqs. 20 and 36.
    """
    t = _celsius(temperature, "temperature")
    p = _pascal(pressure, "pressure")
    return Q_(_out(_hum_ratio_from_vap_pres(_sat_vap_pres(t), p)), ureg.dimensionless)


def humidity_ratio_from_dew_point(dew_point, pressure):
    """Humidity ratio of moist air from its dew-point temperature.

    Parameters
    ----------
    dew_point : Quantity
        Dew-point temperature. [°C]
    pressure : Quantity
        Barometric (station) pressure. [Pa]

    Returns
    -------
    Quantity
        Humidity ratio. [kg water / kg dry air]

    Notes
    -----
    The vapour pressure is the saturation pressure at the dew point, then

    .. math:: W = 0.621945\\, \\frac{p_{ws}(t_d)}{p - p_{ws}(t_d)}

    as ``psychrolib.GetHumRatioFromTDewPoint``.

    References
    ----------
    ASHRAE Handbook—Fundamentals (2017), ch. 1, eqs. 20 and 36.
    """
    t_d = _celsius(dew_point, "dew_point")
    p = _pascal(pressure, "pressure")
    return Q_(_out(_hum_ratio_from_vap_pres(_sat_vap_pres(t_d), p)), ureg.dimensionless)


def _hum_ratio_from_wet_bulb(t: np.ndarray, t_wb: np.ndarray, p: np.ndarray) -> np.ndarray:
    # psychrolib.GetHumRatioFromTWetBulb (SI branch), ASHRAE Fundamentals 2017 ch. 1
    # eq. 35 (wet bulb above freezing) and eq. 37 (below), on arrays.
    w_s = _hum_ratio_from_vap_pres(_sat_vap_pres(t_wb), p)
    water = ((2501.0 - 2.326 * t_wb) * w_s - 1.006 * (t - t_wb)) / (2501.0 + 1.86 * t - 4.186 * t_wb)
    ice = ((2830.0 - 0.24 * t_wb) * w_s - 1.006 * (t - t_wb)) / (2830.0 + 1.86 * t - 2.1 * t_wb)
    w = np.where(t_wb >= psychrolib.FREEZING_POINT_WATER_SI, water, ice)
    return np.maximum(w, psychrolib.MIN_HUM_RATIO)


def humidity_ratio_from_wet_bulb(dry_bulb, wet_bulb, pressure):
    """Humidity ratio of moist air from its dry-bulb and thermodynamic wet-bulb temperatures.

    Parameters
    ----------
    dry_bulb : Quantity
        Dry-bulb temperature. [°C]
    wet_bulb : Quantity
        Thermodynamic wet-bulb temperature, not above the dry bulb. [°C]
    pressure : Quantity
        Barometric (station) pressure. [Pa]

    Returns
    -------
    Quantity
        Humidity ratio. [kg water / kg dry air]

    Notes
    -----
    .. math:: W = \\frac{(2501 - 2.326 t^*) W_s^* - 1.006 (t - t^*)}{2501 + 1.86 t - 4.186 t^*}

    with :math:`W_s^*` the saturation humidity ratio at :math:`t^*` (eq. 37 with ice
    constants below 0 °C), the expression of ``psychrolib.GetHumRatioFromTWetBulb``.

    References
    ----------
    ASHRAE Handbook—Fundamentals (2017), ch. 1, eqs. 33, 35 and 37.
    """
    t = _celsius(dry_bulb, "dry_bulb")
    t_wb = _celsius(wet_bulb, "wet_bulb")
    p = _pascal(pressure, "pressure")
    t, t_wb, p = np.broadcast_arrays(t, t_wb, p)
    if np.any(t_wb > t):
        i = int(np.argmax(t_wb > t))
        raise InputError(f"wet_bulb: {t_wb.flat[i]:g} degC is above the dry-bulb temperature "
                         f"{t.flat[i]:g} degC (element {i}); a wet bulb cannot exceed the dry bulb")
    return Q_(_out(_hum_ratio_from_wet_bulb(t, t_wb, p)), ureg.dimensionless)


def wet_bulb_temperature(dry_bulb, dew_point, pressure):
    """Thermodynamic wet-bulb temperature from dry-bulb and dew-point temperatures.

    Parameters
    ----------
    dry_bulb : Quantity
        Dry-bulb temperature. [°C]
    dew_point : Quantity
        Dew-point temperature, not above the dry-bulb temperature. [°C]
    pressure : Quantity
        Barometric (station) pressure. [Pa]

    Returns
    -------
    Quantity
        Thermodynamic wet-bulb temperature. [°C]

    Raises
    ------
    InputError
        If a dew point is above its dry-bulb temperature.

    Notes
    -----
    The humidity ratio :math:`W` follows from the dew point; the wet-bulb temperature
    :math:`t^*` is the root of

    .. math:: W = \\frac{(2501 - 2.326 t^*) W_s^* - 1.006 (t - t^*)}{2501 + 1.86 t - 4.186 t^*}

    (eq. 35; eq. 37 with ice constants when :math:`t^* < 0` °C), found by bisection between
    the dew point and the dry bulb to 0.001 K, exactly as
    ``psychrolib.GetTWetBulbFromTDewPoint`` does, but on all values at once.

    References
    ----------
    ASHRAE Handbook—Fundamentals (2017), ch. 1, eqs. 33, 35 and 37.
    """
    t = _celsius(dry_bulb, "dry_bulb")
    t_d = _celsius(dew_point, "dew_point")
    p = _pascal(pressure, "pressure")
    t, t_d, p = np.broadcast_arrays(t, t_d, p)
    if np.any(t_d > t):
        i = int(np.argmax(t_d > t))
        raise InputError(f"dew_point: {t_d.flat[i]:g} degC is above the dry-bulb temperature "
                         f"{t.flat[i]:g} degC (element {i}); a dew point cannot exceed the dry bulb")
    w = _hum_ratio_from_vap_pres(_sat_vap_pres(t_d), p)
    # Bisection as psychrolib.GetTWetBulbFromHumRatio: bounds dew point and dry bulb, stop
    # when the bracket is narrower than psychrolib's SI tolerance (0.001 K).
    lo = t_d.astype(float).copy()
    hi = t.astype(float).copy()
    mid = (lo + hi) / 2
    tolerance = 0.001
    for _ in range(psychrolib.MAX_ITER_COUNT):
        active = (hi - lo) > tolerance
        if not active.any():
            break
        above = _hum_ratio_from_wet_bulb(t, mid, p) > w
        hi = np.where(active & above, mid, hi)
        lo = np.where(active & ~above, mid, lo)
        mid = (lo + hi) / 2
    return Q_(_out(mid), ureg.degC)


def moist_air_enthalpy(dry_bulb, humidity_ratio):
    """Specific enthalpy of moist air per kg of dry air.

    Parameters
    ----------
    dry_bulb : Quantity
        Dry-bulb temperature. [°C]
    humidity_ratio : Quantity or float
        Humidity ratio. [kg water / kg dry air]

    Returns
    -------
    Quantity
        Enthalpy of the moist air, zero for dry air at 0 °C. [J/kg dry air]

    Notes
    -----
    .. math:: h = 1.006\\, t + W (2501 + 1.86\\, t) \\quad [\\mathrm{kJ/kg}]

    the expression of ``psychrolib.GetMoistAirEnthalpy``, on arrays.

    References
    ----------
    ASHRAE Handbook—Fundamentals (2017), ch. 1, eq. 30.
    """
    t = _celsius(dry_bulb, "dry_bulb")
    w = np.maximum(_ratio(humidity_ratio, "humidity_ratio"), psychrolib.MIN_HUM_RATIO)
    h = (1.006 * t + w * (2501.0 + 1.86 * t)) * 1000.0
    return Q_(_out(h), ureg.J / ureg.kg)


def moist_air_density(dry_bulb, humidity_ratio, pressure):
    """Density of moist air (mass of dry air plus vapour per volume).

    Parameters
    ----------
    dry_bulb : Quantity
        Dry-bulb temperature. [°C]
    humidity_ratio : Quantity or float
        Humidity ratio. [kg water / kg dry air]
    pressure : Quantity
        Barometric (station) pressure. [Pa]

    Returns
    -------
    Quantity
        Moist air density. [kg/m^3]

    Notes
    -----
    .. math:: v = \\frac{R_{da} T (1 + 1.607858 W)}{p}, \\qquad \\rho = \\frac{1 + W}{v}

    with :math:`R_{da}` = 287.042 J/(kg K) (``psychrolib.R_DA_SI``) and :math:`T` in K, the
    expressions of ``psychrolib.GetMoistAirVolume`` and ``GetMoistAirDensity``, on arrays.

    References
    ----------
    ASHRAE Handbook—Fundamentals (2017), ch. 1, eqs. 11 and 26.
    """
    t = _celsius(dry_bulb, "dry_bulb")
    w = np.maximum(_ratio(humidity_ratio, "humidity_ratio"), psychrolib.MIN_HUM_RATIO)
    p = _pascal(pressure, "pressure")
    volume = psychrolib.R_DA_SI * (t + psychrolib.ZERO_CELSIUS_AS_KELVIN) * (1 + _VOLUME_FACTOR * w) / p
    return Q_(_out((1 + w) / volume), ureg.kg / ureg.m**3)


def latent_heat_of_vaporization(temperature):
    """Latent heat of vaporisation of water at a temperature.

    Parameters
    ----------
    temperature : Quantity
        Water temperature, 0 to 100 °C. [°C]

    Returns
    -------
    Quantity
        Enthalpy of vaporisation, saturated liquid to vapour. [J/kg]

    Notes
    -----
    Difference of the ASHRAE enthalpies of water vapour (eq. 30) and liquid water
    (the 4.186 t of eq. 35):

    .. math:: h_{fg} = (2501 + 1.86\\, t) - 4.186\\, t = 2501 - 2.326\\, t \\quad [\\mathrm{kJ/kg}]

    the same factor psychrolib uses in the wet-bulb relation. Within 0.1 % of IAPWS-IF97
    between 20 and 40 °C (2453.5 kJ/kg at 20 °C, 2406.0 kJ/kg at 40 °C).

    References
    ----------
    ASHRAE Handbook—Fundamentals (2017), ch. 1, eqs. 30 and 35.
    IAPWS R7-97(2012), Industrial Formulation 1997 for the Thermodynamic Properties of Water
    and Steam (the check values).
    """
    t = _celsius(temperature, "temperature")
    h_fg = ((2501.0 + 1.86 * t) - 4.186 * t) * 1000.0
    return Q_(_out(h_fg), ureg.J / ureg.kg)
