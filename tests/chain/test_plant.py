"""The plant's pumps, air movers and heat-rejection fans in the chain (sources in comments)."""

import numpy as np
import pytest

import dcpower
from dcpower.chain import steps
from dcpower.chain.resolve import resolve
from dcpower.chain.run import run_chain
from dcpower.physics import cooling, psychrometrics as psy
from dcpower.units import Q_
from dcpower.weather.model import AirStates


def _chain(**kw):
    r = resolve(gpus=10_000, **kw)
    return r, run_chain(r, AirStates.hours_of(r.weather))


@pytest.fixture(scope="module")
def dlc_tower():
    return _chain(cooling="dlc-tower")


def _peak(chain, q):
    return float(chain.peak(q).magnitude[0])


def test_condenser_pumps_on_the_tower_circulation(dlc_tower):
    _, c = dlc_tower
    lp = c.design.loops
    # Tower circulation V = Q_plant / (rho cp range) with the 5.6 K (10 degF) range of 90.1 App. G;
    # the facility loop runs at 10 K, so the towers circulate 10/5.6 of the facility flow per unit heat.
    ratio = _peak(c, lp.condenser_flow) / _peak(c, lp.water_flow)
    heat_ratio = _peak(c, lp.plant_heat) / _peak(c, lp.plant_heat - lp.facility_pumps - lp.cdu_pumps)
    assert ratio == pytest.approx(10 / 5.6 * heat_ratio, rel=1e-9)
    # 19 W/gpm (ASHRAE 90.1-2019 G3.1.3.11) on that flow
    gpm = _peak(c, lp.condenser_flow.to("gpm"))
    assert _peak(c, lp.condenser_pumps.to("W")) == pytest.approx(19 * gpm, rel=1e-9)
    # the towers circulate in economizer hours too: pumps run every hour
    assert np.all(c.hourly.loops.condenser_pumps.magnitude > 0)


def test_cdu_pumps_carry_the_liquid_heat(dlc_tower):
    r, c = dlc_tower
    lp = c.design.loops
    # V = f P_IT / (rho cp dT) with f the server's liquid share (specs/servers.toml), dT = 10 K;
    # P = V x 150 kPa / 0.7 (dlc-tower spec values)
    f = r.server.liquid_fraction.quantity.magnitude
    it = _peak(c, c.design.it.to("W"))
    flow = f * it / (997.05 * 4181.3 * 10)
    assert _peak(c, lp.cdu_flow.to("m^3/s")) == pytest.approx(flow, rel=1e-9)
    assert _peak(c, lp.cdu_pumps.to("W")) == pytest.approx(flow * 150e3 / 0.7, rel=1e-9)
    total = lp.facility_pumps + lp.cdu_pumps + lp.condenser_pumps
    assert np.allclose(lp.pumps.magnitude, total.to(lp.pumps.units).magnitude)


def test_air_chiller_pumps_chilled_water_at_22_w_per_gpm():
    _, c = _chain(cooling="air-chiller")
    lp = c.design.loops
    # 244 kPa / 0.7 = 348.6 kPa = 22 W/gpm (ASHRAE 90.1-2019 G3.1.3.10); no CDUs in an air hall
    per_gpm = _peak(c, lp.facility_pumps.to("W")) / _peak(c, lp.water_flow.to("gpm"))
    assert per_gpm == pytest.approx(22.0, rel=2e-3)
    assert _peak(c, lp.cdu_pumps) == 0 and _peak(c, lp.condenser_pumps) > 0


def test_electrical_losses_leave_through_the_electrical_rooms(dlc_tower):
    r, c = dlc_tower
    f = r.server.liquid_fraction.quantity.magnitude
    lp, side = c.design.loops, c.design.side
    # the hall's air movers carry the air share and lighting only; UPS and distribution losses have their own
    assert np.allclose(lp.air_heat.magnitude, ((1 - f) * c.design.it + side.lighting).to(lp.air_heat.units).magnitude)
    assert np.allclose(lp.electrical_room_heat.magnitude,
                       (side.ups_loss + side.distribution_loss).to(lp.electrical_room_heat.units).magnitude)
    assert np.all(lp.electrical_room_fans.magnitude > 0)


