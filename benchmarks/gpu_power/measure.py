#!/usr/bin/env python3
"""Measure one NVIDIA GPU's power draw under a fixed sequence of workloads.

While the script runs, ``nvidia-smi`` samples the card every 100 ms in the
background (``--query-gpu=timestamp,name,power.draw,...  -lms 100``, plus
``power.draw.instant`` / ``power.draw.average`` and a few more fields where
this driver offers them).  The workload phases, in order:

    idle_1    20 s   CUDA context and buffers exist, no work queued
    matmul    60 s   sustained bf16 matrix products, 8192^3, random data
    copy      30 s   memory-bound device-to-device copy, 2 GiB buffers
    pattern   60 s   training-like: 300 ms of matrix products, 200 ms idle
    idle_2    20 s   no work queued

Written under ``--out`` (the device tool's ``$OUT``):

    trace_raw.csv        nvidia-smi's own CSV (``--format=csv,nounits``)
    phases.json          phase start/end epochs, achieved TFLOP/s and GB/s,
                         driver, GPU name, power limits, timezone offset,
                         what ``--help-query-gpu`` says about power.draw
    smi_q_before.txt     ``nvidia-smi -q`` before the run (read-only query)
    smi_q_after.txt      ``nvidia-smi -q`` after the run
    help_query_gpu.txt   ``nvidia-smi --help-query-gpu``

The card's settings are never changed: no power-limit, clock, persistence,
compute-mode or MIG command, no reset.  Only read-only queries are issued.

``--scale 0.1`` shortens every phase (not the 500 ms pattern period) for a
quick check.  ``--fake`` (chosen automatically when there is no nvidia-smi or
no CUDA PyTorch) replaces the GPU work with sleeps and the sampler with a
synthetic one that writes the same CSV format, so that ``summarize.py`` can be
exercised on a machine without a GPU.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BASE_FIELDS = [
    "timestamp",
    "name",
    "power.draw",
    "power.limit",
    "clocks.sm",
    "clocks.mem",
    "temperature.gpu",
    "utilization.gpu",
]
# Asked for only where this driver accepts them (each is tried on its own).
OPTIONAL_FIELDS = [
    "power.draw.instant",
    "power.draw.average",
    "enforced.power.limit",
    "pstate",
    "clocks_event_reasons.active",
    "memory.used",
]
# One-off metadata, also asked one field at a time.
META_FIELDS = [
    "name",
    "driver_version",
    "vbios_version",
    "pci.bus_id",
    "power.limit",
    "enforced.power.limit",
    "power.default_limit",
    "power.min_limit",
    "power.max_limit",
    "persistence_mode",
    "mig.mode.current",
    "compute_mode",
    "clocks.max.sm",
    "clocks.max.mem",
    "memory.total",
    "temperature.gpu",
]

PHASES = [  # name, seconds at scale 1
    ("idle_1", 20.0),
    ("matmul", 60.0),
    ("copy", 30.0),
    ("pattern", 60.0),
    ("idle_2", 20.0),
]
PATTERN_PERIOD_S = 0.5
PATTERN_ON_S = 0.3
SAMPLE_MS = 100
MATMUL_N = 8192
COPY_BYTES = 2 * 1024**3

SMI_TS_FORMAT = "%Y/%m/%d %H:%M:%S.%f"


def log(msg: str) -> None:
    print(f"[measure {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------
# nvidia-smi helpers (read-only queries only)
# --------------------------------------------------------------------------

def smi_path() -> str | None:
    return shutil.which("nvidia-smi")


def smi_query(fields: list[str], timeout: float = 20.0) -> list[str] | None:
    """One read-only --query-gpu call; values for GPU 0, or None on error."""
    try:
        p = subprocess.run(
            ["nvidia-smi", "-i", "0", f"--query-gpu={','.join(fields)}",
             "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if p.returncode != 0 or not p.stdout.strip():
        return None
    line = p.stdout.strip().splitlines()[0]
    vals = [v.strip() for v in line.split(",")]
    return vals if len(vals) == len(fields) else None


def supported_fields(candidates: list[str]) -> list[str]:
    ok = []
    for f in candidates:
        if smi_query([f]) is not None:
            ok.append(f)
    return ok


def smi_text(args: list[str], timeout: float = 30.0) -> str:
    try:
        p = subprocess.run(["nvidia-smi", *args], capture_output=True,
                           text=True, timeout=timeout)
        return p.stdout + (("\n[stderr]\n" + p.stderr) if p.stderr else "")
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"[failed: {e!r}]"


def power_draw_help(text: str) -> dict[str, str]:
    """Paragraphs of --help-query-gpu that describe power.draw fields."""
    out: dict[str, str] = {}
    blocks = text.replace("\r", "").split("\n\n")
    for b in blocks:
        first = b.strip().splitlines()[0] if b.strip() else ""
        if first.startswith('"power.draw'):
            key = first.split('"')[1]
            out[key] = " ".join(line.strip() for line in b.strip().splitlines())
    return out


class SmiSampler:
    """nvidia-smi -lms loop writing its CSV straight to a file."""

    def __init__(self, fields: list[str], path: Path, period_ms: int):
        self.fields = fields
        self.path = path
        self.period_ms = period_ms
        self.proc: subprocess.Popen | None = None
        self.fh = None

    def start(self) -> None:
        cmd = ["nvidia-smi", "-i", "0", f"--query-gpu={','.join(self.fields)}",
               "--format=csv,nounits", "-lms", str(self.period_ms)]
        if shutil.which("stdbuf"):
            cmd = ["stdbuf", "-oL", *cmd]  # line-buffered: nothing lost on stop
        self._launch(cmd)
        time.sleep(1.5)
        if cmd[0] == "stdbuf" and (self.proc.poll() is not None
                                   or self.path.stat().st_size == 0):
            log("sampler under stdbuf wrote nothing: restarting without it")
            self._halt()
            cmd = cmd[2:]
            self._launch(cmd)
        log(f"sampler started: {' '.join(cmd)}")
        self.cmd = cmd

    def _launch(self, cmd: list[str]) -> None:
        self.fh = open(self.path, "w", buffering=1)
        self.err = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: never fills
        self.proc = subprocess.Popen(cmd, stdout=self.fh, stderr=self.err, text=True)

    def _halt(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.fh is not None:
            self.fh.close()

    def stop(self) -> str:
        err = ""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self.err.seek(0)
            err = self.err.read()
        if self.fh is not None:
            self.fh.close()
        return err


class FakeSampler:
    """Synthetic stand-in with nvidia-smi's CSV format, for --fake runs."""

    def __init__(self, fields: list[str], path: Path, period_ms: int,
                 state: dict):
        self.fields = fields
        self.path = path
        self.period = period_ms / 1000.0
        self.state = state
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> str:
        self._stop.set()
        self._thread.join()
        return ""

    def _target_power(self) -> float:
        phase = self.state.get("phase")
        if phase == "matmul":
            return 690.0
        if phase == "copy":
            return 420.0
        if phase == "pattern":
            return 660.0 if self.state.get("busy") else 160.0
        return 72.0

    def _run(self) -> None:
        units = {"power.draw": "W", "power.draw.instant": "W",
                 "power.draw.average": "W", "power.limit": "W",
                 "enforced.power.limit": "W", "clocks.sm": "MHz",
                 "clocks.mem": "MHz", "utilization.gpu": "%",
                 "memory.used": "MiB"}
        rng = random.Random(1)
        hist: list[tuple[float, float]] = []
        instant = 70.0
        with open(self.path, "w", buffering=1) as fh:
            fh.write(", ".join(f"{f} [{units[f]}]" if f in units else f
                               for f in self.fields) + "\n")
            while not self._stop.is_set():
                now = time.time()
                target = self._target_power()
                instant += 0.7 * (target - instant)
                inst = instant + rng.gauss(0, 3)
                hist.append((now, inst))
                hist = [(t, p) for t, p in hist if now - t <= 1.0]
                avg = sum(p for _, p in hist) / len(hist)
                busy = target > 100
                row = {
                    "timestamp": _dt.datetime.now().strftime(SMI_TS_FORMAT)[:-3],
                    "name": "FAKE GPU (synthetic trace)",
                    "power.draw": f"{avg:.2f}",
                    "power.draw.instant": f"{inst:.2f}",
                    "power.draw.average": f"{avg:.2f}",
                    "power.limit": "700.00",
                    "enforced.power.limit": "700.00",
                    "clocks.sm": "1980" if busy else "345",
                    "clocks.mem": "2619",
                    "temperature.gpu": f"{30 + (avg - 70) / 20:.0f}",
                    "utilization.gpu": "100" if busy else "0",
                    "pstate": "P0",
                    "clocks_event_reasons.active": "0x0000000000000000",
                    "memory.used": "5000",
                }
                fh.write(", ".join(row.get(f, "[N/A]") for f in self.fields) + "\n")
                self._stop.wait(self.period)


