"""Server and hall agree: the server follows the accelerator and the hall; a named server must fit."""

import json

import pytest

import dcpower
from dcpower.catalog.loader import load_catalog
from dcpower.chain import steps
from dcpower.cli import main
from dcpower.errors import InputError


def test_naming_the_default_accelerator_gives_the_default_answer():
    # memphis.toml names h100-sxm with the liquid-cooled Colossus node in a dlc-tower hall; naming
    # the accelerator again lets the server follow the accelerator and the (liquid) hall
    default = dcpower.estimate(sizing=False)
    named = dcpower.estimate(accelerator="h100-sxm", sizing=False)
    assert named.resolved.server.id == default.resolved.server.id == "hgx-h100-8gpu-liquid"
    for name in ("it_power", "facility_power", "pue", "pue_design", "grid_power_peak", "annual_water"):
        assert getattr(named, name) == getattr(default, name), name


def test_cli_default_accelerator_equals_default(capsys):
    assert main(["estimate", "--format", "json", "-q"]) == 0
    default = capsys.readouterr().out
    assert main(["estimate", "--accelerator", "h100-sxm", "--format", "json", "-q"]) == 0
    named = capsys.readouterr().out
    a, b = json.loads(default)["results"], json.loads(named)["results"]
    assert a["facility_power"] == b["facility_power"] and a["pue"] == b["pue"]


@pytest.mark.parametrize("cooling, server", [("air-chiller", "dgx-h100"), ("rear-door", "dgx-h100"),
                                             ("dlc-drycooler", "hgx-h100-8gpu-liquid"),
                                             ("immersion", "hgx-h100-8gpu-immersion")])
def test_server_follows_the_hall(cooling, server):
    assert dcpower.resolve(cooling=cooling).server.id == server


@pytest.mark.parametrize("args, fix", [
    (["--server", "dgx-h100"], "--server hgx-h100-8gpu-liquid"),
    (["--server", "hgx-h100-8gpu-liquid", "--cooling", "air-chiller"], "--server dgx-h100"),
    (["--accelerator", "b200", "--cooling", "dlc-tower"], "air-chiller, rear-door"),
])
def test_mismatched_server_is_a_one_line_error(capsys, args, fix):
    assert main(["estimate", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert fix in err


def test_mismatch_is_an_error_in_the_library():
    with pytest.raises(InputError, match="air-cooled but cooling 'dlc-tower'"):
        dcpower.resolve(server="dgx-h100")


def test_liquid_fraction_is_the_servers():
    cat = load_catalog()
    for cooling, server in (("dlc-tower", "hgx-h100-8gpu-liquid"), ("air-chiller", "dgx-h100"),
                            ("immersion", "hgx-h100-8gpu-immersion")):
        r = dcpower.resolve(cooling=cooling)
        sv = cat.get("server", server).liquid_fraction
        assert steps.liquid_fraction(r) == (0.0 if sv is None else sv.quantity.magnitude)
    # specs/servers.toml: Colossus node 0.79 (GPUs, CPUs, PCIe switches on cold plates), GB200 NVL72
    # rack 0.92, fan-less HPE Cray EX blade 0.96, immersion 1.0, air-cooled DGX none
    assert steps.liquid_fraction(dcpower.resolve()) == pytest.approx(0.79)
    assert steps.liquid_fraction(dcpower.resolve(accelerator="gb200")) == pytest.approx(0.92)
    assert steps.liquid_fraction(dcpower.resolve(accelerator="mi250x")) == pytest.approx(0.96)
    assert steps.liquid_fraction(dcpower.resolve(cooling="air-chiller")) == 0.0


def test_every_liquid_server_says_its_share():
    for s in load_catalog().category("server").values():
        if s.cooling == "air":
            assert s.liquid_fraction is None or s.liquid_fraction.quantity.magnitude == 0
        else:
            f = s.liquid_fraction
            assert 0 < f.quantity.magnitude <= 1 and f.low is not None, s.id


def test_more_capture_means_less_air_and_less_fan_power():
    base = dcpower.estimate(sizing=False)
    more = dcpower.estimate(sizing=False, settings={"server.liquid_fraction": "0.9"})
    assert more.facility_power < base.facility_power


def test_cooling_entries_refuse_a_liquid_fraction():
    from dcpower.catalog.models import Cooling

    data = load_catalog().get("cooling", "dlc-tower").model_dump(exclude_none=True)
    with pytest.raises(ValueError, match="property of the server"):
        Cooling.model_validate({**data, "liquid_fraction": {"value": 0.75, "source": "assumption", "note": "x"}})


@pytest.mark.parametrize("acc", load_catalog().ids("accelerator"))
def test_every_accelerator_runs_from_its_name_alone(acc):
    # the hall follows an accelerator whose servers do not fit the scenario's: no server error,
    # and no warning that a server does not fit its hall
    r = dcpower.estimate(accelerator=acc, gpus=2048, sizing=False)
    assert r.facility_power.magnitude > 0
    assert steps.liquid_fraction(r.resolved) == pytest.approx(
        0.0 if r.resolved.server.liquid_fraction is None else r.resolved.server.liquid_fraction.quantity.magnitude)
    assert not [w for w in r.warnings if "not built for" in w or "is air-cooled but" in w]


def test_the_hall_follows_the_accelerator_and_says_so(tmp_path):
    # DGX B200 is air-cooled (specs/servers.toml): Memphis's tower-cooled liquid hall becomes the
    # tower-cooled air hall; a dry-cooled liquid site keeps its choice of no site water
    r = dcpower.resolve(accelerator="b200")
    assert (r.cooling.id, r.server.id, r.scenario.cooling) == ("air-chiller", "dgx-b200", "air-chiller")
    assert any("instead of the scenario's 'dlc-tower'" in w for w in r.warnings)
    scenario = tmp_path / "dry.toml"
    scenario.write_text('extends = "memphis"\ncooling = "dlc-drycooler"\n')
    dry = dcpower.resolve(scenario, accelerator="b200")
    assert dry.cooling.id == "air-aircooled-chiller" and dry.cooling.hall == "air"


def test_a_named_cooling_is_kept():
    with pytest.raises(InputError, match="no liquid-cooled server for b200"):
        dcpower.resolve(accelerator="b200", cooling="dlc-drycooler")


def test_phases_follow_a_hall_the_user_changes():
    # memphis-phased names the liquid-cooled node for the scenario and each phase; choosing an air
    # hall on the command line lets every phase's server follow it, as the scenario's own does
    r = dcpower.estimate(scenario="memphis-phased", cooling="air-chiller", sizing=True)
    assert r.resolved.server.cooling == "air"
    assert r.results["phases_facility_power"].magnitude > 0
    with pytest.raises(InputError, match="is liquid-cooled but cooling 'air-chiller'"):
        dcpower.resolve(scenario="memphis-phased", cooling="air-chiller", server="hgx-h100-8gpu-liquid")
