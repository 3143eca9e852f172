"""Network fabric sizing: fat-tree tiers, switch and transceiver counts, power.

A non-blocking fat tree of k-port switches (Leiserson 1985; Al-Fares, Loukissas and
Vahdat, "A Scalable, Commodity Data Center Network Architecture", SIGCOMM 2008) serves
at most ``k`` endpoints with one tier, ``k^2/2`` with two and ``k^3/4`` with three: each
tier below the top uses half its ports down and half up, the top tier all ports down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["switch_radix", "fat_tree_tiers", "fat_tree_switches", "fat_tree_switch_count",
           "fat_tree_transceivers", "FabricSize"]


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
