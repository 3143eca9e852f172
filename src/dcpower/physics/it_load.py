"""IT load: accelerators, servers and racks.

Every function is pure and unit-aware: quantities in, quantities out, numpy arrays welcome.
Network and storage power live in :mod:`dcpower.physics.network` and :mod:`dcpower.storage`.
"""

from __future__ import annotations

import math

import numpy as np


__all__ = ["busy_power", "load_between", "average_power", "server_count", "server_power", "rack_count",
           "servers_per_rack_from_power"]


def busy_power(max_power, idle_power, busy_fraction):
    """Power a component draws while busy with a workload.

    Parameters
    ----------
    max_power : Quantity
        Rated maximum (TDP, TGP, or full-load host power). [W]
    idle_power : Quantity
        Power with nothing to do. [W]
    busy_fraction : float or array
        Share of maximum the workload draws while busy, 0 to 1. [-]

    Returns
    -------
    Quantity
        ``max(P_idle, f * P_max)``: a busy component never draws less than its idle floor. [W]

    Notes
    -----
    Measured on one H100 SXM (dcpower measurement h100-sxm-2026-11-26): dense bf16 matrix
    products run at the power cap (f = 0.997), a memory-bound copy at f = 0.79, idle with a
    CUDA context open at 0.18 of the 700 W limit.
    """
    return np.maximum(busy_fraction * max_power.to("W"), idle_power.to("W"))


def load_between(idle_power, full_power, load):
    """Power of a component running ``load`` of the way from idle to full. [W]

    ``P = P_idle + load * (P_full - P_idle)``, the linear power model of servers between
    idle and full load that SPECpower measurements follow closely (Fan, Weber and Barroso,
    "Power provisioning for a warehouse-sized computer", ISCA 2007).
    """
    return idle_power + load * (full_power - idle_power)


def average_power(idle_power, busy_power_, utilization):
    """Time-average power of a component busy ``utilization`` of the time, idle otherwise.

    Parameters
    ----------
    idle_power, busy_power_ : Quantity
        Power when idle and when busy. [W]
    utilization : float or array
        Share of time busy, 0 to 1. [-]

    Returns
    -------
    Quantity
        ``P_avg = P_idle + u * (P_busy - P_idle)``. [W]

    Notes
    -----
    Utilization is the share of *time* the accelerators are busy. Node measurements agree
    with this split: Latif et al. (IEEE Access 13, 2025) measured an 8xH100 node at 8.4 kW
    peak during training against a 10.2 kW rating.
    """
    return load_between(idle_power, busy_power_, utilization)


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


