"""Cooling-tower water against published rules and bounds (EPA WaterSense at Work 2012, section 6.3; DOE FEMP)."""

import numpy as np
import pytest

from dcpower.physics import psychrometrics as psy
from dcpower.physics import water
from dcpower.units import Q_

P = Q_(101325, "Pa")


def _evap_per_kwh(dry_bulb, wet_bulb, exit_temp):
    db = Q_(np.array([dry_bulb]), "degC")
    w = psy.humidity_ratio_from_wet_bulb(db, Q_(np.array([wet_bulb]), "degC"), P)
    h = psy.moist_air_enthalpy(db, w)
    # make-up at the basin temperature, taken as exit - 2.8 K (half of a 5.6 K range below the exit)
    e = water.tower_evaporation(Q_(np.array([1000.0]), "kW"), h, w, Q_(np.array([exit_temp]), "degC"), P,
                                Q_(np.array([exit_temp - 2.8]), "degC"))
    return (e * Q_(1, "h")).to("kg").magnitude[0] / 1000  # kg per kWh of heat


def test_summer_evaporation_is_near_the_latent_bound():
    # Memphis 0.4 % evaporation design: 26.8 degC WB / 32.8 degC MCDB (ASHRAE 2009 via TMY3 header).
    # Latent-only bound at 30 degC: 1.482 kg/kWh (IAPWS h_fg 2429.8 kJ/kg); industry rule of
    # thumb ~1.32 L/kWh (1 % of circulation per 10 degF). Warm humid air: result between them.
    e = _evap_per_kwh(32.8, 26.8, 33.0)
    assert 1.3 < e < 1.55


def test_cold_weather_rejects_much_heat_as_sensible():
    # 5 degC, wet-bulb 3 degC: the air warms a lot, so evaporation is well below the bound
    e = _evap_per_kwh(5.0, 3.0, 25.0)
    assert e < 1.2


def test_hot_dry_air_evaporates_more_than_the_heat_alone():
    # Phoenix-like 43 degC / 21 degC: air is cooled as it humidifies, E > Q/h_fg
    e = _evap_per_kwh(43.0, 21.0, 30.0)
    assert e > 1.5


def test_evaporation_counts_the_liquid_make_up_enthalpy():
    # Hand calculation, no CoolProp: air in at h = 60 kJ/kg, W = 0.012; leaves saturated at
    # 30 degC, 101.325 kPa. p_ws(30 degC) = 4.2470 kPa (IAPWS-95, Wagner and Pruss 2002),
    # W_s = 0.621945 p_ws / (p - p_ws) = 0.027209; h_s = 1.006 t + W_s (2501 + 1.86 t) = 99.75 kJ/kg
    # (ASHRAE Fundamentals 2017 ch. 1 eqs. 20, 30). Make-up at 25 degC: h_f = 4.1813 x 25 = 104.5 kJ/kg.
    # E = Q dW / (dh - h_f dW) = 1000 x 0.015209 / (39.75 - 1.589) = 0.3986 kg/s for 1 MW;
    # without h_f it would be 0.3826 kg/s (4 % less), outside the tolerance.
    p_ws = 4.2470
    w_s = 0.621945 * p_ws / (101.325 - p_ws)
    h_s = 1.006 * 30 + w_s * (2501 + 1.86 * 30)
    dw, dh, h_f = w_s - 0.012, h_s - 60.0, 4.1813 * 25
    expected = 1000.0 * dw / (dh - h_f * dw)
    e = water.tower_evaporation(Q_(np.array([1.0]), "MW"), Q_(np.array([60.0]), "kJ/kg"), Q_(np.array([0.012]), ""),
                                Q_(np.array([30.0]), "degC"), P, Q_(np.array([25.0]), "degC"))
    assert e.to("kg/s").magnitude[0] == pytest.approx(expected, rel=3e-3)
    assert expected == pytest.approx(0.3986, rel=1e-3)


def test_blowdown_from_the_solids_balance():
    # B = E/(C-1) - D (ASHRAE HVAC Systems and Equipment 2020 ch. 40; EPA WaterSense at Work 2012,
    # section 6.3). Hand: E = 3 kg/s, C = 4, D = 0.2 kg/s -> B = 1.0 - 0.2 = 0.8 kg/s;
    # make-up 4.0 kg/s = E C/(C-1), the drift-free make-up factor 4/3, drift or not.
    e, d = Q_(3.0, "kg/s"), Q_(0.2, "kg/s")
    b = water.blowdown(e, 4, d)
    assert b.to("kg/s").magnitude == pytest.approx(0.8)
    m = water.makeup(e, b, d)
    assert m.to("kg/s").magnitude == pytest.approx(4.0)
    assert (m / e).to("").magnitude == pytest.approx(4 / 3)


def test_blowdown_is_zero_when_drift_alone_carries_the_solids():
    # E/(C-1) = 0.1 kg/s < D = 0.2 kg/s: no blowdown, never negative
    b = water.blowdown(Q_(np.array([0.3, 3.0]), "kg/s"), 4, Q_(0.2, "kg/s"))
    assert b.to("kg/s").magnitude == pytest.approx([0.0, 0.8])


def test_drift_hand_worked():
    # circulation at 5.6 K range: 3600/(4.1813*5.6) = 153.7 kg/kWh; 0.005 % -> 0.0077 kg/kWh
    circ = water.circulation(Q_(1, "kW"), Q_(5.6, "K"))
    assert (circ * Q_(1, "h")).to("kg").magnitude == pytest.approx(153.7, rel=1e-3)
    d = water.drift(circ, 0.00005)
    assert (d * Q_(1, "h")).to("kg").magnitude == pytest.approx(0.00769, rel=1e-2)


def test_latent_fraction_of_pure_evaporation_is_one():
    # E = Q/h_fg exactly -> latent fraction 1
    hfg = psy.latent_heat_of_vaporization(Q_(30, "degC"))
    q = Q_(np.array([1.0e6]), "W")
    e = (q / hfg).to("kg/s")
    assert water.latent_fraction(e, q, Q_(30, "degC"))[0] == pytest.approx(1.0)


def test_wue_definition():
    # The Green Grid WUE: 1,000 m^3 over 1 GWh = 1 L/kWh
    assert water.water_use_effectiveness(Q_(1000, "m^3"), Q_(1, "GWh")).magnitude == pytest.approx(1.0)
