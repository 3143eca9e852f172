"""The dcpower output quoted in README.md and docs/*.md is what dcpower prints today.

Every block between a `<!-- dcpower ... -->` marker and `<!-- end -->` is rerun in-process and
compared; docs/assumptions.md is compared with what tools/list_assumptions.py writes. When one
fails, run python tools/build_docs.py and review the diff.
"""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FIX = "run python tools/build_docs.py"

if not README.is_file() or not (ROOT / "tools" / "build_docs.py").is_file():
    pytest.skip("README.md or tools/ not in this tree", allow_module_level=True)

sys.path.insert(0, str(ROOT / "tools"))
try:
    import build_docs
finally:
    sys.path.pop(0)


def _blocks():
    try:
        return build_docs.all_blocks(), None
    except build_docs.DocsError as exc:
        return [], str(exc)


BLOCKS, MARKER_ERROR = _blocks()


def test_markers_are_well_formed():
    assert MARKER_ERROR is None, MARKER_ERROR


def test_readme_shows_the_default_estimate():
    commands = [b.command for b in BLOCKS if b.path == README]
    assert "dcpower estimate --gpus 100000" in commands


@pytest.mark.parametrize("block", BLOCKS, ids=[b.where for b in BLOCKS])
def test_block_is_current(block):
    expected = build_docs.render_block(block.command, build_docs.run_command(block.command))
    assert block.body == expected, f"{block.where}: output of '{block.command}' is stale: {FIX}"


def test_assumptions_doc_is_current():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import list_assumptions
    finally:
        sys.path.pop(0)
    doc = list_assumptions.DOC
    assert doc.is_file(), f"docs/assumptions.md is missing: {FIX}"
    assert doc.read_text(encoding="utf-8") == list_assumptions.document(), f"docs/assumptions.md is stale: {FIX}"


UNITS = r"(?:MWh|MW|GWh|kWh|kW|W|MVA|kVA|Mgal|gal|m\^?3|L/kWh|L/s|gpm|TR|tons?|USD|tCO2|h|degC|K|%)"
RESULT_FIGURE = re.compile(rf"\b\d[\d,]*(?:\.\d+)?\s?{UNITS}(?![\w/^])|\b\d[\d,]*\.\d+\b")


def _prose(text: str) -> list[tuple[int, str]]:
    """README lines outside generated blocks, code fences and tables, inline code removed."""
    out, skip, fence = [], False, False
    for n, line in enumerate(text.splitlines(), 1):
        if build_docs.START.match(line):
            skip = True
        elif build_docs.END.match(line):
            skip = False
        elif line.startswith("```"):
            fence = not fence
        elif not (skip or fence or line.startswith("|")):
            out.append((n, re.sub(r"`[^`]*`", "", line)))
    return out


def test_readme_prose_quotes_no_result():
    """Figures dcpower computes appear only in generated blocks; tables quote published figures."""
    found = [f"README.md:{n}: {m.group(0)!r}" for n, line in _prose(README.read_text(encoding="utf-8"))
             for m in RESULT_FIGURE.finditer(line) if not line[:m.start()].endswith("Python ")]
    assert not found, f"put these in a generated block (<!-- dcpower ... -->) or drop them: {found}"


def test_readme_library_example_runs():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Library"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    exec(compile(code, "README.md (Library)", "exec"), {})
