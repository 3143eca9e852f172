"""NVIDIA platforms: every NVIDIA accelerator has a usual server, every such server is
sound, and the generic host builds a node around any accelerator.

Expected figures come from the documents the spec files cite; each test names its source.
"""

from __future__ import annotations

import pytest

import dcpower
from dcpower.catalog.loader import builtin_dir, load_catalog, load_spec_file
from dcpower.catalog.models import Host, Server
from dcpower.chain.steps import HOST_COMPONENTS

NVIDIA_SERVERS = ["dgx-a100", "cray-ex235n", "sequana-xh2000-a100", "apollo-6500-a100", "a100-pcie-server",
                  "ibm-ac922-v100", "h100-pcie-server", "h100-nvl-server", "bullsequana-xh3000-h100",
                  "cray-ex254n-gh200", "bullsequana-xh3000-gh200", "dgx-b300", "cray-ex254n-gh200-alps",
                  "ibm-ac922-v100-sierra"]

# The usual server of each NVIDIA accelerator that had none before this catalog section.
DEFAULTS = {"v100-sxm2": "ibm-ac922-v100", "a100-pcie": "a100-pcie-server", "a100-sxm": "dgx-a100",
            "h100-pcie": "h100-pcie-server", "h100-nvl": "h100-nvl-server", "gh200": "cray-ex254n-gh200",
            "b300": "dgx-b300"}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def nvidia_accelerators(catalog):
    return [a for a in catalog.category("accelerator").values() if a.vendor == "NVIDIA"]


def host_dc_power(server: Server):
    """Sum of the host components at full load, in watts (DC)."""
    return sum(getattr(server, f).quantity.to("W").magnitude for f in HOST_COMPONENTS
               if getattr(server, f) is not None)


def full_load_wall_power(catalog, server: Server):
    """(gpus x accelerator max_power + host) / psu_efficiency, in watts."""
    acc = catalog.get("accelerator", server.accelerator)
    gpus = server.gpus.quantity.magnitude
    return (gpus * acc.max_power.quantity.to("W").magnitude + host_dc_power(server)) / server.psu_efficiency.quantity.magnitude


def test_the_catalog_names_all_nine_nvidia_accelerators(catalog):
    ids = {a.id for a in nvidia_accelerators(catalog)}
    assert {"v100-sxm2", "a100-pcie", "a100-sxm", "h100-pcie", "h100-sxm", "h100-nvl", "h200-sxm", "gh200",
            "b200", "gb200", "b300", "gb300"} <= ids


def test_every_nvidia_accelerator_has_a_server_that_holds_it(catalog):
    for acc in nvidia_accelerators(catalog):
        assert acc.default_server is not None, f"{acc.id} has no default_server"
        server = catalog.get("server", acc.default_server)
        assert server.accelerator == acc.id, f"{acc.id}: default server {server.id} holds {server.accelerator}"


@pytest.mark.parametrize("acc_id, server_id", sorted(DEFAULTS.items()))
def test_default_servers(catalog, acc_id, server_id):
    assert catalog.get("accelerator", acc_id).default_server == server_id


@pytest.mark.parametrize("server_id", NVIDIA_SERVERS)
def test_new_servers_validate(catalog, server_id):
    server = catalog.get("server", server_id)
    assert isinstance(server, Server)
    assert catalog.get("accelerator", server.accelerator).vendor == "NVIDIA"
    # a host draws something and every component is a non-negative power (bounds in models.py)
    assert host_dc_power(server) > 0
    assert 0 < server.psu_efficiency.quantity.magnitude <= 1


def test_the_servers_file_validates_entry_by_entry():
    ids = {s.id for s in load_spec_file(builtin_dir() / "servers.toml")}
    assert set(NVIDIA_SERVERS) <= ids


def test_components_stay_below_every_nameplate(catalog):
    # Sanity check, not a validation: a server's summed components at full load must not
    # exceed the maximum system power its vendor publishes (the nameplate).
    checked = 0
    for server in catalog.category("server").values():
        if server.nameplate_power is None:
            continue
        nameplate = server.nameplate_power.quantity.to("W").magnitude
        assert full_load_wall_power(catalog, server) < nameplate, server.id
        checked += 1
    assert checked >= 5  # dgx-a100, dgx-h100, dgx-h200, dgx-b200, gb200/gb300 racks carry one


