"""IT load functions against hand-worked values."""

import pytest

from dcpower.physics import it_load
from dcpower.units import Q_


def test_accelerator_power_at_utilization():
    # 700 W H100 SXM at 0.8 -> 560 W
    assert it_load.accelerator_power(Q_(700, "W"), 0.8).to("W").magnitude == pytest.approx(560)


def test_server_power_includes_psu_losses():
    # (8 x 700 W + 2,000 W) / 0.95 = 8,000 W
    p = it_load.server_power(8 * Q_(700, "W"), Q_(2000, "W"), 0.95)
    assert p.to("W").magnitude == pytest.approx(8000)


def test_counts_round_up():
    # engineering-values.md 9: 100,000 / 8 = 12,500 servers; 12,500 / 8 per rack = 1,563 racks
    assert it_load.server_count(100_000, 8) == 12_500
    assert it_load.server_count(100_001, 8) == 12_501
    assert it_load.rack_count(12_500, 8) == 1563


def test_servers_per_rack_from_power_limit():
    assert it_load.servers_per_rack_from_power(Q_(10.2, "kW"), Q_(40, "kW")) == 3
    assert it_load.servers_per_rack_from_power(Q_(150, "kW"), Q_(40, "kW")) == 1
