"""The workloads' host loads come from published MLPerf node power.

tools/mlperf_node_power.py turns the power logs of an MLPerf Training or Inference results
repository into mean node powers; specs/validation/mlperf-training-power.toml ships the training
ones with their sources; tools/fit_host_load.py fits ``training.host_busy_load`` to them, and
--check fails when specs/workloads.toml no longer holds what the data set gives. The inference
host load is derived from six MLPerf Inference results, recomputed here with dcpower's model.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from dcpower.catalog.loader import load_catalog

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "specs" / "validation" / "mlperf-training-power.toml"

# Every MLPerf Training power result of 8-GPU H100 nodes in rounds v4.0 to v5.1, and only these.
CASES = {
    "smc-1x-bert", "smc-1x-dlrm-dcnv2", "smc-1x-llama2-70b-lora", "smc-1x-resnet", "smc-1x-ssd", "smc-1x-unet3d",
    "smc-8x-llama2-70b-lora", "smc-8x-resnet", "smc-8x-ssd", "smc-9x-unet3d", "smc-64x-gpt3",
    "smc-64x-llama2-70b-lora", "dell-8x-xe9680-llama2-70b-lora",
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT)


def test_the_fitted_training_host_load_is_what_the_data_set_gives():
    r = run(str(ROOT / "tools" / "fit_host_load.py"), "--check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "residual" in r.stdout and "mean absolute error" in r.stdout
    assert all(case in r.stdout for case in CASES)


def test_the_catalog_cites_the_fit():
    sv = load_catalog().get("workload", "training").host_busy_load
    assert not sv.is_assumption and "fit_host_load.py" in sv.source and "MLPerf Training" in sv.source
    assert sv.low_quantity.magnitude <= sv.quantity.magnitude <= sv.high_quantity.magnitude


def test_the_data_set_is_the_named_results_with_their_sources():
    cases = tomllib.loads(DATA.read_text())["case"]
    assert {c["id"] for c in cases} == CASES and len(cases) == len(CASES)
    servers = set(load_catalog().ids("server"))
    for c in cases:
        assert (c["level"], c["workload"], c["accelerator"], c["gpus"]) == ("node", "training", "h100-sxm", 8), c["id"]
        assert c["server"] in servers and isinstance(c["nodes"], int) and c["nodes"] >= 1, c["id"]
        m = c["measured_power"]
        assert re.search(r"training_results_v4\.[01] at commit [0-9a-f]{40}, \S+/power\)$", m["source"]), c["id"]
        assert m["url"].startswith("https://github.com/mlcommons/training_results_v4.") and m["year"] == 2024
        assert c["list"] in ("MLPerf Training v4.0", "MLPerf Training v4.1")
        # an 8-GPU H100 node lies between its 8 GPUs' idle power and its 10.2 kW rating (NVIDIA DGX
        # H100 user guide); a slipped digit or a switch read as a node does not
        watts = float(m["value"].removesuffix(" W"))
        assert 1_000 < watts < 10_200, c["id"]


def _log(path: Path, records: list[tuple[int, str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f':::MLLOG {json.dumps({"time_ms": t, "key": k, "value": v})}\n'
                            for t, k, v in records))


def test_node_power_is_averaged_over_the_timed_run_only(tmp_path):
    # Two runs of a two-node result: readings before run_start and after run_stop are left out,
    # the switch is not a node. Run 0: nodes (7000 + 7200) / 2 = 7100 and 6000 -> 6550 W;
    # run 1: 7300 and 6100 -> 6700 W; the result: (6550 + 6700) / 2 = 6625 W.
    bench = tmp_path / "Org" / "results" / "2xNode" / "llama2_70b_lora"
    for run_id, (a, b) in {"result_0": ((7000, 7200), (6000, 6000)), "result_1": ((7300, 7300), (6100, 6100))}.items():
        _log(bench / f"{run_id}.txt", [(1000, "run_start", None), (5000, "run_stop", None)])
        for node, (x, y) in (("node_0", a), ("node_1", b)):
            _log(bench / "power" / run_id / f"{node}.txt",
                 [(500, "power_reading", 2000), (2000, "power_reading", x), (4000, "power_reading", y),
                  (6000, "power_reading", 2000)])
        _log(bench / "power" / run_id / "sw_0.txt", [(2000, "power_reading", 900)])
    r = run(str(ROOT / "tools" / "mlperf_node_power.py"), str(tmp_path), "Org")
    assert r.returncode == 0, r.stderr
    assert "2 runs x 2 nodes, mean node power 6625 W (runs 6550 to 6700 W), timed run 4 s" in r.stdout


def test_inference_power_is_averaged_between_power_begin_and_power_end(tmp_path):
    # Readings at 10:00:00, :01, :02, :03 of 5000, 6000, 7000, 9000 W; LoadGen measured from
    # 10:00:01 to 10:00:02.5, so only 6000 and 7000 count: 6500 W over 1.5 s.
    run_dir = tmp_path / "closed" / "Org" / "results" / "sys" / "llm" / "Offline" / "performance" / "run_1"
    run_dir.mkdir(parents=True)
    run_dir.joinpath("spl.txt").write_text("".join(
        f"Time,07-17-2024 10:00:0{s}.000,Watts,{w}.0,Volts,239.0,Amps,3.4,PF,0.96,Mark,x_testing\n"
        for s, w in enumerate((5000, 6000, 7000, 9000))))
    run_dir.joinpath("mlperf_log_detail.txt").write_text(
        ':::MLLOG {"key": "power_begin", "value": "07-17-2024 10:00:01.000"}\n'
        ':::MLLOG {"key": "power_end", "value": "07-17-2024 10:00:02.500"}\n')
    r = run(str(ROOT / "tools" / "mlperf_node_power.py"), "--inference", str(tmp_path), "closed/Org/results/sys")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("llm/Offline/performance/run_1: mean wall power 6500 W over 2 s")


def test_node_power_needs_a_results_repository():
    r = run(str(ROOT / "tools" / "mlperf_node_power.py"))
    assert r.returncode == 2 and "Usage" in r.stderr



# MLPerf Inference v4.1, NVIDIA H200-SXM-141GBx8_TRT_MaxQ (mlcommons/inference_results_v4.1):
# mean wall power between power_begin and power_end (tools/mlperf_node_power.py --inference) and
# the GPUs' MaxQ power limit of the submission's configs, per LLM benchmark and scenario.
H200_MAXQ_LLM = [("llama2-70b Offline", 6153, 500), ("llama2-70b Server", 6280, 500),
                 ("mixtral-8x7b Offline", 6155, 500), ("mixtral-8x7b Server", 6175, 500),
                 ("gptj Offline", 4775, 350), ("gptj Server", 4723, 350)]


def test_the_inference_host_load_is_the_least_the_h200_measurements_allow(tmp_path):
    # dcpower's own node model (the dgx-h200 server, every GPU at its power limit): the host load
    # that makes each measured node exact; the catalog's value is their median, low the smallest.
    from dcpower.studies.validate import validate

    data = tmp_path / "node.toml"
    data.write_text('[[case]]\nid = "node"\nlevel = "node"\nworkload = "inference"\naccelerator = "h200-sxm"\n'
                    'server = "dgx-h200"\ngpus = 8\nmeasured_power = { value = "1 W", source = "test", year = 2024 }\n')

    def node(share: float, load: float) -> float:
        settings = {"workload.accelerator_busy_power": share, "workload.host_busy_load": load}
        return validate(data, samples=0, settings=settings).compared[0].estimate

    implied = []
    for _, wall, limit in H200_MAXQ_LLM:
        share = limit / 700  # the H200 SXM's 700 W maximum (catalog)
        idle, full = node(share, 0.0), node(share, 1.0)
        implied.append((wall - idle) / (full - idle))
    implied.sort()
    sv = load_catalog().get("workload", "inference").host_busy_load
    assert not sv.is_assumption and "inference_results_v4.1" in sv.source
    assert sv.quantity.magnitude == pytest.approx((implied[2] + implied[3]) / 2, abs=0.005)
    assert sv.low_quantity.magnitude == pytest.approx(implied[0], abs=0.005)
    assert sv.high_quantity.magnitude == 1.0
