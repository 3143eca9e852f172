"""Shell completion: command names, options, and the catalog's ids, through click's completion API.

Expected ids come from the catalog itself (load_catalog, scenario_ids), not from a list typed here.
"""

import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner

from dcpower.catalog.loader import load_catalog
from dcpower.catalog.scenario import scenario_ids
from dcpower.chain.result import RESULT_UNITS
from dcpower.cli import cli


def complete(args: list[str], incomplete: str) -> list[str]:
    comp = ShellComplete(cli, {}, "dcpower", "_DCPOWER_COMPLETE")
    return [c.value for c in comp.get_completions(args, incomplete)]


def test_command_and_option_names():
    assert {"estimate", "size", "grid", "compare", "sweep", "fit", "plot", "specs", "units"} <= set(complete([], ""))
    assert complete(["estimate"], "--hou") == ["--hourly"]
    assert "--quiet" in complete(["sweep"], "--q")


@pytest.mark.parametrize("option, category", [("--accelerator", "accelerator"), ("--server", "server"),
                                              ("--site", "site"), ("--cooling", "cooling")])
def test_catalog_ids(option, category):
    ids = load_catalog(()).ids(category)
    assert complete(["estimate", option], "") == ids
    first = ids[0]
    assert complete(["size", option], first[:2]) == [i for i in ids if i.startswith(first[:2])]


def test_scenario_ids_and_files():
    assert complete(["estimate", "--scenario"], "") == scenario_ids()
    assert complete(["scenario", "show"], "memphis-") == [s for s in scenario_ids() if s.startswith("memphis-")]
    comp = ShellComplete(cli, {}, "dcpower", "_DCPOWER_COMPLETE")
    items = comp.get_completions(["estimate", "--scenario"], "./my")
    assert [i.type for i in items] == ["file"]  # a path: the shell completes file names
    assert "memphis" in complete(["compare"], "mem")


def test_spec_ids_categories_results_and_vary():
    cat = load_catalog(())
    assert "h100-sxm" in complete(["specs", "show"], "h100")
    assert complete(["specs", "list"], "acc") == ["accelerator"]
    assert complete(["sweep", "--results"], "pue,facility_power_a") == ["pue,facility_power_average"]
    assert set(complete(["compare", "--results"], "")) == set(RESULT_UNITS) | {"all"}
    assert complete(["compare", "--vary"], "coo") == ["cooling="]
    assert complete(["compare", "--vary"], "cooling=air-chiller,dlc") == \
        [f"cooling=air-chiller,{i}" for i in cat.ids("cooling") if i.startswith("dlc")]
    assert complete(["size", "--redundancy"], "2") == ["2N", "2N+1", "2(N+1)"]


def test_bash_completion_through_the_environment():
    # what the shell runs: _DCPOWER_COMPLETE=bash_complete with COMP_WORDS and COMP_CWORD
    env = {"_DCPOWER_COMPLETE": "bash_complete", "COMP_WORDS": "dcpower estimate --site pho", "COMP_CWORD": "3"}
    r = CliRunner().invoke(cli, [], prog_name="dcpower", env=env)
    assert r.exit_code == 0 and r.output.split() == ["plain,phoenix"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell):
    r = CliRunner().invoke(cli, [], prog_name="dcpower", env={"_DCPOWER_COMPLETE": f"{shell}_source"})
    assert r.exit_code == 0 and "_DCPOWER_COMPLETE" in r.output


def test_set_keys_and_their_ids():
    # --set completes the scenario's fields and the selected specs' fields (new ones included),
    # then a spec-naming field's catalog ids; the expected names come from the models.
    from dcpower.catalog.models import Cooling, Server

    assert complete(["estimate", "--set"], "cooling.fan_m") == ["cooling.fan_minimum_speed="]
    assert {f"cooling.{f}=" for f in Cooling.model_fields if f.startswith("supply_")} == \
        set(complete(["sweep", "--set"], "cooling.supply_"))
    assert {f"server.{f}=" for f in Server.model_fields if f.startswith("psu")} == \
        set(complete(["size", "--set"], "server.psu"))
    assert complete(["estimate", "--set"], "design_r") == ["design_return_period="]
    assert complete(["estimate", "--set"], "cooling=air-e") == ["cooling=air-economizer"]
    assert complete(["estimate", "--set"], "support=") == [f"support={i}" for i in load_catalog(()).ids("support")] \
        + ["support=none"]
    assert "electrical.hv_transformer=none" in complete(["estimate", "--set"], "electrical.hv_transformer=")


@pytest.mark.parametrize("field, kind", [("electrical.ups", "ups"), ("electrical.hv_transformer", "transformer"),
                                         ("electrical.mv_distribution", "distribution")])
def test_electrical_fields_offer_only_their_kind(field, kind):
    # resolve refuses a spec of another kind (a busway named as a UPS), so completion does not offer one
    cat = load_catalog(())
    want = [i for i in cat.ids("electrical") if cat.get("electrical", i).kind == kind]
    got = [v.split("=", 1)[1] for v in complete(["estimate", "--set"], f"{field}=")]
    assert want and set(got) - {"none"} == set(want)
