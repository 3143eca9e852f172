"""Capacity sizing: how many units of each kind of plant a design load needs, with redundancy.

Pure counting and rating functions. Each takes the design load and one unit's rating as pint
Quantities and returns a count (an ``int``) or a Quantity; the pipeline step that calls them
with the estimate's design point is :mod:`dcpower.chain.capacity`.

Redundancy schemes (see :func:`parse_redundancy`):

======================  ==========================================  =========================
scheme                  meaning                                     units installed
======================  ==========================================  =========================
``N``                   just enough units                           ``n``
``N+k``                 k spare units (N+1: Tier III components)    ``n + k``
``2N``                  two full systems (Tier IV paths)            ``2 n``
``2N+k``                two systems plus k shared spares            ``2 n + k``
``2(N+k)``              two systems, each with k spares             ``2 (n + k)``
``xN/y``                distributed redundant: x systems, each      ``x ceil(P / (y U))``
                        sized for 1/y of the load (``4N/3``)
======================  ==========================================  =========================

with ``n = ceil(P / U)`` for design load ``P`` and unit rating ``U``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from dcpower.errors import InputError
from dcpower.units import Q_

__all__ = [
    "Redundancy", "parse_redundancy", "units_needed", "redundant_units", "installed_capacity",
    "generator_site_rating", "volume_flow_for_heat", "supply_temperature_available",
    "liquid_class_for", "rows_and_halls",
]


@dataclass(frozen=True)
class Redundancy:
    """A parsed redundancy scheme: ``systems`` copies, each sized for ``1/share`` of the load
    with ``spares`` extra units each, plus ``extra`` units shared by all (``2N+1``)."""

    text: str
    systems: int
    share: int
    spares: int
    extra: int = 0


# Sanity limits: real plants use up to 2 or 3 systems (2N, 3N/2, 4N/3) and a handful of
# spares; beyond these the scheme is a typo.
MAX_SYSTEMS = 10
MAX_SPARES = 20

_PATTERNS = [
    (re.compile(r"^N$"), lambda m: (1, 1, 0, 0)),
    (re.compile(r"^N\+(\d+)$"), lambda m: (1, 1, int(m[1]), 0)),
    (re.compile(r"^(\d+)N$"), lambda m: (int(m[1]), 1, 0, 0)),
    (re.compile(r"^(\d+)\(N\+(\d+)\)$"), lambda m: (int(m[1]), 1, int(m[2]), 0)),
    (re.compile(r"^(\d+)N\+(\d+)$"), lambda m: (int(m[1]), 1, 0, int(m[2]))),
    (re.compile(r"^(\d+)N/(\d+)$"), lambda m: (int(m[1]), int(m[2]), 0, 0)),
]


def parse_redundancy(text: str) -> Redundancy:
    """Parse ``N``, ``N+1``, ``2N``, ``2N+1``, ``2(N+1)`` or ``4N/3`` (distributed redundant).

    ``DR`` alone means ``4N/3``, the common "four systems make three" design.

    Raises
    ------
    InputError
        For any other spelling, naming the valid ones.
    """
    t = str(text).strip().upper().replace(" ", "")
    if t in ("DR", "DISTRIBUTED"):
        t = "4N/3"
    for pattern, make in _PATTERNS:
        m = pattern.match(t)
        if m:
            systems, share, spares, extra = make(m)
            if systems < 1 or share < 1 or systems < share:
                break
            if systems > MAX_SYSTEMS or spares + extra > MAX_SPARES:
                raise InputError(f"redundancy '{text}' is beyond any plant: dcpower allows up to {MAX_SYSTEMS} "
                                 f"systems and {MAX_SPARES} spare units; use e.g. N+1, 2N or 4N/3")
            return Redundancy(str(text), systems, share, spares, extra)
    raise InputError(f"redundancy '{text}' is not a scheme dcpower knows; use N, N+1, N+2, 2N, "
                     "2N+1, 2(N+1) or distributed redundant xN/y such as 4N/3")


def units_needed(load, unit_rating) -> int:
    """Fewest units whose ratings add up to the load, no redundancy. [-]

    Parameters
    ----------
    load : Quantity
        Design load. [W, VA]
    unit_rating : Quantity
        Rating of one unit, same dimension as ``load``. [W, VA]

    Notes
    -----
    ``n = ceil(P / U)``; a small relative tolerance (1e-9) keeps ``10 MW / 2.5 MW`` at 4.
    """
    ratio = float((load / unit_rating).to("dimensionless").magnitude)
    if ratio <= 0:
        return 0
    return int(math.ceil(ratio - 1e-9))


def redundant_units(load, unit_rating, scheme: str | Redundancy = "N") -> int:
    """Units to install for ``load`` under a redundancy scheme. [-]

    Parameters
    ----------
    load : Quantity
        Design load the system must carry with its redundancy intact. [W, VA]
    unit_rating : Quantity
        Rating of one unit (after site derates). [W, VA]
    scheme : str or Redundancy
        ``N``, ``N+k``, ``2N``, ``2(N+k)`` or ``xN/y``.

    Returns
    -------
    int
        Units installed.

    Notes
    -----
    Each of the ``x`` systems carries ``P / y`` and holds ``ceil(P / (y U)) + k`` units, so
    ``units = x (ceil(P / (y U)) + k)``. Worked example: 10 MW at N+1 with 2.5 MW
    units is ``ceil(4) + 1 = 5`` units, 12.5 MW installed; at 2N it is 8 units, 20 MW.

    References
    ----------
    .. [1] Uptime Institute, "Tier Standard: Topology": Tier III concurrently maintainable
       (N+1 capacity components), Tier IV fault tolerant (two active paths, typically 2N).
    .. [2] N. Rasmussen / Schneider Electric, White Paper 75, "Comparing UPS System Design
       Configurations" (capacity N, N+1, distributed redundant, 2N, 2N+1).
    """
    r = parse_redundancy(scheme) if isinstance(scheme, str) else scheme
    per_system = units_needed(load / r.share, unit_rating)
    if per_system == 0:
        return 0
    return r.systems * (per_system + r.spares) + r.extra


def installed_capacity(units: int, unit_rating):
    """Installed capacity: ``units x U``. [same unit as ``unit_rating``]"""
    return units * unit_rating


def generator_site_rating(rating, site_temperature, derate_temperature, temperature_derate,
                          elevation, derate_altitude, altitude_derate):
    """Generator output at site conditions after temperature and altitude derates.

    Parameters
    ----------
    rating : Quantity
        Rating at reference conditions (one ISO 8528-1 class). [kVA or kW]
    site_temperature : Quantity
        Air temperature at the alternator / radiator intake on the design day. [degC]
    derate_temperature : Quantity
        Temperature up to which the rating holds. [degC]
    temperature_derate : Quantity
        Output lost per kelvin above ``derate_temperature``. [1/K]
    elevation : Quantity
        Site elevation. [m]
    derate_altitude : Quantity
        Altitude up to which the rating holds. [m]
    altitude_derate : Quantity
        Output lost per metre above ``derate_altitude``. [1/m]

    Returns
    -------
    Quantity
        Site rating. [same unit as ``rating``]

    Notes
    -----
    ``U_site = U (1 - a_T max(T - T_0, 0)) (1 - a_z max(z - z_0, 0))``, derate multipliers
    cumulative. Worked example (Stamford / Wacker Neuson tables): 3 % per 5 K above 40 degC
    gives 0.97 at 45 degC and 0.91 at 55 degC.

    References
    ----------
    .. [1] Stamford (Cummins Generator Technologies), "Generator sizing procedure, step 2:
       derate requirements" (3 % per 5 degC above 40 degC; 3 % per 500 m above 1000 m).
    .. [2] ISO 8528-1 rating classes ESP / PRP / LTP / COP, as summarised in Cummins Power
       Topic #6240, "Understanding ISO 8528-1 Generator Set Ratings".
    """
    dt = (site_temperature.to("degC").magnitude - derate_temperature.to("degC").magnitude)
    f_t = 1 - temperature_derate.to("1/K").magnitude * max(dt, 0.0)
    dz = (elevation - derate_altitude).to("m").magnitude
    f_z = 1 - altitude_derate.to("1/m").magnitude * max(dz, 0.0)
    return rating * max(f_t, 0.0) * max(f_z, 0.0)


def volume_flow_for_heat(heat, delta_t, density, specific_heat):
    """Water flow carrying ``heat`` at temperature rise ``delta_t``. [m^3/s]

    Notes
    -----
    ``V = Q / (rho cp dT)``. Worked example: 1 MW at 10 K with rho 997.05 kg/m^3 and
    cp 4.1813 kJ/(kg K) is 23.99 L/s (380 gpm).
    """
    return (heat / (density * specific_heat * delta_t)).to("m^3/s")


def supply_temperature_available(sink_temperature, approach, hx_approach=None):
    """Coldest facility-water supply the heat-rejection plant can make without chillers. [degC]

    Parameters
    ----------
    sink_temperature : Quantity
        Design wet-bulb (cooling towers) or dry-bulb (dry coolers). [degC]
    approach : Quantity
        Tower or dry-cooler approach to the sink temperature. [K]
    hx_approach : Quantity, optional
        Plate heat exchanger approach between plant water and the facility loop. [K]

    Notes
    -----
    ``T_supply,min = T_sink + approach (+ HX approach)``. Worked example: Memphis 0.4 %
    evaporation wet-bulb 26.8 degC + 5.6 K + 1.7 K = 34.1 degC, above the W32 limit.
    """
    t = sink_temperature.to("degC") + approach.to("delta_degC")
    if hx_approach is not None:
        t = t + hx_approach.to("delta_degC")
    return t


def liquid_class_for(supply_temperature, limits: dict):
    """The lowest liquid-cooling class whose supply limit is at or above ``supply_temperature``.

    Parameters
    ----------
    supply_temperature : Quantity
        Facility water supply temperature the design asks for. [degC]
    limits : dict
        ``{class id: maximum facility supply temperature}``.

    Returns
    -------
    str or None
        The class id, or ``None`` if the supply is warmer than every class (W+).
    """
    t = supply_temperature.to("degC").magnitude
    fitting = [(q.to("degC").magnitude, k) for k, q in limits.items() if q.to("degC").magnitude >= t - 1e-9]
    return min(fitting)[1] if fitting else None


def rows_and_halls(racks: int, racks_per_row: int, rows_per_hall: int) -> tuple[int, int]:
    """Rows and halls for ``racks``: ``rows = ceil(racks / r)``, ``halls = ceil(rows / h)``."""
    rows = int(np.ceil(racks / max(racks_per_row, 1)))
    halls = int(np.ceil(rows / max(rows_per_hall, 1)))
    return rows, halls


def as_count(n: int):
    """A count as a dimensionless Quantity, the form results take."""
    return Q_(int(n), "dimensionless")
