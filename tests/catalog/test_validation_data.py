"""The published-measurement data set in specs/validation/hpl.toml is well formed.

The file lists measured Linpack (HPL) power of a fixed set of GPU systems from the TOP500 and
Green500 lists, plus two component-level H100 measurements. These tests check its shape, not the
model: the set of systems is exactly the one chosen in advance (others are kept back to test
that the model generalises), every case that is not skipped carries a sourced power with a list
edition, the counts are whole numbers, the accelerators exist in the catalog, and the power per
accelerator is physically plausible, which catches a slipped digit or a count read from the
wrong row.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from dcpower.catalog.loader import load_catalog

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "specs" / "validation" / "hpl.toml"
MEASUREMENT = ROOT / "specs" / "measurements" / "h100-sxm-2026-11-26.toml"

# The systems chosen for validation, and only these.
SYSTEMS = {
    "perlmutter", "selene", "juwels-booster", "polaris", "marconi-100", "sierra", "hpc6",
    "adastra", "setonix", "alps", "jedi", "jupiter-booster", "isambard-ai", "venado",
    "marenostrum-5-acc", "eos", "tuolumne", "dawn",
}
COMPONENTS = {"latif-8xh100-node", "dcpower-h100-sxm-trace-matmul", "dcpower-h100-sxm-trace-memory"}
LEVELS = {"system", "node", "accelerator"}
WORKLOADS = {"hpl", "training", "inference", "idle"}
QUANTITY = re.compile(r"^(\d+(?:\.\d+)?) (W|kW|MW|PFlop/s|EFlop/s)$")
# Band for HPL system power per accelerator, host and network included: an H100 system near
# 0.9 kW and an A100 system near 0.4 kW sit well inside it; a count or power off by a factor
# of ten does not.
PER_ACCELERATOR_KW = (0.2, 3.0)
TO_KW = {"W": 1e-3, "kW": 1.0, "MW": 1e3}


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    with open(DATA, "rb") as fh:
        return tomllib.load(fh)["case"]


def by_id(cases: list[dict]) -> dict[str, dict]:
    return {c["id"]: c for c in cases}


def power_kw(quantity: dict) -> float:
    m = QUANTITY.match(quantity["value"])
    assert m and m.group(2) in TO_KW, f"{quantity['value']!r} is not a power like '2589 kW'"
    return float(m.group(1)) * TO_KW[m.group(2)]


def measured(cases: list[dict]) -> list[dict]:
    return [c for c in cases if "skip" not in c]


def test_ids_are_unique_and_lowercase(cases):
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids), ids


def test_exactly_the_chosen_systems_and_the_two_component_cases(cases):
    systems = {c["id"] for c in cases if c["level"] == "system"}
    assert systems == SYSTEMS, (f"missing {sorted(SYSTEMS - systems)}, "
                                f"not chosen {sorted(systems - SYSTEMS)}")
    components = {c["id"] for c in cases if c["level"] != "system"}
    assert components == COMPONENTS


def test_every_case_has_a_known_level_and_workload(cases):
    for c in cases:
        assert c["level"] in LEVELS, c["id"]
        assert c["workload"] in WORKLOADS, c["id"]
        assert c["name"] and c["list"], c["id"]
    assert all(c["workload"] == "hpl" for c in cases if c["level"] == "system")


def test_measured_cases_cite_a_power_with_source_year_and_edition(cases):
    for c in measured(cases):
        mp = c["measured_power"]
        assert power_kw(mp) > 0, c["id"]
        assert mp["source"].strip() and isinstance(mp["year"], int), c["id"]
        assert 2000 <= mp["year"] <= 2030, c["id"]
        if c["level"] == "system":
            assert re.fullmatch(r"(TOP500|Green500) (June|November) \d{4}", c["list"]), c["id"]
            assert c["list"].split()[-1] == str(mp["year"]), c["id"]


def test_skipped_cases_give_a_reason_and_no_measurement(cases):
    skipped = [c for c in cases if "skip" in c]
    for c in skipped:
        assert "measured_power" not in c, c["id"]
        assert len(c["skip"]) > 20, c["id"]
    # A data set with most systems skipped validates nothing; keep the measured ones a majority.
    assert len(skipped) < len(SYSTEMS) / 2


def test_rmax_and_rpeak_read_as_flop_rates(cases):
    for c in cases:
        for key in ("rmax", "rpeak"):
            if key in c:
                assert QUANTITY.match(c[key]["value"]).group(2).endswith("Flop/s"), c["id"]
                assert c[key]["source"] and isinstance(c[key]["year"], int), c["id"]
        if "rmax" in c and "rpeak" in c:
            assert float(c["rmax"]["value"].split()[0]) < float(c["rpeak"]["value"].split()[0])


def test_urls_have_a_scheme(cases):
    for c in cases:
        for value in c.values():
            if isinstance(value, dict) and "url" in value:
                assert value["url"].startswith("https://"), c["id"]


def test_accelerators_exist_in_the_catalog(cases):
    catalog = load_catalog()
    for c in cases:
        assert catalog.get("accelerator", c["accelerator"]), c["id"]


def test_counts_are_positive_whole_numbers(cases):
    for c in cases:
        for key in ("gpus", "nodes"):
            if key in c:
                assert isinstance(c[key], int) and not isinstance(c[key], bool), c["id"]
                assert c[key] >= 1, c["id"]
        if "gpus" in c and "nodes" in c:
            assert c["gpus"] % c["nodes"] == 0, f"{c['id']}: accelerators not whole per node"
    for c in measured(cases):
        assert "gpus" in c and "nodes" in c, c["id"]


def test_system_power_per_accelerator_is_plausible(cases):
    low, high = PER_ACCELERATOR_KW
    for c in measured(cases):
        if c["level"] == "system":
            per = power_kw(c["measured_power"]) / c["gpus"]
            assert low <= per <= high, f"{c['id']}: {per:.3f} kW per accelerator"


def test_power_per_accelerator_band_rejects_a_slipped_digit(cases):
    # The band must be able to fail: Perlmutter with its power a factor of ten off, either way.
    perlmutter = by_id(cases)["perlmutter"]
    per = power_kw(perlmutter["measured_power"]) / perlmutter["gpus"]
    assert not PER_ACCELERATOR_KW[0] <= per / 10
    assert not per * 10 <= PER_ACCELERATOR_KW[1]


def test_h100_trace_case_matches_the_shipped_measurement(cases):
    # The accelerator case restates specs/measurements/h100-sxm-2026-11-26.toml; they must agree.
    with open(MEASUREMENT, "rb") as fh:
        m = tomllib.load(fh)["measurement"]
    matmul, memory = by_id(cases)["dcpower-h100-sxm-trace-matmul"], by_id(cases)["dcpower-h100-sxm-trace-memory"]
    assert matmul["measured_power"]["value"] == m["matmul_power_median"]["value"]
    assert memory["measured_power"]["value"] == m["memory_bound_power_median"]["value"]
    for c in (matmul, memory):
        assert c["accelerator"] == m["accelerator"] and c["gpus"] == 1


def test_latif_node_case_is_one_eight_gpu_node_below_its_rating(cases):
    # Latif et al., IEEE Access 13 (2025): about 8.4 kW measured against a 10.2 kW rating.
    c = by_id(cases)["latif-8xh100-node"]
    assert (c["gpus"], c["nodes"], c["workload"]) == (8, 1, "training")
    assert power_kw(c["measured_power"]) == pytest.approx(8.4)
    assert power_kw(c["measured_power"]) < 10.2
