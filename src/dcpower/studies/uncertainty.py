"""Uncertainty of an estimate: seeded Monte Carlo over the spec ranges, and a tornado of swings.

Which values vary
-----------------
Every :class:`~dcpower.catalog.models.SpecValue` that the model chain reads and that carries a
``low`` or ``high`` (a missing side is the value itself): utilization, accelerator and host
powers, PSU, UPS and transformer efficiencies, design loading, the cooling plant's
temperatures, pressures, efficiencies and approaches, cycles of concentration, drift, switch,
optics and storage power, grid price and carbon intensity, turbine ratings... The chain
itself finds them: every ranged value is replaced by a stand-in that records when it is read,
and one run of the chain lists exactly the values it uses. Values that fix the *structure* of the
facility (GPU, port and rack counts, link speeds) and the weather stay at their nominal values.

Distribution
------------
Triangular between ``low``, ``value`` (the mode) and ``high``, on the magnitude in the value's
own unit. The triangle keeps the catalog value the most likely one and puts no mass outside
the published range, which is what a "typical, with a plausible range" spec entry says;
a uniform draw would treat the extremes as as likely as the datasheet value. A value whose
range is a spread over a population rather than the doubt about one number (a share fitted
across measured systems, each with its own) says ``distribution = "uniform"`` and is drawn
uniformly between ``low`` and ``high``: there the triangle would claim that a new member sits
near the fitted value far more often than the population shows. Where that population reaches
past a hard limit at ``high`` (accelerators asked for more than their power cap draw the cap),
``at_high`` gives the share of it beyond the limit, and that share of the draws sits at ``high``
(the uniform spread censored at the limit, not cut off there).

Speed: the weather is binned
----------------------------
The hourly model depends on the hour only through its weather (the IT load is constant over
the typical year), so an annual sum over 8,760 hours equals a weighted sum over weather
states (:func:`dcpower.weather.bins.weather_bins`; about 150 occupied bins, within 0.2 % of
the hourly sums). The N sampled parameter sets are arrays of shape (N, 1) and broadcast
against the bins, so the whole Monte Carlo is one vectorized evaluation of *the* chain
(:func:`dcpower.chain.run.run_chain` on :meth:`~dcpower.chain.resolve.Resolved.with_values`),
in chunks of samples to bound memory. Each sampled result is then scaled by the ratio of the
hourly estimate to the binned nominal, so the band is centred on the estimate's own hourly
year and a Monte Carlo with no spread returns exactly the estimate's numbers.

The nominal point
-----------------
The value column is the deterministic estimate. When it falls outside its own P5-P95 (the
triangular ranges are skewed), the report says so and names the inputs whose ranges reach
further on one side than the other.

Sensitivity
-----------
One at a time: each varying value is set to its low and then its high end with every other
value nominal (one vectorized batch of 2 K evaluations). The swing of ``facility_power``,
``annual_energy`` and ``annual_water`` between the two ends, as a share of the nominal
result, ranks the assumptions (largest relative swing of the three first): a tornado table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dcpower.catalog.models import SpecValue
from dcpower.chain.estimate import estimate_resolved
from dcpower.chain.resolve import Resolved, resolve
from dcpower.chain.result import Estimate, display_unit
from dcpower.chain.run import chain_results, run_chain
from dcpower.errors import InputError
from dcpower.report import Report, Table
from dcpower.units import Q_, format_unit
from dcpower.weather.bins import weather_bins

__all__ = ["uncertainty", "keep_order", "UncertainEstimate", "Parameter", "TornadoRow", "DEFAULT_SEED", "SENSITIVITY_RESULTS",
           "MAX_SAMPLES"]

DEFAULT_SEED = 20250601
PERCENTILES = (5, 50, 95)
SENSITIVITY_RESULTS = ("facility_power", "annual_energy", "annual_water")
# Results whose nominal is checked against its band, with the inputs that skew it named.
SKEW_RESULTS = SENSITIVITY_RESULTS + ("it_power", "pue", "wue", "annual_cost", "annual_co2")
CHUNK = 2_000  # samples per vectorized block: ~150 bins x 2,000 = 0.3 M values per array
MAX_SAMPLES = 1_000_000


@dataclass(frozen=True)
class Parameter:
    """One varying assumption: its name (``cooling.approach``), range and source."""

    name: str
    value: float
    low: float
    high: float
    unit: str
    source: str
    distribution: str = "triangular"
    at_high: float = 0.0




def range_of(sv: SpecValue, spread: float, dim=None) -> tuple[float, float, float, str]:
    """(value, low, high, unit) of a ranged value, in its own unit; ``spread`` scales the range,
    which stays within the field's declared physical range ``dim``."""
    q = sv.quantity
    v = float(q.magnitude)
    lo = float(sv.low_quantity.to(q.units).magnitude) if sv.low is not None else v
    hi = float(sv.high_quantity.to(q.units).magnitude) if sv.high is not None else v
    unit = format_unit(q.units) if str(q.units) != "dimensionless" else ""
    lo, hi = v - spread * (v - lo), v + spread * (hi - v)
    if dim is not None:
        lo, hi = dim.clip(lo, hi, q.units)
    return v, min(lo, v), max(hi, v), unit


