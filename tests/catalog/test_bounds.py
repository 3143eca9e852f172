"""Physical bounds: every entry path refuses a value outside its field's range with one line
that names the field, the value, the range and the likely fix.

The cases are the ones a hostile or careless user tried: each used to print an impossible
answer (a UPS efficiency of 96 gave PUE -0.04) or a generic error.
"""

import textwrap

import pytest

import dcpower
from dcpower.catalog.bounds import Dim
from dcpower.catalog.loader import builtin_dir, load_catalog, load_spec_file, validate_files
from dcpower.catalog.models import SPEC_TYPES, SpecValue, field_dim
from dcpower.cli import main
from dcpower.errors import DcpowerError, InputError, SpecError
from dcpower.units import Q_


@pytest.fixture()
def run(capsys):
    def _run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err
    return _run


# (--set key=value, words the one-line message must hold)
SETTINGS = [
    ("electrical.ups_efficiency=1.5", "(above 0, at most 1)"),
    ("electrical.ups_efficiency=96", "96 looks like a percentage: write 0.96"),
    ("electrical.ups_efficiency=-1", "'-1' is not in the range of an efficiency"),
    ("accelerator.max_power=-700 W", "'-700 W' is not in the range of an accelerator's power"),
    ("accelerator.max_power=1e12 W", "at most 10 kW"),
    ("cooling.supply_temperature=-300 degC", "at least 1 °C, at most 70 °C"),
    ("cooling.cycles_of_concentration=1", "C must be above 1"),
    ("cooling.cycles_of_concentration=0.5", "cycles of concentration (above 1"),
    ("grid.energy_price=-1 USD/kWh", "an energy price (at least 0 USD/kWh"),
    ("grid.carbon_intensity=-1 kgCO2/kWh", "a carbon intensity (at least 0"),
    ("onsite.grid_limit=-5 MW", "a grid limit (at least 0 W"),
    ("server.gpus=0", "GPUs per server (at least 1"),
    ("server.gpus=2.5", "a whole number"),
    ("server.psu_efficiency=5", "an efficiency (above 0, at most 1)"),
    ("site.elevation=100000 m", "an elevation (at least -500 m, at most 6000 m)"),
    ("utilization=nan", "'nan' is not a finite number"),
    ("pue=inf", "'inf' is not a finite number"),
    ("gpus=true", "'true' is not a whole number"),
    ("sizing.electrical_redundancy=N+1000000", "beyond any plant"),
    ("electrical.ups=lv-transformer", "is a transformer, not a ups"),
    ("sizing.ups_module=nope", "unknown ups_module 'nope'"),
    # used to say "unknown electrical 'bogus'; did you mean busway?" without naming the field
    ("electrical.hv_transformer=bogus", "unknown electrical.hv_transformer 'bogus'; name a transformer"),
    ("electrical.mv_distribution=bogus", 'or "none" to leave the stage out'),
    ("electrical.ups=bogus", "unknown electrical.ups 'bogus'; name a ups"),
    ("design_return_period=7", "use one of 5, 10, 20, 50"),
    ("server.liquid_fraction=85", "85 looks like a percentage: write 0.85"),
    ("cooling.fan_minimum_speed=2", "'2' is not in the range of a fraction"),
    # used to say "Input should be a valid dictionary or instance of SpecCurve"
    ("server.psu_efficiency_curve=0.9", "is a curve (load = [...], efficiency = [...]), not one value"),
    # an idle power above the maximum used to run: average GPU power (80 MW) above the
    # "maximum" (70 MW) for the H100's 700 W and 125.8 W (specs/accelerators.toml)
    ("accelerator.idle_power=800 W", "idle_power (800 W) is above max_power (700 W)"),
    ("accelerator.max_power=10 W", "idle_power (125.8 W) is above max_power (10 W)"),
]


@pytest.mark.parametrize("setting, words", SETTINGS)
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_set_out_of_range_is_one_line_exit_2(run, setting, words, fmt):
    code, out, err = run("estimate", "--gpus", "1000", "--set", setting, "--format", fmt)
    assert code == 2, (setting, out)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert words in lines[0], lines[0]


