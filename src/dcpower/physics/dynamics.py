"""Grid dynamics of synchronous training: power swing, ramp rate, and the battery that hides them.

Synchronous data-parallel training alternates compute and communication phases on every GPU at
once, so the whole cluster's power swings between a peak and a trough each step (Meta, "The
Llama 3 Herd of Models", 2024: "tens of megawatts" across a data center). dcpower models one
accelerator's power as a square wave between a measured trough and peak, with the duty chosen so
the wave carries the measured mean power (energy over a period is conserved), scales it to the
cluster with every GPU in phase (the worst case), and sizes a battery that keeps the power drawn
from the grid within a ramp limit.

Not modelled: smoothing inside the facility (PSU and UPS capacitance, GPU power-smoothing
firmware), which no retrieved source quantifies for H100 systems; cooling power, which follows
heat on a time scale of minutes and is held steady here.

All functions are pure and take pint Quantities; series functions take numpy arrays of time.
"""

from __future__ import annotations

import numpy as np

from dcpower.units import Q_

__all__ = [
    "energy_equivalent_duty", "square_wave", "cluster_swing", "cluster_ramp_rate",
    "ramp_limited_grid", "training_load", "battery_requirement", "start_energy",
    "residual_swing", "slowest_ramp_for_energy",
]


def energy_equivalent_duty(mean_power, trough_power, peak_power) -> float:
    """Duty of a square wave between trough and peak whose average is ``mean_power``. [-]

    Parameters
    ----------
    mean_power, trough_power, peak_power : Quantity
        Average, low and high power of one accelerator. [W]

    Notes
    -----
    ``d = (P_mean - P_low) / (P_high - P_low)``. The measured H100 pattern (p5 139.7 W, p95
    867.9 W, mean 523.7 W) gives ``d = 0.527``, below the scheduled 0.61 busy fraction: the
    real wave is not square (the instant peak at each burst's start is short).
    """
    span = (peak_power - trough_power).to("W").magnitude
    if span <= 0:
        return 1.0
    return float(np.clip(((mean_power - trough_power).to("W").magnitude) / span, 0.0, 1.0))


def square_wave(t, trough_power, peak_power, period, duty, dt=None):
    """Power of a square wave at times ``t``: peak for the first ``duty`` of each period. [W]

    Parameters
    ----------
    t : Quantity
        Times, array. [s]
    trough_power, peak_power : Quantity
        Low and high levels. [W]
    period : Quantity
        Period. [s]
    duty : float
        Fraction of the period at the high level. [-]
    dt : Quantity, optional
        Sample spacing. When given, each sample is the average over ``[t, t + dt)``, so a
        sampled series carries exactly the wave's energy whatever the spacing. [s]

    Notes
    -----
    ``P(t) = P_high if frac(t / T) < d else P_low``; the mean over whole periods is
    ``P_low + d (P_high - P_low)``. Box average: with ``H(x) = floor(x) d + min(frac(x), d)``
    the high time (in periods) up to ``x = t / T``, a sample is
    ``P_low + (P_high - P_low) (H(x + dt/T) - H(x)) / (dt/T)``.
    """
    x = (t / period).to("dimensionless").magnitude
    lo, hi = trough_power.to("W").magnitude, peak_power.to("W").magnitude
    if dt is None:
        return Q_(np.where(np.mod(x, 1.0) < duty, hi, lo), "W")
    w = float((dt / period).to("dimensionless").magnitude)

    def high_time(v):
        return np.floor(v) * duty + np.minimum(np.mod(v, 1.0), duty)

    frac = (high_time(x + w) - high_time(x)) / w
    return Q_(lo + (hi - lo) * frac, "W")


def cluster_swing(gpus: int, trough_power, peak_power, efficiency: float = 1.0):
    """Peak-to-trough swing of the whole cluster's power, every GPU in phase. [W]

    Parameters
    ----------
    gpus : int
        Accelerators swinging together. [-]
    trough_power, peak_power : Quantity
        Per-accelerator low and high power (board power). [W]
    efficiency : float
        Chain efficiency from the grid meter to the GPU board (PSU x distribution x UPS x
        transformer); the swing seen at the meter is the board swing divided by it. [-]

    Notes
    -----
    ``dP = N (P_high - P_low) / eta``: the rest of the IT load is held steady. Synchronized
    swings across all GPUs are the worst case (Meta, Llama 3 paper, 2024).
    """
    return gpus * (peak_power - trough_power).to("W") / efficiency


def cluster_ramp_rate(gpus: int, ramp_rate, efficiency: float = 1.0):
    """Rate of rise of the cluster's power at the meter, every GPU in phase. [W/s]

    Notes
    -----
    ``dP/dt = N r / eta`` with ``r`` the per-GPU slew rate. The measured H100 value (6996 W/s)
    is limited by ~0.1 s sampling, so this is a lower bound.
    """
    return (gpus * ramp_rate / efficiency).to("W/s")


