"""Pictures: each plot renders to PNG and SVG, whole or not at all, with one-line errors."""

import pytest

pytest.importorskip("matplotlib")

import dcpower  # noqa: E402
from dcpower.output import plot  # noqa: E402
from dcpower.cli import main  # noqa: E402
from dcpower.errors import InputError  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _check_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 10_000
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  # no temporary left


@pytest.fixture(scope="module")
def memphis():
    return dcpower.estimate(gpus=20_000)


def test_sankey_png_and_svg(memphis, tmp_path):
    _check_png(plot.sankey(memphis, tmp_path / "s.png"))
    svg = plot.sankey(memphis, tmp_path / "s.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg


def test_monthly(memphis, tmp_path):
    m = plot.monthly_table(memphis)
    assert len(m["pue"]) == 12
    # the months add up to the year's water
    assert m["water"].sum() == pytest.approx(memphis.annual_water.to("m^3").magnitude, rel=1e-9)
    _check_png(plot.monthly(memphis, tmp_path / "m.png"))


def test_sweep_and_tornado(tmp_path):
    sw = dcpower.sweep("gpus", 1_000, 20_000, steps=3)
    _check_png(plot.sweep_curves(sw, tmp_path / "w.png"))
    u = dcpower.uncertainty(samples=1, gpus=20_000)
    _check_png(plot.tornado(u, tmp_path / "t.png"))


@pytest.mark.parametrize("cmd", [["sankey"], ["monthly"], ["tornado"], ["sweep", "--gpus", "1000..5000", "--steps", "3"]])
def test_cli_plots(tmp_path, capsys, cmd):
    out = tmp_path / f"{cmd[0]}.png"
    assert main(["plot", *cmd, "--scenario", "memphis", "-o", str(out)] if cmd[0] != "sweep"
                else ["plot", *cmd, "-o", str(out)]) == 0
    _check_png(out)


@pytest.mark.parametrize("target, message", [
    ("missing-dir/x.png", "does not exist"),
    ("x.pdf", ".png or .svg"),
])
def test_cli_bad_output(tmp_path, capsys, target, message):
    assert main(["plot", "sankey", "-o", str(tmp_path / target)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())


def test_failed_write_leaves_old_file_whole(tmp_path, monkeypatch, memphis):
    out = tmp_path / "keep.png"
    out.write_bytes(b"old")

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    import os

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(InputError, match="No space left"):
        plot.sankey(memphis, out)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.png"]
