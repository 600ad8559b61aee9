"""`mlplab bench`: training throughput of the fast path against skorch's default path, same run.

Workload: NYSE-size synthetic regression (851,264 × 4 float32 by default), MLP 4→64→32→1, Adam.
- skorch default: a plain `skorch.NeuralNetRegressor` (Dataset + DataLoader, batch 128).
- fast path: `mlplab.training.MLPRegressor` at batch 128 and at the best of a few large batches.
- hand-written torch loops at the large batch: with the same module (what skorch costs on top of
  it) and with a plain `nn.Linear`/`nn.ReLU` stack and default Adam (the textbook loop to beat).
- the machine's float32 matmul GFLOP/s and the implied ceiling in samples/s.
- the fast path at the large batch with 1 torch thread too, when more are available (the thread
  count is a knob: idle OpenMP threads spin-wait, which hurts on a shared machine).
Each figure is the best epoch of a short fit (bounded rows per configuration), so the whole run
stays within about two minutes at full size on a quiet machine; `--quick` uses a few thousand rows.

CNN rows (Lab 3), same run: a 2-block CNN (Conv 32 → pool → Conv 64 → pool → Dense 128 → 10) on
28 × 28 images, batch 256, Adam:
- skorch's default path with the textbook module (torch.nn layers: Conv → ReLU → MaxPool) in PyTorch's
  default memory layout (NCHW): a plain `skorch.NeuralNetClassifier` on float32 images, DataLoader
  batches (what a user writes);
- a hand-written torch loop with that module and layout (permuted float32 tensors, default Adam);
- the same loop with the module in `channels_last` (N × H × W × C) layout: the memory layout's part;
- the lab's path: `mlplab.fashion.net.CNNClassifier` (uint8 images kept whole, batches as views of
  a permuted tensor, the lab's `CNN` module in channels_last with each pooled block's ReLU after its
  pooling (the same function, a quarter of the ReLU work), fused Adam, the lean loop, and glibc's
  allocator thresholds raised for the process: `mlplab.allocator`);
- the channels_last loop again with the raised allocator thresholds (the allocator's part of the gain).
Each CNN row runs in a fresh Python process, as a notebook's fit does (rows run one after another in
one process would inherit each other's allocator state).
`cnn_ratio` = the lab's path over skorch's default; the ceiling is the matmul rate over the
network's training FLOPs per image (3 × 2 × its multiply-adds).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
import torch
from skorch import NeuralNetRegressor

from mlplab.models import MLP
from mlplab.training import MLPRegressor

HIDDEN = (64, 32)
N_FEATURES = 4
DEFAULT_BATCH = 128
LARGE_BATCHES = (4096, 8192, 16384)


def synthetic_data(rows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Four correlated price-like features and a smooth nonlinear target."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(rows, 1))
    X = (base + 0.05 * rng.normal(size=(rows, N_FEATURES))).astype(np.float32)
    y = (np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=rows)).astype(np.float32)
    return X, y


def multiply_adds_per_sample(d_in: int = N_FEATURES, hidden=HIDDEN, d_out: int = 1) -> int:
    widths = (d_in, *hidden, d_out)
    return sum(a * b for a, b in zip(widths[:-1], widths[1:]))


def matmul_gflops(n: int, seconds: float) -> float:
    """Best float32 GFLOP/s of n×n matmuls within a time budget."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)  # warm-up
    best, start = 0.0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        t = time.perf_counter()
        torch.mm(a, b)
        best = max(best, 2 * n**3 / (time.perf_counter() - t) / 1e9)
    return best


def skorch_default_sps(X, y, n_rows: int, epochs: int = 2) -> float:
    net = NeuralNetRegressor(MLP, module__d_in=X.shape[1], module__d_out=1, module__hidden=HIDDEN,
                             optimizer=torch.optim.Adam, lr=1e-3, batch_size=DEFAULT_BATCH,
                             max_epochs=epochs, train_split=None, verbose=0)
    net.fit(X[:n_rows], y[:n_rows].reshape(-1, 1))
    return n_rows / min(net.history[:, "dur"])


def fast_sps(X, y, batch_size: int, n_rows: int, epochs: int = 2) -> float:
    return n_rows / min(fast_epoch_seconds(X, y, batch_size, n_rows, epochs))


def fast_epoch_seconds(X, y, batch_size: int, n_rows: int, epochs: int = 2) -> list[float]:
    net = MLPRegressor(module__hidden=HIDDEN, batch_size=batch_size, max_epochs=epochs, seed=0)
    net.fit(X[:n_rows], y[:n_rows])
    return list(net.history[:, "dur"])


