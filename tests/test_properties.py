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
                         " Mgal/day", " MW/min"])
quantities = st.builds(lambda n, u: f"{n}{u}", numbers, units)

SET_KEYS = ["electrical.ups_efficiency", "electrical.design_loading", "electrical.power_factor",
            "accelerator.max_power", "server.gpus", "server.psu_efficiency", "server.fan_power",
            "cooling.supply_temperature", "cooling.cycles_of_concentration", "cooling.approach",
            "server.liquid_fraction", "cooling.pump_efficiency", "cooling.drift_rate",
            "grid.energy_price", "grid.carbon_intensity", "site.elevation", "onsite.grid_limit",
            "utilization", "pue", "gpus", "storage.read_bandwidth_per_gpu", "electrical.lighting_power_density"]


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
@given(key=st.sampled_from(SET_KEYS), value=st.one_of(quantities, st.text(max_size=12)))
def test_any_set_value_is_refused_or_physical(capsys, key, value):
    code, out, err = _run(capsys, ["estimate", "--gpus", "2000", "--format", "json", "--set", f"{key}={value}"])
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