# --------------------------------------------------------------------------
# Workloads
# --------------------------------------------------------------------------

class GpuWork:
    def __init__(self) -> None:
        import torch  # noqa: PLC0415
        self.torch = torch
        assert torch.cuda.is_available(), "CUDA not available to PyTorch"
        dev = torch.device("cuda", 0)
        g = torch.Generator(device=dev)
        g.manual_seed(20261126)
        n = MATMUL_N
        self.a = torch.randn(n, n, device=dev, dtype=torch.bfloat16, generator=g)
        self.b = torch.randn(n, n, device=dev, dtype=torch.bfloat16, generator=g)
        self.c = torch.empty(n, n, device=dev, dtype=torch.bfloat16)
        self.src = torch.randint(0, 256, (COPY_BYTES,), device=dev,
                                 dtype=torch.uint8, generator=g)
        self.dst = torch.empty_like(self.src)
        self.flop_per_mm = 2.0 * n * n * n
        torch.cuda.synchronize()
        # Warm-up (cuBLAS handle, heuristics), then time one batch so the
        # batches below can be sized to ~10 ms.
        for _ in range(5):
            torch.matmul(self.a, self.b, out=self.c)
        self.dst.copy_(self.src)
        torch.cuda.synchronize()
        t = time.perf_counter()
        for _ in range(20):
            torch.matmul(self.a, self.b, out=self.c)
        torch.cuda.synchronize()
        self.t_mm = (time.perf_counter() - t) / 20
        t = time.perf_counter()
        for _ in range(5):
            self.dst.copy_(self.src)
        torch.cuda.synchronize()
        self.t_cp = (time.perf_counter() - t) / 5
        # sanity: the product is finite and matches a float32 check on a block
        ref = (self.a[:256].float() @ self.b[:, :256].float())
        got = self.c[:256, :256].float()
        rel = float((got - ref).norm() / ref.norm())
        assert math.isfinite(rel) and rel < 2e-2, f"matmul check failed: {rel}"
        assert bool((self.dst[:1 << 20] == self.src[:1 << 20]).all()), "copy check failed"
        self.check_rel_err = rel
        props = torch.cuda.get_device_properties(0)
        self.info = {
            "torch": torch.__version__,
            "torch_cuda": torch.version.cuda,
            "device_name": props.name,
            "multiprocessors": props.multi_processor_count,
            "total_memory_bytes": props.total_memory,
            "warmup_matmul_s": self.t_mm,
            "warmup_copy_s": self.t_cp,
            "matmul_check_rel_err": rel,
        }
        log(f"warm-up: matmul {self.t_mm*1e3:.3f} ms "
            f"({self.flop_per_mm/self.t_mm/1e12:.0f} TFLOP/s), copy "
            f"{self.t_cp*1e3:.3f} ms ({2*COPY_BYTES/self.t_cp/1e9:.0f} GB/s)")

    def sync(self) -> None:
        self.torch.cuda.synchronize()

    def matmuls(self, k: int) -> None:
        for _ in range(k):
            self.torch.matmul(self.a, self.b, out=self.c)

    def copies(self, k: int) -> None:
        for _ in range(k):
            self.dst.copy_(self.src)


