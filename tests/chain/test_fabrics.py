"""Fabrics that match the machines: dragonfly and older InfiniBand fat trees through the chain,
and the compute fabric a server names when the scenario names none."""

from types import SimpleNamespace

import numpy as np
import pytest

import dcpower
from dcpower.catalog.loader import builtin_dir, load_catalog, load_spec_file, validate_files
from dcpower.catalog.scenario import Network, load_scenario
from dcpower.chain.resolve import FabricParts
from dcpower.chain.steps import fabric_step
from dcpower.cli import main
from dcpower.errors import InputError, SpecError


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def size(catalog, fabric_id, endpoints):
    """Size a built-in fabric for ``endpoints`` links (GPUs or servers as its spec counts them)."""
    fab = catalog.get("fabric", fabric_id)
    optional = [catalog.get("transceiver", t) if t else None for t in (fab.nic_transceiver, fab.switch_transceiver)]
    parts = FabricParts(fab, catalog.get("switch", fab.switch), *optional)
    units = np.asarray(endpoints) / fab.endpoints_per_unit.quantity.magnitude
    it = SimpleNamespace(gpus=units, servers=units, racks=units)
    return fabric_step(parts, it)


def watts_per_endpoint(load):
    return load.power.to("W").magnitude / load.endpoints


# Expected W per endpoint, by hand from the specs in specs/network.toml:
#   slingshot-11 (Rosetta 250 W, AOC end 5 W; p=16, a=32, h=17):
#     1,000: 63 switches x 250 + floor(63*17/2)=535 links x 2 ends x 5 = 15,750 + 5,350 W
#     10,000: 625 x 250 + 5,312 x 2 x 5 = 156,250 + 53,120 W
#   infiniband-hdr200 (QM8700 189 W, 40 ports; DAC to leaf, AOC end 5 W above): 3 tiers
#     1,000: (2 ceil(1000/20) + ceil(1000/40)) = 125 x 189 + 2 x 1000 x 2 ends x 5 = 23,625 + 20,000 W
#     10,000: 1,250 x 189 + 40,000 x 5 = 236,250 + 200,000 W
#   infiniband-edr (SB7800 150 W, 36 ports; DAC to leaf, AOC end 3 W above): 3 tiers
#     1,000: (2 x 56 + 28) = 140 x 150 + 4,000 x 3 = 21,000 + 12,000 W
#     10,000: (2 x 556 + 278) = 1,390 x 150 + 40,000 x 3 = 208,500 + 120,000 W
#   infiniband-ndr200 (QM9700 747 W as 128 x 200G; NIC module 5 W, 4-port switch module 15 W):
#     1,000 (2 tiers): (16 + 8) x 747 + 1,000 x 5 + (2,000 + 1,000)/4 x 15 = 17,928 + 5,000 + 11,250 W
#     10,000 (3 tiers): (2 x 157 + 79) x 747 + 10,000 x 5 + 50,000/4 x 15 = 293,571 + 50,000 + 187,500 W
EXPECTED = {
    ("slingshot-11", 1_000): 21_100 / 1_000, ("slingshot-11", 10_000): 209_370 / 10_000,
    ("infiniband-hdr200", 1_000): 43_625 / 1_000, ("infiniband-hdr200", 10_000): 436_250 / 10_000,
    ("infiniband-edr", 1_000): 33_000 / 1_000, ("infiniband-edr", 10_000): 328_500 / 10_000,
    ("infiniband-ndr200", 1_000): 34_178 / 1_000, ("infiniband-ndr200", 10_000): 531_071 / 10_000,
}


@pytest.mark.parametrize("fabric_id, endpoints", sorted(EXPECTED))
def test_power_per_endpoint_by_hand(catalog, fabric_id, endpoints):
    assert watts_per_endpoint(size(catalog, fabric_id, endpoints)) == pytest.approx(
        EXPECTED[(fabric_id, endpoints)], rel=1e-9)


@pytest.mark.parametrize("endpoints", [1_000, 10_000, 100_000])
def test_slingshot_per_nic_within_its_parts_range(catalog, endpoints):
    # Between the switches alone at the Rosetta ASIC's ~250 W per 16 NICs (WikiChip) and the
    # switches at 320 W plus all 17 global ports per 16 NICs at 6 W per optical end (NVIDIA:
    # 'An HDR cable can require 6W per port'): 15.6 to 32.75 W per NIC.
    w = watts_per_endpoint(size(catalog, "slingshot-11", endpoints))
    assert 250 / 16 <= w <= 320 / 16 + 17 / 16 * 2 * 6


@pytest.mark.parametrize("fabric_id", ["infiniband-hdr200", "infiniband-edr", "infiniband-ndr200"])
def test_older_infiniband_costs_less_per_endpoint_than_ndr_400g(catalog, fabric_id):
    # A 400G NDR fat tree draws about 83-110 W per GPU in switches and optics at three tiers
    # (the QM9700 manual and LinkX module figures); the slower
    # generations' switches and cables draw less per link.
    older = watts_per_endpoint(size(catalog, fabric_id, 10_000))
    ndr = watts_per_endpoint(size(catalog, "quantum-2-ndr", 10_000))
    assert older < ndr <= 110


def test_dragonfly_arrays_match_scalars(catalog):
    many = size(catalog, "slingshot-11", np.array([512, 1_000, 10_000]))
    for i, n in enumerate([512, 1_000, 10_000]):
        one = size(catalog, "slingshot-11", n)
        assert many.switches[i] == one.switches and many.groups[i] == one.groups
        assert many.power[i].to("W").magnitude == pytest.approx(one.power.to("W").magnitude)
    assert many.transceivers[0] == 0  # one group: copper only