@pytest.mark.parametrize("argv, words", [
    (["estimate", "--host-power", "nan W", "--gpus-per-server", "8"], "is not a finite number"),
    (["estimate", "--pue", "1e30"], "must be at most 4.0"),
    (["grid", "--ramp-limit", "nan MW/min"], "is not a finite number"),
    (["grid", "--ramp-limit", "-1 MW/min"], "a ramp limit (above 0 MW/min)"),
    (["size", "--redundancy", "N+1000000"], "beyond any plant"),
    # an empty scheme used to size the scenario's 2N without a word
    (["size", "--redundancy", ""], "redundancy '' is not a scheme dcpower knows"),
    (["fit", "--power", "nan MW"], "must be a finite amount above zero"),
    (["sweep", "--field", "electrical.ups_efficiency=0.9..1.5", "--steps", "3"], "an efficiency"),
    (["sweep", "--field", "cooling.cycles_of_concentration=0.5..5", "--steps", "3"], "above 1"),
    (["sweep", "--gpus", "0..100", "--steps", "3"], "must be at least 1"),
    (["sweep", "--steps", "1000000", "--gpus", "1..10"], "2 to 10,000 steps"),
    (["estimate", "--uncertainty", "100000000"], "x<=1000000"),
])
def test_cli_options_out_of_range(run, argv, words):
    code, out, err = run(*argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and words in err, err


SPEC = """
[[accelerator]]
id = "hypo-1"
name = "Hypothetical accelerator"
vendor = "Workshop"
form_factor = "OAM"
max_power = {max_power}
default_server = "hgx-h100-8gpu-liquid"
"""


@pytest.mark.parametrize("max_power, words", [
    ('{ value = "-700 W", source = "assumption", note = "x" }', "is not in the range"),
    ('{ value = "1e12 W", source = "assumption", note = "x" }', "at most 10 kW"),
    ('{ value = "nan W", source = "assumption", note = "x" }', "is not a finite number"),
    ('{ value = "700 W", low = "-1 W", source = "assumption", note = "x" }', "low = '-1 W'"),
    ('{ value = "700 W", source = " " }', "source is blank"),
    ('{ value = true, source = "assumption", note = "x" }', "not true/false"),
])
def test_spec_files_out_of_range_rejected_by_validate_and_estimate(tmp_path, max_power, words):
    (tmp_path / "acc.toml").write_text(textwrap.dedent(SPEC.format(max_power=max_power)))
    with pytest.raises(SpecError, match="max_power") as info:
        validate_files([tmp_path])
    assert words in str(info.value)
    # the estimate refuses exactly what specs validate refuses
    with pytest.raises(SpecError) as again:
        dcpower.estimate(gpus=1000, accelerator="hypo-1", specs_dirs=[tmp_path])
    assert str(again.value) == str(info.value)


def test_transformer_used_as_ups_and_psu_of_5(tmp_path):
    text = textwrap.dedent("""
        [[server]]
        id = "bad-psu"
        name = "Server with an impossible PSU"
        vendor = "Workshop"
        accelerator = "h100-sxm"
        cooling = "liquid"
        gpus = { value = 8, source = "assumption", note = "x" }
        cpu_power = { value = "700 W", source = "assumption", note = "x" }
        memory_power = { value = "300 W", source = "assumption", note = "x" }
        nic_power = { value = "200 W", source = "assumption", note = "x" }
        baseboard_power = { value = "400 W", source = "assumption", note = "x" }
        drive_power = { value = "100 W", source = "assumption", note = "x" }
        fan_power = { value = "100 W", source = "assumption", note = "x" }
        psu_efficiency = { value = 5, source = "assumption", note = "x" }
    """)
    p = tmp_path / "s.toml"
    p.write_text(text)
    with pytest.raises(SpecError, match="psu_efficiency.*an efficiency"):
        load_spec_file(p)
    p.write_text(text.replace("value = 5,", "value = 0.95,").replace("value = 8,", "value = 2.5,"))
    with pytest.raises(SpecError, match="gpus.*a whole number"):
        load_spec_file(p)


def test_every_builtin_value_is_inside_its_declared_range():
    # the bounds must not reject the sourced catalog itself; every numeric field declares one
    load_catalog().validate_all()
    undeclared = [f"{cls.__name__}.{name}" for cls in SPEC_TYPES.values() for name, f in cls.model_fields.items()
                  if "SpecValue" in str(f.annotation) and field_dim(cls, name) is None]
    assert undeclared == []


def test_ranges_bound_every_efficiency_and_fraction():
    # the classes of the issue: efficiencies in (0, 1], powers >= 0, cycles > 1, counts whole
    cases = [("server", "psu_efficiency", 0, 1.0001), ("cooling", "cycles_of_concentration", 1, None),
             ("server", "cpu_power", "-1 W", None), ("electrical", "efficiency", 0, 1.01),
             ("server", "liquid_fraction", -0.01, 1.01)]
    for category, name, low_bad, high_bad in cases:
        dim = field_dim(SPEC_TYPES[category], name)
        assert isinstance(dim, Dim)
        for bad in (low_bad, high_bad):
            if bad is not None:
                with pytest.raises(InputError):
                    SpecValue(value=bad, source="user input").check(dim)


def test_library_raises_dcpower_errors_that_are_value_errors():
    for kwargs in [dict(gpus=10**30), dict(gpus="abc"), dict(gpus=True), dict(pue=float("nan")),
                   dict(settings="x"), dict(settings={"electrical.ups_efficiency": 96})]:
        with pytest.raises(DcpowerError) as info:
            dcpower.estimate(**kwargs)
        assert isinstance(info.value, ValueError) and "\n" not in str(info.value)


def test_library_accepts_quantities_and_strings():
    a = dcpower.estimate(gpus=8000, gpus_per_server=8, host_power=Q_(2, "kW"))
    b = dcpower.estimate(gpus=8000, gpus_per_server=8, host_power="2 kW")
    assert a.facility_power == b.facility_power
    c = dcpower.estimate(gpus=8000, utilization=Q_(80, "percent"))
    d = dcpower.estimate(gpus=8000, utilization=0.8)
    assert c.facility_power == d.facility_power


def test_specs_dirs_may_be_one_path(tmp_path):
    # a bare string is one folder, not a sequence of one-letter folders
    e = dcpower.estimate(gpus=1000, specs_dirs=str(tmp_path))
    assert e.gpus == 1000
    with pytest.raises(SpecError, match="does not exist"):
        dcpower.estimate(gpus=1000, specs_dirs=str(tmp_path / "missing"))


def test_sweep_ends_must_be_finite():
    with pytest.raises(InputError, match="finite"):
        dcpower.sweep("gpus", 1, float("inf"), steps=3)


def test_specs_validate_refuses_duplicate_ids_as_estimate_does(tmp_path):
    entry = SPEC.format(max_power='{ value = "700 W", source = "assumption", note = "x" }')
    (tmp_path / "a.toml").write_text(textwrap.dedent(entry))
    (tmp_path / "b.toml").write_text(textwrap.dedent(entry))
    with pytest.raises(SpecError, match="defined twice") as info:
        validate_files([tmp_path])
    with pytest.raises(SpecError, match="defined twice") as again:
        load_catalog([tmp_path])
    assert str(info.value) == str(again.value)


def test_readme_error_example_is_what_the_tool_prints(run):
    # the README quotes one refused input verbatim; it must stay what dcpower prints
    from pathlib import Path

    readme = Path(__file__).resolve().parents[2] / "README.md"
    if not readme.is_file():
        pytest.skip("README not in this tree")
    text = readme.read_text(encoding="utf-8")
    command = "dcpower estimate --set electrical.ups_efficiency=96"
    assert f"$ {command}\n" in text
    quoted = text.split(f"$ {command}\n", 1)[1].splitlines()[0]
    code, out, err = run(*command.split()[1:])
    assert code == 2 and err.strip() == quoted


def test_bare_values_take_the_tables_source(tmp_path):
    p = tmp_path / "acc.toml"
    p.write_text(textwrap.dedent("""
        [[accelerator]]
        id = "hypo-2"
        name = "Hypothetical accelerator"
        vendor = "Workshop"
        form_factor = "OAM"
        source = "Workshop handout"
        year = 2026
        max_power = "900 W"
        default_server = "hgx-h100-8gpu-liquid"
    """))
    (spec,) = load_spec_file(p)
    assert spec.max_power.quantity == Q_(900, "W")
    assert spec.max_power.citation() == "Workshop handout (2026)"
    p.write_text(p.read_text().replace('source = "Workshop handout"\nyear = 2026\n', ""))
    with pytest.raises(SpecError, match=r"field 'max_power': '900 W' needs a source; write max_power = \{ value"):
        load_spec_file(p)
    # an assumed table with a note: the note is the entry's, so the message used to ask for
    # the note = "..." that was already there
    p.write_text(p.read_text().replace('max_power = "900 W"', 'source = "assumption"\nnote = "a guess"\nmax_power = "900 W"'))
    with pytest.raises(SpecError, match="bare value under the table's source = \"assumption\", and each assumed "
                                        "value needs its reason"):
        load_spec_file(p)


def test_specs_validate_refuses_a_missing_weather_file_as_estimate_does(tmp_path):
    import re

    from dcpower.catalog.loader import builtin_dir

    sites = (builtin_dir() / "sites.toml").read_text(encoding="utf-8")
    first = sites[sites.index("[[site]]"):sites.index("[[site]]", sites.index("[[site]]") + 1)]
    entry = re.sub(r'^weather = ".*"$', 'weather = "weather/nope.csv.gz"', first.replace('id = "memphis"',
                   'id = "memphis-copy"'), flags=re.M)
    (tmp_path / "sites.toml").write_text(entry, encoding="utf-8")
    with pytest.raises(SpecError, match="weather file 'weather/nope.csv.gz' not found"):
        validate_files([tmp_path])
    with pytest.raises(DcpowerError, match="nope.csv.gz"):
        dcpower.estimate(gpus=1000, site="memphis-copy", specs_dirs=[tmp_path])


# The airside economizer's supply envelope: each of these used to run silently. A floor above
# its limit raised the supply air above the humidity limit in every hour it was dry outside;
# 60 degC "supply air" (inside the liquid-loop range the field shared) changed PUE by 0.0001.
# Limits from the air-economizer entry in specs/cooling.toml (ASHRAE A1 allowable: dew point
# -12..17 degC, relative humidity 8..80 %, supply 29.4 degC).
@pytest.mark.parametrize("setting, words", [
    ("cooling.supply_dew_point_min=20 degC", "supply_dew_point_min (20 degC) is above supply_dew_point_max (17 degC)"),
    ("cooling.supply_dew_point_max=-20 degC", "give supply_dew_point_min at most supply_dew_point_max"),
    ("cooling.supply_relative_humidity_min=0.9", "supply_relative_humidity_min (0.9) is above"),
    ("cooling.supply_relative_humidity_max=0.05", "supply_relative_humidity_min (0.08) is above"),
    ("cooling.supply_temperature=60 degC", "a supply-air temperature (at least 5 °C, at most 45 °C)"),
    ("cooling.supply_temperature=140 degF", "the air the servers take in"),
    ("cooling.supply_temperature=3 degC", "'3 degC' is not in the range of a supply-air temperature"),
    # a liquid hall used to run: the outdoor air "economized" the cold plates' heat too
    ("cooling.hall=liquid", 'takes air-cooled servers: give hall = "air", not "liquid"'),
])
def test_air_economizer_supply_envelope_must_be_ordered(run, setting, words):
    code, out, err = run("estimate", "--gpus", "1000", "--cooling", "air-economizer", "--set", setting)
    assert code == 2 and out == "", (setting, out)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert words in lines[0], lines[0]


def test_air_economizer_dew_point_limit_above_supply_is_only_inactive():
    # A dew-point limit above the supply dry-bulb cannot bind (air holds no dew point above its
    # dry-bulb); the relative-humidity limit then sets the envelope, so it is allowed.
    est = dcpower.estimate(gpus=1000, cooling="air-economizer",
                           settings={"cooling.supply_dew_point_max": "29 degC", "cooling.supply_temperature": "27 degC"})
    assert 0 < est.free_cooling_hours.magnitude <= 8760


def test_supply_air_bound_applies_only_where_supply_temperature_is_air():
    # a 60 degC liquid supply is inside the ASHRAE W+ class: the dry-cooler plant takes it
    est = dcpower.estimate(gpus=1000, cooling="dlc-drycooler", settings={"cooling.supply_temperature": "60 degC"})
    assert est.pue.magnitude > 1


def test_cooling_spec_file_with_an_inverted_envelope_names_file_and_fields(tmp_path):
    # the built-in entry, copied with its relative-humidity floor raised above its limit
    text = (builtin_dir() / "cooling.toml").read_text()
    block = "[[cooling]]" + next(b for b in text.split("[[cooling]]") if 'id = "air-economizer"' in b)
    block = block.replace('id = "air-economizer"', 'id = "my-econ"')
    block = "\n".join('supply_relative_humidity_min = { value = 0.9, source = "assumption", note = "a careless copy" }'
                      if line.startswith("supply_relative_humidity_min") else line for line in block.splitlines())
    (tmp_path / "cooling.toml").write_text(block)
    with pytest.raises(SpecError, match="my-econ.*supply_relative_humidity_min .*is above supply_relative_humidity_max"):
        validate_files([tmp_path / "cooling.toml"])


def test_idle_above_max_is_refused_in_spec_files_and_sweeps(tmp_path, run):
    (tmp_path / "acc.toml").write_text(textwrap.dedent('''
        [[accelerator]]
        id = "my-chip"
        name = "My chip"
        vendor = "Me"
        form_factor = "OAM"
        source = "a careless copy"
        year = 2025
        max_power = "700 W"
        idle_power = "900 W"
    '''))
    with pytest.raises(SpecError, match="my-chip.*idle_power \\(900 W\\) is above max_power \\(700 W\\)"):
        validate_files([tmp_path / "acc.toml"])
    # a swept maximum below the H100's 125.8 W idle power (the batched sweep skips the models)
    code, out, err = run("sweep", "--field", "accelerator.max_power=100 W..700 W", "--steps", "3")
    assert code == 2 and out == "" and "is above max_power (100..700 W)" in err


@pytest.mark.parametrize("settings, words", [
    # DGX H100: six 3.3 kW PSUs share a server drawing about 8.2 kW DC at full load
    # (specs/servers.toml); one PSU or 1 W PSUs cannot carry it. Both used to run, on the PSU
    # curve extrapolated to 3x and 1,000x its rating: 1 W PSUs gave 15.6 GW of IT for 100k GPUs.
    ({"server.psus": 1}, "more than its 1 PSUs x 3.3 kW deliver"),
    ({"server.psu_rating": "1 W"}, "each PSU is at least 1.37 kW"),
])
def test_psus_must_carry_the_server(settings, words):
    with pytest.raises(InputError, match=words.replace(".", r"\.")):
        dcpower.estimate(gpus=1000, cooling="air-chiller", server="dgx-h100", settings=settings)


@pytest.mark.parametrize("key, percent, fraction", [
    ("electrical.ups_efficiency", "96 %", 0.96), ("server.liquid_fraction", "85 %", 0.85),
    ("server.psu_efficiency", "94 %", 0.94), ("cooling.fan_minimum_speed", "20 %", 0.2),
])
def test_a_share_in_percent_is_the_same_fraction(key, percent, fraction):
    # '96 %' passed the range check (pint converts it) but the chain read its magnitude, 96:
    # a UPS efficiency of 96 printed PUE -0.05 and a liquid fraction of 85 PUE 0.13.
    a = dcpower.estimate(gpus=1000, settings={key: percent})
    b = dcpower.estimate(gpus=1000, settings={key: fraction})
    assert a.pue.magnitude == pytest.approx(b.pue.magnitude, rel=1e-12)
    assert a.facility_power.magnitude == pytest.approx(b.facility_power.magnitude, rel=1e-12)
