"""Time lstm_core's numpy training on the adding problem (T=50) against the same training in PyTorch.

lstm_core trains from a fixed seed until its solve rate (|err| < 0.04 on 1000 held-out sequences)
reaches 0.95, evaluating every EVAL_EVERY steps; that run's step count N is then replayed in PyTorch
on the CPU with everything else the same:

- the model: nn.LSTM + nn.Linear loaded with the same initial weights (LSTMParams.to_torch; bias_hh
  is frozen at zero, so the single bias b = bias_ih is trained once, as in lstm_core);
- the data: mini-batch k is adding_problem(B, T, seed=[SEED, k]) on both sides;
- the optimiser: Adam with the same lr, betas and eps, and clip_grad_norm_ with the same max norm
  (lstm_core.train implements torch's formulas);
- the evaluations: the same test set at the same steps, so both clocks include them.

Both sides run in float64, the package's default, and on one thread: OPENBLAS_NUM_THREADS=1 is set
before numpy loads (unless already set) and torch.set_num_threads(1) (change with --torch-threads).
At these sizes (H=16, B=64) threads do not pay, and on a shared 2-core machine their spin-waits
cost milliseconds per step on both sides.  Each side is run REPEATS times, interleaved, and the
median wall time is printed.  After the torch run the script prints its final solve rate and the
largest difference between the two sides' final weights: the runs are the same computation, up to
floating-point rounding that grows over the steps.

    python benchmarks/train_vs_torch.py            # 3 runs per side, under a minute on an idle machine
    python benchmarks/train_vs_torch.py --quick    # 1 run per side
"""
import argparse
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")   # before numpy loads OpenBLAS

import numpy as np  # noqa: E402

from lstm_core.tasks import adding_problem, solve_rate  # noqa: E402
from lstm_core.train import ADDING_RECIPE, ADDING_TEST, batch_seed, init_model, train_adding  # noqa: E402

R = ADDING_RECIPE          # the recipe the tests, the shipped weights and notebook 06 use
T, H, BATCH, LR, CLIP, FORGET_BIAS, SEED = (R[k] for k in ("T", "hidden_size", "batch_size", "lr", "clip",
                                                            "forget_bias", "seed"))
TARGET, EVAL_EVERY, MAX_STEPS = R["target"], R["eval_every"], R["max_steps"]
TEST = dict(n=ADDING_TEST["n"], T=T, seed=ADDING_TEST["seed"])


def run_numpy():
    """lstm_core.train.train_adding: trains until the test solve rate reaches TARGET."""
    return train_adding("lstm")


def run_torch(torch, steps):
    """The same training for `steps` steps; returns (seconds, final solve rate, final weights)."""
    xs_test, y_test = adding_problem(**TEST)
    x_test = torch.from_numpy(xs_test)
    start_model = init_model("lstm", 2, H, seed=SEED, forget_bias=FORGET_BIAS)
    t0 = time.perf_counter()
    lstm = torch.nn.LSTM(2, H).double()
    lstm.load_state_dict({k: torch.from_numpy(v) for k, v in start_model.cell.to_torch().items()})
    lstm.bias_hh_l0.requires_grad_(False)          # stays 0: one trained bias, like lstm_core
    head = torch.nn.Linear(H, 1).double()
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(start_model.V.T))
        head.bias.copy_(torch.from_numpy(start_model.b_y))
    params = [p for p in list(lstm.parameters()) + list(head.parameters()) if p.requires_grad]
    opt = torch.optim.Adam(params, lr=LR)

    def predict_torch(x):
        return head(lstm(x)[0][-1])[:, 0]

    score = None
    for k in range(steps):
        xs, y = adding_problem(BATCH, T, seed=batch_seed(SEED, k))
        opt.zero_grad(set_to_none=True)
        loss = torch.mean((predict_torch(torch.from_numpy(xs)) - torch.from_numpy(y)) ** 2)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, CLIP)
        opt.step()
        if (k + 1) % EVAL_EVERY == 0 or k == steps - 1:
            with torch.no_grad():
                score = solve_rate(predict_torch(x_test).numpy(), y_test)
    seconds = time.perf_counter() - t0
    weights = {"weight_hh_l0": lstm.weight_hh_l0.detach().numpy(), "head": head.weight.detach().numpy()}
    return seconds, score, weights


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="runs per side (default 3)")
    ap.add_argument("--quick", action="store_true", help="one run per side")
    ap.add_argument("--torch-threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    args = ap.parse_args()
    repeats = 1 if args.quick else args.repeats
    import torch
    torch.set_num_threads(args.torch_threads)

    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}, "
          f"{os.cpu_count()} cores, torch threads {torch.get_num_threads()}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    print(f"adding problem T={T}, LSTM H={H}, batch {BATCH}, Adam lr {LR:g}, clip {CLIP:g}, "
          f"forget bias {FORGET_BIAS:g}, seed {SEED}; target solve rate {TARGET:.2f}, "
          f"evaluated every {EVAL_EVERY} steps on {TEST['n']} test sequences; {repeats} run(s) per side\n")
    np_times, torch_times = [], []
    for r in range(repeats):                        # interleaved, so a busy machine slows both alike
        res = run_numpy()
        if not res.evals or res.evals[-1][1] < TARGET:
            sys.exit(f"lstm_core did not reach solve rate {TARGET} in {MAX_STEPS} steps")
        np_times.append(res.seconds)
        secs, torch_score, torch_w = run_torch(torch, res.steps)
        torch_times.append(secs)
        print(f"run {r + 1}: lstm_core {res.seconds:7.3f} s ({res.steps} steps, solve rate "
              f"{res.evals[-1][1]:.3f}) | torch {secs:7.3f} s (solve rate {torch_score:.3f})", flush=True)
    ours, theirs = statistics.median(np_times), statistics.median(torch_times)
    diff_hh = np.max(np.abs(torch_w["weight_hh_l0"] - res.model.cell.to_torch()["weight_hh_l0"]))
    diff_head = np.max(np.abs(torch_w["head"] - res.model.V.T))
    print(f"\nsteps to solve rate >= {TARGET:.2f}: {res.steps}")
    print(f"median wall time: lstm_core {ours:.3f} s, torch {theirs:.3f} s, "
          f"ratio lstm_core/torch {ours / theirs:.2f} (below 1.00: lstm_core is faster)")
    print(f"final weights, largest |numpy - torch|: W_hh {diff_hh:.2e}, readout {diff_head:.2e}")
    print(f"per step: lstm_core {1e3 * ours / res.steps:.2f} ms, torch {1e3 * theirs / res.steps:.2f} ms")


if __name__ == "__main__":
    main()
