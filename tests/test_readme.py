"""The README stays true: its assumption list is complete and its two set-up commands exist."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

pytestmark = pytest.mark.skipif(not README.is_file(), reason="README not in this tree")


def test_every_assumption_is_listed():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from list_assumptions import assumption_keys
    finally:
        sys.path.pop(0)
    text = README.read_text(encoding="utf-8")
    missing = [key for key, _, _ in assumption_keys() if f"`{key}`" not in text]
    assert not missing, f"run tools/list_assumptions.py and update the README; missing: {missing[:5]}"


def test_quick_start_commands():
    text = README.read_text(encoding="utf-8")
    assert "pip install . && dcpower estimate --gpus 100000" in text
    assert 'pip install ".[test]" && python -m pytest' in text
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install --quiet ".[test]"' in ci and "python -m pytest" in ci
