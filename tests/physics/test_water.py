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
    e = water.tower_evaporation(Q_(np.array([1000.0]), "kW"), h, w, Q_(np.array([exit_temp]), "degC"), P)
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


def test_blowdown_from_cycles_of_concentration():
    # B = E/(COC-1): COC 4 -> makeup factor 4/3 (EPA WaterSense at Work 2012, section 6.3)
    e = Q_(3.0, "kg/s")
    b = water.blowdown(e, 4)
    assert b.to("kg/s").magnitude == pytest.approx(1.0)
    assert ((e + b) / e).magnitude == pytest.approx(1.333, rel=1e-3)


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
