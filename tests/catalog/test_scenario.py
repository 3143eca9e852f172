"""Scenario files: partial scenarios that extend a base, the template `scenario new` writes,
and errors that report every missing field and the key that was meant."""

import pytest

import dcpower
from dcpower.catalog.scenario import load_scenario, scenario_template
from dcpower.cli import main
from dcpower.errors import SpecError


def test_five_line_scenario_extends_memphis(tmp_path):
    p = tmp_path / "small.toml"
    p.write_text('extends = "memphis"\ngpus = 20000\n[electrical]\nups = "ups-eco"\n')
    s = load_scenario(p)
    base = load_scenario("memphis")
    assert s.gpus == 20000 and s.electrical.ups == "ups-eco"
    # everything else is the base's, tables merged key by key
    assert s.electrical.transformer == base.electrical.transformer
    assert s.utilization == base.utilization and s.onsite == base.onsite
    assert s.id == "small"
    # the estimate equals the same change made with options
    a = dcpower.estimate(p)
    b = dcpower.estimate(gpus=20000, settings={"electrical.ups": "ups-eco"})
    assert a.facility_power == b.facility_power


def test_extends_a_file_relative_to_the_file_and_sourced_values_replace_whole(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "base.toml").write_text('extends = "memphis"\ngpus = 30000\n')
    (tmp_path / "sub" / "child.toml").write_text(
        'extends = "../base.toml"\nutilization = { value = 0.6, source = "user input" }\n')
    s = load_scenario(tmp_path / "sub" / "child.toml")
    assert s.gpus == 30000
    assert s.utilization.quantity.magnitude == 0.6 and s.utilization.low is None  # not the base's range


def test_a_byte_order_mark_is_not_a_syntax_error(tmp_path):
    # Windows Notepad saves UTF-8 with a byte-order mark; it read as "Invalid statement (at line 1, column 1)"
    p = tmp_path / "notepad.toml"
    p.write_bytes(b"\xef\xbb\xbfextends = \"memphis\"\r\ngpus = 1000\r\n")
    assert load_scenario(p).gpus == 1000


def test_extends_loops_and_bad_values_are_one_line(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    with pytest.raises(SpecError, match="loops back"):
        load_scenario(tmp_path / "a.toml")
    (tmp_path / "c.toml").write_text("extends = 5\n")
    with pytest.raises(SpecError, match="extends must name a scenario"):
        load_scenario(tmp_path / "c.toml")


def test_all_missing_fields_at_once_and_did_you_mean(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text('gpus = 1000\naccelerator = "h100-sxm"\nsitee = "memphis"\n[electrical]\nups_eficiency = 0.9\n')
    with pytest.raises(SpecError) as info:
        load_scenario(p)
    msg = str(info.value)
    assert "unknown key 'sitee' (did you mean 'site'?)" in msg
    assert "(did you mean 'electrical.ups_efficiency'?)" in msg
    assert "missing required fields 'utilization', 'site', 'cooling'" in msg and "\n" not in msg


def test_scenario_new_writes_a_template_that_runs_and_never_overwrites(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["scenario", "new", "my-site", "--from", "memphis"]) == 0
    text = (tmp_path / "my-site.toml").read_text()
    # every field is there, commented, with its range or catalog and its source
    assert 'extends = "memphis"' in text
    assert "# utilization = 0.8" in text and "a utilization: at least 0, at most 1" in text
    assert "source: Latif et al." in text
    assert "# [electrical]" in text and "electrical id: see dcpower specs list electrical" in text
    assert "power_transformer id: see dcpower specs list power_transformer" in text
    # as written it is the base
    assert dcpower.estimate(str(tmp_path / "my-site.toml")).facility_power == dcpower.estimate().facility_power
    # uncommenting a line changes just that
    edited = text.replace("# gpus = 100000", "gpus = 5000")
    (tmp_path / "my-site.toml").write_text(edited)
    assert dcpower.estimate(str(tmp_path / "my-site.toml")).gpus == 5000
    capsys.readouterr()
    assert main(["scenario", "new", "my-site"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "my-site.toml").read_text() == edited


def test_scenario_new_takes_the_file_name_and_refuses_an_empty_one(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # used to write my-site.toml.toml, and a hidden file ".toml" for an empty name
    assert main(["scenario", "new", "my-site.toml"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["my-site.toml"]
    capsys.readouterr()
    assert main(["scenario", "new", " "]) == 2
    err = capsys.readouterr().err
    assert "NAME is empty" in err and len(err.strip().splitlines()) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["my-site.toml"]


def test_template_parses_for_every_builtin_scenario():
    import tomllib

    for base in ("memphis", "memphis-phased"):
        data = tomllib.loads(scenario_template(base, "x"))
        assert data == {"extends": base, "name": "x"}


@pytest.mark.parametrize("text, years", [("5", 5), ("50", 50), ("20.0", 20), ("20 years", 20), ("10 yr", 10)])
def test_return_period_set_as_text(text, years):
    # --set and compare --vary hand the value over as text: "5" used to be refused with
    # "use one of 5, 10, 20, 50", so no return period could be chosen from the command line.
    est = dcpower.estimate(gpus=1000, settings={"design_return_period": text})
    assert est.scenario.design_return_period == years


@pytest.mark.parametrize("text", ["7", "-5", "nan", "", "true", "10 m", "twenty"])
def test_return_period_refused_in_one_line(capsys, text):
    assert main(["estimate", "--gpus", "1000", "--set", f"design_return_period={text}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "use one of 5, 10, 20, 50" in err[0]


@pytest.mark.parametrize("text", ["none", "None", ""])
def test_support_none_leaves_site_services_out(text):
    # the scenario's comment says "a support id ..., or none"; "none" used to be an unknown id
    est = dcpower.estimate(gpus=1000, settings={"support": text})
    assert est.scenario.support is None
    assert est.site_services_power_average.magnitude == 0


@pytest.mark.parametrize("drop, words", [
    ("turbine", "turbines = 15 but no turbine is named"),
    ("battery", "batteries = 208 but no battery is named"),
])
def test_a_unit_count_needs_its_model(tmp_path, capsys, drop, words):
    # memphis with its turbine (or battery) id deleted: the 15 turbines (208 batteries) were
    # silently left out of the supply
    assert main(["scenario", "show", "memphis"]) == 0
    text = capsys.readouterr().out
    p = tmp_path / "s.toml"
    p.write_text("\n".join(line for line in text.splitlines() if not line.startswith(f"{drop} = ")))
    with pytest.raises(SpecError, match=words):
        load_scenario(p)