def plain_module(d_in: int) -> torch.nn.Module:
    """The textbook network: nn.Linear and nn.ReLU layers, no mlplab code."""
    widths = (d_in, *HIDDEN)
    layers: list[torch.nn.Module] = []
    for a, b in zip(widths[:-1], widths[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers, torch.nn.Linear(widths[-1], 1))


def torch_loop_sps(X, y, batch_size: int, n_rows: int, epochs: int = 2, plain: bool = False) -> float:
    """A hand-written loop over slices of a per-epoch permutation, no skorch; `plain` swaps the
    mlplab MLP for `plain_module`."""
    torch.manual_seed(0)
    X_t, y_t = torch.from_numpy(X[:n_rows]), torch.from_numpy(y[:n_rows]).reshape(-1, 1)
    module = plain_module(X.shape[1]) if plain else MLP(X.shape[1], 1, hidden=HIDDEN)
    return n_rows / best_epoch_seconds(module, X_t, y_t, torch.nn.MSELoss(), batch_size, epochs)


def best_epoch_seconds(module, X_t: torch.Tensor, y_t: torch.Tensor, loss_fn, batch_size: int, epochs: int) -> float:
    """The textbook loop (default Adam, lr 1e-3, slices of a per-epoch permutation): its fastest epoch, seconds."""
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
    best = float("inf")
    for _ in range(epochs):
        start = time.perf_counter()
        perm = torch.randperm(len(X_t))
        for xb, yb in zip(X_t[perm].split(batch_size), y_t[perm].split(batch_size)):
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(module(xb), yb)
            loss.backward()
            optimizer.step()
        best = min(best, time.perf_counter() - start)
    return best


CNN_BLOCKS = ((32,), (64,))
CNN_HIDDEN = (128,)
CNN_BATCH = 256


def cnn_images(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n random 28 × 28 uint8 images and labels 0–9 (throughput does not depend on the pixels)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8), rng.integers(0, 10, size=n).astype(np.int64)


def cnn_module(channels_last: bool) -> torch.nn.Module:
    """The textbook network a user writes: Conv → ReLU → MaxPool twice, Flatten, Dense 128, ReLU, Dense 10
    (421,642 parameters, as the lab's source network), in torch.nn layers only, no mlplab code."""
    nn = torch.nn
    module = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                           nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                           nn.Linear(64 * 7 * 7, CNN_HIDDEN[0]), nn.ReLU(), nn.Linear(CNN_HIDDEN[0], 10))
    return module.to(memory_format=torch.channels_last) if channels_last else module


def cnn_skorch_default_ips(X: np.ndarray, y: np.ndarray, epochs: int = 2) -> float:
    """skorch's default path: NeuralNetClassifier with the textbook module in the default (NCHW) layout,
    float32 images."""
    from skorch import NeuralNetClassifier

    torch.manual_seed(0)
    Xf = (X.astype(np.float32) / 255.0)[:, None]
    net = NeuralNetClassifier(cnn_module(False), criterion=torch.nn.CrossEntropyLoss, optimizer=torch.optim.Adam,
                              lr=1e-3, batch_size=CNN_BATCH, max_epochs=epochs, train_split=None, verbose=0)
    net.fit(Xf, y)
    return len(X) / min(net.history[:, "dur"])


def cnn_torch_loop_ips(X: np.ndarray, y: np.ndarray, *, channels_last: bool, epochs: int = 2) -> float:
    """A hand-written loop over slices of a per-epoch permutation of float32 NCHW tensors, default Adam;
    `channels_last` puts the module (and so every activation) in N × H × W × C layout."""
    torch.manual_seed(0)
    X_t = torch.from_numpy(X.astype(np.float32) / 255.0)[:, None]
    module = cnn_module(channels_last)
    return len(X) / best_epoch_seconds(module, X_t, torch.from_numpy(y), torch.nn.CrossEntropyLoss(), CNN_BATCH, epochs)


def cnn_lab_ips(X: np.ndarray, y: np.ndarray, epochs: int = 2) -> float:
    """The lab's path: CNNClassifier on uint8 images (no per-epoch train metric, as the other paths)."""
    from mlplab.fashion.net import CNNClassifier

    net = CNNClassifier(module__blocks=CNN_BLOCKS, module__hidden=CNN_HIDDEN, optimizer="adam", lr=1e-3,
                        batch_size=CNN_BATCH, max_epochs=epochs, train_metric_rows=0, seed=0)
    net.fit(X, y)
    return len(X) / min(net.history[:, "dur"])


CNN_ROWS = ("cnn_skorch_default_ips", "cnn_torch_loop_ips", "cnn_torch_loop_channels_last_ips", "cnn_lab_ips",
            "cnn_torch_loop_channels_last_kept_ips")


