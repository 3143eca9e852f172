"""Property-based attacks on the command line (in process) and the library.

For any generated input, dcpower either refuses it (exit 2, one line naming what is wrong,
never a bare Python exception name) or answers with numbers that are physically possible:
every result finite, PUE >= 1, water >= 0, facility power >= IT power. Never an internal
error.

The seeds are named so a failure replays exactly; Hypothesis prints the failing input.
"""

import json
import math
import re

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

import dcpower
from dcpower.cli import main

SEED = 20261129
FAST = settings(max_examples=30, deadline=None, derandomize=False, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# A bare Python exception name in a message means dcpower did not understand the failure.
GENERIC = re.compile(r"^Error: (ValueError|TypeError|OverflowError|ZeroDivisionError|KeyError|"
                     r"RecursionError|IndexError|AttributeError|ArithmeticError|FloatingPointError)\b")

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.integers(min_value=-10**12, max_value=10**12),
    st.sampled_from([0, 1, -1, 0.5, 96, 1e30, -1e-30, 1.5]),
)
units = st.sampled_from(["", " W", " kW", " MW", " degC", " K", " %", " kgCO2/kWh", " USD/kWh", " m", " kg",
                         " Mgal/day", " MW/min", " Pa", " kPa", " degF", " USD/MMBtu", " years"])
quantities = st.builds(lambda n, u: f"{n}{u}", numbers, units)

SET_KEYS = ["electrical.ups_efficiency", "electrical.design_loading", "electrical.power_factor",
            "accelerator.max_power", "server.gpus", "server.psu_efficiency", "server.fan_power",
            "cooling.supply_temperature", "cooling.cycles_of_concentration", "cooling.approach",
            "server.liquid_fraction", "cooling.pump_efficiency", "cooling.drift_rate",
            "grid.energy_price", "grid.carbon_intensity", "site.elevation", "onsite.grid_limit",
            "utilization", "pue", "gpus", "storage.read_bandwidth_per_gpu", "electrical.lighting_power_density",
            # the plant inputs added with site services, PSU curves and the airside economizer
            "design_return_period", "support", "electrical.mv_distribution", "electrical.hv_transformer",
            "server.psus", "server.psu_rating", "cooling.hall", "cooling.condenser_pump_specific_power",
            "cooling.cdu_pump_pressure", "cooling.hall_air_temperature", "cooling.electrical_room_air_delta_t",
            "cooling.electrical_room_air_pressure", "cooling.drycooler_ua_exponent", "cooling.fan_minimum_speed",
            "cooling.supply_dew_point_max", "cooling.supply_dew_point_min", "cooling.supply_relative_humidity_max",
            "cooling.supply_relative_humidity_min", "cooling.evaporative_effectiveness",
            "cooling.chiller_condenser_approach", "cooling.air_loop_supply_temperature", "grid.gas_price"]
# Every cooling archetype, each with a server of its hall (the accelerator's usual one, or the
# DGX H100 for air halls), from the catalog rather than a list typed here.
COOLINGS = dcpower.load_catalog().ids("cooling")
SITES = dcpower.load_catalog().ids("site")


def _check_answer(code: int, out: str, err: str) -> None:
    assert code in (0, 2), (code, err)
    assert "internal error" not in err and "Traceback" not in err
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), err
        assert not GENERIC.match(lines[0]), lines[0]
        return
    _check_results(json.loads(out)["results"])


def _check_results(results: dict) -> None:
    values = {k: v["value"] for k, v in results.items()}
    for k, v in values.items():
        assert v is None or (isinstance(v, (int, float)) and math.isfinite(v)), (k, v)
    assert values["pue"] >= 1 and values["pue_design"] >= 1
    assert values["annual_water"] >= 0 and values["water_per_day"] >= 0
    # facility >= IT, to rounding (a forced PUE of 1 makes them equal)
    assert values["facility_power"] >= values["it_power"] * (1 - 1e-12)
    assert values["facility_power_average"] >= values["it_power_average"] * (1 - 1e-12)


