"""Transformer losses in specs/electrical.toml against the tables they are taken from.

The expected numbers are recomputed from the documents' own rows, so a value typed wrongly into
the catalog, or a split that no longer reproduces the regulated efficiency, fails here.
"""

from __future__ import annotations

import math

import pytest

from dcpower.catalog.loader import load_catalog


def _spec(ident):
    return load_catalog().get("electrical", ident)


def _efficiency(p0, pk, x):
    # output over input at per-unit load x, unity power factor: x / (x + P0/S + x^2 Pk/S)
    return x / (x + p0 + x * x * pk)


def test_mv_transformer_split_reproduces_the_doe_minimum_at_half_load():
    # 10 CFR 431.196(b)(2), three-phase liquid-immersed, 2500 kVA row: 99.53 % at 50 % per-unit load
    # (units made from 1 Jan 2016 until 23 Apr 2029).
    t = _spec("mv-transformer")
    p0, pk = t.no_load_loss.quantity.magnitude, t.load_loss.quantity.magnitude
    assert _efficiency(p0, pk, 0.5) == pytest.approx(0.9953, abs=5e-6)
    # the split follows Schneider Electric FAQ FA132857's 1000 kVA example: 12,500 W / 1,340 W
    assert pk / p0 == pytest.approx(12500 / 1340, rel=0.01)


def test_lv_transformer_minimum_and_its_2029_successor():
    # 10 CFR 431.196(a)(2) 1000 kVA three-phase 99.28 %; (a)(3), from 23 Apr 2029, 99.42 %
    eff = _spec("lv-transformer").efficiency
    assert (eff.quantity.magnitude, eff.high_quantity.magnitude) == (0.9928, 0.9942)
    assert not eff.is_assumption and eff.year == 2016


def test_substation_transformer_from_the_pandapower_63_mva_type():
    # pandapower basic standard types, "63 MVA 110/20 kV": pfe_kw = 22, vkr_percent = 0.32.
    # Range from the same table: 25 MVA 110/20 kV 14 kW and 0.41 %; 100 MVA 220/110 kV 55 kW and 0.26 %.
    t = _spec("hv-substation-transformer")
    p0, pk = t.no_load_loss, t.load_loss
    assert not p0.is_assumption and not pk.is_assumption and "pandapower" in p0.source
    assert p0.quantity.magnitude == pytest.approx(22 / 63e3, rel=2e-3)
    assert pk.quantity.magnitude == pytest.approx(0.32 / 100)
    assert p0.high_quantity.magnitude == pytest.approx(14 / 25e3)
    assert (pk.low_quantity.magnitude, pk.high_quantity.magnitude) == pytest.approx((0.26 / 100, 0.41 / 100))
    # peak efficiency index 1 - 2 sqrt(P0 Pk) / S, the figure of Commission Regulation (EU) 548/2014
    pei = 1 - 2 * math.sqrt(p0.quantity.magnitude * pk.quantity.magnitude)
    assert pei == pytest.approx(0.9979, abs=5e-5)
