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
    "volume_flow_for_heat", "fluid_power", "tower_fan_power", "chiller_cop", "second_law_efficiency",
    "economizer_fraction", "to_kelvin", "air_cooled_second_law_efficiency", "air_cooled_chiller_cop",
    "supply_temperature_excess", "FAN_MINIMUM_SPEED", "DRYCOOLER_UA_EXPONENT", "fan_power_at_density",
    "counterflow_effectiveness", "counterflow_ntu", "drycooler_air_flow_ratio", "tower_air_flow_ratio",
    "affinity_fan_power", "PUMP_MINIMUM_FLOW", "VARIABLE_FLOW_PUMP_CURVE", "variable_flow_pump_power",
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


# Lowest speed of variable-speed heat-rejection fans where the cooling gives none: EVAPCO
# recommends at least 25 % for open towers and closed-circuit coolers, as little is saved below it
# (EVAPCO FAQ "What is the minimum fan speed for an open cooling tower?", evapco.com, undated).
FAN_MINIMUM_SPEED = 0.25


# Air-side heat transfer of finned-tube bundles, Nu = 0.38 Re^0.6 (staggered, 4+ rows): Ganguli,
# Tung and Taborek, AIChE Symp. Ser. 81 (1985) 122-128, as adopted by the VDI Heat Atlas (2010).
DRYCOOLER_UA_EXPONENT = 0.6


def fan_power_at_density(mass_flow, pressure_rise_standard, efficiency, density):
    """Electrical power of a fan moving ``mass_flow`` of air at ``density`` through a fixed system.

    Parameters
    ----------
    mass_flow : Quantity
        Air mass flow. [kg/s]
    pressure_rise_standard : Quantity
        Total pressure of the system at this mass flow in standard air. [Pa]
    efficiency : float
        Wire-to-air efficiency. [-]
    density : Quantity
        Density of the air the fan moves. [kg/m^3]

    Returns
    -------
    Quantity
        Electrical input power. [W]

    Notes
    -----
    The volume moved is ``V = m / rho``. The pressure loss of a fixed duct and coil system is
    ``dp = C rho v^2 / 2`` (ASHRAE Handbook - Fundamentals 2017, ch. 21), so at a fixed mass flow
    it scales as ``1 / rho``: ``dp = dp_std rho_std / rho``. Hence
    ``P = V dp / eta = m dp_std rho_std / (eta rho^2)``: thinner air (hot, high) costs more fan
    power for the same heat. Pressures in the catalog are taken as rated in standard air.
    """
    volume = (mass_flow / density).to("m^3/s")
    pressure = pressure_rise_standard * (STANDARD_AIR_DENSITY / density).to("dimensionless")
    return fluid_power(volume, pressure, efficiency)


def counterflow_effectiveness(ntu, capacity_ratio):
    """Effectiveness of a counterflow heat exchanger.

    Parameters
    ----------
    ntu : array_like
        Number of transfer units ``UA / C_min``. [-]
    capacity_ratio : array_like
        ``C_min / C_max``, 0 to 1. [-]

    Returns
    -------
    ndarray
        ``Q / (C_min (T_hot,in - T_cold,in))``. [-]

    Notes
    -----
    ``eps = (1 - exp(-NTU (1 - Cr))) / (1 - Cr exp(-NTU (1 - Cr)))``, and ``NTU / (1 + NTU)``
    at ``Cr = 1`` (Incropera and DeWitt, Fundamentals of Heat and Mass Transfer, 6th ed. 2007,
    Table 11.3). A multi-pass cross-counterflow dry-cooler coil is modelled as counterflow.
    """
    ntu = np.asarray(ntu, dtype=float)
    cr = np.minimum(np.asarray(capacity_ratio, dtype=float), 1.0)
    near_one = np.abs(1.0 - cr) < 1e-9
    e = np.exp(-ntu * (1.0 - cr))
    with np.errstate(divide="ignore", invalid="ignore"):
        general = (1.0 - e) / (1.0 - cr * e)
    return np.where(near_one, ntu / (1.0 + ntu), general)


