"""IT load: accelerators, servers and racks.

Every function is pure and unit-aware: quantities in, quantities out, numpy arrays welcome.
Network and storage power live in :mod:`dcpower.physics.network` and :mod:`dcpower.storage`.
"""

from __future__ import annotations

import math


__all__ = ["accelerator_power", "server_count", "server_power", "rack_count",
           "servers_per_rack_from_power"]


def accelerator_power(max_power, utilization):
    """Power an accelerator draws at a given utilization.

    Parameters
    ----------
    max_power : Quantity
        Rated maximum board/module power (TDP, TGP). [W]
    utilization : float or array
        Average load as a fraction of maximum power, 0 < u <= 1. [-]

    Returns
    -------
    Quantity
        Average electrical power of one accelerator. [W]

    Notes
    -----
    ``P = u * P_max``. Utilization here is *power* utilization, the ratio of average to
    maximum power, which is what node measurements report (Latif et al. 2025 measured an
    8xH100 node at 8.4 kW peak against a 10.2 kW rating; Newkirk et al. 2025 found ~76 % of
    rating for intensive workloads), not the compute utilization nvidia-smi shows.

    References
    ----------
    .. [1] Latif et al., "Single-Node Power Demand During AI Training: Measurements on an
       8-GPU NVIDIA H100 System", IEEE Access 13 (2025) 61740-61747.
    """
    return max_power * utilization


def server_count(gpus: int, gpus_per_server: int) -> int:
    """Servers needed to hold ``gpus`` accelerators (the last one may be partly filled)."""
    return math.ceil(gpus / gpus_per_server)


def server_power(gpu_power, host_power, psu_efficiency):
    """Wall power of one server.

    Parameters
    ----------
    gpu_power : Quantity
        DC power of all accelerators in the server. [W]
    host_power : Quantity
        DC power of everything else: CPUs, memory, NICs, baseboard, drives, fans. [W]
    psu_efficiency : float
        Power-supply efficiency, DC out / AC in. [-]

    Returns
    -------
    Quantity
        AC input power of the server, PSU losses included. [W]

    Notes
    -----
    ``P_wall = (P_gpu + P_host) / eta_psu``. PSU losses count as IT power: The Green Grid's
    PUE puts everything inside the server in the IT denominator.
    """
    return (gpu_power + host_power) / psu_efficiency


def rack_count(servers: int, servers_per_rack: int) -> int:
    """Racks needed for ``servers`` at ``servers_per_rack``."""
    return math.ceil(servers / servers_per_rack)


def servers_per_rack_from_power(server_power, rack_power_limit) -> int:
    """Servers that fit under a rack power limit (at least one).

    Notes
    -----
    ``n = floor(P_rack_limit / P_server)``; a server above the limit still takes one rack.
    """
    n = math.floor((rack_power_limit / server_power).to("dimensionless").magnitude)
    return max(n, 1)


