"""Average node power of MLPerf Training and Inference power submissions, over each timed run.

MLPerf Training (rounds v4.0 on) accepts optional power results: besides the usual
``results/<system>/<benchmark>/result_<run>.txt`` log, the submitter logs the power of every
node (``power/result_<run>/node_<n>.txt``) and of the switches (``sw_<n>.txt``) as
``power_reading`` events in watts. The timed run is the interval from the result log's
``run_start`` to its ``run_stop``; this script averages each node's readings inside that interval,
then the nodes of a run, then the runs of a result, and prints one line per result.

MLPerf Inference power results (``--inference``) are measured at the wall by a power analyzer:
``<division>/<submitter>/results/<system>/<benchmark>/<scenario>/performance/run_1/spl.txt``
holds its readings (``Time,<MM-DD-YYYY hh:mm:ss.fff>,Watts,<W>,...``) and the LoadGen log
beside it (``mlperf_log_detail.txt``) the ``power_begin`` and ``power_end`` of the measured
run, in the analyzer's clock; the script averages the readings between them.

It reads a local copy of a results repository (``git clone
https://github.com/mlcommons/training_results_v4.0``) and is how the node powers of
``specs/validation/mlperf-training-power.toml`` and of the inference workload's host load
(specs/workloads.toml) were obtained; it is not needed to run dcpower.

Usage: python tools/mlperf_node_power.py RESULTS_REPO [SUBMITTER_DIR ...]
       python tools/mlperf_node_power.py --inference RESULTS_REPO [SYSTEM_DIR ...]
    e.g.  python tools/mlperf_node_power.py ~/training_results_v4.0 smc-ac-power
          python tools/mlperf_node_power.py --inference ~/inference_results_v4.1 \
              closed/NVIDIA/results/H200-SXM-141GBx8_TRT_MaxQ
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from datetime import datetime
from pathlib import Path

NODE_FILE = re.compile(r"node_\d+\.txt$")


def events(path: Path):
    """The ``:::MLLOG`` events of a log file, as dicts (lines that do not parse are skipped)."""
    for line in path.read_text(errors="replace").splitlines():
        i = line.find(":::MLLOG ")
        if i >= 0:
            try:
                yield json.loads(line[i + len(":::MLLOG "):])
            except json.JSONDecodeError:
                continue


def timed_window(result_log: Path) -> tuple[int, int]:
    """``run_start`` and ``run_stop`` of a result log [ms since the epoch]."""
    start = stop = None
    for e in events(result_log):
        if e.get("key") == "run_start" and start is None:
            start = e["time_ms"]
        elif e.get("key") == "run_stop":
            stop = e["time_ms"]
    if start is None or stop is None:
        raise ValueError(f"{result_log}: no run_start/run_stop")
    return start, stop


def run_power(power_dir: Path, result_log: Path) -> tuple[float, int, float]:
    """Mean node power over the timed run [W], the nodes measured, and the run's length [s]."""
    start, stop = timed_window(result_log)
    per_node = []
    for node in sorted(p for p in power_dir.iterdir() if NODE_FILE.match(p.name)):
        readings = [float(e["value"]) for e in events(node)
                    if e.get("key") == "power_reading" and start <= e["time_ms"] <= stop]
        if readings:
            per_node.append(statistics.mean(readings))
    if not per_node:
        raise ValueError(f"{power_dir}: no power readings inside the timed run")
    return statistics.mean(per_node), len(per_node), (stop - start) / 1e3


def results(repo: Path, submitters: list[str]):
    """(path, runs, nodes, mean node power [W], lowest and highest run [W], mean run length [s])."""
    for sub in submitters or sorted(p.name for p in repo.iterdir() if p.is_dir()):
        for bench in sorted((repo / sub / "results").glob("*/*")):
            power = bench / "power"
            if not power.is_dir():
                continue
            runs = [run_power(d, bench / f"{d.name}.txt") for d in sorted(power.iterdir())
                    if d.is_dir() and (bench / f"{d.name}.txt").is_file()]
            if runs:
                means = [r[0] for r in runs]
                yield (bench.relative_to(repo), len(runs), runs[0][1], statistics.mean(means), min(means),
                       max(means), statistics.mean(r[2] for r in runs))


SPL_TIME = "%m-%d-%Y %H:%M:%S.%f"


def inference_power(run_dir: Path) -> tuple[float, float]:
    """Mean wall power between LoadGen's power_begin and power_end [W], and that time [s]."""
    marks = {e["key"]: datetime.strptime(e["value"], SPL_TIME) for e in events(run_dir / "mlperf_log_detail.txt")
             if e.get("key") in ("power_begin", "power_end")}
    if len(marks) != 2:
        raise ValueError(f"{run_dir}: no power_begin/power_end in mlperf_log_detail.txt")
    watts = []
    for line in (run_dir / "spl.txt").read_text(errors="replace").splitlines():
        f = line.split(",")
        if len(f) > 3 and f[0] == "Time" and f[2] == "Watts":
            if marks["power_begin"] <= datetime.strptime(f[1], SPL_TIME) <= marks["power_end"]:
                watts.append(float(f[3]))
    if not watts:
        raise ValueError(f"{run_dir}: no readings between power_begin and power_end")
    return statistics.mean(watts), (marks["power_end"] - marks["power_begin"]).total_seconds()


def inference_results(repo: Path, systems: list[str]):
    """(path, mean wall power [W], measured time [s]) of every run_1 with a power log."""
    for system in systems or sorted(str(p.relative_to(repo)) for p in repo.glob("*/*/results/*")):
        for spl in sorted((repo / system).glob("*/*/performance/run_1/spl.txt")):
            yield (spl.parent.relative_to(repo), *inference_power(spl.parent))


def main(argv: list[str]) -> int:
    inference = argv[:1] == ["--inference"]
    argv = argv[1:] if inference else argv
    if not argv or not Path(argv[0]).is_dir():
        print("Usage: " + __doc__.split("Usage: ")[1].splitlines()[0], file=sys.stderr)
        return 2
    try:
        if inference:
            for path, mean, seconds in inference_results(Path(argv[0]), argv[1:]):
                print(f"{path}: mean wall power {mean:.0f} W over {seconds:.0f} s")
            return 0
        for path, runs, nodes, mean, low, high, seconds in results(Path(argv[0]), argv[1:]):
            print(f"{path}: {runs} runs x {nodes} nodes, mean node power {mean:.0f} W "
                  f"(runs {low:.0f} to {high:.0f} W), timed run {seconds:.0f} s")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