def counterflow_ntu(effectiveness, capacity_ratio):
    """Number of transfer units of a counterflow exchanger of a given effectiveness.

    Notes
    -----
    The inverse of :func:`counterflow_effectiveness`:
    ``NTU = ln((1 - eps Cr) / (1 - eps)) / (1 - Cr)``, and ``eps / (1 - eps)`` at ``Cr = 1``
    (Incropera and DeWitt 2007, Table 11.4). ``effectiveness`` must be below 1. [-]
    """
    eps = np.asarray(effectiveness, dtype=float)
    cr = np.minimum(np.asarray(capacity_ratio, dtype=float), 1.0)
    near_one = np.abs(1.0 - cr) < 1e-9
    with np.errstate(divide="ignore", invalid="ignore"):
        general = np.log((1.0 - eps * cr) / (1.0 - eps)) / (1.0 - cr)
    return np.where(near_one, eps / (1.0 - eps), general)


def drycooler_air_flow_ratio(load_ratio, inlet_difference, water_range, design_air_rise, design_approach,
                             ua_exponent, minimum_speed):
    """Air flow (fan speed) of a variable-speed dry cooler, as a share of its design air flow.

    Parameters
    ----------
    load_ratio : array_like
        Heat to reject over the dry cooler's design heat. [-]
    inlet_difference : Quantity
        Entering water minus entering air dry-bulb at the wanted leaving water. [K]
    water_range : Quantity
        Water temperature drop across the dry cooler (held constant). [K]
    design_air_rise : Quantity
        Air temperature rise at design. [K]
    design_approach : Quantity
        Leaving water minus entering air at design. [K]
    ua_exponent : float
        ``UA ~ (air flow) ** n``. [-]
    minimum_speed : float
        Lowest fan speed as a share of full speed. [-]

    Returns
    -------
    ndarray
        Air flow ratio ``x`` in ``[minimum_speed, 1]``: the slowest speed whose capacity meets the
        load; 1 where even full speed cannot reach the wanted leaving water.

    Notes
    -----
    Per unit of design heat, with water range ``R``, design air rise ``A``, approach ``a``:
    ``C_air = x / A``, ``C_water = L / R``, design ``eps_d = max(A, R) / (a + R)`` gives
    ``UA_d`` by :func:`counterflow_ntu`; at speed ``x``, ``UA = UA_d x^n`` and the capacity is
    ``eps(UA / C_min, C_min / C_max) C_min dT_in``. Capacity grows with ``x``, so ``x`` is found by
    bisection. At design load and design weather ``x = 1``: the design approach and fan power.
    """
    L = np.asarray(load_ratio, dtype=float)
    dt_in = np.asarray(inlet_difference.to("K").magnitude, dtype=float)
    R, A, a = (np.asarray(q.to("K").magnitude, dtype=float) for q in (water_range, design_air_rise, design_approach))
    cmin_d, cmax_d = np.minimum(1 / A, 1 / R), np.maximum(1 / A, 1 / R)
    ua_d = counterflow_ntu(np.maximum(A, R) / (a + R), cmin_d / cmax_d) * cmin_d

    def capacity(x):
        c_air, c_water = x / A, np.maximum(L / R, 1e-12)
        c_min, c_max = np.minimum(c_air, c_water), np.maximum(c_air, c_water)
        return counterflow_effectiveness(ua_d * x ** ua_exponent / c_min, c_min / c_max) * c_min * dt_in

    shape = np.broadcast(L, dt_in, ua_d, np.asarray(minimum_speed)).shape
    lo, hi = np.broadcast_to(np.asarray(minimum_speed, dtype=float), shape).copy(), np.ones(shape)
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        enough = capacity(mid) >= L
        hi, lo = np.where(enough, mid, hi), np.where(enough, lo, mid)
    x = np.where(capacity(lo) >= L, lo, hi)
    return np.where((dt_in <= 0) | (capacity(np.ones(shape)) < L), 1.0, x)


