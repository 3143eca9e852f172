"""Grid carbon intensity is on one basis: EPA eGRID subregion output emission rates, one edition.

Every US site's grid cites the same eGRID edition and the same rate type (the subregion annual
CO2 total output emission rate), so sites compare on one basis. The utility's own delivered,
market-based rate stays available as a separate grid a scenario selects by id.
"""

from __future__ import annotations

import re
import textwrap

import pytest

import dcpower
from dcpower.catalog.loader import load_catalog

EDITION = re.compile(r"\beGRID(\d{4})\b")
RATE_TYPE = "annual CO2 total output emission rate"
US = re.compile(r"\bUSA\b")
SUBREGION = re.compile(r"\b([A-Z]{4})\b \(")  # "SRTV (SERC Tennessee Valley)"


def egrid_problems(catalog) -> list[str]:
    """What breaks the one-basis rule, for the grids of every US site in ``catalog``."""
    problems, bases = [], {}
    for site in _sites(catalog):
        if not US.search(site.location) or site.grid is None:
            continue
        grid = catalog.get("grid", site.grid)
        ci = grid.carbon_intensity
        edition = EDITION.search(ci.source)
        if edition is None or RATE_TYPE not in ci.source:
            problems.append(f"grid {grid.id} (site {site.id}) does not cite an eGRID {RATE_TYPE}: {ci.source!r}")
            continue
        sub = SUBREGION.search(ci.source)
        if sub is None or sub.group(1) not in grid.region:
            problems.append(f"grid {grid.id}: the eGRID subregion it cites is not the one its region names")
        bases[grid.id] = (edition.group(1), ci.year, ci.url)
    if len(set(bases.values())) > 1:
        problems.append(f"US grids cite different eGRID editions: {bases}")
    return problems


def _sites(catalog):
    return [catalog.get("site", i) for i in catalog.ids("site")]


def test_every_us_grid_cites_the_same_egrid_edition_and_rate_type():
    cat = load_catalog()
    assert egrid_problems(cat) == []
    sites = [s for s in _sites(cat) if US.search(s.location)]
    assert {s.id for s in sites} >= {"memphis", "ashburn", "phoenix"}


def test_memphis_is_srtv_and_the_rates_are_egrid2023():
    # EPA eGRID2023rev2 subregion annual CO2 total output emission rates (lb/MWh), summary
    # tables of June 2025: SRTV 898.079, SRVC 593.419, AZNM 703.703.
    cat = load_catalog()
    expected = {"memphis": ("SRTV", 898.079), "ashburn": ("SRVC", 593.419), "phoenix": ("AZNM", 703.703)}
    for site_id, (sub, lb_per_mwh) in expected.items():
        grid = cat.get("grid", cat.get("site", site_id).grid)
        assert sub in grid.carbon_intensity.source and "eGRID2023" in grid.carbon_intensity.source
        kg_per_kwh = grid.carbon_intensity.quantity.to("kgCO2/kWh").magnitude
        assert kg_per_kwh == pytest.approx(lb_per_mwh * 0.45359237 / 1000, rel=1e-6)


def test_a_grid_on_another_edition_is_caught(tmp_path):
    # The check must be able to fail: a user grid that overrides aps with an eGRID2022 rate.
    (tmp_path / "grids.toml").write_text(textwrap.dedent('''
        [[grid]]
        id = "aps"
        name = "Arizona Public Service"
        region = "Phoenix, AZ (eGRID subregion AZNM)"
        carbon_intensity = { value = "776.036 lbCO2/MWh", source = "US EPA eGRID2022 subregion annual CO2 total output emission rate, AZNM (WECC Southwest)", year = 2024 }
        energy_price = { value = "0.0811 USD/kWh", source = "EIA Electric Power Annual 2023", year = 2024 }
        '''))
    problems = egrid_problems(load_catalog([tmp_path]))
    assert problems and "different eGRID editions" in problems[-1]


def test_a_delivered_rate_as_a_site_grid_is_caught(tmp_path):
    # A US site that names the delivered-rate grid breaks the one basis, and the check says so.
    (tmp_path / "sites.toml").write_text(_memphis_with_grid("tva-delivered"))
    problems = egrid_problems(load_catalog([tmp_path]))
    assert any("tva-delivered" in p for p in problems)


def _memphis_with_grid(grid: str) -> str:
    from dcpower.catalog.loader import builtin_dir
    text = (builtin_dir() / "sites.toml").read_text()
    start = text.index("[[site]]")
    end = text.index("[[site]]", start + 1)
    return text[start:end].replace('grid = "tva"', f'grid = "{grid}"')


def test_tva_delivered_is_selectable_and_lowers_grid_co2():
    # TVA's delivered, market-based 2023 rate (0.283 kg/kWh) is below eGRID SRTV (0.407 kg/kWh).
    # 10,000 GPUs stay inside the 150 MW grid allocation, so the on-site turbines do not run and
    # the annual CO2 is grid energy x carbon intensity: it scales with the rate.
    cat = load_catalog()
    delivered = cat.get("grid", "tva-delivered")
    assert "eGRID" not in delivered.carbon_intensity.source and "TVA" in delivered.carbon_intensity.source
    base = dcpower.estimate(gpus=10_000)
    alt = dcpower.estimate(gpus=10_000, settings={"grid": "tva-delivered"})
    assert alt.value("grid_energy").magnitude == pytest.approx(base.value("grid_energy").magnitude)
    ratio = (delivered.carbon_intensity.quantity / cat.get("grid", "tva").carbon_intensity.quantity).to("").magnitude
    assert alt.value("annual_co2").magnitude == pytest.approx(base.value("annual_co2").magnitude * ratio, rel=1e-6)
