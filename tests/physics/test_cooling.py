"""Cooling physics against hand-worked values (sources in comments)."""

import numpy as np
import pytest

from dcpower.physics import cooling
from dcpower.units import Q_


def test_water_flow_for_one_megawatt_at_10K():
    # 1 MW at dT 10 K -> 23.9 kg/s with cp = 4.18 kJ/(kg K); V = Q/(rho cp dT)
    v = cooling.volume_flow_for_heat(Q_(1, "MW"), Q_(10, "K"), cooling.WATER_DENSITY, cooling.WATER_SPECIFIC_HEAT)
    assert (v * cooling.WATER_DENSITY).to("kg/s").magnitude == pytest.approx(23.92, rel=1e-3)


def test_pump_power_matches_worked_example():
    # pump power P = rho g H V / eta: 1 MW, 10 K, 30 m head, eta 0.75 -> 9.4 kW
    v = cooling.volume_flow_for_heat(Q_(1, "MW"), Q_(10, "K"), cooling.WATER_DENSITY, cooling.WATER_SPECIFIC_HEAT)
    head = (cooling.WATER_DENSITY * Q_(9.80665, "m/s^2") * Q_(30, "m")).to("Pa")
    p = cooling.fluid_power(v, head, 0.75)
    assert p.to("kW").magnitude == pytest.approx(9.38, rel=2e-3)


def test_fan_power_hand_worked():
    # 10 m^3/s against 500 Pa at 60 % efficiency: 10 * 500 / 0.6 = 8333 W
    assert cooling.fluid_power(Q_(10, "m^3/s"), Q_(500, "Pa"), 0.6).to("W").magnitude == pytest.approx(8333.33, rel=1e-5)


def test_air_flow_hand_worked():
    # 100 kW of heat, 12 K rise, standard air 1.204 kg/m^3, cp 1.006 kJ/kgK: 100/(1.204*1.006*12) = 6.880 m^3/s
    v = cooling.volume_flow_for_heat(Q_(100, "kW"), Q_(12, "K"), cooling.STANDARD_AIR_DENSITY, cooling.AIR_SPECIFIC_HEAT)
    assert v.to("m^3/s").magnitude == pytest.approx(6.880, rel=1e-3)


def test_tower_fan_power_from_ashrae_efficacy():
    # 1 MW, 10 degF range: flow = 1e6/(997.05*4181.3*5.5556) m^3/s = 684.3 gpm;
    # at 38.2 gpm/hp (ASHRAE 90.1 open-circuit axial-fan tower minimum) -> 17.91 hp = 13.36 kW
    p = cooling.tower_fan_power(Q_(1, "MW"), Q_(10, "delta_degF"), Q_(38.2, "gpm/hp"))
    assert p.to("kW").magnitude == pytest.approx(13.36, rel=2e-3)


def test_chiller_cop_reproduces_rating_point():
    eta = cooling.second_law_efficiency(6.1, Q_(6.7, "degC"), Q_(29.4, "degC"), Q_(5.56, "K"), Q_(2, "K"))
    # hand-worked: T_evap = 277.85 K, T_cond = 310.11 K, Carnot 8.613 -> eta_II = 6.1/8.613 = 0.708
    assert eta.magnitude == pytest.approx(0.7082, rel=1e-3)
    cop = cooling.chiller_cop(Q_(6.7, "degC"), Q_(29.4, "degC"), Q_(5.56, "K"), Q_(2, "K"), eta.magnitude)
    assert float(cop.magnitude) == pytest.approx(6.1, rel=1e-9)


def test_chiller_cop_falls_with_lift():
    eta = 0.7
    cond = Q_(np.array([15.0, 20.0, 25.0, 30.0, 35.0]), "degC")
    cop = cooling.chiller_cop(Q_(18, "degC"), cond, Q_(5, "K"), Q_(2, "K"), eta).magnitude
    assert np.all(np.diff(cop) < 0)
    # warmer chilled water raises COP (2-3 % per K, Johnson Controls via DatacenterDynamics)
    lo = cooling.chiller_cop(Q_(10, "degC"), Q_(29.4, "degC"), Q_(5.56, "K"), Q_(2, "K"), eta).magnitude
    hi = cooling.chiller_cop(Q_(11, "degC"), Q_(29.4, "degC"), Q_(5.56, "K"), Q_(2, "K"), eta).magnitude
    assert 0.02 < hi / lo - 1 < 0.04


def test_economizer_fraction():
    # supply 32, return 40: available 30 -> full free cooling, 36 -> half, 41 -> none
    f = cooling.economizer_fraction(Q_(np.array([30.0, 36.0, 41.0]), "degC"), Q_(32, "degC"), Q_(40, "degC"))
    assert list(f) == [1.0, 0.5, 0.0]


