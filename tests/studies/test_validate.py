"""dcpower validate: the shipped measurements, rerun; the error goal; failures reported, not skipped."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dcpower.cli import main
from dcpower.studies.validate import EPOCH_FACTOR, validate
from dcpower.units import Q_

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shipped():
    return validate(samples=200)


def test_median_error_beats_both_simple_methods(shipped):
    m = shipped.median_abs_error()
    # dcpower must beat both simple methods on the shipped set, by a wide margin, and meet the
    # goal of a median of 10 %: with the operators' published power settings and node
    # descriptions (docs/validation.md) the model lands at about 5 % over 15 systems and 18 cases.
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
    assert "leave-one-out (each system against the pair fitted to the other 14)" in r.stdout


def test_leave_one_out_is_no_better_than_the_fit_on_the_same_systems():
    # A system left out of the fit cannot be matched better on average than when it helped
    # choose the pair: the in-sample pair minimises the mean absolute error over all of them.
    import statistics

    tool = _fit_tool()
    ids, measured, grid = tool.estimates_on_grid()
    i, j = tool.best_on_grid(abs(grid / measured[:, None, None] - 1))
    in_sample = abs(grid[:, i, j] / measured - 1)
    loo = tool.leave_one_out()
    assert set(loo) == set(ids) and len(ids) == 15
    assert statistics.mean(abs(v) for v in loo.values()) >= statistics.mean(in_sample) - 1e-4  # ties rounded at 1e-6


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
    # tools/fit_hpl_power.py compares the systems' implied shares with the triangle, the uniform
    # cut off at 1.0 and the uniform censored there, and names the closest (Kolmogorov-Smirnov:
    # 0.27 censored, 0.29 triangle, 0.31 cut off, as it prints); --check holds the catalog to it.
    from dcpower.catalog.loader import load_catalog
    sv = load_catalog().get("workload", "hpl").accelerator_busy_power
    assert sv.distribution == "uniform" and sv.at_high and 0 < sv.at_high < 0.2


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


def _fit_tool():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
    try:
        import fit_hpl_power
    finally:
        sys.path.pop(0)
    return fit_hpl_power


def test_the_share_range_is_the_unbiased_estimate_of_the_spread_ends():
    # Shares 0.6, 0.7, 0.8, 1.2 (capped at 1): n = 4, min 0.6, max 1.0, so each end widens by
    # (1.0 - 0.6)/3 = 0.133: 0.467 to 1.133. The limit holds what lies above 1.0 at 1.0:
    # (1.133 - 1)/(1.133 - 0.467) = 0.2 of the spread.
    spread_ends = _fit_tool().spread_ends
    assert spread_ends([0.6, 0.7, 0.8, 1.2]) == (0.47, 1.0, 0.2)
    assert spread_ends([0.5, 0.6, 0.7]) == (0.4, 0.8, 0.0)  # (0.7 - 0.5)/2 = 0.1 each side


def test_a_censored_spread_meets_shares_at_the_limit_from_both_sides():
    # Shares 0.5, 0.75, 1, 1: the uniform on [0.5, 1] puts its whole last quarter of mass just
    # below 1, so its distance to the shares' steps is the gap at 0.75 and below 1 (0.5 left at
    # the two shares on the limit); a uniform with half its mass held at 1 meets that step.
    tool = _fit_tool()
    best, d = tool.closer_distribution([0.5, 0.75, 1.0, 1.0], 0.5, 0.75, 1.0, at_high=0.5)
    assert d["uniform"] == pytest.approx(0.5)
    assert d["uniform, censored at 1.0"] == pytest.approx(0.25)
    assert best == "uniform, censored at 1.0"


def test_draws_of_a_censored_uniform_hold_their_share_at_the_limit():
    import numpy as np

    from dcpower.studies.uncertainty import Parameter, draw

    p = Parameter("workload.accelerator_busy_power", 0.84, 0.51, 1.0, "", "test", "uniform", at_high=0.06)
    x = draw(np.random.default_rng(1), p, 200_000)
    assert np.mean(x == 1.0) == pytest.approx(0.06, abs=0.003)
    assert x.min() >= 0.51 and x.max() <= 1.0
    below = x[x < 1.0]  # the rest is uniform over the range: its mean is the middle
    assert below.mean() == pytest.approx((0.51 + 1.0) / 2, abs=0.002)


@pytest.mark.parametrize("extra, words", [
    ({"at_high": 0.1}, "needs distribution"),
    ({"at_high": 1.0, "distribution": "uniform"}, "less than 1"),
])
def test_at_high_belongs_to_a_uniform_spread(extra, words):
    from pydantic import ValidationError

    from dcpower.catalog.models import SpecValue

    with pytest.raises(ValidationError, match=words):
        SpecValue.model_validate({"value": 0.8, "low": 0.5, "high": 1.0, "source": "test", "year": 2026, **extra})


def test_an_instantaneous_peak_is_set_beside_the_top_of_a_training_step(shipped):
    # The Latif node's 8.4 kW is the largest instantaneous sample of a training run: compared with
    # 8 GPUs at the instantaneous peak of the measured H100 training swing (867.9 W, p95 of
    # power.draw.instant, specs/equipment.toml h100-sxm-training) and the host at the training
    # workload's busy load, through the PSUs at that load; not with the steady busy power.
    from dcpower.catalog.loader import load_catalog, read_toml
    from dcpower.chain import steps
    from dcpower.chain.resolve import resolve
    from dcpower.studies import validate as V

    cat = load_catalog()
    entry = next(e for e in read_toml(V.validation_file())["case"] if e["id"] == "latif-8xh100-node")
    assert entry["statistic"] == "instantaneous peak"
    r = resolve(V._scenario(entry, cat, ()), catalog=cat)
    it = steps.it_load_step(r)
    dc = 8 * 867.9 + it.host_busy.to("W").magnitude
    expected = dc / float(steps.psu_efficiency(r, Q_(dc, "W")))
    case = next(c for c in shipped.cases if c.id == "latif-8xh100-node")
    assert case.estimate == pytest.approx(expected, rel=1e-6)
    assert case.estimate > float(V._compared_power(r, "node")[0]) + 8 * (867.9 - 700) * 0.9
    assert case.to_dict()["statistic"] == "instantaneous peak"


@pytest.mark.parametrize("level, statistic, words", [
    ("node", "maximum", "is not one of: mean, instantaneous peak"),
    ("system", "instantaneous peak", "node or accelerator level only"),
])
def test_a_statistic_that_cannot_be_compared_is_a_failure(tmp_path, level, statistic, words):
    data = tmp_path / "cases.toml"
    data.write_text(textwrap.dedent(f"""
        [[case]]
        id = "peak"
        name = "A peak the model cannot compare"
        level = "{level}"
        statistic = "{statistic}"
        workload = "training"
        accelerator = "h100-sxm"
        gpus = 8
        list = "test"
        measured_power = {{ value = "8 kW", source = "test data", year = 2026 }}
    """))
    v = validate(data, samples=0)
    assert [c.id for c in v.failures] == ["peak"] and words in v.failures[0].failure


def test_an_accelerator_without_a_measured_swing_has_no_peak(tmp_path):
    data = tmp_path / "cases.toml"
    data.write_text(textwrap.dedent("""
        [[case]]
        id = "mi300x-peak"
        name = "An MI300X node's peak (no swing measured for it)"
        level = "node"
        statistic = "instantaneous peak"
        workload = "training"
        accelerator = "mi300x"
        gpus = 8
        list = "test"
        measured_power = { value = "8 kW", source = "test data", year = 2026 }
    """))
    v = validate(data, samples=0)
    assert v.failures and "no measured training swing for 'mi300x'" in v.failures[0].failure


def test_a_narrowed_spread_no_longer_reaches_the_limit():
    # --spread 0.5 halves the range about the value: its high end is no longer the accelerators'
    # limit, so no draws are held there; at the catalog's range (or wider, clipped at the share's
    # bound of 1) they are.
    from dcpower.catalog.bounds import Dim
    from dcpower.catalog.loader import load_catalog
    from dcpower.studies.uncertainty import parameter_of

    sv = load_catalog().get("workload", "hpl").accelerator_busy_power
    share = Dim("[dimensionless]", 0, 1, what="a share")
    assert parameter_of("s", sv, 1.0, share).at_high == sv.at_high
    assert parameter_of("s", sv, 2.0, share).at_high == sv.at_high
    assert parameter_of("s", sv, 0.5, share).at_high == 0.0


def test_a_case_without_a_measurement_says_what_to_add(tmp_path):
    data = tmp_path / "cases.toml"
    data.write_text(textwrap.dedent("""
        [[case]]
        id = "unmeasured"
        level = "node"
        accelerator = "h100-sxm"
        gpus = 8
    """))
    v = validate(data, samples=0)
    assert "no measured_power; add measured_power = {" in v.failures[0].failure


def test_a_case_without_a_gpu_count_names_the_key(tmp_path):
    data = tmp_path / "cases.toml"
    data.write_text(textwrap.dedent("""
        [[case]]
        id = "uncounted"
        level = "node"
        accelerator = "h100-sxm"
        measured_power = { value = "8 kW", source = "test data", year = 2026 }
    """))
    v = validate(data, samples=0)
    assert "the case has no 'gpus'; a case needs accelerator, gpus and measured_power" in v.failures[0].failure


def test_a_setting_no_case_can_take_is_one_error(capsys):
    # An out-of-range --set is the same for every case: one line, exit 2, not 18 failures.
    assert main(["validate", "--samples", "0", "--set", "workload.host_busy_load=2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "host_busy_load" in err[0]


@pytest.mark.parametrize("argv", [["validate", "--seed", "-1"], ["estimate", "--uncertainty", "20", "--seed", "-1"]])
def test_a_negative_seed_is_refused(argv, capsys):
    assert main(argv) == 2
    assert "--seed" in capsys.readouterr().err


def test_a_data_path_that_is_no_path_is_an_input_error():
    from dcpower.errors import InputError

    with pytest.raises(InputError, match="validate needs the path of a validation TOML file, got 5"):
        validate(5, samples=0)


_CASE = """
[[case]]
id = "x"
name = "A Perlmutter-like case"
accelerator = "a100-sxm"
gpus = 6144
measured_power = { value = "2589 kW", source = "test data", year = 2026 }
"""


@pytest.mark.parametrize("change, words", [
    # each ran: 0 and -5 GPUs gave 0 kW and -2.16 kW, a negative measurement an error of -57,437 %,
    # an unknown level or key was compared as a system, "5 kg" escaped as a pint DimensionalityError
    (("gpus = 6144", "gpus = 0"), "field 'gpus': 0 is out of range: must be at least 1"),
    (("gpus = 6144", "gpus = -5"), "field 'gpus': -5 is out of range"),
    (("gpus = 6144", 'gpus = "abc"'), "'abc' is not a whole number"),
    (('"2589 kW"', '"-5 kW"'), "'-5 kW' is not in the range of a measured power (above 0 W)"),
    (('"2589 kW"', '"5 kg"'), "'5 kg' is not a power"),
    (('measured_power = { value = "2589 kW", source = "test data", year = 2026 }', 'measured_power = "2589 kW"'),
     "measured_power '2589 kW' needs its source"),
    (("gpus = 6144", 'gpus = 6144\nlevel = "rack"'), "level 'rack' is not one of: system, node, accelerator"),
    (("gpus = 6144", "gpus = 6144\nlevel2 = 1"), "unknown key 'level2'; did you mean level"),
])
def test_a_careless_case_fails_with_its_reason(tmp_path, change, words):
    data = tmp_path / "cases.toml"
    data.write_text(_CASE.replace(*change))
    v = validate(data, samples=0)
    assert [c.id for c in v.failures] == ["x"] and words in v.failures[0].failure, v.failures[0].failure


def test_duplicate_case_ids_are_refused(tmp_path):
    from dcpower.errors import InputError

    data = tmp_path / "cases.toml"
    data.write_text(_CASE + _CASE)
    with pytest.raises(InputError, match="case id 'x' is given twice"):
        validate(data, samples=0)


def test_no_bands_says_so_instead_of_blank_figures(capsys):
    # --samples 0 printed "measured inside dcpower's P5-P95 in  of 18 cases; median band half-width  (0 samples"
    assert main(["validate", "--samples", "0"]) == 0
    out = capsys.readouterr().out
    assert "no P5-P95 bands: run with --samples 20 or more" in out and "P5-P95 in  of" not in out


def test_too_few_samples_for_a_band_are_refused(capsys):
    assert main(["validate", "--samples", "5"]) == 2
    assert "5 samples cannot give a P5-P95 band; it needs at least 20" in capsys.readouterr().err
