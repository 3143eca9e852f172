"""Electrical chain: transformer, UPS and distribution losses; power factor.

Loss model: a component of rating ``S`` carrying load ``P`` (``x = P/S``) loses
``S (a + b x + c x^2)``: a no-load part (magnetising, control, fans), a part proportional
to load, and a part that grows with the square of current (I^2 R). Rasmussen, "Electrical
Efficiency Modeling for Data Centers", Schneider Electric (APC) White Paper 113 (2007),
uses exactly these three terms. When a datasheet gives an efficiency curve, the three
coefficients are its least-squares fit; when it gives one efficiency, the loss is that
fixed fraction.
"""

from __future__ import annotations

import numpy as np

from dcpower.units import Q_

__all__ = ["loss_coefficients", "scaled_to_efficiency", "transformer_coefficients", "component_loss",
           "component_efficiency",
           "fixed_efficiency_loss", "apparent_power"]


def loss_coefficients(load_fractions, efficiencies) -> tuple[float, float, float]:
    """Fit ``loss/S = a + b x + c x^2`` to an efficiency curve.

    Parameters
    ----------
    load_fractions : sequence of float
        Load as a fraction of rating at each point. [-]
    efficiencies : sequence of float
        Efficiency, output over input, at each point. [-]

    Returns
    -------
    tuple
        ``(a, b, c)``, losses per unit of rating. [-]

    Notes
    -----
    At load ``x`` (output) the input is ``x / eta``, so the loss is ``x (1/eta - 1)``.
    With fewer than three points a lower-order fit is used (two points: no-load and
    proportional terms).
    """
    x = np.asarray(load_fractions, dtype=float)
    eta = np.asarray(efficiencies, dtype=float)
    loss = x * (1.0 / eta - 1.0)
    degree = min(2, len(x) - 1)
    coeffs = np.polynomial.polynomial.polyfit(x, loss, degree)
    out = list(coeffs) + [0.0] * (3 - len(coeffs))
    return float(out[0]), float(out[1]), float(out[2])


def scaled_to_efficiency(coefficients, efficiency, load_fraction: float = 0.5) -> tuple:
    """Loss coefficients scaled so that the efficiency at ``load_fraction`` is ``efficiency``.

    Parameters
    ----------
    coefficients : tuple
        ``(a, b, c)`` of a curve: its shape. [-]
    efficiency : float or array
        Efficiency wanted at ``load_fraction``. [-]
    load_fraction : float
        Load, as a fraction of rating, where ``efficiency`` holds. [-]

    Returns
    -------
    tuple
        ``(k a, k b, k c)`` with ``k = x (1/eta - 1) / (a + b x + c x^2)``: every loss term
        scaled alike, so the curve keeps its shape and meets ``efficiency`` at ``x``. [-]
    """
    a, b, c = coefficients
    x = load_fraction
    k = x * (1.0 / np.asarray(efficiency, dtype=float) - 1.0) / (a + b * x + c * x**2)
    return a * k, b * k, c * k


def transformer_coefficients(no_load_loss, load_loss) -> tuple:
    """Loss coefficients of a transformer from its no-load and load losses.

    Parameters
    ----------
    no_load_loss : float or array
        No-load (core) loss over rating, ``P0 / S``. [-]
    load_loss : float or array
        Load (winding) loss at rated current over rating, ``Pk / S``. [-]

    Returns
    -------
    tuple
        ``(P0/S, 0, Pk/S)``: the core loss does not change with load, the winding loss
        grows with the square of the current. [-]

    References
    ----------
    IEC 60076-1 defines no-load loss and load loss at rated current; Commission
    Regulation (EU) No 548/2014 caps both per rating for medium power transformers.
    """
    return no_load_loss, 0.0, load_loss


def component_efficiency(load, rating, coefficients):
    """Efficiency, output over input, at load ``load`` of rating ``rating``. [-]

    ``eta = P / (P + S (a + b x + c x^2))``; zero at zero load, where only the no-load
    loss is drawn.
    """
    loss = component_loss(load, rating, coefficients)
    return (load / (load + loss)).to("dimensionless").magnitude


def component_loss(load, rating, coefficients):
    """Loss of a component with fitted coefficients.

    Parameters
    ----------
    load : Quantity
        Power delivered through the component (output). [W]
    rating : Quantity
        Installed rating, real-power equivalent. [W]
    coefficients : tuple
        ``(a, b, c)`` from :func:`loss_coefficients`. [-]

    Returns
    -------
    Quantity
        Power lost as heat. [W]
    """
    a, b, c = coefficients
    x = (load / rating).to("dimensionless").magnitude
    return rating * np.maximum(a + b * x + c * x**2, 0.0)


def fixed_efficiency_loss(load, efficiency):
    """Loss at a fixed efficiency: ``P (1/eta - 1)``. [W]"""
    return load * (1.0 / efficiency - 1.0)


def apparent_power(real_power, power_factor):
    """Apparent power ``S = P / PF``, in volt-amperes.

    dcpower keeps apparent power a separate dimension from real power, so this is the
    one place the two meet.
    """
    p = real_power.to("W").magnitude
    return Q_(p / power_factor, "VA")
