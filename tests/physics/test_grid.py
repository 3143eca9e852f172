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