def tower_air_flow_ratio(load_ratio, potential, design_potential, minimum_speed):
    """Air flow (fan speed) of a variable-speed cooling tower, as a share of its design air flow.

    Parameters
    ----------
    load_ratio : array_like
        Heat to reject over the tower's design heat. [-]
    potential, design_potential : Quantity
        Enthalpy driving force ``h_sat(T_water,mean) - h_sat(T_wet-bulb)`` now and at design. [J/kg]
    minimum_speed : float
        Lowest fan speed as a share of full speed. [-]

    Returns
    -------
    ndarray
        ``x = clip(L dh_d / dh, minimum_speed, 1)``; 1 where the potential is not positive.

    Notes
    -----
    Merkel's theory makes a tower's heat transfer ``Q = eps m_air dh`` with the potential the
    difference between saturated-air enthalpy at the water temperature and the entering air
    enthalpy, which is close to saturated-air enthalpy at the wet-bulb (ASHRAE Handbook - HVAC
    Systems and Equipment 2020, ch. 40). Holding the air-side effectiveness at its design value
    errs high: a slower fan raises it.
    """
    dh = np.asarray(potential.to("J/kg").magnitude, dtype=float)
    dh_d = design_potential.to("J/kg").magnitude
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.asarray(load_ratio, dtype=float) * dh_d / dh
    return np.where(dh > 0, np.clip(x, minimum_speed, 1.0), 1.0)


def affinity_fan_power(design_power, speed_ratio):
    """Fan power at a share of full speed, ``P = P_d x^3`` (fan affinity laws, ASHRAE Handbook -
    HVAC Systems and Equipment 2020, ch. 21). [W]"""
    return design_power * np.asarray(speed_ratio, dtype=float) ** 3


# Lowest flow of a variable-flow chilled-water pump while it runs: 25 % of the design flow, as
# ANSI/ASHRAE/IES Standard 90.1-2019 Appendix G, G3.1.3.10 models variable-flow chilled-water
# pumps of plants of 300 tons or more (the chillers' minimum evaporator flow in practice).
PUMP_MINIMUM_FLOW = 0.25
# Part-load power of a variable-speed pump without differential-pressure reset, fraction of
# design power ``a + b x + c x^2 + d x^3`` at flow ratio x: the "VSD No Reset" curve that NREL
# openstudio-standards gives the 90.1 Appendix G chilled-water pumps with variable-speed drives
# (lib/openstudio-standards/hvac/components/pump.rb).
VARIABLE_FLOW_PUMP_CURVE = (0.0, 0.5726, -0.301, 0.7347)


def variable_flow_pump_power(design_power, flow_ratio, minimum_flow=PUMP_MINIMUM_FLOW,
                             curve=VARIABLE_FLOW_PUMP_CURVE):
    """Power of a variable-speed pump moving a share of its design flow.

    Parameters
    ----------
    design_power : Quantity
        Input power at the design flow. [W]
    flow_ratio : array_like
        Flow the load needs over the design flow, ``V / V_d``. [-]
    minimum_flow : float
        Lowest flow ratio while the pump runs. [-]
    curve : tuple of float
        Part-load power coefficients ``(a, b, c, d)``. [-]

    Returns
    -------
    Quantity
        ``P = P_d (a + b x + c x^2 + d x^3)`` with ``x = max(V/V_d, x_min)`` where the load needs
        flow, zero where it needs none (the pump stops with the load). [W]

    Notes
    -----
    Pump and system curves with the head falling with flow, as in the part-load curves of
    EnergyPlus ``Pump:VariableSpeed`` that ASHRAE 90.1 Appendix G modelling uses (coefficients:
    NREL openstudio-standards). At the minimum flow the loop bypasses what the coils do not need.
    """
    x = np.asarray(flow_ratio, dtype=float)
    xr = np.maximum(x, minimum_flow)
    a, b, c, d = curve
    return design_power * np.where(x > 0, a + b * xr + c * xr ** 2 + d * xr ** 3, 0.0)
