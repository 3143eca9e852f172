"""The electrical chain at part load: no-load losses, the stages upstream of the LV load, PSUs."""

import dataclasses

import numpy as np
import pytest

import dcpower
from dcpower.chain import steps
from dcpower.chain.estimate import estimate_resolved
from dcpower.chain.resolve import resolve
from dcpower.units import Q_


def test_pue_rises_at_low_utilization():
    # The UPS, transformers and substation are sized for the design load and draw their no-load
    # losses (magnetising the transformer cores, UPS control and fans) whatever the load, so at
    # light load these fixed losses are a larger share of a smaller IT load (Rasmussen, Schneider
    # Electric White Paper 113: no-load losses dominate at low load). Memphis default otherwise.
    low = dcpower.estimate(utilization=0.2, sizing=False)
    full = dcpower.estimate(utilization=1.0, sizing=False)
    assert low.pue.magnitude > full.pue.magnitude
    share = [(r.electrical_losses_average / r.it_power_average).to("").magnitude for r in (low, full)]
    assert share[0] > share[1]


def test_upstream_stages_lose_and_balance():
    # MV switchgear and cabling and the HV/MV substation add losses above the MV/LV transformers;
    # every stage's loss leaves as heat, so facility power still equals heat out every hour.
    r = resolve()
    with_all = estimate_resolved(r, sizing=False)
    bare = estimate_resolved(dataclasses.replace(r, mv_distribution=None, hv_transformer=None), sizing=False)
    up = with_all.chain.design.upstream
    assert set(up.losses) == {"transformer", "mv_distribution", "hv_transformer"}
    assert all(float(np.max(v.magnitude)) > 0 for v in up.losses.values())
    assert with_all.facility_power > bare.facility_power
    assert np.allclose(with_all.hourly["facility_power"].magnitude, with_all.hourly["heat_out"].magnitude, rtol=1e-9)


def test_each_stage_carries_the_stage_below():
    # the substation transformer carries the load plus the MV/LV and MV losses below it
    r = resolve()
    load = Q_(np.array([[100e6]]), "W")
    up = steps.grid_side_step(r, load, None)
    rating = (load + up.losses["transformer"] + up.losses["mv_distribution"]) / 0.5  # design_loading 0.5
    assert up.ratings["hv_transformer"].magnitude == pytest.approx(rating.magnitude)
    # its loss at x = 0.5: S (P0/S + Pk/S 0.25), with the catalog's P0/S and Pk/S
    hv = r.hv_transformer
    expected = rating * (hv.no_load_loss.quantity.magnitude + hv.load_loss.quantity.magnitude * 0.25)
    assert up.losses["hv_transformer"].magnitude == pytest.approx(expected.magnitude)


def test_psu_efficiency_follows_the_load_of_each_psu():
    # DGX H100: 6 x 3.3 kW PSUs sharing the load (NVIDIA DGX H100/H200 User Guide) on the
    # 80 PLUS Titanium curve: at 10 % of the 19.8 kW installed the curve gives ~0.89 (the
    # program minimum there is 0.90), near half load ~0.96.
    r = resolve(settings={"server": "dgx-h100", "cooling": "air-chiller"})  # the DGX is air-cooled
    light = steps.psu_efficiency(r, Q_(1980.0, "W"))
    half = steps.psu_efficiency(r, Q_(9900.0, "W"))
    assert light == pytest.approx(0.90, abs=0.015) and half == pytest.approx(0.96, abs=0.005)
    assert light < half


def test_psu_without_a_published_count_uses_the_fixed_efficiency():
    # the Memphis server publishes four redundant PSUs but not their rating
    r = resolve()
    assert r.server.psu_rating is None
    assert steps.psu_efficiency(r, Q_(5000.0, "W")) == r.server.psu_efficiency.quantity.magnitude


def test_ups_efficiency_sets_the_level_of_its_curve():
    # the UPS's efficiency is its value at half load and scales the curve's losses: a lower one
    # loses more at every load, and the tornado keeps the UPS's range
    r = resolve()
    assert "ups-double-conversion.efficiency" in r.ranged_values()
    base = estimate_resolved(r, sizing=False)
    worse = estimate_resolved(r.with_values({"ups-double-conversion.efficiency": [0.94]}), sizing=False)
    assert np.all(worse.chain.hourly.side.ups_loss.magnitude > base.chain.hourly.side.ups_loss.magnitude)


def test_none_leaves_an_upstream_stage_out():
    r = resolve(settings={"electrical.hv_transformer": "none", "electrical.mv_distribution": "none"})
    assert r.hv_transformer is None and r.mv_distribution is None
    up = estimate_resolved(r, sizing=False).chain.design.upstream
    assert set(up.losses) == {"transformer"}
