"""The estimate end to end: envelope, energy balance, monotonicity, unit invariance."""

from pathlib import Path

import numpy as np
import pytest

import dcpower
from dcpower.errors import DcpowerError, InputError

REQUIRED = ["gpu_power", "host_power", "network_power", "storage_power", "it_power", "it_power_average",
            "cooling_power_average", "electrical_losses_average", "facility_power", "facility_power_average",
            "pue", "pue_design", "annual_energy", "heat_rejected", "water_per_day", "annual_water", "wue",
            "grid_power_peak", "grid_apparent_power", "annual_cost", "annual_co2", "servers", "racks"]

SHARED_WEATHER = Path(__file__).resolve().parents[3] / "shared" / "data" / "weather"


@pytest.fixture(scope="module")
def memphis():
    return dcpower.estimate()


def test_required_results_present(memphis):
    d = memphis.to_dict()
    for name in REQUIRED:
        assert name in d["results"], name
        assert np.isfinite(d["results"][name]["value"]), name
    assert d["scenario"]["accelerator"] == "h100-sxm"


def test_memphis_in_published_envelope(memphis):
    # SemiAnalysis (2024): ~150 MW critical IT for 100k H100, a projection from nameplate power;
    # TVA board / local press (2024): 150 MW MLGW allocation; Shelby County Health Department
    # permit (2025): up to 247 MW of turbines; MLGW's CEO via WREG: ~1 M gal/day of cooling water.
    # The physics must land in that envelope, not on any one number.
    assert memphis.servers.magnitude == 12_500  # 100,000 / 8
    assert 100 <= memphis.it_power_nameplate.to("MW").magnitude <= 160
    assert 80 <= memphis.it_power.to("MW").magnitude <= memphis.it_power_nameplate.to("MW").magnitude
    assert memphis.facility_power.to("MW").magnitude <= 150 + 247
    assert 1.05 < memphis.pue.magnitude < 1.4
    assert 0.4 <= memphis.water_per_day.to("Mgal/d").magnitude <= 1.6


def test_energy_balance_every_hour(memphis):
    # all electrical power ends up as heat leaving the site
    f = memphis.hourly["facility_power"].to("MW").magnitude
    h = memphis.hourly["heat_out"].to("MW").magnitude
    assert np.allclose(f, h, rtol=1e-9)


def test_parts_add_up(memphis):
    r = memphis
    # the Memphis server publishes no nameplate, so the provisioned IT load is everything at full load
    it = (r.gpu_power + r.host_power + r.network_power + r.storage_power).to("MW").magnitude
    assert it == pytest.approx(r.it_power_nameplate.to("MW").magnitude, rel=1e-9)
    # provisioned >= expected peak >= average; accelerators on average below their maximum
    assert r.it_power_nameplate >= r.it_power >= r.it_power_average
    assert r.gpu_power_average < r.gpu_power
    fac = (r.it_power_average + r.cooling_power_average + r.electrical_losses_average
           + r.support_power_average + r.site_services_power_average).to("MW").magnitude
    assert fac == pytest.approx(r.facility_power_average.to("MW").magnitude, rel=1e-9)


def test_results_grow_with_gpu_count():
    vals = [dcpower.estimate(gpus=n) for n in (1_000, 10_000, 100_000)]
    for name in ("it_power", "facility_power", "annual_energy", "annual_water", "annual_co2"):
        mags = [getattr(v, name).magnitude for v in vals]
        assert mags[0] < mags[1] < mags[2], name


def test_same_answer_in_W_kW_BTU_per_h():
    base = dict(gpus=8_000, gpus_per_server=8)
    a = dcpower.estimate(host_power="2500 W", **base)
    b = dcpower.estimate(host_power="2.5 kW", **base)
    c = dcpower.estimate(host_power=f"{2500 * 3.412141633:.6f} BTU/h", **base)
    for r in (b, c):
        assert r.facility_power.to("MW").magnitude == pytest.approx(a.facility_power.to("MW").magnitude, rel=1e-6)


