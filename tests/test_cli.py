"""The command line: every format, every bad input, exit codes, stdout and stderr apart."""

import json

import pytest
from click.testing import CliRunner

from dcpower.cli import cli, main


@pytest.fixture()
def run(capsys):
    """Run ``main(argv)`` as the console script does; return (code, stdout, stderr)."""
    def _run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err
    return _run


def test_estimate_default_table(run):
    code, out, err = run("estimate", "--gpus", "100000")
    assert code == 0, err
    assert "facility_power" in out and "MW" in out
    # warnings are not data: on stderr, one per line (the towers cannot make W32 water at design)
    assert "warning" not in out and all(line.startswith("warning: ") for line in err.splitlines())


def test_estimate_json_structure(run):
    code, out, err = run("estimate", "--gpus", "10000", "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert set(d) >= {"scenario", "results"}
    assert d["results"]["it_power"]["unit"] == "MW"
    assert d["results"]["wue"]["unit"] == "L/kWh"
    assert d["scenario"]["gpus"] == 10000


def test_estimate_csv_and_markdown(run):
    code, out, _ = run("estimate", "--gpus", "1000", "--format", "csv")
    assert code == 0
    assert out.splitlines()[0] == "name,value,unit,description"
    code, out, _ = run("estimate", "--gpus", "1000", "--format", "markdown")
    assert code == 0
    assert "| result" in out and "|---" in out.replace(" ", "").replace(":", "-")


def test_us_units(run):
    code, out, _ = run("estimate", "--format", "json", "--units", "us")
    d = json.loads(out)["results"]
    assert d["water_per_day"]["unit"] == "Mgal/d"
    assert d["heat_rejected"]["unit"] == "TR"


def test_explain_shows_formulas_and_sources(run):
    code, out, _ = run("estimate", "--gpus", "1000", "--explain")
    assert code == 0
    assert "formula:" in out
    assert "h100-sxm.max_power" in out and "700" in out
    assert "ASHRAE" in out


def test_set_and_pue(run):
    code, out, err = run("estimate", "--set", "electrical.ups_efficiency=0.97", "--pue", "1.2", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["results"]["pue"]["value"] == pytest.approx(1.2)


@pytest.mark.parametrize("argv, message", [
    (["estimate", "--gpus", "-5"], "--gpus"),
    (["estimate", "--gpus", "1.5"], "--gpus"),
    (["estimate", "--utilization", "-0.1"], "'-0.1' is not a share: give 0 <= F <= 1, such as 0.8 or 80%"),
    (["estimate", "--utilization", "1.5"], "'1.5' is not a share"),
    (["estimate", "--utilization", "80"], "80 looks like a percentage: write 0.8 or 80%"),
    (["estimate", "--utilization", "150%"], "'150%' is not a share"),
    (["estimate", "--utilization", "0.8 kW"], "is not a plain number"),
    (["estimate", "--pue", "0.9"], "not in the range x>=1"),
    (["estimate", "--accelerator", "h100"], "did you mean h100-nvl, h100-pcie, h100-sxm?"),
    (["estimate", "--gpus-per-server", "8", "--host-power", "5kg"], "'5 kg' is not a power"),
    (["estimate", "--set", "electrical.ups_efficency=0.97"], "unknown --set key"),
    (["estimate", "--set", "novalue"], "KEY=VALUE"),
    (["estimate", "--site", "memfis"], "did you mean memphis"),
    (["estimate", "--format", "xml"], "xml"),
    (["specs", "show", "h100"], "did you mean"),
    # the second value used to win without a word
    (["estimate", "--set", "accelerator.max_power=700 W", "--set", "accelerator.max_power=600 W"],
     "--set accelerator.max_power is given twice ('700 W' and '600 W')"),
    (["validate", "--samples", "0", "--set", "workload.host_busy_load=0.3", "--set", "workload.host_busy_load=0.4"],
     "--set workload.host_busy_load is given twice"),
])
def test_bad_input_is_one_line_exit_2(run, argv, message):
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    assert err.startswith("Error: ")
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_malformed_epw(run, tmp_path):
    bad = tmp_path / "bad.epw"
    bad.write_text("LOCATION,Nowhere\nnot an epw\n")
    code, out, err = run("estimate", "--weather", str(bad))
    assert code == 2
    assert err.startswith("Error: ") and str(bad) in err and err.count("\n") == 1


def test_specs_list_show_validate(run, tmp_path):
    code, out, _ = run("specs", "list", "accelerator")
    assert code == 0 and "h100-sxm" in out and "mi300x" in out
    code, out, _ = run("specs", "list", "--format", "json")
    assert code == 0 and any(e["id"] == "memphis" for e in json.loads(out))
    code, out, _ = run("specs", "show", "h100-sxm")
    assert code == 0 and "700 W" in out and "max_power" in out
    code, out, _ = run("specs", "show", "h100-sxm", "--format", "json")
    assert json.loads(out)["max_power"]["unit"] == "W"
    code, out, _ = run("specs", "validate")
    assert code == 0 and out.startswith("ok:")


def test_specs_validate_user_file_errors(run, tmp_path):
    p = tmp_path / "chip.toml"
    p.write_text('[[accelerator]]\nid = "x1"\nname = "X"\nvendor = "V"\nform_factor = "OAM"\n'
                 'max_power = { value = "900 kg", source = "assumption", note = "what-if" }\n')
    code, out, err = run("specs", "validate", str(p))
    assert code == 2
    assert str(p) in err and "max_power" in err and "not a power" in err


def test_user_specs_dir_adds_a_chip(run, tmp_path):
    (tmp_path / "chip.toml").write_text(
        '[[accelerator]]\nid = "x1"\nname = "Workshop chip"\nvendor = "V"\nform_factor = "OAM"\n'
        'max_power = { value = "1500 W", source = "assumption", note = "what-if chip" }\n'
        'default_server = "hgx-h100-8gpu-liquid"\n')
    code, out, err = run("--specs", str(tmp_path), "estimate", "--accelerator", "x1", "--gpus", "8000",
                         "--gpus-per-server", "8", "--host-power", "2 kW", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["results"]["gpu_power"]["value"] == pytest.approx(12.0)  # 8,000 x 1.5 kW


def test_scenario_show_round_trips(run, tmp_path):
    code, out, _ = run("scenario", "show", "memphis")
    assert code == 0 and 'accelerator = "h100-sxm"' in out
    f = tmp_path / "my.toml"
    f.write_text(out.replace("gpus = 100000", "gpus = 5000"))
    code, out, err = run("estimate", "--scenario", str(f), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["results"]["gpus"]["value"] == 5000


def test_units_command(run):
    code, out, _ = run("units")
    assert code == 0 and "ton_of_refrigeration" in out and "gpm" in out


def test_help_has_examples():
    r = CliRunner().invoke(cli, ["estimate", "--help"])
    assert r.exit_code == 0 and "Examples:" in r.output


def _help_examples():
    """Every ``dcpower ...`` example line in the help of every command."""
    def walk(cmd):
        yield cmd
        for sub in getattr(cmd, "commands", {}).values():
            yield from walk(sub)

    out = []
    for cmd in walk(cli):
        for line in (cmd.help or "").splitlines():
            line = line.split("#")[0].strip()
            if line.startswith("dcpower ") and ":" not in line:  # a prose line of help text has a colon
                out.append(line)
    return out


# Examples that need files the user makes first, a plotting library, or many Monte Carlo samples.
_SKIP = ("&&", ">", "my.toml", "my-specs", "plot ", "--uncertainty", "--samples", "validate --campuses")


@pytest.mark.parametrize("example", [e for e in _help_examples() if not any(s in e for s in _SKIP)])
def test_every_help_example_runs(example, tmp_path, monkeypatch):
    # what a user copies from --help must work as printed (files it writes land in a temporary folder)
    import shlex

    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["-q", *shlex.split(example)[1:]])
    assert r.exit_code == 0, (example, r.output)


def test_utilization_reads_a_percentage(run):
    # 80% is 0.8 (pint's percent), the same as --set utilization=80%
    code, out, err = run("estimate", "--utilization", "80%", "--format", "json")
    code2, out2, _ = run("estimate", "--utilization", "0.8", "--format", "json")
    assert code == code2 == 0, err
    assert json.loads(out)["results"]["it_power_average"] == json.loads(out2)["results"]["it_power_average"]
