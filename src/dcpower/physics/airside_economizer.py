"""Airside economizer with direct evaporative (adiabatic) assist: outdoor air cools the IT air stream.

A direct airside economizer brings outdoor air into the air handlers, mixes it with return air
to hold the supply setpoint when it is cold, passes it through wetted media that cool it towards
its wet-bulb when it is warm, and leaves the rest to a mechanical trim coil; the hall exhausts
the warm return air, and the heat leaves with it. Outdoor air that is too humid for the
supply envelope is shut out and the trim coil carries the whole load.

Functions are pure and work on numpy arrays inside pint Quantities (one call for 8,760 hours).
Moist-air properties follow ASHRAE Handbook - Fundamentals (2017), ch. 1.
"""

from __future__ import annotations

import numpy as np

from dcpower.physics import psychrometrics as psy
from dcpower.units import Q_

__all__ = ["direct_evaporative_leaving_temperature", "supply_humidity_ratio_limit", "supply_humidity_ratio_floor",
           "temperature_at_enthalpy",
           "humidity_ratio_at_enthalpy", "outdoor_air_supply", "outdoor_air_mass_flow", "evaporated_water"]

# ASHRAE moist-air enthalpy h = 1.006 t + W (2501 + 1.86 t) kJ/kg (Fundamentals 2017 ch. 1 eq. 30).
_CP_AIR, _H_VAPOUR, _CP_VAPOUR = 1.006, 2501.0, 1.86
# Ratio of the molar masses of water and dry air (Fundamentals 2017 ch. 1 eq. 20).
_MOLAR_RATIO = 0.621945


def _c(q):
    return np.asarray(q.to("degC").magnitude, dtype=float)


def direct_evaporative_leaving_temperature(dry_bulb, wet_bulb, saturation_effectiveness):
    """Dry-bulb leaving a direct evaporative cooler's wetted media.

    Parameters
    ----------
    dry_bulb, wet_bulb : Quantity
        Entering air dry-bulb and thermodynamic wet-bulb. [degC]
    saturation_effectiveness : float
        Share of the wet-bulb depression the media removes. [-]

    Returns
    -------
    Quantity
        ``T_out = T_db - eps (T_db - T_wb)``. [degC]

    Notes
    -----
    Air crosses the media at constant wet-bulb (adiabatic saturation); the saturation
    effectiveness is the definition of ASHRAE Handbook - HVAC Systems and Equipment (2020),
    ch. 41, "Direct evaporative air coolers".
    """
    t, twb = _c(dry_bulb), _c(wet_bulb)
    return Q_(t - saturation_effectiveness * (t - twb), "degC")


def supply_humidity_ratio_limit(supply_temperature, dew_point_max, relative_humidity_max, pressure):
    """Most moisture supply air may hold: the lower of the dew-point and relative-humidity limits.

    Parameters
    ----------
    supply_temperature : Quantity
        Supply-air dry-bulb. [degC]
    dew_point_max : Quantity
        Highest supply dew point. [degC]
    relative_humidity_max : float
        Highest supply relative humidity. [-]
    pressure : Quantity
        Barometric pressure. [Pa]

    Returns
    -------
    Quantity
        ``min(W_sat(T_dp,max), 0.621945 phi p_ws(T_s) / (p - phi p_ws(T_s)))``. [kg/kg]
    """
    w_dew = psy.humidity_ratio_from_dew_point(dew_point_max, pressure).to("dimensionless").magnitude
    p_ws = psy.saturation_vapor_pressure(supply_temperature).to("Pa").magnitude
    p = pressure.to("Pa").magnitude
    w_rh = _MOLAR_RATIO * relative_humidity_max * p_ws / (p - relative_humidity_max * p_ws)
    return Q_(np.minimum(w_dew, w_rh), "dimensionless")


def supply_humidity_ratio_floor(supply_temperature, dew_point_min, relative_humidity_min, pressure):
    """Least moisture supply air must hold: the higher of the dew-point and relative-humidity floors.

    Parameters
    ----------
    supply_temperature : Quantity
        Supply-air dry-bulb. [degC]
    dew_point_min : Quantity
        Lowest supply dew point. [degC]
    relative_humidity_min : float or None
        Lowest supply relative humidity; ``None``: no such floor. [-]
    pressure : Quantity
        Barometric pressure. [Pa]

    Returns
    -------
    Quantity
        ``max(W_sat(T_dp,min), 0.621945 phi p_ws(T_s) / (p - phi p_ws(T_s)))``. [kg/kg]
    """
    w_dew = psy.humidity_ratio_from_dew_point(dew_point_min, pressure).to("dimensionless").magnitude
    if relative_humidity_min is None:
        return Q_(w_dew, "dimensionless")
    p_ws = psy.saturation_vapor_pressure(supply_temperature).to("Pa").magnitude
    p = pressure.to("Pa").magnitude
    w_rh = _MOLAR_RATIO * relative_humidity_min * p_ws / (p - relative_humidity_min * p_ws)
    return Q_(np.maximum(w_dew, w_rh), "dimensionless")