def test_accelerator_switch_brings_its_server():
    r = dcpower.estimate(scenario=dcpower.load_scenario("memphis"), accelerator="b200", cooling="air-chiller")
    assert r.resolved.server.id == "dgx-b200"  # b200's usual (air-cooled) server, in an air hall
    # 100,000 x 1,000 W (B200 in HGX/DGX B200, NVIDIA Blackwell datasheet)
    assert r.gpu_power.to("MW").magnitude == pytest.approx(100.0, rel=1e-9)


def test_a_platform_power_limit_caps_the_accelerators():
    # CSCS caps each GH200 module of Alps at 660 W (Daint change log, 2025-03-12), below the
    # module's 1,000 W rating: every accelerator power of the chain follows the cap, and
    # --explain names it.
    kw = dict(gpus=448, accelerator="gh200", cooling="dlc-tower", sizing=False)
    capped = dcpower.estimate(server="cray-ex254n-gh200-alps", **kw)
    rated = dcpower.estimate(server="cray-ex254n-gh200", **kw)
    assert capped.gpu_power.to("kW").magnitude == pytest.approx(448 * 0.660)
    assert rated.gpu_power.to("kW").magnitude == pytest.approx(448 * 1.000)

    def it_step(est):
        step = next(s for s in est.steps if s.title.startswith("IT load"))
        return {i.name: i.value for i in step.inputs}, dict(step.results)

    inputs, results = it_step(capped)
    assert inputs["cray-ex254n-gh200-alps.accelerator_power_limit"].to("W").magnitude == 660
    rated_inputs, rated_results = it_step(rated)
    assert not any(name.endswith("accelerator_power_limit") for name in rated_inputs)
    # busy power = workload share x the limit (both above the 180 W idle floor)
    busy = results["accelerator power, busy"].to("W").magnitude
    assert busy == pytest.approx(0.66 * rated_results["accelerator power, busy"].to("W").magnitude)
    assert np.allclose(capped.hourly["facility_power"].magnitude, capped.hourly["heat_out"].magnitude, rtol=1e-9)


@pytest.mark.parametrize("cooling", ["air-chiller", "rear-door", "dlc-tower", "dlc-drycooler", "immersion",
                                     "air-economizer", "air-aircooled-chiller"])
def test_every_cooling_runs_and_balances(cooling):
    r = dcpower.estimate(gpus=10_000, cooling=cooling)
    assert r.pue.magnitude > 1.0
    assert np.allclose(r.hourly["facility_power"].magnitude, r.hourly["heat_out"].magnitude, rtol=1e-9)


def test_dry_cooler_uses_no_site_water():
    assert dcpower.estimate(gpus=10_000, cooling="dlc-drycooler").annual_water.magnitude == 0


def test_air_cooling_needs_more_power_than_liquid():
    air = dcpower.estimate(gpus=10_000, cooling="air-chiller")
    dlc = dcpower.estimate(gpus=10_000, cooling="dlc-tower")
    assert air.cooling_power_average > dlc.cooling_power_average


def test_fixed_pue_replaces_overheads():
    r = dcpower.estimate(gpus=10_000, pue=1.3)
    assert r.pue.magnitude == pytest.approx(1.3)
    assert r.facility_power_average.magnitude == pytest.approx(1.3 * r.it_power_average.to("MW").magnitude)


def test_set_overrides_scenario_and_spec_fields():
    base = dcpower.estimate(gpus=10_000)
    eff = dcpower.estimate(gpus=10_000, settings={"electrical.ups_efficiency": "0.99"})
    assert eff.electrical_losses_average < base.electrical_losses_average
    coc = dcpower.estimate(gpus=10_000, settings={"cooling.cycles_of_concentration": "10"})
    assert coc.annual_water < base.annual_water
    with pytest.raises(InputError, match="unknown --set key"):
        dcpower.estimate(settings={"electrical.ups_efficency": "0.97"})


