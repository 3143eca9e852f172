"""Cooling: air movers, pumps, heat-rejection devices, chillers and economizers.

All heat from the IT and the facility's own equipment ends up in a facility water loop
(or, for dry coolers and towers, in outdoor air). Functions here are pure and work on
numpy arrays inside pint Quantities, so one call evaluates all 8,760 hours.
"""

from __future__ import annotations

import numpy as np

from dcpower.units import Q_

__all__ = [
    "WATER_DENSITY", "WATER_SPECIFIC_HEAT", "AIR_SPECIFIC_HEAT", "STANDARD_AIR_DENSITY",
    "volume_flow_for_heat", "fluid_power", "tower_fan_power", "chiller_cop",
    "second_law_efficiency", "economizer_fraction", "to_kelvin", "air_cooled_second_law_efficiency",
    "air_cooled_chiller_cop", "supply_temperature_excess",
]

# Liquid water at 25 degC: density 997.05 kg/m^3, isobaric specific heat 4.1813 kJ/(kg K)
# (IAPWS-95 formulation, as tabulated in the NIST Chemistry WebBook, SRD 69, 2023).
WATER_DENSITY = Q_(997.05, "kg/m^3")
WATER_SPECIFIC_HEAT = Q_(4.1813, "kJ/kg/K")
# Dry-air specific heat used by the ASHRAE moist-air enthalpy, 1.006 kJ/(kg K)
# (ASHRAE Handbook - Fundamentals 2017, ch. 1, eq. 30).
AIR_SPECIFIC_HEAT = Q_(1.006, "kJ/kg/K")
# ASHRAE "standard air": 1.204 kg/m^3 at 20 degC and 101.325 kPa (ASHRAE Handbook -
# Fundamentals 2017, ch. 1). Air-side flows use it; site air density enters via psychrometrics.
STANDARD_AIR_DENSITY = Q_(1.204, "kg/m^3")


def to_kelvin(temperature):
    """Absolute temperature in kelvin (accepts degC / degF Quantities)."""
    return temperature.to("K")


def volume_flow_for_heat(heat, delta_t, density, specific_heat):
    """Volume flow of a fluid that carries ``heat`` with a temperature rise ``delta_t``.

    Parameters
    ----------
    heat : Quantity
        Heat flow carried. [W]
    delta_t : Quantity
        Temperature rise of the fluid (a difference). [K]
    density : Quantity
        Fluid density. [kg/m^3]
    specific_heat : Quantity
        Fluid isobaric specific heat. [J/(kg K)]

    Returns
    -------
    Quantity
        Volume flow. [m^3/s]

    Notes
    -----
    Steady-flow energy balance: ``Q = rho V cp dT``, so ``V = Q / (rho cp dT)``.
    """
    return (heat / (density * specific_heat * delta_t)).to("m^3/s")


def fluid_power(volume_flow, pressure_rise, efficiency):
    """Electrical power of a fan or pump.

    Parameters
    ----------
    volume_flow : Quantity
        Flow moved. [m^3/s]
    pressure_rise : Quantity
        Total pressure the fan or pump works against. [Pa]
    efficiency : float
        Wire-to-fluid efficiency (impeller x motor x drive). [-]

    Returns
    -------
    Quantity
        Electrical input power. [W]

    Notes
    -----
    Air or hydraulic power is ``V dp``; the input is that over the efficiency
    (ASHRAE Handbook - HVAC Systems and Equipment 2020, ch. 21 fans and ch. 44 pumps).
    """
    return (volume_flow * pressure_rise / efficiency).to("W")


def tower_fan_power(heat_rejected, tower_range, fan_efficacy):
    """Cooling-tower fan power from the heat it rejects and its rated fan efficacy.

    Parameters
    ----------
    heat_rejected : Quantity
        Heat the tower rejects. [W]
    tower_range : Quantity
        Water temperature drop across the tower. [K]
    fan_efficacy : Quantity
        Water flow per fan power at rating conditions. [gpm/hp]

    Returns
    -------
    Quantity
        Fan power. [W]

    Notes
    -----
    Water flow ``V = Q / (rho cp range)``; fan power ``P = V / efficacy``. ASHRAE 90.1
    rates open-circuit towers in gpm per fan horsepower at 95 degF in, 85 degF out, 75 degF
    wet-bulb; scaling by flow assumes the fans hold that ratio (a VFD tower uses less at
    part load, so this errs high).
    """
    flow = volume_flow_for_heat(heat_rejected, tower_range, WATER_DENSITY, WATER_SPECIFIC_HEAT)
    return (flow / fan_efficacy).to("W")


