"""Electrical chain losses against hand-worked values."""

import numpy as np
import pytest

from dcpower.physics import electrical
from dcpower.units import Q_


def test_fit_recovers_a_three_term_loss_model():
    # losses 1 % no-load, 2 % proportional, 1 % square-law (Schneider WP113 form)
    x = np.array([0.25, 0.5, 0.75, 1.0])
    loss = 0.01 + 0.02 * x + 0.01 * x**2
    eta = x / (x + loss)
    a, b, c = electrical.loss_coefficients(x, eta)
    assert (a, b, c) == pytest.approx((0.01, 0.02, 0.01), abs=1e-9)


def test_component_loss_at_half_load():
    # S = 2 MW, 1 MW load, coefficients above: 2 MW * (0.01 + 0.01 + 0.0025) = 45 kW
    loss = electrical.component_loss(Q_(1, "MW"), Q_(2, "MW"), (0.01, 0.02, 0.01))
    assert loss.to("kW").magnitude == pytest.approx(45.0)


def test_efficiency_falls_at_light_load():
    coeffs = (0.01, 0.02, 0.01)
    s = Q_(1, "MW")
    loads = Q_(np.array([0.1, 0.5, 1.0]), "MW")
    loss = electrical.component_loss(loads, s, coeffs)
    eff = (loads / (loads + loss)).magnitude
    assert eff[0] < eff[1]


def test_fixed_efficiency_loss():
    # 96 % efficient at 10 MW output: 10/0.96 - 10 = 0.4167 MW
    assert electrical.fixed_efficiency_loss(Q_(10, "MW"), 0.96).to("MW").magnitude == pytest.approx(0.41667, rel=1e-4)


def test_apparent_power():
    s = electrical.apparent_power(Q_(95, "MW"), 0.95)
    assert s.to("MVA").magnitude == pytest.approx(100.0)
    assert s.check("[apparent_power]")


def test_transformer_loss_at_half_load_from_the_schneider_example():
    # Schneider Electric FAQ FA132857: 1000 kVA liquid-filled, 1,340 W no-load, 12,500 W load loss;
    # at 50 % load the FAQ's table gives 1,340 + (50/100)^2 x 12,500 = 4,465 W.
    coeffs = electrical.transformer_coefficients(1340 / 1e6, 12500 / 1e6)
    loss = electrical.component_loss(Q_(500, "kW"), Q_(1000, "kW"), coeffs)
    assert loss.to("W").magnitude == pytest.approx(4465.0)


def test_no_load_loss_is_drawn_at_zero_load():
    # a transformer draws its core loss P0 with nothing connected; a UPS its fitted constant term
    s = Q_(2.5, "MW")
    loss = electrical.component_loss(Q_(0, "W"), s, electrical.transformer_coefficients(0.0007, 0.0066))
    assert loss.to("W").magnitude == pytest.approx(0.0007 * 2.5e6)
    x = np.array([0.25, 0.5, 0.75, 1.0])
    a, b, c = electrical.loss_coefficients(x, x / (x + 0.01 + 0.02 * x + 0.01 * x**2))
    assert electrical.component_loss(Q_(0, "W"), s, (a, b, c)).to("kW").magnitude == pytest.approx(25.0)


def test_component_efficiency_is_output_over_input():
    # 1 MW through a 2 MW unit losing 45 kW (test above): 1 / 1.045
    eta = electrical.component_efficiency(Q_(1, "MW"), Q_(2, "MW"), (0.01, 0.02, 0.01))
    assert eta == pytest.approx(1 / 1.045)


def _curves():
    from dcpower.catalog.loader import load_catalog
    cat = load_catalog()
    out = [(e.id, e.efficiency_curve) for e in cat.category("electrical").values() if e.efficiency_curve]
    out += [(s.id, s.psu_efficiency_curve) for s in cat.category("server").values() if s.psu_efficiency_curve]
    return out


@pytest.mark.parametrize("ident, curve", _curves(), ids=lambda v: v if isinstance(v, str) else "")
def test_fitted_curve_reproduces_the_source_points(ident, curve):
    # The UPS curves are three-term loss curves, so the fit passes through their points; the
    # 80 PLUS Titanium minimums (90/94/96/91 % at 10/20/50/100 %) are four points a quadratic
    # loss cannot all meet: within 1.5 points of efficiency.
    x = np.asarray(curve.load)
    coeffs = electrical.loss_coefficients(curve.load, curve.efficiency)
    eta = electrical.component_efficiency(Q_(x, "W"), Q_(1.0, "W"), coeffs)
    tolerance = 1e-4 if ident.startswith("ups") else 0.015
    assert eta == pytest.approx(curve.efficiency, abs=tolerance)


def test_scaling_keeps_the_shape_and_meets_the_efficiency_at_half_load():
    # (0.01, 0.02, 0.01) loses 0.0225 at x = 0.5 (eta 0.9569); scaled to 0.97 at half load:
    # k = 0.5 (1/0.97 - 1) / 0.0225 = 0.6873, every term alike
    a, b, c = electrical.scaled_to_efficiency((0.01, 0.02, 0.01), 0.97, 0.5)
    k = 0.5 * (1 / 0.97 - 1) / 0.0225
    assert (a, b, c) == pytest.approx((0.01 * k, 0.02 * k, 0.01 * k))
    eta = electrical.component_efficiency(Q_(0.5, "W"), Q_(1.0, "W"), (a, b, c))
    assert eta == pytest.approx(0.97)
