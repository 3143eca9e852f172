#!/usr/bin/env python3
"""Turn measure.py's raw output into the shipped trace CSV and summary TOML.

    python benchmarks/gpu_power/summarize.py RAW_DIR \
        --id h100-sxm-2026-11-26 --accelerator h100-sxm \
        --out-dir specs/measurements

RAW_DIR holds ``trace_raw.csv`` and ``phases.json`` as measure.py wrote them.
Runs on any machine (stdlib + numpy).

Definitions (the test in tests/catalog/test_measurements.py recomputes them from the
shipped CSV, so keep the two in step):

* a sample belongs to a phase when its time lies in [start, end) of the
  phase; it is *steady* when it also lies at least ``settle_s`` after the
  phase start (power.draw is a moving average, so the first samples of a
  phase still carry the phase before it);
* idle power: median of power.draw over the steady samples of both idle
  phases;
* matmul median / p99, memory-bound median: power.draw over the steady
  samples of that phase (numpy's default, linear-interpolated percentiles);
* pattern peak / trough: p95 / p5 of the pattern column (power.draw.instant
  where the driver offers it, else power.draw) over the steady pattern
  samples;
* pattern ramp rate: for consecutive steady pattern samples, the rise
  (P[i+1] - P[i]) / (t[i+1] - t[i]); per 500 ms cycle (counted from the
  phase start) the largest rise; the value is the median of those per-cycle
  maxima, the note gives the largest single rise.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import json
import math
import re
from pathlib import Path

import numpy as np

SMI_TS_FORMAT = "%Y/%m/%d %H:%M:%S.%f"
SETTLE_S = 2.0
# Rows outside the phases are kept and labelled: "no_context" before measure.py
# created its CUDA context (the card as found, nothing open on it), "setup"
# from then to the start of idle_1, "teardown" after idle_2.

# nvidia-smi field -> shipped column (units in the name)
COLUMNS = {
    "power.draw": "power_draw_W",
    "power.draw.instant": "power_draw_instant_W",
    "power.draw.average": "power_draw_average_W",
    "power.limit": "power_limit_W",
    "enforced.power.limit": "enforced_power_limit_W",
    "clocks.sm": "sm_clock_MHz",
    "clocks.mem": "mem_clock_MHz",
    "temperature.gpu": "temperature_C",
    "utilization.gpu": "gpu_utilization_pct",
    "memory.used": "memory_used_MiB",
    "pstate": "pstate",
    "clocks_event_reasons.active": "clocks_event_reasons",
}


def _num(v: str) -> float:
    v = v.strip()
    try:
        return float(v)
    except ValueError:
        return math.nan  # "[N/A]", "[Not Supported]", ...


def load_raw(raw_dir: Path):
    meta = json.loads((raw_dir / "phases.json").read_text())
    fields = meta["smi"]["fields"]
    off = float(meta.get("utc_offset_s", 0))
    rows = []
    with open(raw_dir / "trace_raw.csv", newline="") as fh:
        rd = csv.reader(fh, skipinitialspace=True)
        header = next(rd)
        if len(header) != len(fields):
            raise SystemExit(f"header {header} does not match fields {fields}")
        for r in rd:
            if len(r) != len(fields) or not r[0].strip():
                continue  # a torn last line
            rec = dict(zip(fields, (x.strip() for x in r)))
            try:
                local = _dt.datetime.strptime(rec["timestamp"], SMI_TS_FORMAT)
            except ValueError:
                continue
            # nvidia-smi prints local time without a zone
            epoch = local.replace(tzinfo=_dt.timezone.utc).timestamp() - off
            rec["_epoch"] = epoch
            rows.append(rec)
    rows.sort(key=lambda r: r["_epoch"])
    return meta, fields, rows


def pct(x, q):
    return float(np.percentile(np.asarray(x, dtype=float), q))


def fmt(v: float, nd: int) -> str:
    return f"{v:.{nd}f}"


def toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("raw_dir", type=Path)
    ap.add_argument("--id", default="h100-sxm-2026-11-26")
    ap.add_argument("--accelerator", default="h100-sxm")
    ap.add_argument("--out-dir", type=Path, default=Path("specs/measurements"))
    ap.add_argument("--machine-extra", default="",
                    help="words about the host to add to `machine`")
    args = ap.parse_args(argv)

    meta, fields, rows = load_raw(args.raw_dir)
    phases = meta["phases"]
    names = [p["name"] for p in phases]
    expect = ["idle_1", "matmul", "copy", "pattern", "idle_2"]
    if names != expect:
        raise SystemExit(f"phases {names} != {expect}: incomplete run?")
    t_zero = phases[0]["start_epoch"]
    t_ctx = float(meta["sampler_started_epoch"])  # GPU work was set up right after

    # clock alignment check: sampler rows should bracket the phases
    first, last = rows[0]["_epoch"], rows[-1]["_epoch"]
    if not (first <= t_zero and last >= phases[-1]["end_epoch"] - 0.5):
        raise SystemExit(
            f"trace [{first:.1f}, {last:.1f}] does not cover phases "
            f"[{t_zero:.1f}, {phases[-1]['end_epoch']:.1f}]: clock/timezone?")

    def phase_of(t: float) -> str:
        for p in phases:
            if p["start_epoch"] <= t < p["end_epoch"]:
                return p["name"]
        if t < t_ctx:
            return "no_context"
        return "setup" if t < t_zero else "teardown"

    cols = [f for f in fields if f in COLUMNS]
    out_rows = []
    for r in rows:
        t = r["_epoch"]
        rec = {
            "time_s": f"{t - t_zero:.3f}",
            "utc_time": _dt.datetime.fromtimestamp(t, _dt.timezone.utc)
                        .strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z",
            "phase": phase_of(t),
        }
        for f in cols:
            v = r[f]
            if COLUMNS[f] in ("pstate", "clocks_event_reasons"):
                rec[COLUMNS[f]] = v
            else:
                x = _num(v)
                rec[COLUMNS[f]] = "" if math.isnan(x) else v
        out_rows.append(rec)

    args.out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = args.out_dir / f"{args.id}.csv"
    header = ["time_s", "utc_time", "phase"] + [COLUMNS[f] for f in cols]
    with open(csv_path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(out_rows)

    # ---- statistics, from the rows as shipped ------------------------------
    t = np.array([float(r["time_s"]) for r in out_rows])
    ph = np.array([r["phase"] for r in out_rows])
    pd_ = np.array([_num(r["power_draw_W"]) if r["power_draw_W"] else np.nan
                    for r in out_rows])
    pcol = "power_draw_instant_W" if "power_draw_instant_W" in header else "power_draw_W"
    pin = np.array([_num(r[pcol]) if r[pcol] else np.nan for r in out_rows])
    rel = {p["name"]: (p["start_epoch"] - t_zero, p["end_epoch"] - t_zero)
           for p in phases}

    def steady(name: str) -> np.ndarray:
        s, e = rel[name]
        return (ph == name) & (t >= s + SETTLE_S)

    def finite(x):
        return x[np.isfinite(x)]

    nctx = finite(pd_[ph == "no_context"])
    idle_nctx = float(np.median(nctx)) if nctx.size else math.nan
    idle_mask = steady("idle_1") | steady("idle_2")
    idle = float(np.median(finite(pd_[idle_mask])))
    idle1 = float(np.median(finite(pd_[steady("idle_1")])))
    idle2 = float(np.median(finite(pd_[steady("idle_2")])))
    mm = finite(pd_[steady("matmul")])
    mm_med, mm_p99, mm_max = float(np.median(mm)), pct(mm, 99), float(mm.max())
    cp = finite(pd_[steady("copy")])
    cp_med = float(np.median(cp))
    pm = steady("pattern")
    pat = finite(pin[pm])
    peak, trough = pct(pat, 95), pct(pat, 5)
    pat_avg = finite(pd_[pm])
    pavg_p95, pavg_p5 = pct(pat_avg, 95), pct(pat_avg, 5)
    pavg_mean = float(np.mean(pat_avg))
    pin_mean = float(np.mean(pat))
    pin_max = float(pat.max())

    def col(name):
        return np.array([r.get(name, "") for r in out_rows])

    def clock_med(name):
        x = np.array([_num(v) if v else np.nan for v in col("sm_clock_MHz")])
        return float(np.median(finite(x[steady(name)])))

    reasons = col("clocks_event_reasons")

    def capped_frac(name):
        m = steady(name)
        vals = [int(v, 16) for v in reasons[m] if v.startswith("0x")]
        return (sum(1 for v in vals if v & 0x4) / len(vals)) if vals else math.nan

    # ramp
    idx = np.flatnonzero(pm & np.isfinite(pin))
    ps = rel["pattern"][0]
    period = float(phases[3]["period_s"])
    per_cycle: dict[int, float] = {}
    rises = []
    for i, j in zip(idx[:-1], idx[1:]):
        if j != i + 1:
            continue
        dt = t[j] - t[i]
        if dt <= 0:
            continue
        r_ = (pin[j] - pin[i]) / dt
        if r_ > 0:
            rises.append(r_)
            c = int(math.floor((t[i] - ps) / period))
            per_cycle[c] = max(per_cycle.get(c, 0.0), r_)
    ramp_typ = float(np.median(list(per_cycle.values()))) if per_cycle else 0.0
    ramp_max = float(max(rises)) if rises else 0.0
    dts = np.diff(t[np.isfinite(pd_)])
    dt_med = float(np.median(dts))

    pl = finite(np.array([_num(r["power_limit_W"]) if r.get("power_limit_W") else np.nan
                          for r in out_rows]))
    plimit = float(np.median(pl)) if pl.size else _num(meta["smi"]["before"]["power.limit"])

    mm_phase, cp_phase, pat_phase = phases[1], phases[2], phases[3]
    tflops = float(mm_phase["tflops"])
    gbps = float(cp_phase["gbps"])
    duty = float(pat_phase["duty_cycle_achieved"])

    # ---- metadata ------------------------------------------------------------
    b = meta["smi"]["before"]
    a = meta["smi"].get("after", {})
    date = meta["started_utc"][:10]
    gpu_name = b.get("name") or (rows[0].get("name") if rows else "?")
    driver = b.get("driver_version") or "?"
    help_ = meta.get("power_draw_help", {})
    help_ = {k: re.sub(r'^"[^"]*"( or "[^"]*")?\s*', "", v) for k, v in help_.items()}
    help_pd = help_.get("power.draw", "(not reported)")
    has_inst = pcol == "power_draw_instant_W"
    swing_avg = pavg_p95 - pavg_p5
    swing_in = peak - trough
    work = meta.get("work", {})
    machine = (
        f"one {gpu_name} (the name nvidia-smi gives the SXM5 board; max power limit "
        f"{b.get('power.max_limit')} W, {work.get('multiprocessors', '?')} SMs, "
        f"{b.get('memory.total')} MiB) in a Firecracker microVM "
        f"(16 CPU cores, 128 GiB; kernel {meta.get('kernel')}); "
        f"driver {driver}, vbios {b.get('vbios_version')}; PyTorch {work.get('torch')} "
        f"(CUDA {work.get('torch_cuda')}). As found, not changed: power limit "
        f"{b.get('power.limit')} W (enforced {b.get('enforced.power.limit')} W, default "
        f"{b.get('power.default_limit')} W, range {b.get('power.min_limit')}-"
        f"{b.get('power.max_limit')} W), persistence mode {b.get('persistence_mode')}, "
        f"MIG {b.get('mig.mode.current')}, compute mode {b.get('compute_mode')}, "
        f"max clocks SM {b.get('clocks.max.sm')} MHz / memory {b.get('clocks.max.mem')} MHz, "
        f"temperature at start {b.get('temperature.gpu')} C"
        + (f"; {args.machine_extra}" if args.machine_extra else "")
    )
    durs = {p["name"]: p["end_epoch"] - p["start_epoch"] for p in phases}
    method = (
        "benchmarks/gpu_power/measure.py: nvidia-smi --query-gpu="
        + ",".join(fields)
        + f" --format=csv,nounits -lms {meta['sample_ms']} in the background "
        f"(median sample spacing {dt_med*1e3:.0f} ms) during, in order: idle "
        f"{durs['idle_1']:.0f} s (CUDA context and buffers allocated, no work); "
        f"bf16 8192^3 torch.matmul on randn data {durs['matmul']:.0f} s; "
        f"device-to-device copy of 2 GiB random bytes {durs['copy']:.0f} s; "
        f"pattern of 300 ms matmul then idle to a 500 ms period {durs['pattern']:.0f} s; "
        f"idle {durs['idle_2']:.0f} s. Summarized by benchmarks/gpu_power/summarize.py: "
        f"steady samples are those at least {SETTLE_S:g} s after a phase start; medians "
        "and numpy linear percentiles of those samples. Card settings not changed."
    )
    src = f"dcpower measurement {args.id}"
    avg_note = (
        f"nvidia-smi --help-query-gpu on this driver says of power.draw: \"{help_pd}\""
        + (f" Of power.draw.instant: \"{help_['power.draw.instant']}\""
           if "power.draw.instant" in help_ else "")
        + f" Seen here: in the 500 ms pattern power.draw swung {swing_avg:.0f} W (p95-p5) "
        f"against {swing_in:.0f} W for {pcol.replace('_W', '').replace('_', '.')}, so on this "
        "driver power.draw behaves as the 1 s average the help describes and hides "
        "sub-second swings; the pattern_* values therefore use power.draw.instant "
        "(where present), the steady-phase values power.draw."
    )

    def q(key, value, note):
        return f"{key} = {{ value = {toml_str(value)}, source = {toml_str(src)}, year = {date[:4]}, note = {toml_str(note)} }}"

    pcol_name = "power.draw.instant" if has_inst else "power.draw"
    lines = [
        f"# Measured power of one {gpu_name}, {date}.",
        "# Written by benchmarks/gpu_power/summarize.py from the raw output of",
        "# benchmarks/gpu_power/measure.py; tests/catalog/test_measurements.py checks it",
        f"# against the trace {args.id}.csv beside it.",
        "",
        "[measurement]",
        f"id = {toml_str(args.id)}",
        f"accelerator = {toml_str(args.accelerator)}",
        f"date = {date}",
        f"gpu_name = {toml_str(gpu_name)}",
        f"driver = {toml_str(driver)}",
        f"machine = {toml_str(machine)}",
        f"method = {toml_str(method)}",
        f"trace = {toml_str(csv_path.name)}",
        f"source = {toml_str('dcpower first-party measurement, benchmarks/gpu_power/measure.py')}",
        f"year = {date[:4]}",
        f"power_draw_note = {toml_str(avg_note)}",
        f"pattern_column = {toml_str(pcol)}",
        "",
        q("idle_power", f"{idle:.1f} W",
          f"median power.draw of the steady samples of both idle phases "
          f"(first idle {idle1:.1f} W, second idle, after the load, {idle2:.1f} W)"),
        q("idle_power_no_context", f"{idle_nctx:.1f} W",
          f"median power.draw of the {nctx.size} samples taken before measure.py opened a CUDA "
          f"context (phase no_context in the trace; SM clock at its idle floor): the card as found, "
          f"persistence mode {b.get('persistence_mode')}. With a context open and no work "
          f"(idle_power) the driver held the SM clock at {clock_med('idle_1'):.0f} MHz"),
        q("power_limit", f"{plimit:.0f} W",
          f"power.limit as found (enforced {b.get('enforced.power.limit')} W, default "
          f"{b.get('power.default_limit')} W); after the run {a.get('power.limit')} W"),
        q("matmul_power_median", f"{mm_med:.1f} W",
          f"median power.draw, steady samples of the {durs['matmul']:.0f} s bf16 8192^3 matmul phase "
          f"(max {mm_max:.1f} W). Power-capped: the SW power cap clock-event reason was active in "
          f"{capped_frac('matmul')*100:.0f} % of these samples, median SM clock "
          f"{clock_med('matmul'):.0f} MHz (max {b.get('clocks.max.sm')} MHz)"),
        q("matmul_power_p99", f"{mm_p99:.1f} W",
          "99th percentile of power.draw over the same samples"),
        q("memory_bound_power_median", f"{cp_med:.1f} W",
          f"median power.draw, steady samples of the {durs['copy']:.0f} s device-to-device copy phase "
          f"at {gbps:.0f} GB/s"),
        q("pattern_power_peak", f"{peak:.1f} W",
          f"p95 of {pcol_name} over the steady samples of the 300 ms on / 200 ms off pattern "
          f"(max {pin_max:.1f} W, mean {pin_mean:.1f} W). Instant peaks exceed the "
          f"{plimit:.0f} W power limit at the start of each burst, before the power cap "
          f"pulls the clock down. power.draw, the 1 s average, stays flat: p95 {pavg_p95:.1f} W, "
          f"mean {pavg_mean:.1f} W"),
        q("pattern_power_trough", f"{trough:.1f} W",
          f"p5 of {pcol_name} over the same samples (power.draw, averaged: p5 {pavg_p5:.1f} W)"),
        q("pattern_ramp_rate", f"{ramp_typ:.0f} W/s",
          f"typical rise: median over 500 ms cycles of the largest sample-to-sample rise of "
          f"{pcol_name}; largest single rise {ramp_max:.0f} W/s. Limited by the "
          f"~{dt_med*1e3:.0f} ms sampling: a lower bound on the true slew rate"),
        q("pattern_period", f"{period:g} s", "cycle length of the training-like pattern, as scheduled"),
        q("pattern_duty_cycle", f"{duty:.3f}",
          f"achieved busy fraction: mean time spent issuing/synchronizing matmuls per cycle "
          f"({pat_phase['on_s_mean']*1e3:.1f} ms) over the period; target 0.6"),
        q("settle_time", f"{SETTLE_S:g} s",
          "samples this long after a phase start are left out of that phase's statistics "
          "(power.draw is a moving average)"),
        q("sample_interval", f"{dt_med:.3f} s",
          f"median spacing of the nvidia-smi samples (asked: -lms {meta['sample_ms']})"),
        q("matmul_throughput", f"{tflops:.1f} TFLOP/s",
          f"achieved dense bf16 over the whole matmul phase: {mm_phase['count']} products of "
          f"2*8192^3 FLOP in {mm_phase['elapsed_s']:.2f} s, at the power cap; 20 products "
          f"timed in the warm-up, before the cap engaged, ran at "
          f"{2 * 8192**3 / work.get('warmup_matmul_s', math.nan) / 1e12:.0f} TFLOP/s; "
          f"{pat_phase['tflops_while_on']:.0f} TFLOP/s while busy in the pattern phase"),
        q("copy_bandwidth", f"{gbps:.0f} GB/s",
          f"achieved device-to-device copy, bytes read plus bytes written "
          f"({cp_phase['count']} copies of 2 GiB in {cp_phase['elapsed_s']:.2f} s)"),
        "",
    ]
    # phase boundaries, seconds from the start of idle_1 (the trace's time_s)
    lines += ["# Phase boundaries in the trace's time_s (seconds from the start of idle_1).", ""]
    for p in phases:
        lines += [
            "[[phase]]",
            f"name = {toml_str(p['name'])}",
            f"start_s = {p['start_epoch'] - t_zero:.3f}",
            f"end_s = {p['end_epoch'] - t_zero:.3f}",
            f"start_utc = {toml_str(_dt.datetime.fromtimestamp(p['start_epoch'], _dt.timezone.utc).isoformat(timespec='milliseconds'))}",
            "",
        ]
    toml_path = args.out_dir / f"{args.id}.toml"
    toml_path.write_text("\n".join(lines))

    print(f"wrote {csv_path} ({len(out_rows)} rows, {csv_path.stat().st_size} B) and {toml_path}")
    print(f"idle no context {idle_nctx:.1f} W; idle {idle:.1f} W (first {idle1:.1f}, second {idle2:.1f}); matmul median "
          f"{mm_med:.1f} p99 {mm_p99:.1f} W; copy {cp_med:.1f} W; pattern ({pcol}) "
          f"p95 {peak:.1f} p5 {trough:.1f} W, ramp typ {ramp_typ:.0f} max {ramp_max:.0f} W/s; "
          f"power.draw in pattern p95 {pavg_p95:.1f} p5 {pavg_p5:.1f}; "
          f"{tflops:.1f} TFLOP/s, {gbps:.0f} GB/s, duty {duty:.3f}; limit {plimit:.0f} W")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