def second_law_efficiency(cop_rated, rating_chilled_water, rating_condenser_water,
                          condenser_rise, approach):
    """Fraction of the Carnot COP a chiller reaches at its rating point.

    Notes
    -----
    ``eta_II = COP_rated (T_cond - T_evap) / T_evap`` with ``T_evap = T_chw - approach``
    and ``T_cond = T_cw,in + rise + approach`` (absolute temperatures). See
    :func:`chiller_cop`.
    """
    t_evap = to_kelvin(rating_chilled_water) - approach
    t_cond = to_kelvin(rating_condenser_water) + condenser_rise + approach
    return (cop_rated * (t_cond - t_evap) / t_evap).to("dimensionless")


def chiller_cop(chilled_water, condenser_in, condenser_rise, approach, eta_ii, min_condenser_in=None,
                rating_chilled_water=None):
    """Chiller COP from its lift, as a constant fraction of the Carnot COP.

    Parameters
    ----------
    chilled_water : Quantity
        Leaving chilled-water temperature. [degC]
    condenser_in : Quantity
        Entering condenser water (or air) temperature. [degC]
    condenser_rise : Quantity
        Condenser water (or air) temperature rise. [K]
    approach : Quantity
        Refrigerant-to-fluid approach in evaporator and condenser. [K]
    eta_ii : float
        Second-law efficiency from :func:`second_law_efficiency`. [-]
    min_condenser_in, rating_chilled_water : Quantity, optional
        Lowest entering condenser temperature at which the chiller is rated, with the rating
        chilled-water temperature: together they set the smallest lift the constant-eta_II
        model is extrapolated to. [degC]

    Returns
    -------
    Quantity
        Coefficient of performance, cooling output over electrical input. [-]

    Notes
    -----
    ``COP = eta_II T_evap / (T_cond - T_evap)``: the reversed-Carnot COP between the
    evaporating and condensing temperatures, times a second-law efficiency fixed at the
    AHRI 550/590 rating point (Gordon and Ng, "Cool Thermodynamics", 2000, treat eta_II as
    roughly constant over a chiller's normal operating range).

    That range ends at a minimum lift: a compressor cannot turn a tiny temperature lift into
    an unbounded COP. The lift is therefore held at no less than the chiller's lowest rating
    point, ``(T_cw,min - T_chw,rating) + rise + 2 approach``: AHRI 550/590 rates part load
    down to 65 degF entering condenser water (18.3 degC) for water-cooled chillers and 55 degF
    entering air (12.8 degC) for air-cooled ones, with 44 degF chilled water.
    """
    t_evap = to_kelvin(chilled_water) - approach
    t_cond = to_kelvin(condenser_in) + condenser_rise + approach
    lift = t_cond - t_evap
    floor = 1.0
    if min_condenser_in is not None and rating_chilled_water is not None:
        floor = ((to_kelvin(min_condenser_in) - to_kelvin(rating_chilled_water)).to("K").magnitude
                 + condenser_rise.to("K").magnitude + 2 * approach.to("K").magnitude)
    lift_m = np.maximum(lift.to("K").magnitude, floor)
    return (eta_ii * t_evap.to("K").magnitude / lift_m) * Q_(1.0, "dimensionless")


def economizer_fraction(available, supply, return_):
    """Share of the heat a waterside economizer removes before the chiller.

    Parameters
    ----------
    available : Quantity
        Coldest water the heat-rejection device can deliver to the facility loop
        (wet-bulb or dry-bulb plus approaches). [degC]
    supply, return_ : Quantity
        Facility water supply and return temperatures. [degC]

    Returns
    -------
    ndarray
        0 (no free cooling) to 1 (full free cooling). [-]

    Notes
    -----
    An integrated (series) economizer pre-cools the return water from ``T_r`` down to
    ``T_avail``; the chiller trims the rest to ``T_s``:
    ``f = clip((T_r - T_avail) / (T_r - T_s), 0, 1)`` (ASHRAE 90.1-2019 section 6.5.1.2
    requires such integrated water economizers).
    """
    num = (return_ - available).to("K").magnitude
    den = (return_ - supply).to("K").magnitude
    return np.clip(num / den, 0.0, 1.0)