def test_dgx_a100_against_its_user_guide(catalog):
    # NVIDIA DGX A100 System User Guide DU-09821-001_v01 (2020): 8 GPUs, 6U, "6.5 kW max.";
    # A100 SXM4 400 W (NVIDIA datasheet via Lockwood); host components sum to 1,876 W DC.
    server = catalog.get("server", "dgx-a100")
    assert server.gpus.quantity.magnitude == 8
    assert server.rack_units.quantity.magnitude == 6
    assert server.nameplate_power.quantity.to("kW").magnitude == pytest.approx(6.5)
    assert host_dc_power(server) == pytest.approx(1876)
    assert full_load_wall_power(catalog, server) == pytest.approx((8 * 400 + 1876) / 0.96)


def test_gh200_nodes_do_not_count_the_grace_cpu_twice(catalog):
    # The gh200 accelerator's max_power is the whole superchip (Grace CPU + LPDDR5X + Hopper
    # + HBM; JSC's JUPITER configuration: "TDP: 680 W (for full GH200 superchip)"), so a GH200
    # node must add no CPU or memory power of its own.
    for server_id in ("cray-ex254n-gh200", "bullsequana-xh3000-gh200", "cray-ex254n-gh200-alps"):
        server = catalog.get("server", server_id)
        assert server.accelerator == "gh200"
        assert server.cpu_power.quantity.magnitude == 0
        assert server.memory_power.quantity.magnitude == 0
        # four superchips per node (CSCS Alps and JSC JUPITER documentation)
        assert server.gpus.quantity.magnitude == 4


def test_alps_node_is_the_ex254n_with_the_cscs_module_cap(catalog):
    # CSCS documentation, Daint change log 2025-03-12: "We have increased the power cap for the
    # GH module from 624 to 660 W." The cap covers the whole module, the scope of the gh200's
    # 1,000 W max_power; the node's host components are the ones of the EX254n node.
    alps, ex254n = catalog.get("server", "cray-ex254n-gh200-alps"), catalog.get("server", "cray-ex254n-gh200")
    limit = alps.accelerator_power_limit
    assert limit.quantity.to("W").magnitude == 660
    assert limit.low_quantity.to("W").magnitude == 624
    assert limit.quantity < catalog.get("accelerator", "gh200").max_power.quantity
    assert ex254n.accelerator_power_limit is None  # Isambard-AI and Venado: no setting found
    for field in HOST_COMPONENTS:
        assert getattr(alps, field).quantity == getattr(ex254n, field).quantity, field


def test_sierra_node_against_llnl(catalog):
    # LLNL-PRES-738369 (de Supinski, 2017): Sierra's node has one 1.6 TB NVMe SSD and sits in
    # warm-water-cooled racks. Against the air-cooled AC922 it keeps memory, NICs and board
    # logic, carries one 25 W SSD (SNIA form-factor envelope) instead of two, and its fans move
    # only the heat left to air.
    sierra, ac922 = catalog.get("server", "ibm-ac922-v100-sierra"), catalog.get("server", "ibm-ac922-v100")
    assert sierra.cooling == "liquid" and ac922.cooling == "air"
    for field in ("memory_power", "nic_power", "baseboard_power", "other_power"):
        assert getattr(sierra, field).quantity == getattr(ac922, field).quantity, field
    assert sierra.drive_power.quantity.to("W").magnitude == 25
    assert sierra.fan_power.quantity < ac922.fan_power.quantity
    # 600 + 80 + 30 + 0 + 25 + 40 + 80 W, the sum the server's note gives
    assert host_dc_power(sierra) == pytest.approx(855)
    # the liquid share its note derives: CPUs and GPUs on cold plates, of the wall power at full load
    wall = full_load_wall_power(catalog, sierra)
    assert sierra.liquid_fraction.quantity.magnitude == pytest.approx((600 + 4 * 300) / wall, abs=0.005)


