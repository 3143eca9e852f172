"""Airside economizer physics against hand-worked psychrometrics (ASHRAE Fundamentals 2017 ch. 1)."""

import numpy as np
import pytest

from dcpower.physics import airside_economizer as econ
from dcpower.physics import psychrometrics as psy
from dcpower.units import Q_

P = Q_(101325.0, "Pa")


def test_media_leave_the_air_at_the_effectiveness_share_of_the_wet_bulb_depression():
    # 40 degC dry-bulb, 20 degC wet-bulb, effectiveness 0.85: 40 - 0.85 x 20 = 23 degC
    t = econ.direct_evaporative_leaving_temperature(Q_(40.0, "degC"), Q_(20.0, "degC"), 0.85)
    assert t.to("degC").magnitude == pytest.approx(23.0)


def test_enthalpy_inverses_round_trip():
    h = psy.moist_air_enthalpy(Q_(31.0, "degC"), Q_(0.008, "dimensionless"))
    assert econ.temperature_at_enthalpy(h, Q_(0.008, "dimensionless")).magnitude == pytest.approx(31.0)
    assert econ.humidity_ratio_at_enthalpy(h, Q_(31.0, "degC")).magnitude == pytest.approx(0.008)


def test_supply_moisture_limit_is_the_dew_point_at_27_degC():
    # at 27 degC, 15 degC dew point is 48 % RH, below the 60 % limit: the dew point binds
    w = econ.supply_humidity_ratio_limit(Q_(27.0, "degC"), Q_(15.0, "degC"), 0.6, P).magnitude
    assert w == pytest.approx(psy.humidity_ratio_from_dew_point(Q_(15.0, "degC"), P).magnitude)
    # at 20 degC the 60 % RH limit (11.5 degC dew point) binds instead
    w20 = econ.supply_humidity_ratio_limit(Q_(20.0, "degC"), Q_(15.0, "degC"), 0.6, P).magnitude
    assert w20 < w


def _supply(db, wb):
    w = psy.humidity_ratio_from_wet_bulb(Q_(db, "degC"), Q_(wb, "degC"), P)
    w_max = econ.supply_humidity_ratio_limit(Q_(27.0, "degC"), Q_(15.0, "degC"), 0.6, P)
    w_min = psy.humidity_ratio_from_dew_point(Q_(-9.0, "degC"), P)
    return w, econ.outdoor_air_supply(Q_(db, "degC"), Q_(wb, "degC"), w, Q_(26.4, "degC"), 0.85, w_max, w_min)


def test_cold_air_is_mixed_not_wetted():
    w, (t, w_s, usable) = _supply(np.array([10.0]), np.array([6.0]))
    assert usable[0] and t.magnitude[0] == pytest.approx(10.0) and w_s.magnitude[0] == pytest.approx(w.magnitude[0])


def test_hot_dry_air_is_cooled_at_constant_enthalpy_to_the_target():
    # dry desert afternoon: 40 degC, 18 degC wet-bulb; media could reach 21.3 degC, the target is 26.4 degC
    w, (t, w_s, usable) = _supply(np.array([40.0]), np.array([18.0]))
    assert usable[0] and t.magnitude[0] == pytest.approx(26.4)
    h_in = psy.moist_air_enthalpy(Q_(40.0, "degC"), w).magnitude
    h_out = psy.moist_air_enthalpy(t, w_s).magnitude
    assert h_out[0] == pytest.approx(h_in[0], rel=1e-9)   # adiabatic saturation: enthalpy kept
    assert w_s.magnitude[0] > w.magnitude[0]


def test_humid_air_is_shut_out_and_wetting_stops_at_the_dew_point_limit():
    # Memphis summer: 32 degC with 25 degC wet-bulb has a 22 degC dew point, above 15 degC
    _, (_, _, usable) = _supply(np.array([32.0]), np.array([25.0]))
    assert not usable[0]
    # 36 degC, 20 degC wet-bulb (9 degC dew point): media would reach 22.4 degC, but W_max stops them first
    w, (t, w_s, usable) = _supply(np.array([36.0]), np.array([20.0]))
    w_max = econ.supply_humidity_ratio_limit(Q_(27.0, "degC"), Q_(15.0, "degC"), 0.6, P).magnitude
    assert usable[0] and w_s.magnitude[0] == pytest.approx(w_max) and t.magnitude[0] > 26.4


def test_water_is_the_vapour_mass_balance_of_the_air_stream():
    # 1 MW leaves with exhaust at h_ex from outdoor air at h_o: m = Q / dh; vapour out = vapour in + E
    h_o, h_ex = Q_(45e3, "J/kg"), Q_(70e3, "J/kg")
    m = econ.outdoor_air_mass_flow(Q_(1.0, "MW"), h_ex, h_o)
    assert m.to("kg/s").magnitude == pytest.approx(1e6 / 25e3)
    w_o, w_s = Q_(0.006, "dimensionless"), Q_(0.0095, "dimensionless")
    e = econ.evaporated_water(m, w_s, w_o)
    assert (m * w_o + e).to("kg/s").magnitude == pytest.approx((m * w_s).to("kg/s").magnitude)
    assert econ.evaporated_water(m, w_o, w_s).magnitude == 0.0   # never negative


def test_supply_moisture_floor_is_the_higher_of_dew_point_and_relative_humidity():
    # ASHRAE class A1 allowable floor, -12 degC dew point and 8 % RH: at 29.4 degC, 8 % RH is a
    # vapour pressure of 0.08 x 4.11 kPa = 0.33 kPa (dew point about -7 degC), above -12 degC's
    t = Q_(29.4, "degC")
    w = econ.supply_humidity_ratio_floor(t, Q_(-12.0, "degC"), 0.08, P).magnitude
    p_w = 0.08 * psy.saturation_vapor_pressure(t).to("Pa").magnitude
    assert w == pytest.approx(0.621945 * p_w / (101325.0 - p_w))
    assert w > psy.humidity_ratio_from_dew_point(Q_(-12.0, "degC"), P).magnitude
    # no relative-humidity floor given: the dew point alone
    w_dp = econ.supply_humidity_ratio_floor(t, Q_(-9.0, "degC"), None, P).magnitude
    assert w_dp == pytest.approx(psy.humidity_ratio_from_dew_point(Q_(-9.0, "degC"), P).magnitude)