def air_cooled_second_law_efficiency(cop_rated, rating_chilled_water, rating_entering_air, condenser_approach,
                                     evaporator_approach):
    """Fraction of the Carnot COP an air-cooled chiller reaches at its rating point.

    Parameters
    ----------
    cop_rated : float
        Rated full-load COP (AHRI 550/590 air-cooled rating: it counts compressor, condenser fans
        and controls). [-]
    rating_chilled_water : Quantity
        Leaving chilled-water temperature at rating (44 degF). [degC]
    rating_entering_air : Quantity
        Entering condenser air dry-bulb at rating (95 degF). [degC]
    condenser_approach : Quantity
        Condensing temperature minus entering air dry-bulb. [K]
    evaporator_approach : Quantity
        Leaving chilled water minus evaporating temperature. [K]

    Notes
    -----
    ``eta_II = COP_rated (T_cond - T_evap) / T_evap`` with ``T_evap = T_chw - dT_evap`` and
    ``T_cond = T_air + dT_cond``: the condenser coil sees outdoor air itself, so no water rise
    sits between the air and the refrigerant (unlike :func:`second_law_efficiency`).
    """
    t_evap = to_kelvin(rating_chilled_water) - evaporator_approach
    t_cond = to_kelvin(rating_entering_air) + condenser_approach
    return (cop_rated * (t_cond - t_evap) / t_evap).to("dimensionless")


def air_cooled_chiller_cop(chilled_water, entering_air, condenser_approach, evaporator_approach, eta_ii,
                           min_entering_air=None, rating_chilled_water=None):
    """COP of an air-cooled chiller at outdoor dry-bulb ``entering_air``, a constant fraction of Carnot.

    Parameters
    ----------
    chilled_water : Quantity
        Leaving chilled-water temperature. [degC]
    entering_air : Quantity
        Outdoor dry-bulb entering the condenser coils. [degC]
    condenser_approach, evaporator_approach : Quantity
        As in :func:`air_cooled_second_law_efficiency`. [K]
    eta_ii : float
        Second-law efficiency from :func:`air_cooled_second_law_efficiency`. [-]
    min_entering_air, rating_chilled_water : Quantity, optional
        Lowest rated entering-air temperature (AHRI 550/590 IPLV: 55 degF at 25 % load) with the
        rating chilled-water temperature: the smallest lift the model is extrapolated to. [degC]

    Returns
    -------
    Quantity
        Cooling output over electrical input, condenser fans included. [-]

    Notes
    -----
    ``COP = eta_II T_evap / max(T_cond - T_evap, lift_min)`` with ``T_cond = T_db + dT_cond``,
    ``T_evap = T_chw - dT_evap`` and ``lift_min = (T_air,min + dT_cond) - (T_chw,rating - dT_evap)``.
    """
    t_evap = to_kelvin(chilled_water) - evaporator_approach
    t_cond = to_kelvin(entering_air) + condenser_approach
    lift = (t_cond - t_evap).to("K").magnitude
    floor = 1.0
    if min_entering_air is not None and rating_chilled_water is not None:
        floor = ((to_kelvin(min_entering_air) - to_kelvin(rating_chilled_water)).to("K").magnitude
                 + condenser_approach.to("K").magnitude + evaporator_approach.to("K").magnitude)
    return (eta_ii * t_evap.to("K").magnitude / np.maximum(lift, floor)) * Q_(1.0, "dimensionless")


def supply_temperature_excess(available, supply):
    """How far the coldest supply a plant can make without compressors lies above the supply it must hold.

    Parameters
    ----------
    available : Quantity
        Coldest supply the heat-rejection plant delivers (sink plus approaches). [degC]
    supply : Quantity
        Supply temperature the IT needs. [degC]

    Returns
    -------
    Quantity
        ``max(T_avail - T_supply, 0)``: zero where the supply is held. [K]
    """
    return Q_(np.clip((available - supply).to("K").magnitude, 0.0, None), "K")