def test_chiller_cop_held_at_minimum_rated_lift():
    # AHRI 550/590 IPLV: lowest rated entering condenser water 65 degF (18.3 degC) at 44 degF chilled
    # water: with rise 5.56 K and approach 1.5 K the lift floor is 11.63 + 5.56 + 3 = 20.2 K.
    eta = 0.7
    kw = dict(min_condenser_in=Q_(18.3, "degC"), rating_chilled_water=Q_(6.7, "degC"))
    warm = cooling.chiller_cop(Q_(32, "degC"), Q_(28, "degC"), Q_(5.56, "K"), Q_(1.5, "K"), eta, **kw)
    # T_evap = 305.15 - 1.5 = 303.65 K; COP = 0.7 x 303.65 / 20.16 = 10.54
    assert float(warm.magnitude) == pytest.approx(0.7 * 303.65 / (11.6 + 5.56 + 3.0), rel=1e-3)
    colder = cooling.chiller_cop(Q_(32, "degC"), Q_(20, "degC"), Q_(5.56, "K"), Q_(1.5, "K"), eta, **kw)
    assert float(colder.magnitude) == pytest.approx(float(warm.magnitude))


def test_air_cooled_chiller_cop_at_its_rating_point_is_the_rating():
    # 90.1-2019 air-cooled >= 150 tons: 1.188 kW/ton -> COP 2.96 at AHRI 44 degF water, 95 degF air;
    # condensing 16.7 K above the air (AHRI: 125 degF condenserless SDT at 95 degF air), evaporator 1.5 K
    eta = cooling.air_cooled_second_law_efficiency(2.96, Q_(6.7, "degC"), Q_(35, "degC"), Q_(16.7, "K"),
                                                   Q_(1.5, "K")).magnitude
    # eta_II = 2.96 (51.7 - 5.2) / 278.35 = 0.4945 (temperatures in K: 324.85 and 278.35)
    assert eta == pytest.approx(2.96 * (324.85 - 278.35) / 278.35, rel=1e-9)
    cop = cooling.air_cooled_chiller_cop(Q_(6.7, "degC"), Q_(35, "degC"), Q_(16.7, "K"), Q_(1.5, "K"), eta)
    assert cop.magnitude == pytest.approx(2.96, rel=1e-9)


def test_air_cooled_chiller_follows_the_dry_bulb_down_to_its_lowest_rating():
    eta = 0.4945
    args = (Q_(16.7, "K"), Q_(1.5, "K"), eta, Q_(12.8, "degC"), Q_(6.7, "degC"))
    air = Q_(np.array([40.0, 35.0, 25.0, 12.8, 0.0]), "degC")
    cop = cooling.air_cooled_chiller_cop(Q_(15, "degC"), air, *args).magnitude
    assert np.all(np.diff(cop[:4]) > 0)          # cooler air, smaller lift, higher COP (floor reached by 12.8)
    # below 55 degF entering air (AHRI IPLV lowest point) the lift is held: lift = (12.8 + 16.7) - (6.7 - 1.5)
    assert cop[4] == pytest.approx(cop[3]) == pytest.approx(eta * (15 - 1.5 + 273.15) / (12.8 + 16.7 - 6.7 + 1.5))


def test_supply_temperature_excess_is_zero_where_held():
    x = cooling.supply_temperature_excess(Q_(np.array([30.0, 40.0, 46.3]), "degC"), Q_(40, "degC"))
    assert x.to("K").magnitude == pytest.approx([0.0, 0.0, 6.3])


def test_condenser_pump_power_per_flow_hand_worked():
    # ASHRAE 90.1-2019 Appendix G G3.1.3.11: condenser-water pumps 19 W/gpm. 10 MW rejected over a
    # 10 degF (5.556 K) tower range: V = 10e6 / (997.05 * 4181.3 * 5.556) = 0.4318 m^3/s = 6,844 gpm
    # (1 gpm = 6.309e-5 m^3/s, NIST SP 811); 6,844 gpm x 19 W/gpm = 130.0 kW.
    v = cooling.volume_flow_for_heat(Q_(10, "MW"), Q_(10, "delta_degF"), cooling.WATER_DENSITY,
                                     cooling.WATER_SPECIFIC_HEAT)
    assert v.to("gpm").magnitude == pytest.approx(6844, rel=1e-3)
    assert cooling.fluid_power(v, Q_(19, "W/gpm"), 1.0).to("kW").magnitude == pytest.approx(130.0, rel=2e-3)


def test_fan_power_at_density_is_the_plain_formula_in_standard_air_and_grows_as_one_over_rho_squared():
    # In standard air P = V dp / eta: 12.04 kg/s = 10 m^3/s, 500 Pa, 0.6 -> 8,333 W (as above)
    m = Q_(12.04, "kg/s")
    std = cooling.fan_power_at_density(m, Q_(500, "Pa"), 0.6, cooling.STANDARD_AIR_DENSITY)
    assert std.to("W").magnitude == pytest.approx(8333.33, rel=1e-5)
    # At 1.07 kg/m^3 (43 degC at Phoenix's 97 kPa) the same mass needs (1.204/1.07)^2 = 1.266x
    hot = cooling.fan_power_at_density(m, Q_(500, "Pa"), 0.6, Q_(1.07, "kg/m^3"))
    assert (hot / std).to("dimensionless").magnitude == pytest.approx((1.204 / 1.07) ** 2, rel=1e-9)


