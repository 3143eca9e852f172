"""dcpower validate: the shipped measurements, rerun; the error goal; failures reported, not skipped."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dcpower.cli import main
from dcpower.studies.validate import EPOCH_FACTOR, validate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shipped():
    return validate(samples=200)


def test_median_error_beats_both_simple_methods(shipped):
    m = shipped.median_abs_error()
    # dcpower must beat both simple methods on the shipped set, by a wide margin, and meet the
    # goal of a median of 10 %: with the operators' published power settings and node
    # descriptions (docs/validation.md) the model lands at about 8 % over 15 systems and 18 cases.
    assert m["dcpower"] <= 0.10
    assert m["dcpower"] < 0.5 * m["tdp_x_n"] and m["dcpower"] < m["epoch"]
    assert not shipped.failures


def test_every_compared_case_has_its_numbers(shipped):
    assert len(shipped.compared) >= 12
    for c in shipped.compared:
        assert c.measured > 0 and c.estimate > 0 and c.p5 <= c.estimate * 1.5 and c.p5 < c.p95
        assert c.epoch == pytest.approx(EPOCH_FACTOR * c.tdp_x_n)
        assert c.list and c.source
    # the two simple methods from their definition: Perlmutter, 6,144 A100 SXM at 400 W (NVIDIA datasheet)
    perl = next(c for c in shipped.cases if c.id == "perlmutter")
    assert perl.tdp_x_n == pytest.approx(6144 * 400)


def test_json_document(capsys):
    assert main(["validate", "--format", "json", "--samples", "50"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert set(d["median_abs_error"]) == {"dcpower", "tdp_x_n", "epoch"}
    assert 0 <= d["coverage"] <= 1 and d["median_half_width"] > 0
    case = next(c for c in d["cases"] if c["measured"] is not None)
    assert {"name", "accelerator", "gpus", "measured", "estimate", "error", "p5", "p95", "tdp_x_n", "epoch"} <= set(case)
    assert case["error"] == pytest.approx(case["estimate"] / case["measured"] - 1, abs=1e-3)
    # docs/validation.md names the document's top-level keys; they are these
    doc = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    for key in d:
        assert f'"{key}"' in doc, key


def test_a_case_that_cannot_be_reproduced_is_a_failure(tmp_path, capsys):
    data = tmp_path / "cases.toml"
    data.write_text(textwrap.dedent("""
        [[case]]
        id = "broken"
        name = "A node whose server is not in the catalog"
        level = "node"
        workload = "training"
        accelerator = "h100-sxm"
        server = "no-such-server"
        gpus = 8
        list = "test"
        measured_power = { value = "8 kW", source = "test data", year = 2026 }
    """))
    v = validate(data, samples=0)
    assert [c.id for c in v.failures] == ["broken"] and "no-such-server" in v.failures[0].failure
    assert main(["validate", "--data", str(data), "--samples", "0"]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_the_fitted_hpl_share_is_what_the_data_set_gives():
    # tools/fit_hpl_power.py fits the one fitted parameter to the shipped data set; --check fails
    # when specs/workloads.toml no longer holds the fitted value and range
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "fit_hpl_power.py"), "--check"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "residual" in r.stdout and "mean absolute error" in r.stdout


def test_bands_do_not_depend_on_unrelated_ranged_values(monkeypatch):
    # Each ranged value draws from its own stream (seed and name), so a ranged value the case
    # never reads, present or not, leaves the band as it was.
    import numpy as np

    from dcpower.catalog.loader import load_catalog, read_toml
    from dcpower.chain.resolve import Resolved, resolve
    from dcpower.studies import validate as V

    cat = load_catalog()
    entry = next(e for e in read_toml(V.validation_file())["case"] if e["id"] == "selene")
    r = resolve(V._scenario(entry, cat, ()), catalog=cat)
    base = V._compared_power(V._sampled(r, 300, 7)[0], "system")
    every = Resolved.ranged_values
    unread = [n for n in every(r) if n.startswith("cooling.")]
    assert unread  # the cooling plant's ranged values, drawn with the server's
    monkeypatch.setattr(Resolved, "ranged_values", lambda self: {k: v for k, v in every(self).items()
                                                                 if k not in unread})
    assert np.array_equal(base, V._compared_power(V._sampled(r, 300, 7)[0], "system"))


def test_the_hpl_share_is_drawn_as_the_systems_spread():
    # tools/fit_hpl_power.py compares the systems' implied shares with the triangle and the
    # uniform distribution and names the closer (Kolmogorov-Smirnov); the catalog follows it. With
    # the HPE Cray EX hosts read from HPE's Redfish mockups the script prints triangle 0.291 against
    # uniform 0.306, so the triangle (mode at the fitted share); tools/fit_hpl_power.py --check holds
    # the catalog to whichever it names.
    from dcpower.catalog.loader import load_catalog
    sv = load_catalog().get("workload", "hpl").accelerator_busy_power
    assert sv.distribution == "triangular"


def test_variance_shares_of_a_linear_model():
    # y = 2a + b with a, b independent and of equal variance: var(y) = 4 var + var, so a explains
    # 4/5 of it and b 1/5 (the squared correlations of a linear model with independent inputs).
    import numpy as np

    from dcpower.studies.validate import variance_shares

    rng = np.random.default_rng(1)
    a, b = rng.uniform(0, 1, 200_000), rng.uniform(0, 1, 200_000)
    shares = variance_shares({"b": b, "a": a, "flat": np.full_like(a, 3.0)}, 2 * a + b)
    assert list(shares) == ["a", "b"]  # largest first; an input that does not vary has no share
    assert shares["a"] == pytest.approx(0.8, abs=0.01) and shares["b"] == pytest.approx(0.2, abs=0.01)


def test_validate_says_what_drives_the_band_width():
    # The Linpack cases' bands are mostly the HPL share, drawn over the systems' spread
    # (specs/workloads.toml, hpl); the summary names it first, with its median share of a band's
    # variance, and every case carries its own drivers.
    from dcpower.studies.validate import validate

    d = validate(samples=300).to_dict()
    drivers = d["band_drivers"]
    assert drivers[0]["input"] == "workload.accelerator_busy_power"
    assert 0.5 < drivers[0]["variance_share"] <= 1.0
    assert all(a["variance_share"] >= b["variance_share"] for a, b in zip(drivers, drivers[1:]))
    case = next(c for c in d["cases"] if c["id"] == "selene")
    assert sum(case["band_drivers"].values()) == pytest.approx(1.0, abs=0.15)  # near-linear model


def test_the_share_range_is_the_unbiased_estimate_of_the_spread_ends():
    # Shares 0.6, 0.7, 0.8, 1.2 (capped at 1): n = 4, min 0.6, max 1.0, so each end widens by
    # (1.0 - 0.6)/3 = 0.133; the high end is capped at the rating again.
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
    try:
        from fit_hpl_power import spread_ends
    finally:
        sys.path.pop(0)
    assert spread_ends([0.6, 0.7, 0.8, 1.2]) == (0.47, 1.0)
    assert spread_ends([0.5, 0.6, 0.7]) == (0.4, 0.8)  # (0.7 - 0.5)/2 = 0.1 each side