def temperature_at_enthalpy(enthalpy, humidity_ratio):
    """Dry-bulb of moist air of enthalpy ``h`` and humidity ratio ``W``: the inverse of eq. 30. [degC]"""
    h = enthalpy.to("kJ/kg").magnitude
    w = humidity_ratio.to("dimensionless").magnitude
    return Q_((h - _H_VAPOUR * w) / (_CP_AIR + _CP_VAPOUR * w), "degC")


def humidity_ratio_at_enthalpy(enthalpy, dry_bulb):
    """Humidity ratio of moist air of enthalpy ``h`` at dry-bulb ``t``: the inverse of eq. 30. [kg/kg]"""
    h, t = enthalpy.to("kJ/kg").magnitude, _c(dry_bulb)
    return Q_((h - _CP_AIR * t) / (_H_VAPOUR + _CP_VAPOUR * t), "dimensionless")


def outdoor_air_supply(dry_bulb, wet_bulb, humidity_ratio, target, saturation_effectiveness,
                       humidity_ratio_max, humidity_ratio_min):
    """Coldest air the economizer delivers without compressors, its moisture, and whether it may be used.

    Parameters
    ----------
    dry_bulb, wet_bulb : Quantity
        Outdoor air. [degC]
    humidity_ratio : Quantity
        Outdoor humidity ratio. [kg/kg]
    target : Quantity
        Temperature the economizer section must deliver (supply setpoint less the fan's rise). [degC]
    saturation_effectiveness : float
        Of the direct evaporative media. [-]
    humidity_ratio_max, humidity_ratio_min : Quantity
        Supply envelope: :func:`supply_humidity_ratio_limit`, and the dew-point floor. [kg/kg]

    Returns
    -------
    tuple of (Quantity, Quantity, ndarray)
        Air temperature after the economizer section [degC], supply humidity ratio [kg/kg], and
        ``usable``: outdoor air is within the moisture limit (when not, it is shut out).

    Notes
    -----
    Cold outdoor air (``T_o <= target``) is mixed with return air down to the target; in the
    steady state the hall holds the outdoor moisture, raised to the floor by the media when the
    outdoor air is too dry. Warm outdoor air is evaporatively cooled at constant enthalpy until
    it reaches the target, the media's limit ``T_o - eps (T_o - T_wb)``, or the moisture limit
    ``T(h_o, W_max)``, whichever comes first; the leaving moisture is ``W(h_o, T)``.
    """
    t_o, tgt = _c(dry_bulb), _c(target)
    w_o = humidity_ratio.to("dimensionless").magnitude
    w_max = humidity_ratio_max.to("dimensionless").magnitude
    w_min = humidity_ratio_min.to("dimensionless").magnitude
    h_o = psy.moist_air_enthalpy(dry_bulb, humidity_ratio)
    t_media = _c(direct_evaporative_leaving_temperature(dry_bulb, wet_bulb, saturation_effectiveness))
    t_moist = _c(temperature_at_enthalpy(h_o, humidity_ratio_max * np.ones(np.shape(t_o))))
    t_evap = np.maximum(np.maximum(t_media, t_moist), tgt)
    warm = t_o > tgt
    t_out = np.where(warm, t_evap, t_o)
    w_evap = humidity_ratio_at_enthalpy(h_o, Q_(t_evap, "degC")).magnitude
    w_out = np.maximum(np.where(warm, np.maximum(w_evap, w_o), w_o), w_min)
    return Q_(t_out, "degC"), Q_(w_out, "dimensionless"), np.asarray(w_o <= w_max)


def outdoor_air_mass_flow(heat_economized, exhaust_enthalpy, outdoor_enthalpy):
    """Outdoor (dry) air flow that carries ``heat_economized`` out with the exhaust.

    Notes
    -----
    Energy balance on the air stream: ``m_a = Q / (h_exhaust - h_outdoor)``; zero where no heat
    is economized or the exhaust would not be warmer than the outdoor air. [kg/s]
    """
    dh = (exhaust_enthalpy - outdoor_enthalpy).to("J/kg").magnitude
    q = heat_economized.to("W").magnitude
    flow = np.divide(q, dh, out=np.zeros(np.broadcast_shapes(np.shape(q), np.shape(dh))), where=(dh > 0) & (q > 0))
    return Q_(flow, "kg/s")


def evaporated_water(outdoor_air_flow, supply_humidity_ratio, outdoor_humidity_ratio):
    """Water the media evaporate into the outdoor air: ``E = m_a (W_supply - W_outdoor)``, at least 0. [kg/s]

    Notes
    -----
    Mass balance on the water vapour of the air stream: the hall adds none, so what the
    exhaust carries above the outdoor air's moisture came from the media.
    """
    dw = (supply_humidity_ratio - outdoor_humidity_ratio).to("dimensionless").magnitude
    return (outdoor_air_flow * Q_(np.clip(dw, 0.0, None), "dimensionless")).to("kg/s")