@pytest.mark.parametrize("kwargs, message", [
    (dict(gpus=-5), "-5 is out of range: must be at least 1"),
    (dict(gpus=1.5), "whole number"),
    (dict(utilization=1.5), "1.5 is not in the range of a utilization (at least 0, at most 1)"),
    (dict(utilization=-0.1), "-0.1 is not in the range of a utilization (at least 0, at most 1)"),
    (dict(pue=0.9), "0.9 is out of range: must be at least 1"),
    (dict(accelerator="h100"), "did you mean h100-nvl, h100-pcie, h100-sxm?"),
    (dict(gpus_per_server=8, host_power="5 kg"), "is not a power"),
    (dict(site="memfis"), "did you mean memphis"),
    # each used to escape as a bare Python error or a pydantic phrase naming internal types
    (dict(accelerator=5), "field 'accelerator': 5 is not text; write it in quotes"),
    (dict(utilization=[0.5]), "[0.5] is not one value; give a number or a quantity"),
    (dict(settings={5: 1}), "settings key 5 is not a --set key"),
    (dict(settings={"cooling.approach": None}), "no value given"),
    (dict(specs_dirs=5), "specs_dirs must be a path or a list of paths, got 5"),
    # a rack smaller than one 8-GPU server (specs/servers.toml) ran as one server per rack
    (dict(settings={"gpus_per_rack": 3}), "gpus_per_rack 3 is fewer than the 8 GPUs of one server"),
])
def test_bad_input(kwargs, message):
    with pytest.raises(DcpowerError) as info:
        dcpower.estimate(**kwargs)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.skipif(not SHARED_WEATHER.is_dir(), reason="shared weather data not present")
def test_user_epw_matches_the_shipped_compact_weather():
    epw = SHARED_WEATHER / "USA_TN_Memphis.Intl.AP.723340_TMY3.epw"
    a = dcpower.estimate(gpus=10_000)
    b = dcpower.estimate(gpus=10_000, weather=epw)
    assert b.annual_energy.magnitude == pytest.approx(a.annual_energy.magnitude, rel=1e-3)
    assert b.annual_water.magnitude == pytest.approx(a.annual_water.magnitude, rel=5e-3)


def test_other_sites_differ():
    m = dcpower.estimate(gpus=10_000)
    p = dcpower.estimate(gpus=10_000, site="phoenix")
    # Phoenix air is drier and hotter: more water per kWh from the towers
    assert p.wue > m.wue


def test_any_accelerator_on_a_generic_node():
    # --gpus-per-server with any accelerator builds a node from the generic host's parts:
    # fixed parts plus one NIC and the fans of each accelerator (specs/hosts.toml)
    from dcpower.catalog.loader import load_catalog

    host = load_catalog().get("host", "generic-2s-x86")
    e = dcpower.estimate(accelerator="mi300x", gpus_per_server=4, gpus=4_000)
    srv = e.resolved.server
    assert srv.id == "generic-node" and int(srv.gpus.quantity.magnitude) == 4
    assert srv.nic_power.quantity == 4 * host.nic_power_per_gpu.quantity
    assert srv.fan_power.quantity == 4 * host.fan_power_per_gpu.quantity
    assert any("generic host" in w for w in e.warnings)
    # --host-power overrides the built host
    custom = dcpower.estimate(accelerator="mi300x", gpus_per_server=4, gpus=4_000, host_power="1 kW")
    assert custom.host_power < e.host_power


def test_a_server_above_the_rack_power_limit_is_said():
    # the default's liquid-cooled HGX H100 server draws about 8.1 kW at full load (eight 700 W GPUs
    # and the host, PSU losses included): it fits a 40 kW rack four times, but no 5 kW rack; the
    # model still gives it a rack of its own, and must say that rack is over its limit
    fits = dcpower.estimate(gpus=10_000, sizing=False, settings={"rack_power_limit": "40 kW"})
    assert not any("RACK OVER ITS LIMIT" in w for w in fits.warnings)
    over = dcpower.estimate(gpus=10_000, sizing=False, settings={"rack_power_limit": "5 kW"})
    assert over.racks.magnitude == over.servers.magnitude
    assert any(w.startswith("RACK OVER ITS LIMIT: one hgx-h100-8gpu-liquid draws") for w in over.warnings)