def cnn_row(key: str, images: int) -> float:
    """One CNN row's images/s, in this process (threads as set by the caller)."""
    if key not in CNN_ROWS:
        raise ValueError(f"unknown CNN row {key!r}; expected one of {', '.join(CNN_ROWS)}")
    X, y = cnn_images(images)
    if key == "cnn_skorch_default_ips":
        return cnn_skorch_default_ips(X, y)
    if key == "cnn_lab_ips":
        return cnn_lab_ips(X, y)
    if key == "cnn_torch_loop_channels_last_kept_ips":  # the channels_last loop with the lab's allocator setting
        from mlplab.allocator import keep_freed_memory

        keep_freed_memory()
    return cnn_torch_loop_ips(X, y, channels_last=key != "cnn_torch_loop_ips")


def cnn_row_fresh(key: str, images: int) -> float:
    """`cnn_row` in a new Python process with this process's torch thread count."""
    code = (f"import torch; torch.set_num_threads({torch.get_num_threads()}); from mlplab import bench; "
            f"print(bench.cnn_row({key!r}, {int(images)}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench row {key} failed in its process: {done.stderr.strip().splitlines()[-1:]}")
    return float(done.stdout.strip().splitlines()[-1])


def cnn_rows(images: int, gflops: float) -> dict:
    from mlplab.models.cnn import CNN, multiply_adds

    # Each row in a fresh Python process, as a notebook's fit is: rows run one after another in one
    # process leave state behind (glibc's allocator adapts its mmap threshold to what was freed before;
    # the lab's fit raises it for good, see mlplab.allocator), which would blur the comparison.
    out = {"cnn_images": images, "cnn_batch": CNN_BATCH}
    for key in CNN_ROWS:
        out[key] = cnn_row_fresh(key, images)
    out["cnn_allocator_gain"] = out["cnn_torch_loop_channels_last_kept_ips"] / out["cnn_torch_loop_channels_last_ips"]
    out["cnn_ratio"] = out["cnn_lab_ips"] / out["cnn_skorch_default_ips"]
    out["cnn_layout_gain"] = out["cnn_torch_loop_channels_last_ips"] / out["cnn_torch_loop_ips"]
    lab_module = CNN(1, 10, blocks=CNN_BLOCKS, hidden=CNN_HIDDEN)  # the same layers as the textbook module
    out["cnn_flops_per_image"] = 3 * 2 * multiply_adds(lab_module)
    out["cnn_ceiling_ips"] = gflops * 1e9 / out["cnn_flops_per_image"]
    out["cnn_fraction_of_ceiling"] = out["cnn_lab_ips"] / out["cnn_ceiling_ips"]
    return out


def run(rows: int = 851_264, quick: bool = False) -> dict:
    rows = min(rows, 4_096) if quick else rows
    X, y = synthetic_data(rows)
    default_rows = min(rows, DEFAULT_BATCH * (20 if quick else 300))
    b128_rows = min(rows, DEFAULT_BATCH * (20 if quick else 1_500))
    large = (256, 1024) if quick else LARGE_BATCHES

    result = {"rows": rows, "threads": torch.get_num_threads(), "torch": torch.__version__,
              "machine": platform.processor() or platform.machine()}
    result["skorch_default_sps"] = skorch_default_sps(X, y, default_rows)
    result["fast_sps_b128"] = fast_sps(X, y, DEFAULT_BATCH, b128_rows)
    by_batch = {b: fast_sps(X, y, b, rows, epochs=3) for b in large}
    best_batch = max(by_batch, key=by_batch.get)
    result["fast_sps_by_batch"] = {str(b): v for b, v in by_batch.items()}
    result["large_batch"] = best_batch
    result["fast_sps_large"] = by_batch[best_batch]
    result["torch_loop_sps_large"] = torch_loop_sps(X, y, best_batch, rows, epochs=3)
    result["plain_loop_sps_large"] = torch_loop_sps(X, y, best_batch, rows, epochs=3, plain=True)
    result["fast_sps_large_by_threads"] = {str(result["threads"]): by_batch[best_batch]}
    if result["threads"] > 1:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            result["fast_sps_large_by_threads"]["1"] = fast_sps(X, y, best_batch, rows, epochs=3)
        finally:
            torch.set_num_threads(threads)
    result["ratio_b128"] = result["fast_sps_b128"] / result["skorch_default_sps"]
    result["ratio_large"] = result["fast_sps_large"] / result["skorch_default_sps"]

    gflops = matmul_gflops(256 if quick else 2048, 0.2 if quick else 3.0)
    flops_per_sample = 3 * 2 * multiply_adds_per_sample()
    result["matmul_gflops"] = gflops
    result["flops_per_sample"] = flops_per_sample
    result["ceiling_sps"] = gflops * 1e9 / flops_per_sample
    result["fraction_of_ceiling_large"] = result["fast_sps_large"] / result["ceiling_sps"]

    sizes = sorted({min(n, rows) for n in ((1_000, rows) if quick else (10_000, 100_000, rows))})
    result["epoch_seconds"] = {str(n): min(fast_epoch_seconds(X, y, best_batch, n)) for n in sizes}
    result.update(cnn_rows(512 if quick else 8_192, gflops))
    return result