class FakeWork:
    """Sleeps in place of GPU work (for --fake)."""

    def __init__(self) -> None:
        self.t_mm = 0.0014
        self.t_cp = 0.0015
        self.flop_per_mm = 2.0 * MATMUL_N**3
        self.info = {"fake": True}

    def sync(self) -> None:
        pass

    def matmuls(self, k: int) -> None:
        time.sleep(k * self.t_mm)

    def copies(self, k: int) -> None:
        time.sleep(k * self.t_cp)


def run_idle(duration: float) -> dict:
    time.sleep(duration)
    return {}


def run_timed(work, duration: float, kind: str) -> dict:
    """Keep the GPU busy for `duration` s with ~10 ms batches."""
    if kind == "matmul":
        step, launch, unit = work.t_mm, work.matmuls, work.flop_per_mm
    else:
        step, launch, unit = work.t_cp, work.copies, 2.0 * COPY_BYTES
    k = max(1, int(round(0.010 / step)))
    t0 = time.time()
    t_end = t0 + duration
    done = 0
    windows = []  # (epoch, cumulative count) about once a second
    last_w = t0
    while True:
        launch(k)
        work.sync()
        done += k
        now = time.time()
        if now - last_w >= 1.0:
            windows.append((now, done))
            last_w = now
        if now >= t_end:
            break
    elapsed = now - t0
    rate = done * unit / elapsed
    res = {"batch": k, "count": done, "elapsed_s": elapsed, "windows": windows}
    if kind == "matmul":
        res["tflops"] = rate / 1e12
        log(f"matmul: {done} products in {elapsed:.2f} s = {rate/1e12:.1f} TFLOP/s")
    else:
        res["gbps"] = rate / 1e9
        res["bytes_per_copy_read_plus_write"] = 2 * COPY_BYTES
        log(f"copy: {done} copies in {elapsed:.2f} s = {rate/1e9:.1f} GB/s "
            "(read + write)")
    return res


