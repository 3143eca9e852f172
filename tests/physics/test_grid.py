"""Grid dispatch, cost and emissions against hand-worked values."""

import numpy as np
import pytest

from dcpower.physics import grid
from dcpower.units import Q_


def test_dispatch_peak_shaves_above_allocation():
    load = Q_(np.array([100.0, 160.0, 200.0, 260.0]), "MW")
    g, t, b, u = grid.dispatch(load, Q_(150, "MW"), Q_(40, "MW"), Q_(30, "MW"))
    assert list(g.to("MW").magnitude) == [100, 150, 150, 150]
    assert list(t.to("MW").magnitude) == [0, 10, 40, 40]
    assert list(b.to("MW").magnitude) == [0, 0, 10, 30]
    assert list(u.to("MW").magnitude) == [0, 0, 0, 40]
    # every MW is accounted for
    assert np.allclose((g + t + b + u).to("MW").magnitude, load.magnitude)


def test_no_allocation_means_all_grid():
    load = Q_(np.array([1.0, 2.0]), "MW")
    g, t, b, u = grid.dispatch(load, None, Q_(10, "MW"), Q_(0, "MW"))
    assert list(g.to("MW").magnitude) == [1, 2]


def test_energy_cost_tennessee_industrial():
    # 1 GWh at 6.23 cents/kWh (EIA Electric Power Annual 2023, TN industrial) = 62,300 USD
    assert grid.energy_cost(Q_(1, "GWh"), Q_(0.0623, "USD/kWh")).to("USD").magnitude == pytest.approx(62300)
    # plus a 10 USD/kW-month demand charge on 1 MW for 12 months = 120,000 USD
    c = grid.energy_cost(Q_(1, "GWh"), Q_(0.0623, "USD/kWh"), Q_(1, "MW"), Q_(10, "USD/kW/month"))
    assert c.to("USD").magnitude == pytest.approx(182300)


def test_fuel_co2_from_heat_rate():
    # EPA 40 CFR 98 Table C-1 natural gas 53.06 kgCO2/MMBtu: 10,000 Btu/kWh x 53.06 kg/MMBtu = 0.531 kg/kWh
    co2 = grid.fuel_co2(Q_(1, "MWh"), Q_(10000, "BTU/kWh"), Q_(53.06, "kgCO2/MMBtu"))
    assert co2.to("kgCO2").magnitude == pytest.approx(530.6)


def test_energy_and_load_factor():
    p = Q_(np.full(8760, 100.0), "MW")
    e = grid.energy(p)
    assert e.to("GWh").magnitude == pytest.approx(876.0)
    assert grid.load_factor(e, Q_(125, "MW"), 8760).magnitude == pytest.approx(0.8)


def test_fuel_cost_from_heat_rate_and_gas_price():
    # 1 GWh x 10,670 BTU/kWh = 10,670 MMBtu; x 2.528 USD/MMBtu (EIA N3045TN3, 2024 mean) = 26,974 USD
    c = grid.fuel_cost(Q_(1, "GWh"), Q_(10670, "BTU/kWh"), Q_(2.528, "USD/MMBtu"))
    assert c.to("USD").magnitude == pytest.approx(10670 * 2.528)


def test_variable_om_cost():
    # 1 GWh = 1,000 MWh x 7.14 USD/MWh (NREL ATB 2019, gas CT) = 7,140 USD
    assert grid.variable_om_cost(Q_(1, "GWh"), Q_(7.14, "USD/MWh")).to("USD").magnitude == pytest.approx(7140)


def test_recharge_energy_counts_round_trip_losses():
    # 92 MWh delivered at 92 % round trip needs 100 MWh back in: 8 MWh lost
    e_in = grid.recharge_energy(Q_(92, "MWh"), 0.92)
    assert e_in.to("MWh").magnitude == pytest.approx(100.0)


def test_battery_gives_only_what_spare_supply_can_put_back():
    # Hand-worked: 20 MWh asked of the battery over two hours; the one hour with 9.2 MW of spare
    # allocation puts back 9.2 MWh x 0.92 (round trip) = 8.464 MWh, so k = 8.464 / 20 = 0.4232.
    discharge = Q_(np.array([0.0, 10.0, 10.0]), "MW")
    headroom = Q_(np.array([9.2, 0.0, 0.0]), "MW")
    kept = grid.rechargeable_discharge(discharge, headroom, np.ones(3), 0.92)
    assert kept.to("MW").magnitude == pytest.approx([0.0, 4.232, 4.232], rel=1e-12)
    # no spare supply at all: nothing can be put back, so nothing is given
    none = grid.rechargeable_discharge(discharge, Q_(np.zeros(3), "MW"), np.ones(3), 0.92)
    assert none.to("MW").magnitude.tolist() == [0.0, 0.0, 0.0]
    # ample spare supply: the discharge stands; states weighted as weather bins count their hours
    ample = grid.rechargeable_discharge(discharge, Q_(np.array([100.0, 0, 0]), "MW"), np.array([50.0, 1, 1]), 0.92)
    assert ample.to("MW").magnitude.tolist() == [0.0, 10.0, 10.0]
