"""`mlplab bench --quick`: runs in seconds and reports every contract key with sane values."""

import json

from mlplab import bench
from mlplab.cli import main

KEYS = ("skorch_default_sps", "fast_sps_b128", "fast_sps_large", "torch_loop_sps_large", "plain_loop_sps_large",
        "ratio_b128", "ratio_large", "ceiling_sps", "large_batch", "epoch_seconds")


def test_bench_quick_json(capsys):
    assert main(["bench", "--quick", "--json"]) == 0
    out = capsys.readouterr().out
    result = json.loads(out)
    for key in KEYS:
        assert key in result
    for key in KEYS[:-2]:
        assert result[key] > 0
    assert result["large_batch"] in (256, 1024)
    assert result["ratio_large"] == result["fast_sps_large"] / result["skorch_default_sps"]
    assert result["epoch_seconds"] and all(s > 0 for s in result["epoch_seconds"].values())
    assert set(result["epoch_seconds"]) == {"1000", "4096"}


def test_flops_per_sample_of_the_bench_mlp():
    assert bench.multiply_adds_per_sample() == 4 * 64 + 64 * 32 + 32 * 1


def test_human_table_has_all_paths():
    result = {"rows": 10, "threads": 1, "torch": "x", "skorch_default_sps": 100.0, "fast_sps_b128": 400.0,
              "fast_sps_large": 4000.0, "torch_loop_sps_large": 3000.0,
              "plain_loop_sps_large": 2000.0, "large_batch": 8192, "ceiling_sps": 10000.0,
              "matmul_gflops": 1.0, "flops_per_sample": 14016, "fast_sps_by_batch": {"8192": 4000.0},
              "epoch_seconds": {"10": 0.5}, "fast_sps_large_by_threads": {"2": 4000.0, "1": 2500.0}}
    table = bench.format_table(result)
    assert "skorch default" in table and "40.0×" in table and "40.0%" in table and "plain torch loop" in table and "20.0%" in table
    assert "by torch threads: 2: 4,000/s, 1: 2,500/s" in table


def test_plain_reference_is_textbook_torch():
    module = bench.plain_module(4)
    kinds = [type(m).__name__ for m in module]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert [(m.in_features, m.out_features) for m in module if hasattr(m, "in_features")] == [(4, 64), (64, 32), (32, 1)]