def draw(rng: np.random.Generator, p: Parameter, samples: int) -> np.ndarray:
    """``samples`` draws of one parameter from its distribution (see the module notes)."""
    if p.high <= p.low:
        return np.full(samples, p.value)
    if p.distribution == "uniform":
        u = rng.uniform(0.0, 1.0, size=samples)
        if p.at_high <= 0:
            return p.low + (p.high - p.low) * u
        # censored at high: the first at_high of the unit draws sit at the limit
        return np.where(u < p.at_high, p.high, p.low + (p.high - p.low) * (u - p.at_high) / (1 - p.at_high))
    return rng.triangular(p.low, p.value, p.high, size=samples)


def parameter_of(name: str, sv: SpecValue, spread: float, dim=None) -> Parameter:
    """The :class:`Parameter` a ranged spec value varies as."""
    v, lo, hi, unit = range_of(sv, spread, dim)
    # the share held at high belongs to the limit at the catalog's high end: a narrowed range
    # no longer reaches that limit, so it is drawn uniformly to its own end
    limit = sv.high_quantity.to(sv.quantity.units).magnitude if sv.at_high else None
    at_high = sv.at_high if sv.at_high and np.isclose(hi, limit) else 0.0
    return Parameter(name, v, lo, hi, unit, sv.citation(), sv.distribution or "triangular", at_high)


def keep_order(r: Resolved, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``columns`` with every draw that breaks a spec's declared order (a supply envelope's floor
    above its limit) taken at the other value of the pair: the floor down to the limit when the
    floor varies, else the limit up to the floor. Independent draws of two ranged values can
    cross only when a wide ``spread`` stretches their ranges into each other."""
    out = dict(columns)
    for owner_name, owner in r.owners().items():
        for lo, hi in owner.ordered_pairs() if hasattr(owner, "ordered_pairs") else ():
            a, b = f"{owner_name}.{lo}", f"{owner_name}.{hi}"
            if a not in out and b not in out:
                continue
            u_lo, u_hi = getattr(owner, lo).quantity.units, getattr(owner, hi).quantity.units
            x_lo = Q_(np.asarray(out.get(a, getattr(owner, lo).quantity.magnitude), dtype=float), u_lo).to(u_hi).magnitude
            x_hi = np.asarray(out.get(b, getattr(owner, hi).quantity.magnitude), dtype=float)
            if a in out:
                out[a] = Q_(np.minimum(x_lo, x_hi), u_hi).to(u_lo).magnitude
            else:
                out[b] = np.maximum(x_hi, x_lo)
    return out


def _evaluate(r: Resolved, states, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every result of the chain for the sampled ``columns``, as floats in SI display units."""
    res = chain_results(run_chain(r.with_values(keep_order(r, columns)) if columns else r, states))
    return {k: np.asarray(q.to(display_unit(k) or "dimensionless").magnitude, dtype=float) for k, q in res.items()}


def _parameters(r: Resolved, states, spread: float) -> tuple[list[Parameter], dict[str, np.ndarray]]:
    """The ranged values the chain reads (found by one tracked run), and the binned nominal results."""
    ranged = r.ranged_values()
    read: set[str] = set()
    tracked = r.with_values({n: [sv.quantity.magnitude] for n, sv in ranged.items()}, on_read=read.add)
    nominal = chain_results(run_chain(tracked, states))
    nominal = {k: np.asarray(q.to(display_unit(k) or "dimensionless").magnitude, dtype=float)
               for k, q in nominal.items()}
    params = []
    for name, sv in ranged.items():
        p = parameter_of(name, sv, spread, r.bounds_of(name))
        if name in read and p.high > p.low:
            params.append(p)
    return params, nominal