def test_counterflow_effectiveness_round_trip_and_limits():
    # Incropera Table 11.3/11.4: at Cr = 1, eps = NTU/(1+NTU): NTU 1.6667 <-> eps 0.625
    assert cooling.counterflow_ntu(0.625, 1.0) == pytest.approx(5 / 3)
    assert cooling.counterflow_effectiveness(5 / 3, 1.0) == pytest.approx(0.625)
    # Cr = 0 (one stream's temperature fixed): eps = 1 - exp(-NTU)
    assert cooling.counterflow_effectiveness(2.0, 0.0) == pytest.approx(1 - np.exp(-2.0))
    for cr in (0.0, 0.3, 0.9):
        assert cooling.counterflow_effectiveness(cooling.counterflow_ntu(0.5, cr), cr) == pytest.approx(0.5)


DRY = dict(water_range=Q_(10, "K"), design_air_rise=Q_(10, "K"), design_approach=Q_(6, "K"), ua_exponent=0.6,
           minimum_speed=0.25)


def test_dry_cooler_at_design_runs_full_speed():
    # Design load, entering water = design approach 6 K + range 10 K above the dry-bulb: the design
    # effectiveness 10/16 needs exactly the design air flow.
    x = cooling.drycooler_air_flow_ratio(1.0, Q_(16, "K"), **DRY)
    assert float(x) == pytest.approx(1.0, abs=1e-6)


def test_dry_cooler_fans_slow_with_colder_air_and_lower_load():
    colder = cooling.drycooler_air_flow_ratio(np.ones(4), Q_(np.array([16, 20, 25, 30]), "K"), **DRY)
    assert np.all(np.diff(colder) < 0) and colder[0] == pytest.approx(1.0, abs=1e-6)
    lighter = cooling.drycooler_air_flow_ratio(np.array([1.0, 0.8, 0.6, 0.4]), Q_(16, "K"), **DRY)
    assert np.all(np.diff(lighter) < 0)
    # Hand check of one point: half load at design weather. Capacity rates per unit design heat
    # per K: air x/10, water 0.05; at x = 0.4227 air 0.04227 is C_min, Cr = 0.845, and
    # UA = (5/3)(0.1)(0.4227^0.6) = 0.09936 -> NTU 2.351; eps = 0.7395; Q = 0.7395 * 0.04227 * 16 = 0.500.
    assert float(cooling.drycooler_air_flow_ratio(0.5, Q_(16, "K"), **DRY)) == pytest.approx(0.4227, abs=2e-3)


def test_dry_cooler_speed_is_held_between_minimum_and_full():
    x = cooling.drycooler_air_flow_ratio(np.array([0.05, 1.2, 1.0]), Q_(np.array([30, 16, -1]), "K"), **DRY)
    # tiny load in cold air: minimum speed; more than design heat, or water colder than the air: full speed
    assert x.tolist() == pytest.approx([0.25, 1.0, 1.0])


def test_tower_speed_follows_load_and_enthalpy_potential():
    dh_d = Q_(47.0, "kJ/kg")
    x = cooling.tower_air_flow_ratio(np.array([1.0, 0.5, 0.5, 0.1, 1.0]),
                                     Q_(np.array([47.0, 47.0, 94.0, 94.0, -1.0]), "kJ/kg"), dh_d, 0.25)
    # design -> 1; half load -> 0.5; half load with twice the potential -> 0.25; floor 0.25; no potential -> 1
    assert x.tolist() == pytest.approx([1.0, 0.5, 0.25, 0.25, 1.0])


def test_affinity_fan_power_is_the_cube_of_speed():
    # fan affinity law: half speed, one eighth of the power
    assert cooling.affinity_fan_power(Q_(80, "kW"), 0.5).to("kW").magnitude == pytest.approx(10.0)


def test_variable_flow_pump_follows_the_90_1_curve_down_to_its_minimum_flow():
    from dcpower.physics.cooling import variable_flow_pump_power
    p_d = Q_(100.0, "kW")
    x = np.array([1.0, 0.5, 0.25, 0.1, 0.0])
    p = variable_flow_pump_power(p_d, x).to("kW").magnitude
    # "VSD No Reset" (NREL openstudio-standards pump.rb): 0.5726 x - 0.301 x^2 + 0.7347 x^3
    curve = lambda v: 0.5726 * v - 0.301 * v ** 2 + 0.7347 * v ** 3  # noqa: E731
    assert p[0] == pytest.approx(100 * curve(1.0))           # 100.6 kW: the fit at full flow
    assert p[1] == pytest.approx(100 * curve(0.5))           # 28.1 kW at half flow, below the 50 kW of P ~ V
    # 90.1-2019 G3.1.3.10: no less than 25 % of design flow while running, so 10 % costs what 25 % does
    assert p[3] == pytest.approx(p[2]) == pytest.approx(100 * curve(0.25))
    assert p[4] == 0.0                                       # no load, pump stopped