def test_a_quantity_is_taken_wherever_a_setting_is(memphis):
    # settings={"cooling.approach": Q_(...)} read as "field 'approach.value.str': Input should be a valid string"
    a = dcpower.estimate(gpus=10_000, settings={"cooling.approach": dcpower.Q_(4, "delta_degC")})
    b = dcpower.estimate(gpus=10_000, settings={"cooling.approach": "4 K"})
    assert a.facility_power == b.facility_power
    # numpy scalars are numbers too
    c = dcpower.estimate(gpus=10_000, settings={"cooling.cycles_of_concentration": np.int64(6)})
    d = dcpower.estimate(gpus=10_000, settings={"cooling.cycles_of_concentration": 6})
    assert c.annual_water == d.annual_water


def test_unknown_result_and_units_are_one_line_errors(memphis):
    # a KeyError, and units="imperial" silently shown as US units
    with pytest.raises(InputError, match="unknown result 'pue_x'; did you mean pue"):
        memphis.value("pue_x")
    with pytest.raises(InputError, match="units 'imperial': use 'si' or 'us'"):
        memphis.report("imperial")


def test_changing_the_headline_of_a_phased_scenario_says_the_phases_stay():
    # --gpus 1000 on memphis-phased gave a 1,000-GPU headline beside phases of 100,000 GPUs each, without a word
    est = dcpower.estimate("memphis-phased", gpus=1000)
    assert any("the 2 phases keep their own GPU counts" in w for w in est.warnings)
    assert not any("phases keep" in w for w in dcpower.estimate("memphis-phased").warnings)


def test_a_weather_file_that_is_a_symlink_loop_is_one_line(tmp_path):
    # Path.resolve() raised RuntimeError("Symlink loop"): an internal error
    loop = tmp_path / "loop.epw"
    loop.symlink_to(loop)
    with pytest.raises(DcpowerError, match="loop.epw: cannot read"):
        dcpower.estimate(weather=loop)


def test_a_changed_scenario_no_longer_carries_the_files_id_and_description():
    # --accelerator gb200 --site phoenix --gpus 20000 on the built-in scenario printed
    # "id": "memphis" and the description of 100,000 H100 on the TVA grid in its JSON
    est = dcpower.estimate(accelerator="gb200", site="phoenix", gpus=20_000, sizing=False)
    scen = est.resolved.to_dict()
    assert scen["id"] == "custom" and "description" not in scen
    assert scen["name"] == est.title and "Phoenix" in est.title
    assert "memphis" not in str(scen).lower()
    # the scenario's utility allocation and on-site fleet stay, and the user is told
    assert any(w.startswith("site 'phoenix' keeps the scenario's onsite.grid_limit, onsite.turbines, "
                            "onsite.batteries") for w in est.warnings)
    moved = dcpower.estimate(site="phoenix", gpus=20_000, sizing=False,
                             settings={"onsite.grid_limit": "60 MW", "onsite.turbines": 0, "onsite.batteries": 0})
    assert not any("keeps the scenario's" in w for w in moved.warnings)
    # naming the scenario's own site changes nothing, so nothing is renamed or said
    same = dcpower.estimate(site="memphis", sizing=False)
    assert same.resolved.to_dict()["id"] == "memphis"
    assert not any("keeps the scenario's" in w for w in same.warnings)
    # the unchanged file keeps its own
    plain = dcpower.estimate(sizing=False).resolved.to_dict()
    assert plain["id"] == "memphis" and "H100" in plain["description"]


def test_the_hourly_series_iterate_by_name(memphis):
    # list(est.hourly) raised TypeError: Hourly was indexed by name but iterated by integer
    names = list(memphis.hourly)
    assert names == memphis.hourly.keys() and len(memphis.hourly) == len(names)
    assert "facility_power" in names and dict(memphis.hourly.items())["facility_power"] is memphis.hourly["facility_power"]


def test_the_swing_warning_says_it_concerns_the_training_job_results():
    # an inference estimate on an accelerator with no measured swing warned of a "training
    # swing" without saying which results it concerns
    est = dcpower.estimate(accelerator="mi300x", workload="inference", gpus=8_000)
    said = next(w for w in est.warnings if w.startswith("no measured training swing for mi300x"))
    assert "the grid dynamics of a training job (power_swing" in said
