"""The benchmark scripts still run: each once, with the fewest runs. No timing is checked here
(speed targets live in the scripts' own output); a script broken by an API change is caught."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize("script, args", [
    ("estimate_speed.py", ["--runs", "1"]),
    ("sweep_speed.py", ["--runs", "1"]),
    ("uncertainty_speed.py", ["--samples", "50", "--runs", "1"]),
])
def test_benchmark_script_runs(script, args):
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), *args], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "target" in done.stdout
