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
