"""Water: cooling-tower evaporation, blowdown, drift, WUE.

Evaporation follows from an energy and mass balance on the air through the tower, with
moist-air properties from :mod:`dcpower.physics.psychrometrics`; no rule-of-thumb factor.
"""

from __future__ import annotations

import numpy as np

from dcpower.physics import psychrometrics as psy
from dcpower.physics.cooling import WATER_DENSITY, WATER_SPECIFIC_HEAT
from dcpower.units import Q_

__all__ = ["tower_evaporation", "latent_fraction", "blowdown", "drift", "circulation",
           "water_use_effectiveness"]


def tower_evaporation(heat_rejected, inlet_enthalpy, inlet_humidity_ratio, outlet_temperature,
                      pressure):
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

    Returns
    -------
    Quantity
        Evaporation rate. [kg/s]

    Notes
    -----
    Air leaves a wet tower saturated. The air flow that absorbs the heat is
    ``m_a = Q / (h_out - h_in)``; the water it carries away is ``E = m_a (W_out - W_in)``,
    so ``E = Q (W_out - W_in) / (h_out - h_in)`` (the Merkel-type balance in ASHRAE
    Handbook - HVAC Systems and Equipment 2020, ch. 40). In hot dry air ``E`` exceeds
    ``Q / h_fg``: the air is cooled as it humidifies. In cold air a large share of the
    heat leaves as sensible heat. Evaporation is clipped at zero.
    """
    w_out = psy.saturation_humidity_ratio(outlet_temperature, pressure)
    h_out = psy.moist_air_enthalpy(outlet_temperature, w_out)
    dh = (h_out - inlet_enthalpy).to("J/kg").magnitude
    dw = (w_out - inlet_humidity_ratio).to("dimensionless").magnitude
    ratio = np.where(dh > 0, np.clip(dw, 0, None) / np.where(dh > 0, dh, 1.0), 0.0)
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


def blowdown(evaporation, cycles_of_concentration):
    """Blowdown that holds dissolved solids at ``cycles`` times the makeup's.

    Notes
    -----
    Solids balance: makeup brings solids in, blowdown and drift take them out, evaporation
    leaves them. With drift small, ``B = E / (C - 1)`` (ASHRAE Handbook - HVAC Systems and
    Equipment 2020, ch. 40; Cooling Technology Institute guidance).
    """
    return evaporation / (cycles_of_concentration - 1)


def drift(circulation_flow, drift_rate):
    """Droplets carried out with the air: a fraction of the circulating flow. [kg/s]"""
    return circulation_flow * drift_rate


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