def test_hall_air_is_thinner_in_phoenix_than_in_memphis():
    # 27 degC hall air at the sites' pressures: Memphis 81 m, Phoenix 337 m (TMY3 headers);
    # ASHRAE Fundamentals 2017 ch. 1 eq. 3: p = 101.325 (1 - 2.25577e-5 z)^5.2559 kPa.
    memphis = steps.hall_air_density(resolve(gpus=8))
    phoenix = steps.hall_air_density(resolve(gpus=8, site="phoenix"))
    p_m, p_p = (101.325 * (1 - 2.25577e-5 * z) ** 5.2559 for z in (81, 337))
    assert (phoenix / memphis).to("dimensionless").magnitude == pytest.approx(p_p / p_m, rel=1e-6)
    # dry air at 27 degC and 100.36 kPa: rho = p / (R T) = 100360 / (287.042 * 300.15) = 1.165 kg/m^3
    assert memphis.to("kg/m^3").magnitude == pytest.approx(1.165, abs=2e-3)


def _air(dry_bulb, wet_bulb, elevation="81 m"):
    db, wb = Q_(np.asarray(dry_bulb, dtype=float), "degC"), Q_(np.asarray(wet_bulb, dtype=float), "degC")
    p = psy.pressure_from_elevation(Q_(elevation)) * np.ones(db.shape)
    return AirStates(db, wb, psy.humidity_ratio_from_wet_bulb(db, wb, p), p, np.ones(db.shape))


def test_dry_cooler_design_point_recovers_design_fan_power():
    r = resolve(gpus=10_000, cooling="dlc-drycooler")
    c = r.cooling
    air = _air([35.6], [23.9])  # Memphis 0.4 % cooling dry-bulb, coincident wet-bulb (TMY3 design line)
    q = Q_(np.array([[10.0]]), "MW")
    fans = steps.heat_rejection_fans(r, q, Q_(10, "K"), air, capacity=q)
    # Design load and weather: full speed, P = m dp_std rho_std / (eta rho^2), m = Q / (cp dT_air)
    rho = psy.moist_air_density(air.dry_bulb, air.humidity_ratio, air.pressure)
    design = cooling.fan_power_at_density(Q_(10e6 / (1006 * 10), "kg/s"), c.drycooler_air_pressure.quantity,
                                          c.fan_efficiency.quantity.magnitude, rho)
    assert fans.to("W").magnitude[0, 0] == pytest.approx(design.to("W").magnitude[0], rel=1e-6)


def test_heat_rejection_fans_fall_with_colder_air_and_lower_load():
    for cooling_id in ("dlc-drycooler", "dlc-tower"):
        r = resolve(gpus=10_000, cooling=cooling_id)
        air = _air([35.6, 25.0, 15.0, 5.0], [26.8, 20.0, 12.0, 2.0])
        cap = Q_(10.0, "MW")
        full = steps.heat_rejection_fans(r, cap * np.ones((1, 4)), Q_(10, "K"), air, capacity=cap).magnitude[0]
        part = steps.heat_rejection_fans(r, 0.6 * cap * np.ones((1, 4)), Q_(10, "K"), air, capacity=cap).magnitude[0]
        assert np.all(np.diff(full) <= 1e-9) and full[-1] < full[0], cooling_id
        assert np.all(part <= full + 1e-9) and part[0] < full[0], cooling_id


def test_w_class_check_only_for_liquid_cooled_servers():
    # A 15 degC chilled-water air hall is not an ASHRAE W class: no W17 comparison
    air = dcpower.estimate(gpus=10_000, cooling="air-chiller", server="dgx-h100")
    assert not any("W17" in w or "liquid class" in w for w in air.warnings)
    # the DLC hall's 32 degC facility water still is checked against W32 (Memphis extreme wet-bulb needs
    # trim); its trim chillers cover it, so --explain says so instead of a warning
    dlc = dcpower.estimate(gpus=10_000)
    assert any("W32" in str(v) for step in dlc.steps for _, v in step.results)
    assert dlc.results["supply_temperature_margin"].magnitude < 0


def test_dry_cooler_fans_work_harder_in_thin_hot_air():
    # Same heat, full speed: Phoenix 0.4 % dry-bulb 43 degC at 337 m against Memphis 35.6 degC at 81 m
    # (TMY3 design lines and headers). Fan power ~ 1 / rho^2 at a fixed mass flow (fan_power_at_density).
    r = resolve(gpus=10_000, cooling="dlc-drycooler")
    memphis, phoenix = _air([35.6], [23.9], "81 m"), _air([43.0], [21.0], "337 m")
    q = Q_(np.array([[10.0]]), "MW")
    p_m, p_p = (steps.heat_rejection_fans(r, q, Q_(10, "K"), a, capacity=q).magnitude[0, 0] for a in (memphis, phoenix))
    rho_m, rho_p = (psy.moist_air_density(a.dry_bulb, a.humidity_ratio, a.pressure).magnitude[0] for a in (memphis, phoenix))
    assert rho_p < rho_m
    assert p_p / p_m == pytest.approx((rho_m / rho_p) ** 2, rel=1e-6)
