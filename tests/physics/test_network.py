"""Fat-tree sizing against the derivation in engineering-values.md 3.3 and Al-Fares et al. 2008."""

import pytest

from dcpower.physics import network
from dcpower.units import Q_


def test_radix_with_breakout():
    # SN5600: 64 x 800G = 128 x 400G (NVIDIA SN5000 manual)
    assert network.switch_radix(64, Q_(800, "Gbit/s"), Q_(400, "Gbit/s")) == 128
    assert network.switch_radix(64, Q_(400, "Gbit/s"), Q_(400, "Gbit/s")) == 64


@pytest.mark.parametrize("n, tiers", [(128, 1), (129, 2), (8192, 2), (8193, 3), (100_000, 3), (524_288, 3)])
def test_tiers_for_radix_128(n, tiers):
    # 2 tiers serve k^2/2 = 8,192; 3 tiers k^3/4 = 524,288 (engineering-values.md 3.3)
    assert network.fat_tree_tiers(n, 128) == tiers


def test_switch_count_100k_gpus():
    # 3 tiers: 2 x ceil(100000/64) + ceil(100000/128) = 2 x 1563 + 782 = 3908 -> 0.039 per GPU (ref: 5/128)
    per_tier = network.fat_tree_switches(100_000, 128, 3)
    assert per_tier == [1563, 1563, 782]
    assert sum(per_tier) / 100_000 == pytest.approx(5 / 128, rel=0.01)


def test_al_fares_k4_example():
    # Al-Fares et al. (SIGCOMM 2008): k = 4 fat tree: 16 hosts, 8 edge + 8 aggregation + 4 core = 20 switches
    assert network.fat_tree_tiers(16, 4) == 3
    assert sum(network.fat_tree_switches(16, 4, 3)) == 20


def test_modules_per_gpu_three_tiers():
    # engineering-values.md 3.3: L = 3 -> 1 x 400G at the NIC + 2.5 twin-port 800G = 3.5 per GPU
    nic, sw = network.fat_tree_transceivers(100_000, 3, True, 2)
    assert nic == 100_000
    assert sw == 250_000


def test_copper_to_leaf_needs_no_leaf_modules():
    nic, sw = network.fat_tree_transceivers(1000, 2, False, 2)
    assert nic == 0
    assert sw == 1000  # 2 N (L-1) ends / 2 ports per module