def test_dragonfly_beyond_its_largest_system_is_an_input_error(catalog):
    with pytest.raises(InputError, match="at most 279,040 endpoints"):
        size(catalog, "slingshot-11", 300_000)


# ---------------------------------------------------------------- which compute fabric

SERVER = """
[[server]]
id = "test-node"
name = "Test 8-GPU node that names its compute fabric"
vendor = "Test"
accelerator = "h100-sxm"
cooling = "liquid"
compute_fabric = "{fabric}"
source = "test fixture"
year = 2025
gpus = 8
cpu_power = "700 W"
memory_power = "300 W"
nic_power = "200 W"
baseboard_power = "400 W"
drive_power = "100 W"
fan_power = "300 W"
psu_efficiency = 0.95
liquid_fraction = 0.8
gpus_per_rack = 32
"""


def without_compute_fabric():
    s = load_scenario("memphis")
    return s.model_copy(update={"network": Network(management_fabric="management-1g")})


def compute_fabric_of(est):
    return est.chain.fabrics[0].name


def test_scenario_without_compute_fabric_takes_the_servers(tmp_path):
    (tmp_path / "node.toml").write_text(SERVER.format(fabric="infiniband-ndr200"))
    est = dcpower.estimate(without_compute_fabric(), specs_dirs=[tmp_path], server="test-node", gpus=1_000,
                           sizing=False)
    assert compute_fabric_of(est) == "infiniband-ndr200"
    # the same as naming it in the scenario
    named = load_scenario("memphis").model_copy(update={"network": Network(
        compute_fabric="infiniband-ndr200", management_fabric="management-1g")})
    same = dcpower.estimate(named, specs_dirs=[tmp_path], server="test-node", gpus=1_000, sizing=False)
    assert est.network_power.to("W").magnitude == pytest.approx(same.network_power.to("W").magnitude)


def test_the_scenarios_fabric_wins_over_the_servers(tmp_path):
    # Memphis names spectrum-x-400g: a server naming another fabric changes nothing
    (tmp_path / "node.toml").write_text(SERVER.format(fabric="slingshot-11"))
    est = dcpower.estimate("memphis", specs_dirs=[tmp_path], server="test-node", gpus=1_000, sizing=False)
    assert compute_fabric_of(est) == "spectrum-x-400g"


def test_neither_names_a_compute_fabric():
    # gb200-nvl72 names no compute fabric (no catalog fabric matches its 800G links)
    with pytest.raises(InputError, match="set network.compute_fabric") as info:
        dcpower.estimate(without_compute_fabric(), accelerator="gb200", gpus=1_000, sizing=False)
    assert "\n" not in str(info.value)


def test_a_server_naming_a_missing_fabric_is_a_spec_error(tmp_path):
    path = tmp_path / "node.toml"
    path.write_text(SERVER.format(fabric="no-such-fabric"))
    with pytest.raises(SpecError, match="compute_fabric.*no-such-fabric.*does not exist"):
        validate_files([path])


def test_dragonfly_runs_through_the_estimate_and_explains():
    est = dcpower.estimate(settings={"network.compute_fabric": "slingshot-11"}, gpus=10_000, sizing=False)
    assert compute_fabric_of(est) == "slingshot-11"
    step = next(s for s in est.steps if s.title == "Network: slingshot-11")
    assert "groups" in step.formula


def test_cli_says_in_one_line_to_set_the_compute_fabric(tmp_path, capsys):
    text = (builtin_dir() / "scenarios" / "memphis.toml").read_text()
    assert 'compute_fabric = "spectrum-x-400g"\n' in text
    path = tmp_path / "no-fabric.toml"
    path.write_text(text.replace('compute_fabric = "spectrum-x-400g"\n', ""))
    code = main(["estimate", "--scenario", str(path), "--gpus", "1000", "--accelerator", "gb200"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "network.compute_fabric" in err
    # the Memphis server names its own fabric, so the same file runs with it
    assert main(["estimate", "--scenario", str(path), "--gpus", "1000"]) == 0


DRAGONFLY = ('[[fabric]]\nid = "df"\nname = "test dragonfly"\ntopology = "dragonfly"\nswitch = "rosetta"\n'
             'endpoints = "gpu"\nsource = "test fixture"\nyear = 2025\nendpoints_per_unit = 1\n'
             'endpoint_speed = "200 Gbit/s"\nendpoints_per_switch = 16\n')


def test_a_dragonfly_that_needs_more_ports_than_its_switch_has(tmp_path):
    # 16 endpoint + 39 in-group + 17 global ports > Rosetta's 64
    (tmp_path / "df.toml").write_text(DRAGONFLY + "switches_per_group = 40\nglobal_links_per_switch = 17\n")
    with pytest.raises(InputError, match="exceed the 64 ports of switch 'rosetta'"):
        dcpower.estimate(settings={"network.compute_fabric": "df"}, specs_dirs=[tmp_path], gpus=1_000, sizing=False)


def test_a_dragonfly_spec_needs_its_shape(tmp_path):
    path = tmp_path / "fabric.toml"
    path.write_text(DRAGONFLY)
    with pytest.raises(SpecError, match="a dragonfly needs switches_per_group, global_links_per_switch"):
        load_spec_file(path)
