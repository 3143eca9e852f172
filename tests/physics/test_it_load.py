"""IT load functions against hand-worked values."""

import pytest

from dcpower.physics import it_load
from dcpower.units import Q_


def test_busy_and_average_power():
    # H100 SXM (700 W limit, 125.8 W idle, dcpower measurement h100-sxm-2026-11-26):
    # memory-bound at 0.792 of 700 W = 554.4 W; busy 80 % of the time: 125.8 + 0.8 x (554.4 - 125.8)
    busy = it_load.busy_power(Q_(700, "W"), Q_(125.8, "W"), 0.792)
    assert busy.to("W").magnitude == pytest.approx(554.4)
    assert it_load.average_power(Q_(125.8, "W"), busy, 0.8).to("W").magnitude == pytest.approx(468.68)
    # a busy accelerator never draws less than idle: the idle workload (f = 0) sits at the floor
    assert it_load.busy_power(Q_(700, "W"), Q_(125.8, "W"), 0.0).to("W").magnitude == pytest.approx(125.8)
    # hosts run part of the way from idle to full: 300 W + 0.5 x (1,000 - 300) W
    assert it_load.load_between(Q_(300, "W"), Q_(1000, "W"), 0.5).to("W").magnitude == pytest.approx(650)


def test_server_power_includes_psu_losses():
    # (8 x 700 W + 2,000 W) / 0.95 = 8,000 W
    p = it_load.server_power(8 * Q_(700, "W"), Q_(2000, "W"), 0.95)
    assert p.to("W").magnitude == pytest.approx(8000)


def test_counts_round_up():
    # ServeTheHome (2024) on Colossus: 8 GPUs per server, 8 servers per rack: 100,000 / 8 = 12,500 servers; 1,563 racks
    assert it_load.server_count(100_000, 8) == 12_500
    assert it_load.server_count(100_001, 8) == 12_501
    assert it_load.rack_count(12_500, 8) == 1563


def test_servers_per_rack_from_power_limit():
    assert it_load.servers_per_rack_from_power(Q_(10.2, "kW"), Q_(40, "kW")) == 3
    assert it_load.servers_per_rack_from_power(Q_(150, "kW"), Q_(40, "kW")) == 1
