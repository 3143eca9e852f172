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


sys.path.insert(0, str(ROOT / "tools"))
try:
    import build_images
finally:
    sys.path.pop(0)

TEXT_BLOCKS = [b for b in BLOCKS if not build_images.is_image_command(b.command)]
IMAGE_BLOCKS = [b for b in BLOCKS if build_images.is_image_command(b.command)]


@pytest.mark.parametrize("block", TEXT_BLOCKS, ids=[b.where for b in TEXT_BLOCKS])
def test_block_is_current(block):
    expected = build_docs.render_block(block.command, build_docs.run_command(block.command))
    assert block.body == expected, f"{block.where}: output of '{block.command}' is stale: {FIX}"


@pytest.mark.parametrize("block", IMAGE_BLOCKS, ids=[b.where for b in IMAGE_BLOCKS])
def test_image_is_current(block):
    """The picture shows the numbers dcpower gives today (its sidecar), the file is the one drawn
    from them, and the link's text is the picture's title."""
    pytest.importorskip("matplotlib")
    r = build_images.render(block.command, block.path)
    assert build_images.problems(r) == [], f"{block.where}: {FIX}"
    assert block.body == r.body, f"{block.where}: image link is stale: {FIX}"


def test_every_image_in_the_docs_is_generated():
    """Each docs/img picture, and each picture a document shows, comes from an image block."""
    made = {(b.path.parent / build_images._target(build_images.shlex.split(b.command), b.path)[1]).resolve()
            for b in IMAGE_BLOCKS}
    on_disk = {p.resolve() for p in (ROOT / "docs" / "img").glob("*") if p.suffix in (".png", ".svg")}
    assert on_disk <= made, f"pictures no block draws: {sorted(p.name for p in on_disk - made)}"
    for f in build_docs.doc_files():
        for link in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", f.read_text(encoding="utf-8")):
            assert (f.parent / link).resolve() in made, f"{f.name}: {link} is not drawn by an image block"


def test_a_changed_number_is_caught(tmp_path, monkeypatch):
    """The image check fails when the numbers behind a picture change (here: its sidecar's)."""
    pytest.importorskip("matplotlib")
    import json
    import shutil

    block = IMAGE_BLOCKS[0]
    r = build_images.render(block.command, block.path)
    sidecar = tmp_path / r.sidecar.name
    shutil.copy(r.sidecar, sidecar)
    shutil.copy(r.image, tmp_path / r.image.name)
    d = json.loads(sidecar.read_text(encoding="utf-8"))
    d["data"]["title"] += " (old)"
    sidecar.write_text(json.dumps(d), encoding="utf-8")
    moved = build_images.Rendered(tmp_path / r.image.name, sidecar, r.picture, r.sidecar_text, r.body)
    monkeypatch.setattr(build_images, "ROOT", tmp_path)
    assert any("other numbers" in p for p in build_images.problems(moved))


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