def run_pattern(work, duration: float, state: dict) -> dict:
    """Cycles of PATTERN_ON_S of matrix products, then idle to PATTERN_PERIOD_S."""
    k = max(1, int(round(0.010 / work.t_mm)))
    t0 = time.time()
    ncycles = int(math.floor(duration / PATTERN_PERIOD_S + 1e-9))
    cycles = []
    total = 0
    busy_s = 0.0
    for i in range(ncycles):
        cs = t0 + i * PATTERN_PERIOD_S
        now = time.time()
        if now < cs:
            time.sleep(cs - now)
        on_start = time.time()
        state["busy"] = True
        n = 0
        while time.time() - cs < PATTERN_ON_S:
            work.matmuls(k)
            work.sync()
            n += k
        on_end = time.time()
        state["busy"] = False
        cycles.append([round(cs, 4), round(on_start, 4), round(on_end, 4), n])
        total += n
        busy_s += on_end - on_start
    t_end = t0 + ncycles * PATTERN_PERIOD_S
    now = time.time()
    if now < t_end:
        time.sleep(t_end - now)
    on = [c[2] - c[1] for c in cycles]
    res = {
        "period_s": PATTERN_PERIOD_S,
        "on_s_target": PATTERN_ON_S,
        "cycles": len(cycles),
        "on_s_mean": sum(on) / len(on),
        "on_s_max": max(on),
        "duty_cycle_achieved": (sum(on) / len(on)) / PATTERN_PERIOD_S,
        "tflops_while_on": total * work.flop_per_mm / busy_s / 1e12,
        "batch": k,
        "cycle_log_columns": ["cycle_start", "on_start", "on_end", "matmuls"],
        "cycle_log": cycles,
    }
    log(f"pattern: {len(cycles)} cycles, mean on {res['on_s_mean']*1e3:.1f} ms, "
        f"{res['tflops_while_on']:.0f} TFLOP/s while on")
    return res


