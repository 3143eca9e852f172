"""The measured H100 power data set parses and agrees with its own trace.

specs/measurements/h100-sxm-2026-11-26.{toml,csv} came from one run of
benchmarks/gpu_power/measure.py on a lent H100 SXM on 2026-11-26, summarized by
benchmarks/gpu_power/summarize.py. These tests recompute the summary's numbers
from the shipped trace with the definitions written in summarize.py's docstring
(steady samples = at least settle_time after a phase start; numpy's default
linear percentiles), so a hand edit of either file, a re-trimmed trace or a
changed definition shows up here.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).resolve().parents[2] / "specs" / "measurements"
MEASUREMENT_ID = "h100-sxm-2026-11-26"
TOML_PATH = DATA / f"{MEASUREMENT_ID}.toml"

PHASE_ORDER = ["idle_1", "matmul", "copy", "pattern", "idle_2"]
PLANNED_S = {"idle_1": 20, "matmul": 60, "copy": 30, "pattern": 60, "idle_2": 20}

# quantity key -> unit its value string must carry ("" = dimensionless)
UNITS = {
    "idle_power": "W",
    "idle_power_no_context": "W",
    "power_limit": "W",
    "matmul_power_median": "W",
    "matmul_power_p99": "W",
    "memory_bound_power_median": "W",
    "pattern_power_peak": "W",
    "pattern_power_trough": "W",
    "pattern_ramp_rate": "W/s",
    "pattern_period": "s",
    "pattern_duty_cycle": "",
    "settle_time": "s",
    "sample_interval": "s",
    "matmul_throughput": "TFLOP/s",
    "copy_bandwidth": "GB/s",
}
NUMBER_UNIT = re.compile(r"^([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?: (\S+))?$")
UNIT_SUFFIXES = ("_s", "_W", "_MHz", "_C", "_pct", "_MiB")
TEXT_COLUMNS = {"utc_time", "phase", "pstate", "clocks_event_reasons"}


def parse_q(text: str) -> tuple[float, str]:
    m = NUMBER_UNIT.match(text)
    assert m, f"{text!r} is not 'NUMBER UNIT'"
    return float(m.group(1)), m.group(2) or ""


@pytest.fixture(scope="module")
def summary() -> dict:
    with open(TOML_PATH, "rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def m(summary) -> dict:
    return summary["measurement"]


def q(m: dict, key: str) -> float:
    return parse_q(m[key]["value"])[0]


@pytest.fixture(scope="module")
def trace(m) -> dict[str, np.ndarray]:
    path = DATA / m["trace"]
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows, "empty trace"
    out = {}
    for name in rows[0]:
        vals = [r[name] for r in rows]
        if name in TEXT_COLUMNS:
            out[name] = np.array(vals)
        else:
            out[name] = np.array([float(v) if v != "" else np.nan for v in vals])
    return out


def steady(trace, summary, name: str) -> np.ndarray:
    settle = q(summary["measurement"], "settle_time")
    ph = {p["name"]: p for p in summary["phase"]}[name]
    return (trace["phase"] == name) & (trace["time_s"] >= ph["start_s"] + settle)


def close(got: float, want: float, rel: float = 0.01) -> bool:
    return math.isclose(got, want, rel_tol=rel)


# --- the summary parses --------------------------------------------------------

def test_metadata(m):
    assert m["id"] == MEASUREMENT_ID
    assert m["accelerator"] == "h100-sxm"
    assert m["date"] == dt.date(2026, 11, 26)
    assert m["year"] == 2026
    assert "H100" in m["gpu_name"]
    assert re.fullmatch(r"\d+\.\d+(\.\d+)?", m["driver"]), m["driver"]
    for key in ("machine", "method", "source", "power_draw_note"):
        assert len(m[key]) > 40, key
    assert "measure.py" in m["method"] and "measure.py" in m["source"]
    # the averaging question the pattern values hinge on is answered
    assert "1 sec" in m["power_draw_note"]
    assert (DATA / m["trace"]).is_file()


@pytest.mark.parametrize("key,unit", sorted(UNITS.items()))
def test_quantities_have_units_and_sources(m, key, unit):
    entry = m[key]
    assert set(entry) <= {"value", "source", "url", "year", "note", "low", "high"}
    value, got_unit = parse_q(entry["value"])
    assert got_unit == unit, f"{key}: unit {got_unit!r}, expected {unit!r}"
    assert math.isfinite(value)
    assert entry["source"] == f"dcpower measurement {MEASUREMENT_ID}"
    assert entry["year"] == 2026
    assert entry.get("note"), f"{key} has no note"


def test_every_quantity_is_known(m):
    tables = {k for k, v in m.items() if isinstance(v, dict)}
    assert tables == set(UNITS)


def test_phases_in_order(summary):
    phases = summary["phase"]
    assert [p["name"] for p in phases] == PHASE_ORDER
    assert phases[0]["start_s"] == 0
    for p in phases:
        assert p["end_s"] > p["start_s"]
        assert abs((p["end_s"] - p["start_s"]) - PLANNED_S[p["name"]]) < 1.0, p
    for a, b in zip(phases, phases[1:]):
        assert 0 <= b["start_s"] - a["end_s"] < 0.5, (a["name"], b["name"])
    starts = [dt.datetime.fromisoformat(p["start_utc"]) for p in phases]
    assert starts == sorted(starts)
    assert starts[0].date() == summary["measurement"]["date"]


# --- the trace ----------------------------------------------------------------

def test_trace_columns_and_size(m, trace):
    assert (DATA / m["trace"]).stat().st_size < 2_000_000
    for col in ("time_s", "phase", "power_draw_W", "power_limit_W",
                "sm_clock_MHz", "mem_clock_MHz", "temperature_C", "gpu_utilization_pct",
                m["pattern_column"]):
        assert col in trace, col
    for col in trace:
        assert col in TEXT_COLUMNS or col.endswith(UNIT_SUFFIXES), f"{col}: no unit in name"
    t = trace["time_s"]
    assert np.all(np.diff(t) > 0), "time_s must increase"
    dt_med = float(np.median(np.diff(t)))
    assert close(dt_med, q(m, "sample_interval"), 0.05)


def test_trace_phase_labels_match_boundaries(summary, trace):
    t, ph = trace["time_s"], trace["phase"]
    for p in summary["phase"]:
        inside = (t >= p["start_s"]) & (t < p["end_s"])
        assert np.all(ph[inside] == p["name"]), p["name"]
        assert np.all(inside[ph == p["name"]]), p["name"]
        # about 10 samples a second
        assert inside.sum() > 8 * (p["end_s"] - p["start_s"])
    first, last = summary["phase"][0]["start_s"], summary["phase"][-1]["end_s"]
    assert set(ph[t < first]) <= {"no_context", "setup"}
    assert set(ph[t >= last]) <= {"teardown"}


def test_trace_power_finite(trace):
    p = trace["power_draw_W"]
    assert np.all(np.isfinite(p))
    assert np.all((p > 20) & (p < 1500))


# --- the summary agrees with the trace -----------------------------------------

def test_idle_power(summary, m, trace):
    mask = steady(trace, summary, "idle_1") | steady(trace, summary, "idle_2")
    assert close(float(np.median(trace["power_draw_W"][mask])), q(m, "idle_power"))


def test_idle_power_no_context(m, trace):
    p = trace["power_draw_W"][trace["phase"] == "no_context"]
    assert p.size >= 5
    assert close(float(np.median(p)), q(m, "idle_power_no_context"))


def test_matmul_power(summary, m, trace):
    p = trace["power_draw_W"][steady(trace, summary, "matmul")]
    assert close(float(np.median(p)), q(m, "matmul_power_median"))
    assert close(float(np.percentile(p, 99)), q(m, "matmul_power_p99"))


def test_memory_bound_power(summary, m, trace):
    p = trace["power_draw_W"][steady(trace, summary, "copy")]
    assert close(float(np.median(p)), q(m, "memory_bound_power_median"))


def test_power_limit(m, trace):
    assert close(float(np.median(trace["power_limit_W"])), q(m, "power_limit"))


def test_pattern_peak_trough_ramp(summary, m, trace):
    col = trace[m["pattern_column"]]
    mask = steady(trace, summary, "pattern")
    p = col[mask]
    assert close(float(np.percentile(p, 95)), q(m, "pattern_power_peak"))
    assert close(float(np.percentile(p, 5)), q(m, "pattern_power_trough"))

    t = trace["time_s"]
    start = {x["name"]: x for x in summary["phase"]}["pattern"]["start_s"]
    period = q(m, "pattern_period")
    idx = np.flatnonzero(mask)
    per_cycle: dict[int, float] = {}
    for i, j in zip(idx[:-1], idx[1:]):
        if j != i + 1:
            continue
        rise = (col[j] - col[i]) / (t[j] - t[i])
        if rise > 0:
            c = math.floor((t[i] - start) / period)
            per_cycle[c] = max(per_cycle.get(c, 0.0), rise)
    assert len(per_cycle) > 0.8 * (PLANNED_S["pattern"] - 2) / period
    assert close(float(np.median(list(per_cycle.values()))), q(m, "pattern_ramp_rate"))


# --- and makes physical sense --------------------------------------------------

def test_ordering_of_powers(m):
    limit = q(m, "power_limit")
    assert 20 < q(m, "idle_power_no_context") <= q(m, "idle_power")
    assert q(m, "idle_power") < q(m, "memory_bound_power_median") < q(m, "matmul_power_median")
    assert q(m, "matmul_power_median") <= q(m, "matmul_power_p99") <= 1.02 * limit
    assert q(m, "pattern_power_trough") < q(m, "pattern_power_peak")
    assert q(m, "pattern_ramp_rate") > 0


def test_pattern_schedule(m):
    assert q(m, "pattern_period") == 0.5
    assert 0.55 <= q(m, "pattern_duty_cycle") <= 0.7  # 300 ms of 500 ms, plus sync overrun


def test_throughputs_plausible(m):
    # H100 SXM datasheet: ~989 TFLOP/s dense bf16, 3.35 TB/s HBM3 (one way)
    assert 300 < q(m, "matmul_throughput") < 1000
    assert 1000 < q(m, "copy_bandwidth") < 2 * 3350
