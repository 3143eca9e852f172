"""dcpower compare: scenarios and variants side by side, change against the first."""

import json

import pytest

import dcpower
from dcpower.cli import main
from dcpower.errors import InputError


@pytest.fixture(scope="module")
def coolings():
    return dcpower.compare(vary={"cooling": ["air-chiller", "dlc-tower"]}, gpus=10_000)


def test_variants_match_single_estimates(coolings):
    # each column is exactly what dcpower.estimate gives for that variant
    one = dcpower.estimate(gpus=10_000, cooling="dlc-tower")
    d = coolings.to_dict()
    assert d["variants"] == ["cooling=air-chiller", "cooling=dlc-tower"]
    assert d["results"]["facility_power"][1]["value"] == pytest.approx(one.facility_power.to("MW").magnitude)


def test_delta_against_first(coolings):
    col = coolings.to_dict()["results"]["facility_power"]
    assert col[0]["delta"] == 0 and col[0]["delta_percent"] == 0
    assert col[1]["delta"] == pytest.approx(col[1]["value"] - col[0]["value"])
    # liquid cooling with towers needs less facility power than air + chillers (test_pipeline agrees)
    assert col[1]["delta"] < 0


def test_scenario_files(tmp_path):
    src = dcpower.load_scenario("memphis")
    path = tmp_path / "small.toml"
    from dcpower.catalog.scenario import scenario_path

    path.write_text(scenario_path("memphis").read_text().replace("gpus = 100000", "gpus = 5000"))
    c = dcpower.compare(["memphis", str(path)])
    assert c.variants == ["memphis", "small"]
    it = c.to_dict()["results"]["it_power"]
    assert it[1]["value"] == pytest.approx(it[0]["value"] * 5000 / src.gpus, rel=0.05)


def test_several_vary_fields_make_every_combination():
    c = dcpower.compare(vary=["gpus=1000,2000", "cooling=dlc-tower,immersion"])
    assert len(c.variants) == 4
    assert c.variants[3] == "gpus=2000, cooling=immersion"


def test_formats(coolings):
    assert "cooling=dlc-tower" in coolings.render("table")
    assert coolings.render("markdown").startswith("**dcpower compare")
    assert coolings.render("csv").splitlines()[0].startswith("result,unit,cooling=air-chiller")
    assert json.loads(coolings.render("json"))["varied"] == {"cooling": ["air-chiller", "dlc-tower"]}
    assert "<table>" in coolings._repr_html_()


@pytest.mark.parametrize("vary, message", [
    ({"colour": ["red"]}, "unknown field 'colour'"),
    ({"cooling": ["nope"]}, "unknown cooling 'nope'"),
])
def test_bad_vary(vary, message):
    with pytest.raises(InputError, match=message):
        dcpower.compare(vary=vary)


def test_one_scenario_is_a_list_of_one():
    # a bare id once compared its letters: "unknown scenario 'm'"
    assert dcpower.compare("memphis", gpus=1000, results=["pue"]).variants == ["memphis"]
    with pytest.raises(InputError, match="scenarios must be a list"):
        dcpower.compare(5)


def test_cli_compare(capsys):
    # an air hall: the catalog's B200 servers are air-cooled
    assert main(["compare", "--vary", "accelerator=h100-sxm,b200", "--gpus", "8000", "--cooling", "air-chiller",
                 "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["variants"] == ["accelerator=h100-sxm", "accelerator=b200"]


@pytest.mark.parametrize("argv, message", [
    (["compare", "--vary", "colour=red"], "unknown field 'colour'"),
    (["compare", "--vary", "site=memphis,atlantis"], "unknown site 'atlantis'"),
    (["compare", "--vary", "cooling"], "write FIELD=VALUE"),
    (["compare"], "give scenarios to compare"),
    (["compare", "--vary", "gpus=1000", "-o", "/nonexistent-dir/out.txt"], "does not exist"),
    # the second --vary of a field used to replace the first, and a fixed option to be ignored
    (["compare", "--vary", "cooling=air-chiller,dlc-tower", "--vary", "cooling=immersion"], "--vary cooling is given twice"),
    (["compare", "--vary", "gpus=1000,2000", "--gpus", "5000"], "gpus is both varied (--vary gpus=...) and fixed (--gpus 5000)"),
    (["compare", "--vary", "cooling.approach=2K,3K", "--set", "cooling.approach=4K"], "and fixed (--set cooling.approach=4K)"),
])
def test_cli_bad_input(capsys, argv, message):
    assert main(argv) == 2
    cap = capsys.readouterr()
    assert cap.out == ""
    assert message in cap.err and len(cap.err.strip().splitlines()) == 1
    assert "Traceback" not in cap.err


def test_cli_writes_file(tmp_path, capsys):
    out = tmp_path / "c.csv"
    assert main(["compare", "--vary", "gpus=1000,2000", "--format", "csv", "-o", str(out)]) == 0
    assert out.read_text().startswith("result,unit,gpus=1000")
    assert not [p for p in tmp_path.iterdir() if p.name != "c.csv"]  # no temporary file left


def test_notebook_views(coolings):
    # every result renders as a table in Jupyter, and to_frame needs pandas or says so in one line
    est = coolings.estimates[0]
    for obj in (est, coolings):
        assert obj._repr_html_().count("<table>") == 1
        assert obj._repr_markdown_().startswith("**")
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(dcpower.DcpowerError, match=r"dcpower\[frame\]"):
            est.to_frame()
    else:
        assert coolings.to_frame().shape[1] == 3  # unit + two variants