def test_ac922_cpus_match_the_firmware_socket_power(catalog):
    # IBM's AC922 firmware data (open-power/witherspoon-xml, wofdata/) names its WOF tables by
    # core count, socket power and frequency: MONZA_16_250_3117 and MONZA_16_190_2700_NM for
    # Marconi-100's 16-core POWER9 at 3.1 GHz (CINECA), MONZA_22_300_3100_TM and
    # MONZA_22_250_2800_NM for Sierra's 22-core at 3.1 GHz (TOP500); two sockets per node.
    expected = {"ibm-ac922-v100": (2 * 250, 2 * 190), "ibm-ac922-v100-sierra": (2 * 300, 2 * 250)}
    for server_id, (watts, low) in expected.items():
        cpu = catalog.get("server", server_id).cpu_power
        assert cpu.quantity.to("W").magnitude == watts, server_id
        assert cpu.low_quantity.to("W").magnitude == low, server_id


def test_cpu_tdps_match_the_cited_parts(catalog):
    # Quattor CPU templates (TDP in watts): EPYC 7742 225 W, 7763 280 W, 7402 180 W,
    # 7543P 225 W, Xeon Platinum 8460Y+ 300 W; CPU counts from the node documentation.
    expected = {"dgx-a100": 2 * 225, "cray-ex235n": 280, "sequana-xh2000-a100": 2 * 180,
                "apollo-6500-a100": 225, "bullsequana-xh3000-h100": 2 * 300}
    for server_id, watts in expected.items():
        assert catalog.get("server", server_id).cpu_power.quantity.to("W").magnitude == watts, server_id


def test_every_server_idle_share_is_below_one(catalog):
    for server_id in NVIDIA_SERVERS:
        share = catalog.get("server", server_id).host_idle_fraction
        assert share is not None, server_id
        assert 0 < share.quantity.magnitude <= 1, server_id


def test_generic_host(catalog):
    host = catalog.get("host", "generic-2s-x86")
    assert isinstance(host, Host)
    # one ConnectX-7 400G NIC per accelerator: MCX75310AAS-NEAT 24.9 W typical with passive
    # cables (NVIDIA ConnectX-7 User Manual, Specifications)
    assert host.nic_power_per_gpu.quantity.to("W").magnitude == pytest.approx(24.9)
    # 2 x Xeon Platinum 8480+ at 350 W (Quattor CPU template); 80 PLUS Titanium 96 % at 50 % load
    assert host.cpu_power.quantity.to("W").magnitude == 700
    assert host.psu_efficiency.quantity.magnitude == pytest.approx(0.96)
    # for 8 accelerators it lands near the HGX/DGX H100 hosts of the server catalog
    fixed = sum(getattr(host, f).quantity.to("W").magnitude
                for f in ("cpu_power", "memory_power", "drive_power", "other_power"))
    per_gpu = host.nic_power_per_gpu.quantity.to("W").magnitude + host.fan_power_per_gpu.quantity.to("W").magnitude
    dgx_h100 = host_dc_power(catalog.get("server", "dgx-h100"))
    assert 0.7 * dgx_h100 < fixed + 8 * per_gpu < 1.3 * dgx_h100


@pytest.mark.parametrize("acc_id", ["v100-sxm2", "a100-pcie", "a100-sxm", "h100-pcie", "h100-sxm", "h100-nvl",
                                    "h200-sxm", "gh200", "b200", "gb200", "b300", "gb300"])
def test_every_nvidia_accelerator_can_be_estimated(acc_id):
    cat = load_catalog()
    usual = cat.get("server", cat.get("accelerator", acc_id).default_server)
    # in a hall its usual server fits
    r = dcpower.estimate(accelerator=acc_id, gpus=1000, sizing=False,
                         cooling="dlc-tower" if usual.cooling == "liquid" else "air-chiller")
    it = r.it_power.to("MW").magnitude
    # at least the accelerators themselves at full power: 1000 x max_power
    gpu_mw = load_catalog().get("accelerator", acc_id).max_power.quantity.to("MW").magnitude * 1000
    assert it >= gpu_mw * 0.2  # IT power averages over utilization, never near zero
    assert r.facility_power.to("MW").magnitude > it * 0.99
