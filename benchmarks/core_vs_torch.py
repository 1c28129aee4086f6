"""Time lstm_core's forward pass and forward+backward against torch.nn.LSTM with autograd, on the CPU.

Both sides run in this one process, on the same sizes, dtype, inputs and weights, interleaved round by
round so that a busy machine slows both alike.  Each cell of the table is a median over many repeats.

    python benchmarks/core_vs_torch.py            # the full table (about half a minute)
    python benchmarks/core_vs_torch.py --quick    # fewer repeats, for a smoke test

"forward" is lstm_forward against torch under no_grad (inference, torch's fastest forward).
"fwd+bwd" is one training step's worth of gradient work: lstm_forward + lstm_backward against torch's
forward with autograd + backward, both computing the weight gradients and dL/dxs for the same dL/dh.
lstm_core runs on one thread: its matrix products stay below OpenBLAS's threading threshold.  So the
ratio compares it with torch on one thread (torch.set_num_threads(1)), timed interleaved with it; torch
with its default thread count is timed too, in a block of its own, and shown for reference.
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
    """Medians in ms, keyed (side, pass): side "numpy", "torch1" (1 thread), "torch" (default threads)."""
    p = LSTMParams.random(X, H, seed=0, forget_bias=1.0, dtype=dtype)
    rng = np.random.default_rng(1)
    xs = rng.standard_normal((T, B, X)).astype(dtype)
    dh = rng.standard_normal((T, B, H)).astype(dtype)
    numpy_fns, torch_fns = _numpy_cases(p, xs, dh), _torch_cases(torch, p, xs, dh)
    samples = {(side, k): [] for side in ("numpy", "torch1", "torch") for k in (0, 1)}

    # lstm_core and single-threaded torch, interleaved round by round so load hits both alike.
    torch.set_num_threads(1)
    for fn in numpy_fns + torch_fns:
        _time(fn, warmup)
    for _ in range(rounds):
        for side, fns in (("numpy", numpy_fns), ("torch1", torch_fns)):
            for k, fn in enumerate(fns):
                samples[(side, k)] += _time(fn, repeats // rounds)
    # torch with its default threads in a block of its own: its OpenMP workers keep spinning after
    # each call and would slow down whatever runs next on a 2-core machine.
    torch.set_num_threads(default_threads)
    for k, fn in enumerate(torch_fns):
        _time(fn, warmup)
        samples[("torch", k)] += _time(fn, repeats)
    return {key: 1e3 * statistics.median(v) for key, v in samples.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=300, help="timed calls per cell (default 300)")
    ap.add_argument("--quick", action="store_true", help="30 repeats, for a smoke test")
    ap.add_argument("--sizes", choices=["all", "first"], default="all",
                    help="'first': only T=50, B=32, X=2, H=16 (the goal's size)")
    args = ap.parse_args()
    repeats = 30 if args.quick else args.repeats
    import torch

    default_threads = torch.get_num_threads()
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}, "
          f"{os.cpu_count()} cores; torch threads: default {default_threads} and 1; "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    print(f"median of {repeats} calls per cell, in milliseconds; ratio = lstm_core / torch "
          f"(below 1.00: lstm_core is faster)")
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    header = (f"{'T':>4} {'B':>3} {'X':>2} {'H':>3} {'dtype':>7} {'pass':>8} | {'lstm_core':>9} "
              f"{'torch 1t':>9} {'ratio':>6} | {f'torch {default_threads}t':>9} {'ratio':>6}")
    sizes = SIZES[:1] if args.sizes == "first" else SIZES
    bar = _progress(len(sizes) * len(DTYPES))
    rows = []
    for T, B, X, H in sizes:
        for dtype in DTYPES:
            m = measure(torch, T, B, X, H, dtype, repeats, warmup=max(10, repeats // 10), rounds=5,
                        default_threads=default_threads)
            for k, label in enumerate(("forward", "fwd+bwd")):
                ours, one, default = m[("numpy", k)], m[("torch1", k)], m[("torch", k)]
                rows.append(f"{T:>4} {B:>3} {X:>2} {H:>3} {np.dtype(dtype).name:>7} {label:>8} | {ours:9.3f} "
                            f"{one:9.3f} {ours / one:6.2f} | {default:9.3f} {ours / default:6.2f}")
            if bar:
                bar.update()
    if bar:
        bar.close()
    print(header)
    print("-" * len(header))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