def training_load(t, idle_power, trough_power, peak_power, period, duty, t_on, t_off, dt=None):
    """Load of a training job: idle, then the square wave from ``t_on`` to ``t_off``, then idle. [W]

    Parameters
    ----------
    t : Quantity
        Times. [s]
    idle_power : Quantity
        Level before and after the job. [W]
    trough_power, peak_power : Quantity
        Levels of the square wave. [W]
    period : Quantity
        Square-wave period. [s]
    duty : float
        High fraction of each period. [-]
    t_on, t_off : Quantity
        Job start and end. [s]
    dt : Quantity, optional
        Sample spacing, for box-averaged samples (see :func:`square_wave`). [s]
    """
    wave = square_wave(t - t_on, trough_power, peak_power, period, duty, dt).magnitude
    ts = t.to("s").magnitude
    running = (ts >= t_on.to("s").magnitude) & (ts < t_off.to("s").magnitude)
    return Q_(np.where(running, wave, idle_power.to("W").magnitude), "W")


def ramp_limited_grid(t, idle_power, mean_power, ramp_limit, t_on, t_off):
    """Grid draw held to a ramp limit: a trapezoid from idle to the job's mean power and back. [W]

    Parameters
    ----------
    t : Quantity
        Times. [s]
    idle_power : Quantity
        Level before the job. [W]
    mean_power : Quantity
        Average load while the job runs. [W]
    ramp_limit : Quantity
        Fastest allowed change of grid draw. [W/s]
    t_on, t_off : Quantity
        Job start and end; the grid starts ramping down at ``t_off``. [s]

    Notes
    -----
    ``G(t) = P_idle + clip(min(R (t - t_on), R (t_off + dP/R - t)), 0, dP)`` with
    ``dP = P_mean - P_idle``: |dG/dt| <= R everywhere, and the battery supplies ``P(t) - G(t)``.
    """
    r = ramp_limit.to("W/s").magnitude
    ts = t.to("s").magnitude
    dp = (mean_power - idle_power).to("W").magnitude
    on, off = t_on.to("s").magnitude, t_off.to("s").magnitude
    if r <= 0:
        return Q_(np.full_like(ts, idle_power.to("W").magnitude, dtype=float), "W")
    up = r * (ts - on)
    down = r * (off - ts) + abs(dp)
    g = np.clip(np.minimum(up, down), 0.0, abs(dp)) * np.sign(dp)
    return Q_(idle_power.to("W").magnitude + g, "W")


def battery_requirement(t, load, grid):
    """Power and energy a battery needs to supply ``load - grid`` over a series.

    Parameters
    ----------
    t : Quantity
        Evenly spaced times. [s]
    load, grid : Quantity
        Load and grid draw at those times. [W]

    Returns
    -------
    tuple of Quantity
        ``(power, energy)``: the largest discharge or charge power, and the range of the
        battery's cumulative energy (what its usable capacity must span). [W], [J]

    Notes
    -----
    ``b = P - G``; ``power = max |b|``; ``E(t) = sum b dt``; ``energy = max E - min E``.
    Losses (round-trip efficiency) are not included.
    """
    b = (load - grid).to("W").magnitude
    ts = t.to("s").magnitude
    dt = float(ts[1] - ts[0]) if ts.size > 1 else 0.0
    cum = np.concatenate([[0.0], np.cumsum(b) * dt])
    return Q_(float(np.max(np.abs(b))), "W"), Q_(float(cum.max() - cum.min()), "J")


def start_energy(step, ramp_limit):
    """Energy a battery supplies while the grid ramps up to a load step. [J]

    Notes
    -----
    Triangle under the unmet load: ``E = dP^2 / (2 R)``. Worked example: a 10 MW step at
    10 MW/min takes 60 s and needs 300 MJ = 83.3 kWh.
    """
    return (step ** 2 / (2 * ramp_limit)).to("J")


def slowest_ramp_for_energy(step, energy):
    """Gentlest grid ramp a battery of usable ``energy`` allows for a load step. [W/s]

    Notes
    -----
    Inverse of :func:`start_energy`: ``R = dP^2 / (2 E)``.
    """
    return (step ** 2 / (2 * energy)).to("W/s")


def residual_swing(peak_above_mean, trough_below_mean, battery_power):
    """Swing left at the grid when a battery of ``battery_power`` absorbs what it can. [W]

    Notes
    -----
    The grid holds the mean; the battery discharges up to ``B`` in the peak and charges up to
    ``B`` in the trough: ``dP_grid = max(P_high - P_mean - B, 0) + max(P_mean - P_low - B, 0)``.
    """
    zero = Q_(0.0, "W")
    up = peak_above_mean - battery_power
    down = trough_below_mean - battery_power
    return (up if up.magnitude > 0 else zero) + (down if down.magnitude > 0 else zero)