# --------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.environ.get("OUT", "gpu_power_out"),
                    help="output folder (default: $OUT)")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every phase duration (pattern period kept)")
    ap.add_argument("--fake", action="store_true",
                    help="no GPU: sleeps and a synthetic trace")
    ap.add_argument("--sample-ms", type=int, default=SAMPLE_MS)
    args = ap.parse_args(argv)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    fake = args.fake
    if not fake and smi_path() is None:
        log("no nvidia-smi on PATH: falling back to --fake")
        fake = True
    if not fake:
        try:
            import torch  # noqa: F401,PLC0415
            if not torch.cuda.is_available():
                raise RuntimeError("torch.cuda.is_available() is False")
        except Exception as e:  # noqa: BLE001
            log(f"no CUDA PyTorch ({e!r}): falling back to --fake")
            fake = True

    meta: dict = {
        "script": "benchmarks/gpu_power/measure.py",
        "fake": fake,
        "scale": args.scale,
        "sample_ms": args.sample_ms,
        "hostname": socket.gethostname(),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "started_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(),
        # nvidia-smi prints local wall-clock time without a zone: keep the
        # offset so summarize.py can turn it into epoch seconds.
        "utc_offset_s": time.localtime().tm_gmtoff,
        "tzname": list(time.tzname),
        "clock_ref": {"epoch": time.time(),
                      "local": _dt.datetime.now().strftime(SMI_TS_FORMAT)},
        "workload": {
            "matmul": f"torch.matmul bf16 {MATMUL_N}x{MATMUL_N} @ {MATMUL_N}x{MATMUL_N}, "
                      "randn data, out= preallocated, ~10 ms batches between syncs",
            "copy": f"torch Tensor.copy_ of {COPY_BYTES} B uint8 random data, "
                    "device to device; GB/s counts bytes read plus written",
            "pattern": f"{PATTERN_ON_S*1e3:.0f} ms of the matmul above, then idle "
                       f"to a {PATTERN_PERIOD_S*1e3:.0f} ms period (time.sleep)",
        },
    }

    if fake:
        fields = BASE_FIELDS + ["power.draw.instant", "power.draw.average", "pstate"]
        meta["smi"] = {"fields": fields, "note": "synthetic",
                       "before": {"name": "FAKE GPU (synthetic trace)",
                                  "driver_version": "0.0", "power.limit": "700.00",
                                  "persistence_mode": "Enabled",
                                  "mig.mode.current": "[N/A]"}}
        meta["power_draw_help"] = {}
    else:
        help_txt = smi_text(["--help-query-gpu"])
        (out / "help_query_gpu.txt").write_text(help_txt)
        (out / "smi_q_before.txt").write_text(smi_text(["-q"]))
        base_ok = smi_query(BASE_FIELDS)
        if base_ok is None:
            log("base field query failed; trying fields one by one")
            fields = supported_fields(BASE_FIELDS)
            if "timestamp" not in fields or "power.draw" not in fields:
                log("nvidia-smi cannot report timestamp/power.draw: giving up")
                return 2
        else:
            fields = list(BASE_FIELDS)
        fields += supported_fields(OPTIONAL_FIELDS)
        meta_vals = {}
        for f in META_FIELDS:
            v = smi_query([f])
            meta_vals[f] = v[0] if v else None
        meta["smi"] = {"fields": fields, "before": meta_vals,
                       "version_banner": smi_text([]).splitlines()[:4]}
        meta["power_draw_help"] = power_draw_help(help_txt)
        log(f"GPU: {meta_vals.get('name')}, driver {meta_vals.get('driver_version')}, "
            f"power limit {meta_vals.get('power.limit')} W, persistence "
            f"{meta_vals.get('persistence_mode')}, MIG {meta_vals.get('mig.mode.current')}")
        log(f"sampled fields: {fields}")
        for k, v in meta["power_draw_help"].items():
            log(f"help: {v}")

    state: dict = {"phase": "setup", "busy": False}
    trace = out / "trace_raw.csv"
    sampler = (FakeSampler(fields, trace, args.sample_ms, state) if fake
               else SmiSampler(fields, trace, args.sample_ms))

    phases = []
    rc = 0
    sampler.start()
    meta["sampler_started_epoch"] = time.time()
    meta["sampler_cmd"] = getattr(sampler, "cmd", None)
    try:
        t = time.time()
        work = FakeWork() if fake else GpuWork()
        meta["setup_s"] = time.time() - t
        meta["work"] = work.info
        time.sleep(2.0)  # a few samples before the first phase
        for name, dur in PHASES:
            d = dur * args.scale
            state["phase"] = name
            log(f"phase {name}: {d:.1f} s")
            t0 = time.time()
            if name.startswith("idle"):
                res = run_idle(d)
            elif name == "matmul":
                res = run_timed(work, d, "matmul")
            elif name == "copy":
                res = run_timed(work, d, "copy")
            else:
                res = run_pattern(work, d, state)
            t1 = time.time()
            phases.append({"name": name, "start_epoch": t0, "end_epoch": t1,
                           "planned_s": d, **res})
        state["phase"] = "teardown"
        time.sleep(5.0)  # trailing samples (and room for a buffered tail)
    except Exception as e:  # noqa: BLE001
        log(f"FAILED: {e!r}")
        meta["error"] = repr(e)
        rc = 1
    finally:
        err = sampler.stop()
        meta["sampler_stopped_epoch"] = time.time()
        meta["sampler_stderr"] = err[-2000:]
        meta["phases"] = phases
        if not fake:
            (out / "smi_q_after.txt").write_text(smi_text(["-q"]))
            after = {}
            for f in ("power.limit", "persistence_mode", "temperature.gpu",
                      "clocks.sm"):
                v = smi_query([f])
                after[f] = v[0] if v else None
            meta["smi"]["after"] = after
        (out / "phases.json").write_text(json.dumps(meta, indent=1))
    n = sum(1 for _ in open(trace)) - 1
    log(f"done: {n} samples in {trace}, phases in {out / 'phases.json'}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
