"""IT load at part utilization: accelerators between their measured idle floor and busy power,
hosts between their idle share and full load."""

import pytest

import dcpower


def test_accelerators_fall_to_the_measured_idle_floor():
    # specs/accelerators.toml: h100-sxm idle_power 125.8 W (dcpower measurement 2026-11-26);
    # training busy power 0.997 x 700 W (specs/workloads.toml)
    low = dcpower.estimate(utilization=1e-6, sizing=False)
    assert low.gpu_power_average.to("W").magnitude / 100_000 == pytest.approx(125.8, rel=1e-4)
    full = dcpower.estimate(utilization=1.0, sizing=False)
    assert full.gpu_power_average.to("W").magnitude / 100_000 == pytest.approx(0.997 * 700, rel=1e-9)
    mid = dcpower.estimate(utilization=0.5, sizing=False)
    assert mid.gpu_power_average.to("W").magnitude / 100_000 == pytest.approx((125.8 + 697.9) / 2, rel=1e-4)


def test_hosts_follow_load_between_idle_and_busy():
    low = dcpower.estimate(utilization=1e-6, sizing=False)
    full = dcpower.estimate(utilization=1.0, sizing=False)
    it_low = low.it_power_average - low.gpu_power_average / 0.96
    it_full = full.it_power_average - full.gpu_power_average / 0.96
    # the hosts draw less at idle than busy, and never more than at full load (host_power)
    assert it_low < it_full
    assert (full.it_power_average - full.network_power - full.storage_power) <= full.it_power_nameplate


def test_utilization_zero_is_a_powered_on_idle_cluster():
    # Utilization is the share of time busy: at 0 every accelerator and host sits at its idle
    # floor, whatever the workload, which is what the idle workload gives at any utilization.
    zero = dcpower.estimate(utilization=0, sizing=False)
    idle = dcpower.estimate(workload="idle", utilization=0.8, sizing=False)
    # h100-sxm idle_power 125.8 W (specs/accelerators.toml, dcpower measurement 2026-11-26)
    assert zero.gpu_power_average.to("W").magnitude / 100_000 == pytest.approx(125.8, rel=1e-9)
    assert zero.it_power_average.to("MW").magnitude == pytest.approx(idle.it_power_average.to("MW").magnitude,
                                                                   rel=1e-12)
    # above zero, below the busy IT power
    assert 0 < zero.it_power_average < zero.it_power
