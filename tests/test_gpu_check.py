"""benchmarks/gpu_check.py in its reduced CPU mode: the script a GPU machine runs stays runnable, and
its report holds every measurement, none of them failed."""

import json
import sys

import torch
from conftest import REPO, run


def test_gpu_check_runs_in_cpu_mode_and_reports_every_measurement(tmp_path):
    out = tmp_path / "cpu_check.json"
    run([sys.executable, "benchmarks/gpu_check.py", "--cpu", "--out", str(out)], cwd=REPO)
    report = json.loads(out.read_text())
    assert report["mode"] == "cpu" and report["sizes"]["grid"] == 17
    tests = report["cuda_tests"]  # the CUDA-marked tests were found; without CUDA each one is skipped
    assert tests["tests"] >= 3 and tests["failures"] == tests["errors"] == 0 and tests["failed"] == []
    if not torch.cuda.is_available():
        assert tests["skipped"] == tests["tests"]
    agreement = report["agreement"]
    assert agreement["within_tolerance"] and agreement["steps"] == 20
    assert 0 <= agreement["loss_relative_difference"] <= agreement["tolerance"]
    assert agreement["repeatable_by_default"] is True  # the CPU is deterministic
    assert agreement["repeatable_with_deterministic_algorithms"] is True
    assert set(report["throughput"]) == {"fp32", "default", "tf32", "bf16", "deterministic"}
    for variant, row in report["throughput"].items():
        assert "error" not in row, (variant, row)
        assert row["samples_per_s"] > 0 and row["peak_memory_mb"] > 0
    assert [row["processes"] for row in report["sharing"]] == [1, 2]
    assert all(row["samples_per_s"] > 0 and len(row["per_process_samples_per_s"]) == row["processes"]
               for row in report["sharing"])