def check_seed(seed) -> int:
    """``seed`` as a random generator takes it: a whole number, 0 or above."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed {seed!r} must be a whole number, 0 or above; e.g. 7")
    return int(seed)


def _monte_carlo(r, states, params, samples: int, seed: int, progress=None) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    draws_in = {p.name: draw(rng, p, samples) for p in params}
    chunks = []
    for start in range(0, samples, CHUNK):
        chunks.append(_evaluate(r, states, {k: v[start:start + CHUNK] for k, v in draws_in.items()}))
        if progress:
            progress(min(start + CHUNK, samples), samples)
    if not chunks[0]:
        return {}
    return {k: np.concatenate([np.broadcast_to(c[k], (min(CHUNK, samples - i * CHUNK),)) for i, c in
                               enumerate(chunks)]) for k in chunks[0]}


def _tornado(r, states, params, nominal) -> list["TornadoRow"]:
    """One at a time: rows 2k and 2k+1 hold parameter k at its low and high end."""
    k = len(params)
    if not k:
        return []
    cols = {}
    for i, p in enumerate(params):
        col = np.full(2 * k, p.value)
        col[2 * i], col[2 * i + 1] = p.low, p.high
        cols[p.name] = col
    oat = _evaluate(r, states, cols)
    rows = []
    for i, p in enumerate(params):
        names = [n for n in SKEW_RESULTS if n in oat]
        lo = {n: float(oat[n][2 * i]) for n in names}
        hi = {n: float(oat[n][2 * i + 1]) for n in names}
        base = {n: float(nominal[n][0]) for n in names}
        rel = {n: (hi[n] - lo[n]) / base[n] if base[n] else 0.0 for n in SENSITIVITY_RESULTS}
        skew = {n: ((hi[n] - base[n]) + (lo[n] - base[n])) / base[n] if base[n] else 0.0 for n in names}
        rows.append(TornadoRow(p, lo, hi, rel, skew))
    rows.sort(key=lambda s: -s.rank_key)
    return rows


def uncertainty(scenario=None, *, samples: int = 1000, seed: int | None = None, spread: float = 1.0,
                specs_dirs=(), settings: dict | None = None, estimate: Estimate | None = None, bins: int = 150,
                progress=None, **overrides) -> "UncertainEstimate":
    """Monte Carlo percentiles and one-at-a-time sensitivity of an estimate.

    Parameters
    ----------
    scenario, specs_dirs, settings, **overrides
        As for :func:`dcpower.estimate`.
    samples : int
        Number of Monte Carlo samples N (1 to :data:`MAX_SAMPLES`).
    seed : int, optional
        Seed of the random generator; the same seed gives the same percentiles.
        Default :data:`DEFAULT_SEED`.
    spread : float
        Scales every range about its value: 1 is the catalog's ranges, 0.5 half as wide,
        0 none (the band collapses onto the estimate).
    estimate : Estimate, optional
        An estimate already run with the same inputs (saves one run).
    bins : int
        Upper bound on the number of weather bins.
    progress : callable, optional
        Called as ``progress(done, total)`` after each block of samples.

    Returns
    -------
    UncertainEstimate

    Examples
    --------
    >>> import dcpower
    >>> u = dcpower.uncertainty(samples=500)
    >>> p5, p50, p95 = u.percentiles["facility_power"]
    >>> p5 < p50 < p95
    True
    """
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or not 1 <= samples <= MAX_SAMPLES:
        raise InputError(f"uncertainty needs 1 to {MAX_SAMPLES:,} samples, got {samples!r}; e.g. 1000")
    try:
        spread = float(spread)
    except (TypeError, ValueError):
        raise InputError(f"spread {spread!r} is not a number; 1 uses the catalog's ranges, 0.5 halves them") from None
    if estimate is not None and not isinstance(estimate, Estimate):
        raise InputError(f"estimate must be a dcpower.Estimate (from dcpower.estimate()), got {type(estimate).__name__}")
    if not 0 <= spread <= 10:
        raise InputError(f"spread {spread!r} is outside 0..10; 1 uses the catalog's ranges")
    seed = DEFAULT_SEED if seed is None else check_seed(seed)
    if estimate is None:
        estimate = estimate_resolved(resolve(scenario, specs_dirs=specs_dirs, settings=settings, **overrides))
    r = estimate.resolved
    states = weather_bins(r.weather, bins)
    params, nominal = _parameters(r, states, float(spread))
    draws = _monte_carlo(r, states, params, samples, seed, progress)
    exact = {k: float(estimate.value(k).magnitude) for k in draws if k in estimate.results}
    for k, v in exact.items():  # centre the binned band on the hourly estimate
        n = float(nominal[k][0])
        draws[k] = draws[k] * (v / n) if n else np.full_like(draws[k], v)
    percentiles = {k: tuple(float(x) for x in np.percentile(v, PERCENTILES)) for k, v in draws.items()}
    rows = _tornado(r, states, params, nominal)
    return UncertainEstimate(estimate, samples, seed, float(spread), params, percentiles, draws, rows,
                             {n: float(nominal[n][0]) for n in SENSITIVITY_RESULTS})


@dataclass
class TornadoRow:
    """One row of the tornado: the results at the low and the high end of one assumption.

    ``relative`` is ``(at_high - at_low) / nominal``; ``skew`` is
    ``((at_high - nominal) + (at_low - nominal)) / nominal``, how much further the result
    moves on one side than the other (positive: the range pulls the band up).
    """

    parameter: Parameter
    at_low: dict[str, float]
    at_high: dict[str, float]
    relative: dict[str, float]
    skew: dict[str, float] = field(default_factory=dict)

    @property
    def rank_key(self) -> float:
        return max(abs(v) for v in self.relative.values()) if self.relative else 0.0


@dataclass
class UncertainEstimate:
    """An estimate with P5/P50/P95 of every result and a sensitivity ranking.

    ``estimate`` is the deterministic :class:`~dcpower.chain.result.Estimate` (its values are
    exactly those of ``dcpower.estimate`` with the same inputs); ``percentiles`` maps a
    result to ``(p5, p50, p95)`` in its SI display unit; ``draws`` holds the N sampled
    values of each result; ``sensitivity`` the tornado rows, largest swing first.
    """

    estimate: Estimate
    samples: int
    seed: int
    spread: float
    parameters: list[Parameter]
    percentiles: dict[str, tuple[float, float, float]]
    draws: dict[str, np.ndarray] = field(repr=False)
    sensitivity: list[TornadoRow]
    # Nominal values of SENSITIVITY_RESULTS on the binned weather, the base of the swings.
    nominal: dict[str, float] = field(default_factory=dict)

    def __getattr__(self, name):
        est = self.__dict__.get("estimate")
        if est is not None and name in est.results:
            return est.results[name]
        raise AttributeError(name)

    def _quantiles(self, name: str, units: str):
        """(p5, p50, p95) in the display unit for ``units`` ("si" or "us")."""
        if name not in self.percentiles:
            return None
        si, target = display_unit(name, "si"), display_unit(name, units)
        vals = self.percentiles[name]
        if si == target or not si:
            return tuple(float(v) for v in vals)
        return tuple(float(Q_(v, si).to(target).magnitude) for v in vals)

    def outside_band(self) -> dict[str, str]:
        """Results whose deterministic value lies outside P5-P95, with the inputs that skew them."""
        out = {}
        for name in SKEW_RESULTS:
            if name not in self.percentiles or name not in self.estimate.results:
                continue
            v = float(self.estimate.value(name).magnitude)
            p5, _, p95 = self.percentiles[name]
            if p5 <= v <= p95 or p95 - p5 <= 1e-12 * max(abs(v), 1.0):
                continue
            side = "above" if v < p5 else "below"
            sign = 1 if v < p5 else -1
            by = sorted((row for row in self.sensitivity if name in row.skew and sign * row.skew[name] > 0),
                        key=lambda row: -abs(row.skew[name]))[:3]
            names = ", ".join(row.parameter.name for row in by) or "several inputs"
            out[name] = (f"{name}: the estimate lies outside its P5-P95 band (the band sits {side} it): "
                         f"the ranges of {names} reach further on that side than the other")
        return out

    def to_dict(self, units: str = "si") -> dict:
        """The estimate's JSON with ``p5``, ``p50``, ``p95`` on every result, plus
        ``uncertainty`` (samples, seed, distribution, parameters, skew notes) and ``sensitivity``."""
        d = self.estimate.to_dict(units)
        skewed = self.outside_band()
        for name, entry in d["results"].items():
            q = self._quantiles(name, units)
            entry["p5"], entry["p50"], entry["p95"] = q if q is not None else (None, None, None)
            if name in skewed:
                entry["outside_band"] = True
        d["uncertainty"] = {
            "samples": self.samples, "seed": self.seed, "spread": self.spread,
            "distribution": "triangular(low, value, high) per ranged value, or uniform(low, high) where the value "
                            "says so (its at_high share held at high); independent",
            "weather": "binned typical year (dry-bulb x wet-bulb), scaled to the hourly estimate",
            "parameters": [{"name": p.name, "value": p.value, "low": p.low, "high": p.high, "unit": p.unit,
                            "distribution": p.distribution, "at_high": p.at_high,
                            "source": p.source} for p in self.parameters],
            "skewed": list(skewed.values()),
        }
        d["sensitivity"] = [self._row_dict(s, units) for s in self.sensitivity]
        return d

    def _row_dict(self, s: TornadoRow, units: str) -> dict:
        out = {"parameter": s.parameter.name, "low": s.parameter.low, "high": s.parameter.high,
               "unit": s.parameter.unit}
        for name in SENSITIVITY_RESULTS:
            si, unit = display_unit(name, "si"), display_unit(name, units)
            conv = (lambda v: float(Q_(v, si).to(unit).magnitude)) if unit != si else float  # noqa: E731
            out[name] = {"at_low": conv(s.at_low[name]), "at_high": conv(s.at_high[name]), "unit": unit,
                         "swing_percent": 100 * s.relative[name]}
        return out

    def rows(self, units: str = "si") -> list[tuple]:
        """``(name, value, p5, p50, p95, unit)`` for each result."""
        d = self.to_dict(units)["results"]
        return [(k, v["value"], v["p5"], v["p50"], v["p95"], v["unit"]) for k, v in d.items()]

    def sensitivity_rows(self, top: int | None = None) -> list[tuple]:
        rows = []
        for s in self.sensitivity[:top]:
            p = s.parameter
            rows.append((p.name, f"{p.low:g} .. {p.high:g} {p.unit}".rstrip(),
                         *(f"{100 * s.relative[n]:+.2f} %" for n in SENSITIVITY_RESULTS)))
        return rows

    def report(self, units: str = "si", top: int | None = 15, explain: bool = False) -> Report:
        """Results with P5/P50/P95, then the tornado table."""
        data = self.to_dict(units)
        if explain:
            data["steps"] = [s.to_dict() for s in self.estimate.steps]
        heads = ["result", "value", "p5", "p50", "p95", "unit"]
        results = Table(heads, [list(r) for r in self.rows(units)])
        sens = Table(["assumption", "range", *(f"{n} swing" for n in SENSITIVITY_RESULTS)],
                     [list(r) for r in self.sensitivity_rows(top)],
                     "Sensitivity, one at a time (low -> high end, change against nominal):")
        title = (f"dcpower estimate: {self.estimate.title}, {self.samples:,} samples (seed {self.seed}), "
                 "triangular(low, value, high)" + (f", ranges x {self.spread:g}" if self.spread != 1 else ""))
        notes = list(self.estimate.warnings) + list(self.outside_band().values())
        return Report(title, [results, sens], data, notes, csv=results,
                      steps=self.estimate.steps if explain else None)

    def render(self, fmt: str = "table", units: str = "si", top: int | None = 15) -> str:
        from dcpower.report import render

        return render(self.report(units, top), fmt)

    def summary(self, units: str = "si") -> str:
        return self.render("table", units)

    def _repr_markdown_(self) -> str:
        return self.render("markdown")

    def _repr_html_(self) -> str:
        return self.render("html")

    def to_frame(self, units: str = "si"):
        """Results with P5/P50/P95 as a pandas DataFrame (needs pandas)."""
        from dcpower.chain.result import frame

        return frame(["result", "value", "p5", "p50", "p95", "unit"], self.rows(units), "result")

    def __repr__(self) -> str:
        p = self.percentiles.get("facility_power")
        fp = f" facility_power P5/P50/P95 = {p[0]:.1f}/{p[1]:.1f}/{p[2]:.1f} MW" if p else ""
        return f"<UncertainEstimate {self.estimate.title}: {self.samples} samples{fp}>"
