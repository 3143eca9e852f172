"""The documentation stays true: docs/assumptions.md lists every assumption, the README keeps its
two set-up commands and stays short."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
ASSUMPTIONS = ROOT / "docs" / "assumptions.md"
README_LIMIT = 12 * 1024  # bytes: details belong in docs/, linked from "Where to go next"

pytestmark = pytest.mark.skipif(not README.is_file(), reason="README not in this tree")


def test_every_assumption_is_listed():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from list_assumptions import assumption_keys
    finally:
        sys.path.pop(0)
    assert ASSUMPTIONS.is_file(), "docs/assumptions.md is missing: run python tools/list_assumptions.py"
    text = ASSUMPTIONS.read_text(encoding="utf-8")
    missing = [key for key, _, _ in assumption_keys() if f"`{key}`" not in text]
    assert not missing, f"run python tools/list_assumptions.py; missing from docs/assumptions.md: {missing[:5]}"


def test_quick_start_commands():
    text = README.read_text(encoding="utf-8")
    assert "pip install . && dcpower estimate --gpus 100000" in text
    assert 'pip install ".[test]" && python -m pytest' in text
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install --quiet ".[test]"' in ci and "python -m pytest" in ci


def test_readme_stays_short():
    size = len(README.read_bytes())
    assert size <= README_LIMIT, f"README.md is {size:,} bytes (limit {README_LIMIT:,}): move detail to docs/"


def test_reference_quotes_the_read_limits_the_code_enforces():
    from dcpower import inputs

    text = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    assert f"TOML {inputs.MAX_TOML_BYTES // 2**20} MiB" in text
    assert f"EPW {inputs.MAX_WEATHER_BYTES // 2**20} MiB" in text

