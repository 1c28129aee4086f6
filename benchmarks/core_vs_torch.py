"""Time lstm_core's forward pass and forward+backward against torch.nn.LSTM with autograd, on the CPU.

Both sides run in this one process, on the same sizes, dtype, inputs and weights, interleaved round by
round so that a busy machine slows both alike.  Each cell of the table is a median over many repeats.

    python benchmarks/core_vs_torch.py            # the full table (about half a minute)
    python benchmarks/core_vs_torch.py --quick    # fewer repeats, for a smoke test

"forward" is lstm_forward against torch under no_grad (inference, torch's fastest forward).
"fwd+bwd" is one training step's worth of gradient work: lstm_forward + lstm_backward against torch's
forward with autograd + backward, both computing the weight gradients and dL/dxs for the same dL/dh.
torch is timed with its default thread count and with one thread; numpy's BLAS calls here are far below
OpenBLAS's threading threshold, so lstm_core effectively runs on one thread.
"""
import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np

from lstm_core import LSTMParams, lstm_backward, lstm_forward

SIZES = [(50, 32, 2, 16), (100, 1, 3, 8)]      # (T, B, X, H): the notebooks' own sizes
DTYPES = [np.float32, np.float64]


def _progress(total):
    try:
        from tqdm import tqdm
        return tqdm(total=total, desc="measuring", unit="case", file=sys.stderr)
    except ImportError:
        return None


def _numpy_cases(p, xs, dh):
    def fwd():
        lstm_forward(p, xs)

    def fwd_bwd():
        lstm_backward(p, lstm_forward(p, xs), dh)
    return fwd, fwd_bwd


def _torch_cases(torch, p, xs, dh):
    X, H = p.input_size, p.hidden_size
    module = torch.nn.LSTM(X, H).to(torch.float32 if p.dtype == np.float32 else torch.float64)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in p.to_torch().items()})
    x = torch.from_numpy(xs)
    grad_out = torch.from_numpy(dh)

    def fwd():
        with torch.no_grad():
            module(x)

    def fwd_bwd():
        xg = x.detach().requires_grad_(True)      # dL/dxs too, as lstm_backward computes it
        module.zero_grad(set_to_none=True)
        out, _ = module(xg)
        out.backward(grad_out)
    return fwd, fwd_bwd


def _time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def measure(torch, T, B, X, H, dtype, repeats, warmup, rounds, default_threads):
    p = LSTMParams.random(X, H, seed=0, forget_bias=1.0, dtype=dtype)
    rng = np.random.default_rng(1)
    xs = rng.standard_normal((T, B, X)).astype(dtype)
    dh = rng.standard_normal((T, B, H)).astype(dtype)
    fns = {"numpy": _numpy_cases(p, xs, dh), "torch": _torch_cases(torch, p, xs, dh)}
    runs = [("numpy", None), ("torch", default_threads), ("torch1", 1)]
    samples = {(name, k): [] for name, _ in runs for k in (0, 1)}
    for name, threads in runs:                      # warm up every path once, outside the clock
        if threads:
            torch.set_num_threads(threads)
        for fn in fns[name[:5]]:
            _time(fn, warmup)
    for _ in range(rounds):                         # interleave: each round times every path
        for name, threads in runs:
            if threads:
                torch.set_num_threads(threads)
            for k, fn in enumerate(fns[name[:5]]):
                samples[(name, k)] += _time(fn, repeats // rounds)
    torch.set_num_threads(default_threads)
    return {key: 1e3 * statistics.median(v) for key, v in samples.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=300, help="timed calls per cell (default 300)")
    ap.add_argument("--quick", action="store_true", help="30 repeats, for a smoke test")
    args = ap.parse_args()
    repeats = 30 if args.quick else args.repeats
    import torch

    default_threads = torch.get_num_threads()
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}, "
          f"{os.cpu_count()} cores; torch threads: default {default_threads} and 1; "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    print(f"median of {repeats} calls per cell, in milliseconds; ratio = lstm_core / torch "
          f"(below 1.00: lstm_core is faster)\n")
    header = (f"{'T':>4} {'B':>3} {'X':>2} {'H':>3} {'dtype':>7} {'pass':>8} | {'lstm_core':>9} "
              f"{'torch(' + str(default_threads) + 't)':>9} {'torch(1t)':>9} | {'ratio':>6} {'ratio1t':>7}")
    bar = _progress(len(SIZES) * len(DTYPES))
    rows = []
    for T, B, X, H in SIZES:
        for dtype in DTYPES:
            m = measure(torch, T, B, X, H, dtype, repeats, warmup=max(10, repeats // 10), rounds=5,
                        default_threads=default_threads)
            for k, label in enumerate(("forward", "fwd+bwd")):
                ours, theirs, theirs1 = m[("numpy", k)], m[("torch", k)], m[("torch1", k)]
                rows.append(f"{T:>4} {B:>3} {X:>2} {H:>3} {np.dtype(dtype).name:>7} {label:>8} | {ours:9.3f} "
                            f"{theirs:9.3f} {theirs1:9.3f} | {ours / theirs:6.2f} {ours / theirs1:7.2f}")
            if bar:
                bar.update()
    if bar:
        bar.close()
    print(header)
    print("-" * len(header))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
