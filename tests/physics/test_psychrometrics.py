"""Tests of dcpower.physics.psychrometrics.

Reference values come from the ASHRAE Handbook—Fundamentals 2017, ch. 1 (tables 1-3 and
example 1) as quoted by psychrolib's own test suite (psychrometrics/psychrolib,
tests/test_psychrolib_si.py), from direct scalar psychrolib calls, and from IAPWS-IF97
(IAPWS-IF97 and the ASHRAE Handbook - Fundamentals, ch. 1).
"""

import time

import numpy as np
import psychrolib
import pytest

from dcpower.physics import psychrometrics as psy
from dcpower.errors import InputError
from dcpower.units import Q_

psychrolib.SetUnitSystem(psychrolib.SI)

RNG = np.random.default_rng(20240601)
N = 8760


def degc(x):
    return Q_(np.asarray(x, dtype=float), "degC")


def pa(x):
    return Q_(np.asarray(x, dtype=float), "Pa")


# ---------------------------------------------------------------- published values

@pytest.mark.parametrize("t, expected, rel", [
    # ASHRAE Fundamentals 2017 ch. 1 table 3 (via psychrolib test_GetSatVapPres); ASHRAE
    # claims 300 ppm except at -60 degC.
    (-20, 103.24, 3e-4), (-5, 401.74, 3e-4), (5, 872.6, 3e-4), (25, 3169.7, 3e-4),
    (50, 12351.3, 3e-4), (100, 101418.0, 3e-4), (150, 476101.4, 3e-4),
])
def test_saturation_vapor_pressure_ashrae_table_3(t, expected, rel):
    assert psy.saturation_vapor_pressure(Q_(t, "degC")).to("Pa").magnitude == pytest.approx(expected, rel=rel)


def test_saturation_vapor_pressure_at_minus_60():
    # ASHRAE table 3: 1.08 Pa, to 0.01 Pa (psychrolib test_GetSatVapPres)
    assert psy.saturation_vapor_pressure(Q_(-60, "degC")).to("Pa").magnitude == pytest.approx(1.08, abs=0.01)


@pytest.mark.parametrize("t, expected, rel", [
    # ASHRAE Fundamentals 2017 ch. 1 table 2 at 101325 Pa (via psychrolib test_GetSatHumRatio)
    (-20, 0.0006373, 0.01), (-5, 0.0024863, 0.005), (5, 0.005425, 0.005),
    (25, 0.020173, 0.005), (50, 0.086863, 0.01),
])
def test_saturation_humidity_ratio_ashrae_table_2(t, expected, rel):
    w = psy.saturation_humidity_ratio(Q_(t, "degC"), Q_(101325, "Pa"))
    assert w.to("dimensionless").magnitude == pytest.approx(expected, rel=rel)


@pytest.mark.parametrize("z, expected", [
    # ASHRAE Fundamentals 2017 ch. 1 table 1 (via psychrolib test_GetStandardAtmPressure)
    (-500, 107478), (0, 101325), (500, 95461), (1000, 89875), (4000, 61640), (10000, 26436),
])
def test_pressure_from_elevation_ashrae_table_1(z, expected):
    assert psy.pressure_from_elevation(Q_(z, "m")).to("Pa").magnitude == pytest.approx(expected, abs=1)


def test_pressure_from_elevation_feet_and_arrays():
    p = psy.pressure_from_elevation(Q_(np.array([0.0, 500 / 0.3048]), "ft"))
    assert p.to("Pa").magnitude == pytest.approx([101325, 95461], abs=1)


def test_humidity_ratio_from_wet_bulb_psychrolib_values():
    # psychrolib test_HumRatio_TWetBulb (values computed by its authors in Excel)
    w = psy.humidity_ratio_from_wet_bulb(Q_(30, "degC"), Q_(25, "degC"), Q_(95461, "Pa"))
    assert w.magnitude == pytest.approx(0.0192281274241096, rel=3e-4)
    w = psy.humidity_ratio_from_wet_bulb(Q_(-1, "degC"), Q_(-5, "degC"), Q_(95461, "Pa"))
    assert w.magnitude == pytest.approx(0.00120399819933844, rel=3e-4)


def test_wet_bulb_round_trips_psychrolib_values():
    # Inverse of the previous test: 30 degC dry bulb, W from a 25 degC wet bulb -> 25 degC back
    w = psychrolib.GetHumRatioFromTWetBulb(30, 25, 95461)
    dew = psychrolib.GetTDewPointFromHumRatio(30, w, 95461)
    wb = psy.wet_bulb_temperature(Q_(30, "degC"), Q_(dew, "degC"), Q_(95461, "Pa"))
    assert wb.to("degC").magnitude == pytest.approx(25, abs=0.001)