def _run(capsys, argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@seed(SEED)
@FAST
@given(key=st.sampled_from(SET_KEYS), value=st.one_of(quantities, st.text(max_size=12)),
       cooling=st.sampled_from(COOLINGS))
def test_any_set_value_is_refused_or_physical(capsys, key, value, cooling):
    code, out, err = _run(capsys, ["estimate", "--gpus", "2000", "--cooling", cooling, "--format", "json",
                                   "--set", f"{key}={value}"])
    _check_answer(code, out, err)


# Values inside or near each new field's range, so most runs reach the plant physics.
NEAR_RANGE = {
    "cooling.fan_minimum_speed": st.floats(0, 1), "cooling.evaporative_effectiveness": st.floats(0, 1),
    "cooling.supply_relative_humidity_max": st.floats(0, 1), "cooling.supply_relative_humidity_min": st.floats(0, 1),
    "cooling.supply_dew_point_max": st.floats(-40, 30).map(lambda t: f"{t} degC"),
    "cooling.supply_dew_point_min": st.floats(-40, 30).map(lambda t: f"{t} degC"),
    "cooling.supply_temperature": st.floats(1, 70).map(lambda t: f"{t} degC"),
    "cooling.drycooler_ua_exponent": st.floats(0.01, 1),
    "cooling.chiller_condenser_approach": st.floats(0, 40).map(lambda t: f"{t} K"),
    "cooling.hall_air_temperature": st.floats(5, 50).map(lambda t: f"{t} degC"),
    "server.psus": st.integers(1, 12), "design_return_period": st.sampled_from([5, 10, 20, 50]),
}


@seed(SEED + 3)
@FAST
@given(cooling=st.sampled_from(COOLINGS), site=st.sampled_from(SITES), gpus=st.sampled_from([1, 8, 5000]),
       utilization=st.sampled_from([0.01, 0.5, 1.0]),
       keys=st.sets(st.sampled_from(sorted(NEAR_RANGE)), max_size=3), data=st.data())
def test_new_plant_inputs_near_their_ranges_are_refused_or_physical(capsys, cooling, site, gpus, utilization,
                                                                   keys, data):
    argv = ["estimate", "--gpus", str(gpus), "--utilization", str(utilization), "--cooling", cooling,
            "--site", site, "--format", "json"]
    for key in sorted(keys):
        argv += ["--set", f"{key}={data.draw(NEAR_RANGE[key], label=key)}"]
    code, out, err = _run(capsys, argv)
    _check_answer(code, out, err)


@seed(SEED + 1)
@FAST
@given(gpus=st.one_of(st.integers(-5, 3_000_000), st.text(max_size=8)),
       utilization=st.one_of(numbers.map(str), st.text(max_size=6)),
       pue=st.one_of(st.none(), numbers.map(str)),
       host=st.one_of(st.none(), quantities))
def test_any_estimate_options_are_refused_or_physical(capsys, gpus, utilization, pue, host):
    argv = ["estimate", "--gpus", str(gpus), "--utilization", utilization, "--format", "json"]
    if pue is not None:
        argv += ["--pue", pue]
    if host is not None:
        argv += ["--gpus-per-server", "8", "--host-power", host]
    code, out, err = _run(capsys, argv)
    _check_answer(code, out, err)


@seed(SEED + 2)
@settings(max_examples=20, deadline=None, database=None)
@given(kwargs=st.fixed_dictionaries({}, optional={
    "gpus": st.one_of(st.integers(-10, 10**8), st.floats(), st.booleans(), st.text(max_size=5)),
    "utilization": st.one_of(numbers, st.text(max_size=5)),
    "pue": st.one_of(numbers, st.booleans()),
    "host_power": quantities,
    "specs_dirs": st.sampled_from(["", "/nonexistent-specs"]),
}))
def test_library_raises_dcpower_errors_or_answers_physically(kwargs):
    if "host_power" in kwargs:
        kwargs["gpus_per_server"] = 8
    try:
        e = dcpower.estimate(**kwargs)
    except dcpower.DcpowerError as exc:
        assert isinstance(exc, ValueError) and "\n" not in str(exc)
        return
    _check_results(e.to_dict()["results"])