def _spec(ident: str, category: str) -> dict:
    import json

    from click.testing import CliRunner

    from dcpower.cli import cli

    result = CliRunner().invoke(cli, ["specs", "show", ident, "--category", category, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _check_sizing_figures() -> None:
    from dcpower.physics.sizing import redundant_units
    from dcpower.units import Q_

    toml = (ROOT / "specs" / "measurements" / "h100-sxm-2026-11-26.toml").read_text(encoding="utf-8")
    for key, text in [("pattern_power_trough", "139.7 W"), ("pattern_power_peak", "867.9 W"),
                      ("pattern_period", "0.5 s"), ("pattern_duty_cycle", "0.610")]:
        assert re.search(rf'^{key} = {{ value = "{re.escape(text)}"', toml, re.M), key
    assert "mean 523.7 W" in toml
    assert round((523.7 - 139.7) / (867.9 - 139.7), 3) == 0.527  # the duty that carries the mean
    # the worked example: 10 MW of 2.5 MW units
    assert redundant_units(Q_(10, "MW"), Q_(2.5, "MW"), "N+1") == 5 and redundant_units(Q_(10, "MW"), Q_(2.5, "MW"), "2N") == 8
    site = _spec("memphis", "site")
    assert "39.9 degC" in str(site)
    scenario = (ROOT / "specs" / "scenarios" / "memphis.toml").read_text(encoding="utf-8")
    assert "design_loading = { value = 0.5," in scenario


def _check_validation_figures() -> None:
    import dcpower
    from dcpower.studies.validate import EPOCH_FACTOR

    assert EPOCH_FACTOR == 1.82
    assert 'measured_power = { value = "8.4 kW"' in (ROOT / "specs" / "validation" / "hpl.toml").read_text(encoding="utf-8")
    mi300a = _spec("mi300a", "accelerator")["max_power"]
    assert (mi300a["magnitude"], mi300a["high"]) == (550, "760 W")
    assert _spec("gh200", "accelerator")["max_power"]["magnitude"] == 1000
    servers = "".join((ROOT / "specs" / f).read_text(encoding="utf-8") for f in ("servers.toml", "servers-amd-intel.toml"))
    assert 'accelerator_power_limit = { value = "680 W"' in servers
    assert 'accelerator_power_limit = { value = "660 W", low = "624 W"' in servers
    assert _spec("ibm-ac922-v100-sierra", "server")["cpu_power"]["magnitude"] == 2 * 300
    assert _spec("ibm-ac922-v100", "server")["cpu_power"]["magnitude"] == 2 * 250
    workloads = (ROOT / "specs" / "workloads.toml").read_text(encoding="utf-8")
    assert "accelerator_busy_power = { value = 0.86," in workloads and "Marconi-100 0.64" in workloads
    sierra = next(c for c in dcpower.validate(samples=0).cases if c.id == "sierra")
    assert abs(sierra.estimate / sierra.measured - 1) < 0.01  # Sierra sits at the fitted share
    campuses = (ROOT / "specs" / "validation" / "campuses.toml").read_text(encoding="utf-8")
    assert "(29.4 degC)" in campuses
    assert "utilization = { value = 0.3, low = 0.1, high = 0.5," in campuses


# Figures in the prose of docs/planning.md, docs/reference.md, docs/sizing.md and docs/validation.md
# (outside generated blocks): each is a phrase here, checked against the catalog or the code, or a
# published rule with its source.
DOC_FIGURES = {
    "docs/planning.md": {
        "within 0.2 %": "tests/studies/test_uncertainty.py checks the binned year at rel=2e-3",
    },
    "docs/reference.md": {
        'value = "700 W"': "the example spec entry: h100-sxm max_power (checked)",
        "ASHRAE 90.1 Appendix G": "the name of a published standard",
        "more than 0.4 % of the hours (35 h, the share of the year beyond the ASHRAE 0.4 % design conditions)":
            "chain.run.UNMET_HOURS_SHARE (checked); 0.4 % of 8,760 h",
    },
    "docs/validation.md": {
        "Epoch AI's 1.82 × TDP × N": "studies.validate.EPOCH_FACTOR (checked)",
        "the Latif node's 8.4 kW": "the node case's measured_power (checked)",
        "the catalog's 550 W rating: the MI300A is configurable from 550 W to 760 W": "mi300a max_power and high (checked)",
        "modules at 680 W and CSCS caps Alps's at 660 W (624 W before March 2025), against the module's 1,000 W rating":
            "servers' accelerator_power_limit and gh200 max_power (checked)",
        "taken at the 1,000 W rating": "gh200 max_power (checked)",
        "draw 300 W per socket against the 250 W": "AC922 cpu_power of two sockets, Sierra and Marconi-100 (checked)",
        "run at about 0.86 of its rating comes out at about 0.64 there": "the fitted HPL share, Sierra's residual and Marconi-100's share (checked)",
        "lies above 1.0": "the accelerators' power limit, a share of 1",
        "holds that part at 1.0": "the accelerators' power limit, a share of 1",
        "the band's upper 5 %": "the band is P5-P95",
        "outside air below 29.4 °C": "published: Microsoft, in the campus file's note (checked)",
        "30 % utilization (Barroso and Hölzle 2007: servers spend most of their time between 10 and 50 %)":
            "the campus load's utilization and its range (checked)",
        "at 30 % utilization": "the campus load's utilization (checked)",
    },
    "docs/sizing.md": {
        "10 MW at N+1 with 2.5 MW units = 5 units (12.5 MW); 2N = 8": "checked: physics.sizing",
        "scenario's 50 % design loading": "scenario electrical.design_loading 0.5 (checked)",
        "run at or below 50 %": "published: CEC/LBNL/EPRI 2005, the design loading's source",
        "<= 70 % average load": "published: ISO 8528-1 prime power definition",
        "(1 - 0.6 %/K above 40 degC)": "generator derate of the catalog's generator set (checked)",
        "Memphis 39.9 degC": "catalog: Memphis extreme_dry_bulb (checked)",
        "(p5 139.7 W)": "catalog: h100-sxm measurement pattern_power_trough (checked)",
        "(p95 867.9 W)": "catalog: pattern_power_peak (checked)",
        "0.5 s period": "catalog: pattern_period (checked)",
        "mean 523.7 W (0.527; the achieved busy fraction was 0.61)": "catalog: the measurement's mean and duty (checked)",
    },
}


@pytest.mark.parametrize("doc", sorted(DOC_FIGURES))
def test_docs_prose_figures_are_checked(doc):
    text = " ".join(t for _, t in _prose((ROOT / doc).read_text(encoding="utf-8")))
    text = " ".join(text.split())
    for phrase in sorted(DOC_FIGURES[doc], key=len, reverse=True):
        assert phrase in text, f"{doc} no longer says {phrase!r}; update DOC_FIGURES"
        text = text.replace(phrase, " ")
    found = [m.group(0) for m in RESULT_FIGURE.finditer(text)]
    assert not found, f"{doc}: figures outside generated blocks with no check: {found}"
    if doc.endswith("reference.md"):
        from dcpower.chain.run import UNMET_HOURS_SHARE

        assert UNMET_HOURS_SHARE == 0.004 and round(UNMET_HOURS_SHARE * 8760) == 35
        assert _spec("h100-sxm", "accelerator")["max_power"]["magnitude"] == 700
    if doc.endswith("validation.md"):
        _check_validation_figures()
    if doc.endswith("sizing.md"):
        _check_sizing_figures()
        assert "2e-3" in (ROOT / "tests" / "studies" / "test_uncertainty.py").read_text(encoding="utf-8")
        gen = (ROOT / "specs" / "equipment.toml").read_text(encoding="utf-8")
        assert re.search(r'derate_temperature = \{ value = "40 degC"', gen)
        assert re.search(r'temperature_derate = \{ value = "0.006 1/K"', gen)


# ---------------------------------------------------------------- commands shown in the docs

# Command lines the docs show in code blocks (not generated output, which test_block_is_current
# reruns, nor docs/workshop.md, which tests/test_workshop.py runs): each runs as printed. Skipped:
# lines that need a file the reader makes first, a plotting library, or many Monte Carlo samples.
_SHOWN_SKIP = ("&&", ">", "my.toml", "my-specs", "plot ", "--uncertainty")


def _shown_commands() -> list[tuple[str, str]]:
    out = []
    for f in build_docs.doc_files():
        if f.name in ("workshop.md", "assumptions.md"):
            continue
        lines = f.read_text(encoding="utf-8").splitlines()
        generated = {i for b in build_docs.find_blocks(f) for i in range(b.start, b.end)}
        fence = False
        for i, line in enumerate(lines):
            if build_docs.FENCE.match(line):
                fence = not fence
                continue
            text = line.strip().split("  #")[0].strip()
            if fence and i not in generated and text.startswith("dcpower ") and not any(s in text for s in _SHOWN_SKIP):
                out.append((f"{f.relative_to(ROOT)}:{i + 1}", text))
    return out


SHOWN = _shown_commands()


@pytest.mark.parametrize("where,command", SHOWN, ids=[w for w, _ in SHOWN])
def test_command_shown_in_the_docs_runs(where, command, tmp_path, monkeypatch):
    import shlex

    from click.testing import CliRunner

    from dcpower.cli import cli

    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["-q", *shlex.split(command)[1:]])
    assert r.exit_code == 0, (where, command, r.output)


def test_the_refused_input_shown_in_the_readme_is_refused_so(capsys):
    """README's "Inputs it refuses" example, run as the console script runs it: exit status 2,
    the documented line on stderr, nothing on stdout."""
    import shlex

    from dcpower.cli import main

    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Inputs it refuses"):]
    block = re.search(r"```text\n\$ (dcpower .*)\n(Error: .*)\n```", section)
    assert block, "README's refused-input example is missing"
    code = main(shlex.split(block.group(1))[1:])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.strip() == block.group(2)
