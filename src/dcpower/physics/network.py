"""Network fabric sizing: fat trees and dragonflies, switch and optical-module counts, power.

A non-blocking fat tree of k-port switches (Leiserson 1985; Al-Fares, Loukissas and
Vahdat, "A Scalable, Commodity Data Center Network Architecture", SIGCOMM 2008) serves
at most ``k`` endpoints with one tier, ``k^2/2`` with two and ``k^3/4`` with three: each
tier below the top uses half its ports down and half up, the top tier all ports down.

A dragonfly (Kim, Dally, Scott and Abts, "Technology-Driven, Highly-Scalable Dragonfly
Topology", ISCA 2008) puts ``p`` endpoints on each switch, joins the ``a`` switches of a
group all-to-all over short electrical (copper) cables, and joins groups by ``h`` global
links per switch over long optical cables. HPE Slingshot builds it from 64-port Rosetta
switches with ``p = 16``, ``a = 32``, ``h = 17`` (16 + 31 + 17 = 64 ports), at most
``a h + 1 = 545`` groups and ``16 x 32 x 545 = 279,040`` endpoints (De Sensi et al., "An
In-Depth Analysis of the Slingshot Interconnect", SC20, arXiv:2008.08886).

NVLink domains inside a rack (the NVLink switch trays of GB200/GB300 NVL72) are not a
fabric here: their switch trays are counted in those servers' ``baseboard_power``, and
their copper spine needs no optics. The fabrics here are the scale-out networks between
servers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["switch_radix", "fat_tree_tiers", "fat_tree_switches", "fat_tree_switch_count",
           "fat_tree_transceivers", "FabricSize", "dragonfly_capacity", "dragonfly_switches",
           "dragonfly_groups", "dragonfly_local_links", "dragonfly_global_links", "dragonfly_power"]


def _ceil_div(a, b):
    """``ceil(a / b)`` for whole numbers: an int, or an int array for an array ``a``."""
    q = -(-np.asarray(a) // b)
    return int(q) if np.ndim(q) == 0 else q


def switch_radix(ports: int, port_speed, endpoint_speed) -> int:
    """Ports per switch at the endpoint speed, with breakout (64 x 800G = 128 x 400G).

    Parameters
    ----------
    ports : int
        Physical ports of the switch. [-]
    port_speed, endpoint_speed : Quantity
        Speed of a switch port and of one endpoint link. [Gbit/s]
    """
    ratio = (port_speed / endpoint_speed).to("dimensionless").magnitude
    if ratio < 1:
        raise ValueError("endpoint links are faster than the switch ports")
    return int(ports * math.floor(ratio + 1e-9))


def fat_tree_capacity(radix: int, tiers: int) -> int:
    """Endpoints a non-blocking fat tree of ``tiers`` tiers can serve: ``2 (k/2)^L``; k for L=1."""
    if tiers == 1:
        return radix
    return int(2 * (radix // 2) ** tiers)


def fat_tree_tiers(endpoints, radix: int, max_tiers: int = 5):
    """Fewest tiers whose non-blocking fat tree serves ``endpoints`` (an int or an int array)."""
    n = np.asarray(endpoints)
    tiers = np.zeros(n.shape, dtype=int)
    for level in range(max_tiers, 0, -1):
        tiers = np.where(n <= fat_tree_capacity(radix, level), level, tiers)
    if np.any(tiers == 0):
        raise ValueError(f"{int(np.max(n))} endpoints need more than {max_tiers} tiers of {radix}-port switches")
    return int(tiers) if tiers.ndim == 0 else tiers


def fat_tree_switches(endpoints: int, radix: int, tiers: int) -> list[int]:
    """Switches per tier, leaf first.

    Notes
    -----
    Below the top, each tier carries every endpoint's traffic on half its ports:
    ``ceil(N / (k/2))`` switches. The top tier uses all ports down: ``ceil(N / k)``.
    A one-tier fabric is ``ceil(N / k)`` switches.
    """
    if tiers == 1:
        return [math.ceil(endpoints / radix)]
    lower = math.ceil(endpoints / (radix // 2))
    return [lower] * (tiers - 1) + [math.ceil(endpoints / radix)]


def fat_tree_switch_count(endpoints, radix: int, tiers):
    """Switches in all tiers (ints or int arrays): the sum of :func:`fat_tree_switches`."""
    top = _ceil_div(endpoints, radix)
    return np.where(np.asarray(tiers) == 1, top, (np.asarray(tiers) - 1) * _ceil_div(endpoints, radix // 2) + top) \
        if np.ndim(endpoints) or np.ndim(tiers) else (top if tiers == 1 else (tiers - 1) * _ceil_div(endpoints, radix // 2) + top)


def fat_tree_transceivers(endpoints, tiers, nic_optics: bool, ports_per_switch_module: int):
    """Optical modules: (NIC-side, switch-side).

    Notes
    -----
    A non-blocking tree has ``N`` links per tier, ``N L`` in all. Switch ports at link ends:
    ``N`` leaf down-links plus ``2 N (L - 1)`` inter-switch ends. With copper (DAC) from
    NIC to leaf, the leaf down-links need no module. Twin-port switch modules carry two
    link ends each.
    """
    nic = endpoints if nic_optics else 0 * endpoints
    switch_ends = 2 * endpoints * (tiers - 1) + (endpoints if nic_optics else 0)
    return nic, _ceil_div(switch_ends, ports_per_switch_module)


def _whole(x):
    """An int for a scalar result, an int array otherwise."""
    x = np.asarray(x)
    return int(x) if x.ndim == 0 else x.astype(int)


def dragonfly_capacity(endpoints_per_switch: int, group_switches: int, global_links_per_switch: int) -> int:
    """Most endpoints a dragonfly serves with one global link between every pair of groups.

    Parameters
    ----------
    endpoints_per_switch : int
        Switch ports that go down to endpoints (NICs), ``p``. [-]
    group_switches : int
        Switches in a full group, joined all-to-all, ``a``. [-]
    global_links_per_switch : int
        Switch ports that go to other groups, ``h``. [-]

    Returns
    -------
    int
        ``p a (a h + 1)`` endpoints. [-]

    Notes
    -----
    A group has ``a h`` global links, so at most ``a h + 1`` groups can each reach every
    other group directly (Kim et al. 2008). Slingshot, with ``p = 16``, ``a = 32``,
    ``h = 17``: 545 groups and 279,040 endpoints.

    References
    ----------
    .. [1] J. Kim, W. J. Dally, S. Scott, D. Abts, "Technology-Driven, Highly-Scalable
       Dragonfly Topology", ISCA 2008.
    .. [2] D. De Sensi et al., "An In-Depth Analysis of the Slingshot Interconnect",
       SC20, arXiv:2008.08886.
    """
    return int(endpoints_per_switch * group_switches * (group_switches * global_links_per_switch + 1))


def dragonfly_switches(endpoints, endpoints_per_switch: int):
    """Switches of a dragonfly: ``S = ceil(N / p)``.

    Parameters
    ----------
    endpoints : int or array of int
        Endpoints (NIC ports) to connect, ``N``. [-]
    endpoints_per_switch : int
        Switch ports that go down to endpoints, ``p``. [-]

    Returns
    -------
    int or array of int
        Switches, ``S``. [-]
    """
    return _ceil_div(endpoints, endpoints_per_switch)


def dragonfly_groups(switches, group_switches: int):
    """Groups of a dragonfly: ``G = ceil(S / a)``; the last group may be partly filled.

    Parameters
    ----------
    switches : int or array of int
        Switches, ``S``. [-]
    group_switches : int
        Switches in a full group, ``a``. [-]

    Returns
    -------
    int or array of int
        Groups, ``G``. [-]
    """
    return _ceil_div(switches, group_switches)


def dragonfly_local_links(switches, group_switches: int):
    """Copper links inside the groups: every pair of switches in a group joined once.

    Parameters
    ----------
    switches : int or array of int
        Switches, ``S``. [-]
    group_switches : int
        Switches in a full group, ``a``. [-]

    Returns
    -------
    int or array of int
        Intra-group (level-1) links. [-]

    Notes
    -----
    ``floor(S / a)`` full groups of ``a (a - 1) / 2`` links each, plus ``r (r - 1) / 2``
    for a last group of ``r = S - a floor(S / a)`` switches. Slingshot groups are
    all-to-all over copper cables (De Sensi et al. 2020; NERSC Perlmutter documentation),
    so these links need no optics. A group smaller than ``a`` may double up links between
    a pair of switches to use spare ports; those extra copper links draw no optics power
    and are not counted.
    """
    s = np.asarray(switches)
    full, rest = s // group_switches, s % group_switches
    return _whole(full * (group_switches * (group_switches - 1) // 2) + rest * (rest - 1) // 2)


def dragonfly_global_links(switches, group_switches: int, global_links_per_switch: int):
    """Optical links between groups: ``floor(S h / 2)`` when there are two groups or more.

    Parameters
    ----------
    switches : int or array of int
        Switches, ``S``. [-]
    group_switches : int
        Switches in a full group, ``a``. [-]
    global_links_per_switch : int
        Global ports cabled on each switch, ``h``. [-]

    Returns
    -------
    int or array of int
        Global (level-2) links; each has two optical ends. [-]

    Notes
    -----
    Every global port is cabled to a switch in another group (a fully provisioned
    dragonfly); a one-group system has none. Fewer cabled global ports (a tapered
    dragonfly) are modelled with a smaller ``h``.
    """
    s = np.asarray(switches)
    groups = -(-s // group_switches)
    return _whole(np.where(groups > 1, s * global_links_per_switch // 2, 0))


def dragonfly_power(switches, global_links, switch_power, optical_end_power):
    """Power of a dragonfly: switches plus the optical ends of its global links.

    Parameters
    ----------
    switches : int or array of int
        Switches, ``S``. [-]
    global_links : int or array of int
        Optical links between groups, ``L``. [-]
    switch_power : Quantity
        Power of one switch with copper cables. [W]
    optical_end_power : Quantity
        Power of one end of an active optical cable (or one transceiver). [W]

    Returns
    -------
    Quantity
        ``S P_switch + 2 L P_end``. [W]

    Notes
    -----
    Endpoint and intra-group links are passive copper: a passive copper cable draws
    at most 0.1 W per end for its identification memory (NVIDIA MCP1650 DAC
    specifications), so they are left out.
    """
    return np.asarray(switches) * switch_power + 2 * np.asarray(global_links) * optical_end_power


@dataclass(frozen=True)
class FabricSize:
    """Counts and power of one fabric."""

    name: str
    endpoints: int
    tiers: int
    radix: int
    switches: int
    nic_modules: int
    switch_modules: int
    switch_power: object
    optics_power: object

    @property
    def power(self):
        return self.switch_power + self.optics_power
