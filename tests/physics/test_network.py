"""Fat-tree sizing against Al-Fares, Loukissas and Vahdat, SIGCOMM 2008; dragonfly sizing
against Kim et al. 2008 and the Slingshot paper (De Sensi et al. 2020)."""

import numpy as np
import pytest

from dcpower.physics import network
from dcpower.units import Q_


def test_radix_with_breakout():
    # SN5600: 64 x 800G = 128 x 400G (NVIDIA SN5000 manual)
    assert network.switch_radix(64, Q_(800, "Gbit/s"), Q_(400, "Gbit/s")) == 128
    assert network.switch_radix(64, Q_(400, "Gbit/s"), Q_(400, "Gbit/s")) == 64


@pytest.mark.parametrize("n, tiers", [(128, 1), (129, 2), (8192, 2), (8193, 3), (100_000, 3), (524_288, 3)])
def test_tiers_for_radix_128(n, tiers):
    # 2 tiers serve k^2/2 = 8,192; 3 tiers k^3/4 = 524,288 (Al-Fares et al. 2008)
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
    # NVIDIA DGX SuperPOD RA optics per GPU: L = 3 -> 1 x 400G at the NIC + 2.5 twin-port 800G = 3.5 per GPU
    nic, sw = network.fat_tree_transceivers(100_000, 3, True, 2)
    assert nic == 100_000
    assert sw == 250_000


def test_copper_to_leaf_needs_no_leaf_modules():
    nic, sw = network.fat_tree_transceivers(1000, 2, False, 2)
    assert nic == 0
    assert sw == 1000  # 2 N (L-1) ends / 2 ports per module


# ---------------------------------------------------------------- dragonfly (HPE Slingshot)
# Topology rules: p endpoints per switch, a switches per group joined all-to-all over copper,
# h global links per switch over optics (Kim et al., ISCA 2008). Slingshot: p = 16, a = 32,
# h = 17 on 64-port Rosetta switches (De Sensi et al., SC20, arXiv:2008.08886).
P, A, H = 16, 32, 17


def test_slingshot_largest_system():
    # 32 x 17 + 1 = 545 groups of 32 x 16 = 512 endpoints: 279,040 (De Sensi et al. 2020)
    assert network.dragonfly_capacity(P, A, H) == 279_040
    assert P + (A - 1) + H == 64


def test_dragonfly_1000_nics_by_hand():
    # 1,000 NICs / 16 per switch = 62.5 -> 63 switches; 63 / 32 -> 2 groups (32 + 31 switches)
    s = network.dragonfly_switches(1000, P)
    assert s == 63
    assert network.dragonfly_groups(s, A) == 2
    # all-to-all copper inside groups: 32*31/2 + 31*30/2 = 496 + 465
    assert network.dragonfly_local_links(s, A) == 961
    # every global port cabled: floor(63 * 17 / 2) optical links between the two groups
    assert network.dragonfly_global_links(s, A, H) == 535


def test_dragonfly_10000_nics_by_hand():
    # 10,000 / 16 = 625 switches = 19 full groups + 17 switches: 20 groups
    s = network.dragonfly_switches(10_000, P)
    assert s == 625
    assert network.dragonfly_groups(s, A) == 20
    assert network.dragonfly_local_links(s, A) == 19 * 496 + 17 * 16 // 2  # 9,560
    assert network.dragonfly_global_links(s, A, H) == 625 * 17 // 2      # 5,312


def test_one_group_has_no_optics():
    # 512 NICs fill exactly one group: 32 switches, all-to-all copper, nothing leaves the group
    s = network.dragonfly_switches(512, P)
    assert (s, network.dragonfly_groups(s, A)) == (32, 1)
    assert network.dragonfly_local_links(s, A) == 496
    assert network.dragonfly_global_links(s, A, H) == 0


def test_dragonfly_counts_take_arrays():
    n = np.array([512, 1000, 10_000])
    s = network.dragonfly_switches(n, P)
    assert s.tolist() == [32, 63, 625]
    assert network.dragonfly_local_links(s, A).tolist() == [496, 961, 9560]
    assert network.dragonfly_global_links(s, A, H).tolist() == [0, 535, 5312]


def test_dragonfly_power_adds_two_optical_ends_per_global_link():
    # 63 switches x 250 W + 535 links x 2 ends x 5 W = 15,750 + 5,350 W
    p = network.dragonfly_power(63, 535, Q_(250, "W"), Q_(5, "W"))
    assert p.to("W").magnitude == pytest.approx(21_100)
    arr = network.dragonfly_power(np.array([32, 63]), np.array([0, 535]), Q_(250, "W"), Q_(5, "W"))
    assert arr.to("W").magnitude.tolist() == pytest.approx([8_000, 21_100])
