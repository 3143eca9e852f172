"""AMD and Intel accelerators each have a sourced usual server, and an estimate runs on each.

The servers live in specs/servers-amd-intel.toml. Expected figures below come from the
documents those specs cite; each test says which.
"""

from __future__ import annotations

import warnings

import pytest

import dcpower
from dcpower.catalog.loader import builtin_dir, load_catalog, load_spec_file
from dcpower.catalog.models import Server
from dcpower.units import Q_

SERVER_FILE = builtin_dir() / "servers-amd-intel.toml"
AMD_INTEL = ["mi250x", "mi300x", "mi300a", "mi325x", "mi355x", "gaudi3", "max-1550"]
NEW_SERVERS = ["cray-ex255a-mi300a", "mi300x-8oam", "mi325x-8oam", "mi355x-8oam", "gaudi3-8oam",
               "aurora-node", "dell-xe9640-max1550"]
HOST_FIELDS = ["cpu_power", "memory_power", "nic_power", "baseboard_power", "drive_power", "fan_power",
               "other_power"]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def host_power(server: Server):
    return sum((server.q(f) for f in HOST_FIELDS if server.q(f) is not None), Q_(0, "W"))


def wall_power(server: Server, catalog, accelerator_power=None):
    """(gpus x accelerator max_power + host components) / psu_efficiency, the check each note states."""
    acc = catalog.get("accelerator", server.accelerator)
    per_gpu = acc.max_power.quantity if accelerator_power is None else accelerator_power
    gpus = server.gpus.quantity.magnitude
    return ((gpus * per_gpu + host_power(server)) / server.psu_efficiency.quantity).to("kW")


def test_the_file_holds_exactly_the_named_servers_and_each_validates():
    # load_spec_file validates every entry: dimensions, bounds, sources (a bad value raises SpecError)
    specs = load_spec_file(SERVER_FILE)
    assert sorted(s.id for s in specs) == sorted(NEW_SERVERS)
    assert all(isinstance(s, Server) for s in specs)


@pytest.mark.parametrize("acc_id", AMD_INTEL)
def test_every_amd_intel_accelerator_has_a_usual_server_that_holds_it(catalog, acc_id):
    acc = catalog.get("accelerator", acc_id)
    assert acc.vendor in ("AMD", "Intel")
    assert acc.default_server, f"{acc_id} has no default_server"
    assert catalog.get("server", acc.default_server).accelerator == acc_id


def test_no_other_amd_or_intel_accelerator_lacks_a_server(catalog):
    # a new AMD or Intel part added to the catalog must come with its server too
    missing = [a.id for a in catalog.entries["accelerator"].values()
               if a.vendor in ("AMD", "Intel") and not a.default_server]
    assert missing == []


def test_defaults_are_the_platforms_named_for_each_part(catalog):
    expected = {"mi300x": "mi300x-8oam", "mi300a": "cray-ex255a-mi300a", "mi325x": "mi325x-8oam",
                "mi355x": "mi355x-8oam", "gaudi3": "gaudi3-8oam", "max-1550": "aurora-node"}
    assert {a: catalog.get("accelerator", a).default_server for a in expected} == expected


@pytest.mark.parametrize("server_id", NEW_SERVERS)
def test_component_sum_stays_below_nameplate_where_one_is_published(catalog, server_id):
    server = catalog.get("server", server_id)
    assert server.host_idle_fraction is not None
    if server.nameplate_power is None:
        pytest.skip(f"{server_id}: the vendor publishes no max system power")
    assert wall_power(server, catalog) < server.nameplate_power.quantity


def test_mi300a_node_counts_no_separate_cpu_or_dimms(catalog):
    # The MI300A's 550 W TDP covers its 24 Zen 4 cores and 128 GB HBM3 (ComputerBase, ISC 2024),
    # so the EX255a node adds no CPU or DIMM power.
    node = catalog.get("server", "cray-ex255a-mi300a")
    assert node.cpu_power.quantity.magnitude == 0
    assert node.memory_power.quantity.magnitude == 0


def test_el_capitan_hpl_power_per_node_lies_between_tdp_and_peak(catalog):
    # TOP500 Nov 2024 (as reported by TechPowerUp): El Capitan 1.742 EFlop/s at 58.89 GFlops/W;
    # 44,544 MI300A (The Next Platform) / 4 per node = 11,136 nodes. Whole-system HPL power per
    # node (network and storage included) must exceed the node at the MI300A's 550 W TDP and
    # stay below the node at its 760 W peak (ComputerBase).
    node = catalog.get("server", "cray-ex255a-mi300a")
    hpl_per_node = (Q_(1.742e18, "1/s") / Q_(58.89e9, "1/s/W") / 11_136).to("kW")
    assert hpl_per_node.magnitude == pytest.approx(2.656, abs=0.01)
    assert wall_power(node, catalog) < hpl_per_node < wall_power(node, catalog, Q_(760, "W"))


def test_mi300x_platform_fits_the_xe9680_redundant_supply(catalog):
    # StorageReview: the XE9680 (which takes 8 x MI300X 750 W OAM) has six PSUs totalling
    # 19,200 W in 3+3 fault-tolerant redundancy, so 9.6 kW stays fully redundant.
    assert wall_power(catalog.get("server", "mi300x-8oam"), catalog) < Q_(19_200 / 2, "W")


def test_mi355x_is_liquid_cooled_and_mi325x_air(catalog):
    # The Register / Tom's Hardware (ISC 2025): MI355X is the 1.4 kW liquid-cooled part;
    # MLCommons v6.1 (Crusoe): 'Direct liquid-cooled'. MI300X/MI325X are air-cooled OAMs.
    assert catalog.get("server", "mi355x-8oam").cooling == "liquid"
    assert catalog.get("server", "mi325x-8oam").cooling == "air"
    assert catalog.get("server", "mi300x-8oam").cooling == "air"


def test_gaudi3_node_has_only_front_end_nics(catalog):
    # Intel Gaudi documentation: scale-up and scale-out run on the Gaudi 3's own 200 GbE ports,
    # so the node's NICs are front-end only, far below one 25 W NIC per accelerator.
    server = catalog.get("server", "gaudi3-8oam")
    assert server.nic_power.quantity < server.gpus.quantity.magnitude * Q_(25, "W")


@pytest.mark.parametrize("acc_id", AMD_INTEL)
def test_estimate_runs_for_1000_accelerators(acc_id):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        usual = load_catalog().get("server", load_catalog().get("accelerator", acc_id).default_server)
        # in a hall its usual server fits
        r = dcpower.estimate(accelerator=acc_id, gpus=1000,
                             cooling="dlc-tower" if usual.cooling == "liquid" else "air-chiller")
    server = r.resolved.server
    assert server.accelerator == acc_id
    # the IT load at full power holds the 1,000 accelerators at max_power plus their hosts
    acc_power = load_catalog().get("accelerator", acc_id).max_power.quantity
    assert r.results["it_power"] > 1000 * acc_power
