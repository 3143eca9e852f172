"""Grid dynamics (issue 5): training swing, ramp rate, battery sizing against a ramp limit."""

import json

import numpy as np
import pytest

import dcpower
from dcpower.physics import dynamics as dyn
from dcpower.cli import main
from dcpower.units import Q_

# Measured H100 SXM pattern (specs/measurements/h100-sxm-2026-11-26.toml): p95 867.9 W,
# p5 139.7 W, mean 523.7 W, 0.5 s period.
PEAK, TROUGH, MEAN, IDLE = Q_(867.9, "W"), Q_(139.7, "W"), Q_(523.7, "W"), Q_(125.8, "W")
PERIOD = Q_(0.5, "s")


def test_energy_equivalent_duty():
    assert dyn.energy_equivalent_duty(MEAN, TROUGH, PEAK) == pytest.approx((523.7 - 139.7) / 728.2)


def test_swing_model_conserves_energy_over_a_period():
    d = dyn.energy_equivalent_duty(MEAN, TROUGH, PEAK)
    t = Q_(np.arange(0, 100_000) * 0.5 / 100_000, "s")  # one period, 5 us steps
    p = dyn.square_wave(t, TROUGH, PEAK, PERIOD, d)
    energy = float(np.sum(p.magnitude)) * 0.5 / 100_000
    assert energy == pytest.approx(523.7 * 0.5, rel=1e-4)  # J: mean power x period
    # Coarse box-averaged samples (40 per period, 0.527 duty between two samples) keep it exactly.
    tc = Q_(np.arange(0, 40) * 0.5 / 40, "s")
    pc = dyn.square_wave(tc, TROUGH, PEAK, PERIOD, d, Q_(0.5 / 40, "s"))
    assert float(np.mean(pc.magnitude)) == pytest.approx(523.7, rel=1e-12)


def test_cluster_swing_and_ramp():
    assert dyn.cluster_swing(1000, TROUGH, PEAK).to("kW").magnitude == pytest.approx(728.2)
    assert dyn.cluster_swing(1000, TROUGH, PEAK, 0.9).to("kW").magnitude == pytest.approx(728.2 / 0.9)
    assert dyn.cluster_ramp_rate(100_000, Q_(6996, "W/s")).to("MW/s").magnitude == pytest.approx(699.6)


def test_start_energy_worked_example():
    # 10 MW step at 10 MW/min: 60 s ramp, triangle 0.5 x 10 MW x 60 s = 300 MJ = 83.3 kWh.
    assert dyn.start_energy(Q_(10, "MW"), Q_(10, "MW/min")).to("kWh").magnitude == pytest.approx(83.333, rel=1e-4)
    assert dyn.slowest_ramp_for_energy(Q_(10, "MW"), Q_(300, "MJ")).to("MW/min").magnitude == pytest.approx(10)


def _job(n=10_000, limit=Q_(1, "MW/min")):
    d = dyn.energy_equivalent_duty(MEAN, TROUGH, PEAK)
    step = n * (MEAN - IDLE)
    ramp_time = (step / limit).to("s")
    t_on, t_off = Q_(1, "s"), Q_(1, "s") + ramp_time + 10 * PERIOD
    dt = 0.5 / 50
    t = Q_(np.arange(0, (t_off + ramp_time + Q_(1, "s")).to("s").magnitude, dt), "s")
    load = n * dyn.training_load(t, IDLE, TROUGH, PEAK, PERIOD, d, t_on, t_off, Q_(dt, "s"))
    grid = dyn.ramp_limited_grid(t, n * IDLE, n * MEAN, limit, t_on, t_off)
    return t, load, grid, step, limit, dt


def test_battery_sizing_meets_ramp_limit_in_simulated_series():
    t, load, grid, step, limit, dt = _job()
    # The grid never changes faster than the limit...
    rate = np.abs(np.diff(grid.to("W").magnitude)) / dt
    assert rate.max() <= limit.to("W/s").magnitude * (1 + 1e-9)
    # ...and grid + battery serves the load exactly, within the battery's sized power and energy.
    power, energy = dyn.battery_requirement(t, load, grid)
    battery = (load - grid).to("W").magnitude
    assert np.allclose(grid.magnitude + battery, load.to("W").magnitude)
    assert np.abs(battery).max() <= power.to("W").magnitude
    cum = np.cumsum(battery) * dt
    assert cum.max() - min(cum.min(), 0) <= energy.to("J").magnitude * (1 + 1e-9)
    # The energy is the start triangle dP^2 / (2R) plus less than one cycle's swing.
    tri = dyn.start_energy(step, limit).to("J").magnitude
    cycle = 10_000 * (867.9 - 523.7) * 0.5
    assert tri <= energy.to("J").magnitude <= tri + 2 * cycle
    # The battery's peak power is the first burst over idle: N (P_high - P_idle).
    assert power.to("W").magnitude == pytest.approx(10_000 * (867.9 - 125.8), rel=1e-3)


def test_grid_without_battery_would_break_the_limit():
    t, load, grid, step, limit, dt = _job()
    raw = np.abs(np.diff(load.to("W").magnitude)) / dt
    assert raw.max() > 100 * limit.to("W/s").magnitude


def test_residual_swing():
    assert dyn.residual_swing(Q_(30, "MW"), Q_(40, "MW"), Q_(35, "MW")) == Q_(5, "MW")
    assert dyn.residual_swing(Q_(30, "MW"), Q_(40, "MW"), Q_(50, "MW")).magnitude == 0


def test_memphis_swing_scaled_to_cluster():
    r = dcpower.estimate()
    c = r.chain
    it = float(c.peak(c.design.it).to("W").magnitude[0])
    loss = float(c.peak(c.design.electrical_losses).to("W").magnitude[0])
    eta = 0.96 * it / (it + loss)  # hgx-h100-8gpu-liquid PSU efficiency 0.96
    assert r.results["power_swing"].to("MW").magnitude == pytest.approx(100_000 * 728.2e-6 / eta, rel=1e-6)
    assert r.results["grid_ramp_rate"].to("MW/s").magnitude == pytest.approx(100_000 * 6996e-6 / eta, rel=1e-6)
    # 208 Megapack 2 XL (401 MW, 811 MWh) hold the default 10 MW/min with room to spare.
    assert r.results["battery_power_installed"] >= r.results["battery_power_required"]
    assert r.results["grid_swing_with_battery"].magnitude == 0
    assert any(s.title.startswith("Grid dynamics") for s in r.steps)


def test_ramp_limit_setting_scales_battery_energy():
    e10 = dcpower.estimate(settings={"ramp_limit": "10 MW/min"}).results["battery_energy_required"]
    e1 = dcpower.estimate(settings={"ramp_limit": "1 MW/min"}).results["battery_energy_required"]
    assert e1.to("MWh").magnitude == pytest.approx(10 * e10.to("MWh").magnitude, rel=0.1)


def test_grid_cli(capsys):
    assert main(["grid", "--ramp-limit", "5 MW/min", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["results"]["ramp_limit"]["value"] == pytest.approx(5.0)
    assert data["results"]["ramp_limit"]["unit"] == "MW/min"
    assert data["results"]["power_swing"]["unit"] == "MW"
    assert main(["grid", "--ramp-limit", "5 MW"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "not a ramp rate" in err
