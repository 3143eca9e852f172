"""Water: cooling-tower evaporation, blowdown, drift, WUE.

Evaporation follows from an energy and mass balance on the air through the tower, with
moist-air properties from :mod:`dcpower.physics.psychrometrics`; no rule-of-thumb factor.

Only the open cooling tower draws site water here. The closed liquid loops (facility water,
CDU secondaries) also need an initial fill and some top-up for leaks and maintenance; they are
left out because no published figure for their volume or annual losses was found.
"""

from __future__ import annotations

import numpy as np

from dcpower.physics import psychrometrics as psy
from dcpower.physics.cooling import WATER_DENSITY, WATER_SPECIFIC_HEAT
from dcpower.units import Q_

__all__ = ["tower_evaporation", "latent_fraction", "blowdown", "drift", "circulation", "makeup",
           "water_use_effectiveness"]


def tower_evaporation(heat_rejected, inlet_enthalpy, inlet_humidity_ratio, outlet_temperature,
                      pressure, makeup_temperature):
    """Water evaporated by a wet cooling tower.

    Parameters
    ----------
    heat_rejected : Quantity
        Heat the tower rejects. [W]
    inlet_enthalpy : Quantity
        Enthalpy of the entering outdoor air, per kg dry air. [J/kg]
    inlet_humidity_ratio : Quantity
        Humidity ratio of the entering air. [kg/kg]
    outlet_temperature : Quantity
        Temperature at which the leaving air is saturated. [degC]
    pressure : Quantity
        Atmospheric pressure. [Pa]
    makeup_temperature : Quantity
        Temperature of the liquid water that replaces what evaporates: the cold-water
        basin, where make-up enters. [degC]

    Returns
    -------
    Quantity
        Evaporation rate. [kg/s]

    Notes
    -----
    Air leaves a wet tower saturated. Energy balance on the tower with the circulating
    loop giving up ``Q = m_w c_w (T_hot - T_cold)`` and the evaporated water replaced by
    liquid at the basin temperature:
    ``m_a (h_out - h_in) = Q + E h_f`` with ``E = m_a (W_out - W_in)``, so

    .. math:: E = \\frac{Q \\, \\Delta W}{\\Delta h - h_f \\, \\Delta W}

    where ``h_f = c_w t`` is the enthalpy of the liquid water on the reference of the
    moist-air enthalpy (liquid water at 0 degC). Leaving out ``h_f`` understates ``E`` by
    the factor ``1 - h_f \\Delta W / \\Delta h``, a few per cent at basin temperatures of
    25-30 degC. This is the tower balance of
    Merkel's method as set out in ASHRAE Handbook - HVAC Systems and Equipment (2020),
    ch. 40, and Braun, Klein and Mitchell, "Effectiveness models for cooling towers and
    cooling coils", ASHRAE Transactions 95(2), 1989. In hot dry air ``E`` exceeds
    ``Q / h_fg``: the air is cooled as it humidifies. In cold air a large share of the
    heat leaves as sensible heat. Evaporation is clipped at zero.
    """
    w_out = psy.saturation_humidity_ratio(outlet_temperature, pressure)
    h_out = psy.moist_air_enthalpy(outlet_temperature, w_out)
    h_f = (WATER_SPECIFIC_HEAT * (makeup_temperature.to("degC").magnitude * Q_(1, "K"))).to("J/kg").magnitude
    dw = np.clip((w_out - inlet_humidity_ratio).to("dimensionless").magnitude, 0, None)
    dh = (h_out - inlet_enthalpy).to("J/kg").magnitude - h_f * dw
    ratio = np.where(dh > 0, dw / np.where(dh > 0, dh, 1.0), 0.0)
    return (heat_rejected * Q_(ratio, "kg/J")).to("kg/s")


def latent_fraction(evaporation, heat_rejected, water_temperature):
    """Share of the rejected heat that left as latent heat: ``E h_fg / Q``. [-]"""
    hfg = psy.latent_heat_of_vaporization(water_temperature)
    q = heat_rejected.to("W").magnitude
    e = (evaporation * hfg).to("W").magnitude
    return np.divide(e, q, out=np.zeros_like(np.asarray(e, dtype=float)), where=np.asarray(q) > 0)


def circulation(heat_rejected, tower_range):
    """Mass flow of water circulating through the tower: ``m = Q / (cp range)``. [kg/s]"""
    return (heat_rejected / (WATER_SPECIFIC_HEAT * tower_range)).to("kg/s")


def blowdown(evaporation, cycles_of_concentration, drift_loss):
    """Blowdown that holds dissolved solids at ``cycles`` times the make-up's.

    Parameters
    ----------
    evaporation : Quantity
        Water evaporated. [kg/s]
    cycles_of_concentration : float
        Dissolved solids in the basin over those in the make-up, ``C > 1``. [-]
    drift_loss : Quantity
        Droplets carried out with the air, at basin concentration. [kg/s]

    Returns
    -------
    Quantity
        Blowdown, never below zero. [kg/s]

    Notes
    -----
    Solids balance: make-up ``M = E + B + D`` brings solids in at ``c``; blowdown and drift
    take them out at ``C c``; evaporation leaves them. ``M c = (B + D) C c`` gives
    ``B = E / (C - 1) - D`` (ASHRAE Handbook - HVAC Systems and Equipment 2020, ch. 40;
    US EPA WaterSense at Work 2012, section 6.3). Drift already takes out part of the
    solids, so ``E / (C - 1)`` alone counts it twice. Where drift alone exceeds
    ``E / (C - 1)`` no blowdown is needed and the basin settles below ``C`` cycles, at
    ``1 + E / D``: blowdown is then zero, not negative.
    """
    b = evaporation / (cycles_of_concentration - 1) - drift_loss
    return np.maximum(b.to("kg/s").magnitude, 0.0) * Q_(1, "kg/s")


def drift(circulation_flow, drift_rate):
    """Droplets carried out with the air: a fraction of the circulating flow. [kg/s]"""
    return circulation_flow * drift_rate


def makeup(evaporation, blowdown_loss, drift_loss):
    """Make-up water: everything that leaves the tower loop, ``M = E + B + D``. [kg/s]"""
    return evaporation + blowdown_loss + drift_loss


def mass_to_volume(mass):
    """Water mass to volume at 25 degC (density 997.05 kg/m^3)."""
    return (mass / WATER_DENSITY).to("L" if mass.dimensionality == Q_(1, "kg").dimensionality else "L/s")


def water_use_effectiveness(site_water, it_energy):
    """WUE = annual site water / IT energy. [L/kWh]

    References
    ----------
    .. [1] The Green Grid, "Water Usage Effectiveness (WUE): a Green Grid data center
       sustainability metric", White Paper 35 (2011); ISO/IEC 30134-9:2022.
    """
    return (site_water / it_energy).to("L/kWh")
