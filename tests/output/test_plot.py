"""Pictures: each plot renders to PNG and SVG, whole or not at all, with one-line errors; they
show the estimate's own numbers, in words and units people read, with nothing on stderr."""

import itertools

import pytest

pytest.importorskip("matplotlib")

import dcpower  # noqa: E402
from dcpower.chain.result import RESULT_UNITS  # noqa: E402
from dcpower.cli import main  # noqa: E402
from dcpower.errors import InputError  # noqa: E402
from dcpower.output import plot  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _check_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 10_000
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  # no temporary left


@pytest.fixture(scope="module")
def memphis():
    return dcpower.estimate(gpus=20_000)


@pytest.fixture(scope="module")
def dry():
    return dcpower.estimate(gpus=20_000, cooling="dlc-drycooler")


def _texts(fig):
    """Every visible, non-empty text of a drawn figure with its box in pixels."""
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    found = [t for t in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_window_extent"))
             if t.get_visible() and t.get_text().strip()]
    return [(t.get_text(), t.get_window_extent(r)) for t in found]


def test_sankey_png_and_svg(memphis, tmp_path):
    _check_png(plot.sankey(memphis, tmp_path / "s.png"))
    svg = plot.sankey(memphis, tmp_path / "s.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "<text" in svg and "IT load" in svg  # text kept as text, not paths


def test_same_data_same_bytes(memphis, tmp_path):
    """No date or version in the file: a picture of the same numbers is the same file."""
    for ext in ("png", "svg"):
        a = plot.sankey(memphis, tmp_path / f"a.{ext}").read_bytes()
        b = plot.sankey(memphis, tmp_path / f"b.{ext}").read_bytes()
        assert a == b
    assert b"Date" not in b and b"Matplotlib v" not in b


def test_sankey_shows_the_estimates_numbers(memphis):
    """Every flow is the estimate's own annual mean: the sources add up to facility power, the
    cooling parts to cooling power, the losses to the electrical losses, water to water per day."""
    d = plot.sankey_data(memphis)
    into = {b: v for a, b, v in d["links"]}
    r = {k: float(memphis.results[k].to(u).magnitude) for k, u in [
        ("facility_power_average", "MW"), ("it_power_average", "MW"), ("cooling_power_average", "MW"),
        ("electrical_losses_average", "MW"), ("support_power_average", "MW"), ("water_per_day", "m^3/d")]}
    sources = sum(v for a, b, v in d["links"] if b == "supply")
    assert sources == pytest.approx(r["facility_power_average"], rel=1e-5)
    assert into["it"] == pytest.approx(r["it_power_average"], rel=1e-5)
    cooling = sum(into.get(k, 0) for k in ("fans", "pumps", "chillers", "rejection", "aux"))
    assert cooling == pytest.approx(r["cooling_power_average"], rel=1e-5)
    assert into["xfmr"] + into["ups-loss"] + into["dist"] == pytest.approx(r["electrical_losses_average"], rel=1e-5)
    assert into["light"] == pytest.approx(r["support_power_average"], rel=1e-5)
    water = sum(v for _, _, v in d["water"]["links"])
    assert water == pytest.approx(r["water_per_day"], rel=1e-5)
    assert d["water"]["unit"] == "m³/d"
    # only flows that exist: no zero links, no node without a link
    assert all(v > 0 for _, _, v in d["links"])
    linked = {x for a, b, _ in d["links"] for x in (a, b)}
    assert {n[0] for n in d["nodes"]} == linked


def test_sankey_labels_do_not_overlap_and_fill_the_canvas(memphis):
    fig = plot.draw_sankey(plot.sankey_data(memphis))
    texts = _texts(fig)
    canvas = fig.bbox
    for (a, box_a), (b, box_b) in itertools.combinations(texts, 2):
        assert not box_a.overlaps(box_b), f"labels overlap: {a!r} and {b!r}"
    for t, box in texts:
        assert canvas.x0 <= box.x0 and box.x1 <= canvas.x1 and canvas.y0 <= box.y0 and box.y1 <= canvas.y1, t
    # no label over a node's bar (the IT label stays beside its bar, not on it)
    bars = [p.get_window_extent() for ax in fig.axes for p in ax.patches if type(p).__name__ == "Rectangle"]
    for t, box in texts:
        assert not any(box.overlaps(b) for b in bars), f"label {t!r} lies over a bar"
    # the drawing spans the canvas: labels from the left edge region to the right one
    x0 = min(b.x0 for _, b in texts)
    x1 = max(b.x1 for _, b in texts)
    assert x0 < 0.1 * canvas.width and x1 > 0.85 * canvas.width
    plot.pyplot().close(fig)


def test_dry_coolers_draw_no_water(dry, tmp_path):
    assert plot.sankey_data(dry)["water"] is None
    m = plot.monthly_data(dry)
    assert m["water"] is None and m["wue"] is None and "No site water" in m["note"]
    fig = plot.draw_monthly(m)
    assert len(fig.axes) == 1  # PUE only: no empty water panels
    plot.pyplot().close(fig)


def test_monthly(memphis, tmp_path):
    m = plot.monthly_table(memphis)
    assert len(m["pue"]) == 12
    # the months add up to the year's water
    assert m["water"].sum() == pytest.approx(memphis.annual_water.to("m^3").magnitude, rel=1e-9)
    _check_png(plot.monthly(memphis, tmp_path / "m.png"))
    us = plot.monthly_data(memphis, "us")
    assert us["water_unit"] == "Mgal"
    assert sum(us["water"]) == pytest.approx(memphis.annual_water.to("Mgal").magnitude, rel=1e-5)


def _labels(fig):
    return [t for t, _ in _texts(fig)]


def test_axis_labels_are_words_with_pretty_units(memphis, dry):
    sw = dcpower.sweep("gpus", 1_000, 20_000, steps=3)
    figs = [plot.draw_sweep(plot.sweep_data(sw, ("facility_power", "pue", "water_per_day", "annual_co2"))),
            plot.draw_monthly(plot.monthly_data(memphis)), plot.draw_sankey(plot.sankey_data(memphis))]
    labels = [t for f in figs for t in _labels(f)]
    assert "Facility power [MW]" in labels and "Water per day [m³/d]" in labels and "Annual CO₂ [tCO₂]" in labels
    assert "Site water [m³]" in labels and "WUE [L/kWh]" in labels
    for t in labels:
        assert "_" not in t and "^" not in t, f"label {t!r} is not in words and pretty units"
    for f in figs:
        plot.pyplot().close(f)


def test_pretty_units_for_every_result():
    for si, us in RESULT_UNITS.values():
        for u in (si, us):
            text = plot.pretty_unit(u)
            assert "^" not in text and "**" not in text and (text or not u), (u, text)
    assert plot.pretty_unit("m^3/d") == "m³/d" and plot.pretty_unit("degC") == "°C"
    assert plot.label("cooling.cycles_of_concentration") == "Cooling: cycles of concentration"
    assert plot.label("it_power_average") == "IT power average"


def test_log_sweep_gets_log_axes():
    """A --log sweep is drawn on a log x-axis; results spanning decades on a log y-axis, PUE not."""
    log = dcpower.sweep("gpus", 1_000, 100_000, steps=4, log=True)
    d = plot.sweep_data(log, ("facility_power", "pue"))
    assert d["log_x"] is True
    assert [p["log_y"] for p in d["panels"]] == [True, False]
    fig = plot.draw_sweep(d)
    assert [ax.get_xscale() for ax in fig.axes] == ["log", "log"]
    assert [ax.get_yscale() for ax in fig.axes] == ["log", "linear"]
    plot.pyplot().close(fig)
    lin = plot.sweep_data(dcpower.sweep("gpus", 1_000, 100_000, steps=4), ("facility_power",))
    assert lin["log_x"] is False and lin["panels"][0]["log_y"] is False


def test_sweep_drops_results_zero_at_every_step():
    sw = dcpower.sweep("gpus", 1_000, 20_000, steps=3, cooling="dlc-drycooler")
    d = plot.sweep_data(sw, ("facility_power", "water_per_day"))
    assert [p["name"] for p in d["panels"]] == ["facility_power"]
    assert "Water per day" in d["note"]
    with pytest.raises(InputError, match="zero at every step"):
        plot.sweep_data(sw, ("water_per_day",))


def test_plotting_prints_nothing_on_stderr(memphis, dry, tmp_path, capfd):
    """No library noise (matplotlib's 'Ignoring fixed x limits' and the like)."""
    plot.sankey(memphis, tmp_path / "s.svg")
    plot.sankey(dry, tmp_path / "d.png")
    plot.monthly(dry, tmp_path / "m.png")
    plot.sweep_curves(dcpower.sweep("gpus", 1_000, 20_000, steps=3, log=True), tmp_path / "w.svg")
    out, err = capfd.readouterr()
    assert err == "" and out == ""


def test_sweep_and_tornado(tmp_path):
    sw = dcpower.sweep("gpus", 1_000, 20_000, steps=3)
    _check_png(plot.sweep_curves(sw, tmp_path / "w.png"))
    u = dcpower.uncertainty(samples=1, gpus=20_000)
    with plot.recording() as drawn:
        _check_png(plot.tornado(u, tmp_path / "t.png"))
    (path, data), = drawn
    assert path == tmp_path / "t.png"
    top = u.sensitivity[0]
    # the first bar is the first row of the sensitivity table, in % of nominal
    nominal = u.nominal["annual_water"]
    assert data["rows"][0]["low"]["annual_water"] == pytest.approx(
        100 * (top.at_low["annual_water"] / nominal - 1), rel=1e-5)
    assert all("_" not in r["label"] for r in data["rows"])


@pytest.mark.parametrize("cmd", [["sankey"], ["monthly"], ["tornado"], ["sweep", "--gpus", "1000..5000", "--steps", "3"]])
def test_cli_plots(tmp_path, capsys, cmd):
    out = tmp_path / f"{cmd[0]}.png"
    assert main(["plot", *cmd, "--scenario", "memphis", "-o", str(out)] if cmd[0] != "sweep"
                else ["plot", *cmd, "-o", str(out)]) == 0
    _check_png(out)
    err = capsys.readouterr().err
    assert all(line.startswith(("wrote ", "warning: ")) for line in err.splitlines()), err


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
