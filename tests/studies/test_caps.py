"""Every study is capped on every entry path, command line and library alike, and the message
says the cap (sweep.MAX_STEPS, variants.MAX_VARIANTS, uncertainty.MAX_SAMPLES)."""

import time

import pytest

import dcpower
from dcpower.cli import main
from dcpower.errors import InputError
from dcpower.studies.sweep import MAX_STEPS
from dcpower.studies.uncertainty import MAX_SAMPLES
from dcpower.studies.variants import MAX_VARIANTS


def _cli_error(capsys, *argv) -> str:
    assert main(list(argv)) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    return err


def test_sweep_steps(capsys):
    assert f"2 to {MAX_STEPS:,} steps" in _cli_error(capsys, "sweep", "--gpus", "1000..2000", "--steps", "1000000")
    with pytest.raises(InputError, match=f"2 to {MAX_STEPS:,} steps"):
        dcpower.sweep("gpus", 1000, 2000, steps=1_000_000)
    with pytest.raises(InputError, match=f"the {MAX_STEPS:,} a sweep takes"):
        dcpower.sweep("gpus", values=list(range(1, MAX_STEPS + 2)))


def test_uncertainty_samples(capsys):
    assert f"{MAX_SAMPLES}" in _cli_error(capsys, "estimate", "--uncertainty", "100000000")
    with pytest.raises(InputError, match=f"1 to {MAX_SAMPLES:,} samples"):
        dcpower.uncertainty(samples=100_000_000)


def test_compare_variants_are_counted_before_they_are_built(capsys):
    many = ",".join(str(1000 + i) for i in range(1000))
    t = time.perf_counter()
    with pytest.raises(InputError, match=f"1,000,000,000 variants is more than the {MAX_VARIANTS:,}"):
        dcpower.compare(vary={"gpus": many.split(","), "utilization": [str(i / 1000) for i in range(1, 1001)],
                              "pue": [str(1 + i / 1000) for i in range(1000)]})
    assert time.perf_counter() - t < 5  # a billion combinations were never listed
    err = _cli_error(capsys, "compare", "--vary", f"gpus={many}", "--vary", "cooling=air-chiller,dlc-tower")
    assert f"2,000 variants is more than the {MAX_VARIANTS:,}" in err


def test_compare_scenario_count(capsys):
    err = _cli_error(capsys, "compare", *(["memphis"] * (MAX_VARIANTS + 1)))
    assert f"{MAX_VARIANTS + 1:,} scenarios is more than the {MAX_VARIANTS:,}" in err