def test_ashrae_example_1():
    # ASHRAE Fundamentals 2017 ch. 1 example 1: 40 degC dry bulb, 20 degC wet bulb, 101.325 kPa
    # gives W = 0.0065, h = 56.7 kJ/kg, t_d about 7 degC (psychrolib test_AllPsychrometrics).
    p = Q_(101325, "Pa")
    w = psy.humidity_ratio_from_wet_bulb(Q_(40, "degC"), Q_(20, "degC"), p)
    assert w.magnitude == pytest.approx(0.0065, abs=1e-4)
    assert psy.moist_air_enthalpy(Q_(40, "degC"), w).to("J/kg").magnitude == pytest.approx(56700, abs=100)
    dew = psychrolib.GetTDewPointFromHumRatio(40, w.magnitude, 101325)
    assert dew == pytest.approx(7, abs=0.5)
    assert psy.wet_bulb_temperature(Q_(40, "degC"), Q_(dew, "degC"), p).magnitude == pytest.approx(20, abs=0.1)


def test_enthalpy_and_density_psychrolib_values():
    # psychrolib test_MoistAir: 30 degC, W = 0.02, 95461 Pa (Excel values of its authors)
    h = psy.moist_air_enthalpy(Q_(30, "degC"), Q_(0.02))
    assert h.to("J/kg").magnitude == pytest.approx(81316, rel=3e-4)
    rho = psy.moist_air_density(Q_(30, "degC"), Q_(0.02), Q_(95461, "Pa"))
    assert rho.to("kg/m^3").magnitude == pytest.approx(1.08411986348219, rel=3e-4)


@pytest.mark.parametrize("t, iapws_kj", [
    # IAPWS-IF97 (iapws 1.5.5)
    (20, 2453.5), (25, 2441.7), (30, 2429.8), (35, 2417.9), (40, 2406.0),
])
def test_latent_heat_against_iapws_if97(t, iapws_kj):
    h_fg = psy.latent_heat_of_vaporization(Q_(t, "degC")).to("kJ/kg").magnitude
    assert h_fg == pytest.approx(iapws_kj, rel=0.002)


def test_latent_heat_formula():
    # 2501 + 1.86 t - 4.186 t kJ/kg (ASHRAE Fundamentals ch. 1 eq. 30 and liquid enthalpy)
    assert psy.latent_heat_of_vaporization(Q_(30, "degC")).to("kJ/kg").magnitude == pytest.approx(2501 - 2.326 * 30)


# ---------------------------------------------------------------- vectorized = scalar psychrolib

def test_saturation_grid_interpolation_error_is_negligible():
    t = np.concatenate([RNG.uniform(-100, 200, 20000), [-100, 0, 0.01, 0.005, 0.02, 200]])
    direct = np.array([psychrolib.GetSatVapPres(x) for x in t])
    vector = psy.saturation_vapor_pressure(degc(t)).to("Pa").magnitude
    assert np.max(np.abs(vector / direct - 1)) < 5e-4 / 100  # far below the 0.05 % asked


def _air_sample(n=N):
    db = RNG.uniform(-40, 50, n)
    dp = db - RNG.uniform(0, 45, n)
    dp = np.maximum(dp, -60)
    db = np.maximum(db, dp)
    p = RNG.uniform(60000, 105000, n)
    return db, dp, p


def test_humidity_ratios_match_psychrolib():
    db, dp, p = _air_sample(3000)
    w = psy.humidity_ratio_from_dew_point(degc(dp), pa(p)).magnitude
    ref = np.array([psychrolib.GetHumRatioFromTDewPoint(a, b) for a, b in zip(dp, p)])
    np.testing.assert_allclose(w, ref, rtol=1e-6)
    ws = psy.saturation_humidity_ratio(degc(db), pa(p)).magnitude
    ref = np.array([psychrolib.GetSatHumRatio(a, b) for a, b in zip(db, p)])
    np.testing.assert_allclose(ws, ref, rtol=1e-6)


def test_wet_bulb_matches_psychrolib():
    db, dp, p = _air_sample(2000)
    wb = psy.wet_bulb_temperature(degc(db), degc(dp), pa(p)).to("degC").magnitude
    ref = np.array([psychrolib.GetTWetBulbFromTDewPoint(*x) for x in zip(db, dp, p)])
    # both bisect to psychrolib's 0.001 K tolerance
    np.testing.assert_allclose(wb, ref, atol=0.002)
    assert np.all(wb <= db + 1e-9) and np.all(wb >= dp - 1e-9)


def test_humidity_ratio_from_wet_bulb_matches_psychrolib():
    db, _, p = _air_sample(2000)
    wb = db - RNG.uniform(0, 10, db.size)
    w = psy.humidity_ratio_from_wet_bulb(degc(db), degc(wb), pa(p)).magnitude
    ref = np.array([psychrolib.GetHumRatioFromTWetBulb(*x) for x in zip(db, wb, p)])
    np.testing.assert_allclose(w, ref, rtol=1e-5, atol=1e-9)