def format_table(r: dict) -> str:
    ceiling = r["ceiling_sps"]
    lines = [
        f"mlplab bench — {r['rows']:,} rows × {N_FEATURES} float32, MLP {N_FEATURES}→"
        f"{'→'.join(map(str, HIDDEN))}→1, Adam, {r['threads']} torch threads, torch {r['torch']}",
        f"{'path':<30}{'batch':>7}{'samples/s':>14}{'× default':>11}{'of ceiling':>12}",
    ]
    rows = [
        ("skorch default (DataLoader)", DEFAULT_BATCH, r["skorch_default_sps"]),
        ("fast path", DEFAULT_BATCH, r["fast_sps_b128"]),
        ("fast path", r["large_batch"], r["fast_sps_large"]),
        ("torch loop, same module", r["large_batch"], r["torch_loop_sps_large"]),
        ("plain torch loop (nn.Linear)", r["large_batch"], r["plain_loop_sps_large"]),
    ]
    for name, batch, sps in rows:
        lines.append(f"{name:<30}{batch:>7}{sps:>14,.0f}{sps / r['skorch_default_sps']:>10.1f}×"
                     f"{sps / ceiling:>11.1%}")
    lines.append(f"matmul {r['matmul_gflops']:.1f} GFLOP/s float32 → ceiling {ceiling:,.0f} samples/s "
                 f"({r['flops_per_sample']:,} FLOPs/sample, forward+backward)")
    lines.append("fast path by batch: " + ", ".join(f"{b}: {v:,.0f}/s" for b, v in r["fast_sps_by_batch"].items()))
    lines.append(f"fast path at batch {r['large_batch']} by torch threads: "
                 + ", ".join(f"{t}: {v:,.0f}/s" for t, v in r["fast_sps_large_by_threads"].items()))
    lines.append(f"epoch time at batch {r['large_batch']}: "
                 + ", ".join(f"{int(n):,} rows {s:.3f} s" for n, s in r["epoch_seconds"].items()))
    if "cnn_lab_ips" in r:
        base, cnn_ceiling = r["cnn_skorch_default_ips"], r["cnn_ceiling_ips"]
        lines += ["", f"CNN — {r['cnn_images']:,} images 28×28, Conv32→pool→Conv64→pool→Dense128→10, Adam, batch "
                      f"{r['cnn_batch']}, {r['threads']} torch threads",
                  f"{'path':<38}{'images/s':>11}{'× default':>11}{'of ceiling':>12}"]
        for name, key in (("skorch default (NCHW, DataLoader)", "cnn_skorch_default_ips"),
                          ("torch loop, NCHW", "cnn_torch_loop_ips"),
                          ("torch loop, channels_last", "cnn_torch_loop_channels_last_ips"),
                          ("lab's path (CNNClassifier)", "cnn_lab_ips"),
                          ("torch loop, channels_last, kept memory", "cnn_torch_loop_channels_last_kept_ips")):
            lines.append(f"{name:<38}{r[key]:>11,.0f}{r[key] / base:>10.2f}×{r[key] / cnn_ceiling:>11.1%}")
        lines.append(f"cnn_ratio {r['cnn_ratio']:.2f}× (goal ≥ 1.7×); channels_last alone {r['cnn_layout_gain']:.2f}× "
                     f"the NCHW loop; the raised allocator thresholds alone {r['cnn_allocator_gain']:.2f}× the "
                     f"channels_last loop; ceiling {cnn_ceiling:,.0f} images/s ({r['cnn_flops_per_image'] / 1e6:.1f} MFLOP "
                     "per image, forward+backward)")
    return "\n".join(lines)


def main(as_json: bool = False, rows: int = 851_264, quick: bool = False) -> int:
    previous = torch.get_num_threads()
    torch.set_num_threads(1 if quick else _cores())
    try:
        result = run(rows=rows, quick=quick)
    finally:
        torch.set_num_threads(previous)
    print(json.dumps(result) if as_json else format_table(result))
    return 0


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