def test_enthalpy_and_density_match_psychrolib():
    db, dp, p = _air_sample(2000)
    w = np.array([psychrolib.GetHumRatioFromTDewPoint(a, b) for a, b in zip(dp, p)])
    h = psy.moist_air_enthalpy(degc(db), Q_(w)).to("J/kg").magnitude
    np.testing.assert_allclose(h, [psychrolib.GetMoistAirEnthalpy(a, b) for a, b in zip(db, w)],
                               rtol=1e-12, atol=1e-9)
    rho = psy.moist_air_density(degc(db), Q_(w), pa(p)).to("kg/m^3").magnitude
    np.testing.assert_allclose(rho, [psychrolib.GetMoistAirDensity(*x) for x in zip(db, w, p)], rtol=1e-12)


def test_pressure_from_elevation_matches_psychrolib():
    z = RNG.uniform(-400, 4000, 100)
    p = psy.pressure_from_elevation(Q_(z, "m")).magnitude
    np.testing.assert_allclose(p, [psychrolib.GetStandardAtmPressure(x) for x in z], rtol=1e-12)


def test_unit_system_switched_to_ip_elsewhere_is_restored():
    psychrolib.SetUnitSystem(psychrolib.IP)
    try:
        p = psy.pressure_from_elevation(Q_(0, "m"))
    finally:
        psychrolib.SetUnitSystem(psychrolib.SI)
    assert p.to("Pa").magnitude == pytest.approx(101325)


# ---------------------------------------------------------------- units and shapes

def test_scalars_give_scalars_and_arrays_keep_shape():
    w = psy.humidity_ratio_from_dew_point(Q_(10, "degC"), Q_(101325, "Pa"))
    assert isinstance(w.magnitude, float)
    db = degc(np.full((2, 3), 30.0))
    wb = psy.wet_bulb_temperature(db, Q_(20, "degC"), Q_(101325, "Pa"))
    assert wb.magnitude.shape == (2, 3)


def test_fahrenheit_input():
    # 77 degF = 25 degC
    a = psy.saturation_vapor_pressure(Q_(77, "degF")).magnitude
    b = psy.saturation_vapor_pressure(Q_(25, "degC")).magnitude
    assert a == pytest.approx(b, rel=1e-9)
    assert psy.wet_bulb_temperature(Q_(86, "degF"), Q_(50, "degF"), Q_(14.696, "psi")).units == Q_(1, "degC").units


@pytest.mark.parametrize("bad", [Q_(10, "delta_degC"), Q_(300, "K"), Q_(10, "m"), 25.0])
def test_temperature_must_be_absolute_temperature(bad):
    with pytest.raises(InputError):
        psy.latent_heat_of_vaporization(bad)


def test_pressure_must_be_pressure():
    with pytest.raises(InputError, match="pressure"):
        psy.saturation_humidity_ratio(Q_(20, "degC"), Q_(100, "m"))


def test_dew_point_above_dry_bulb_rejected():
    with pytest.raises(InputError, match="dew point cannot exceed"):
        psy.wet_bulb_temperature(Q_(20, "degC"), Q_(21, "degC"), Q_(101325, "Pa"))


def test_temperature_out_of_ashrae_range_rejected():
    with pytest.raises(InputError, match="outside the range"):
        psy.saturation_vapor_pressure(Q_(250, "degC"))


def test_negative_humidity_ratio_rejected():
    with pytest.raises(InputError, match="negative"):
        psy.moist_air_enthalpy(Q_(20, "degC"), Q_(-0.01))


# ---------------------------------------------------------------- speed (8,760 hours)

def _best_time(f, repeat=5):
    f()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def test_speed_on_a_year_of_hours():
    db, dp, p = _air_sample()
    t_db, t_dp, pr, w = degc(db), degc(dp), pa(p), Q_(np.full(N, 0.01))
    fast = {
        "humidity_ratio_from_dew_point": lambda: psy.humidity_ratio_from_dew_point(t_dp, pr),
        "saturation_humidity_ratio": lambda: psy.saturation_humidity_ratio(t_db, pr),
        "moist_air_enthalpy": lambda: psy.moist_air_enthalpy(t_db, w),
        "moist_air_density": lambda: psy.moist_air_density(t_db, w, pr),
        "latent_heat_of_vaporization": lambda: psy.latent_heat_of_vaporization(t_db),
    }
    # Budget 10 ms each; doubled so a busy test machine does not fail the suite.
    for name, f in fast.items():
        assert _best_time(f) < 0.020, name
    assert _best_time(lambda: psy.wet_bulb_temperature(t_db, t_dp, pr), repeat=2) < 0.5
