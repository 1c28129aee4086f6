"""Write torch_reference.npz: a torch.nn.LSTM's own weights, in PyTorch's layout, and its outputs.

Notebook 05 compares lstm_core with these stored numbers, so the comparison runs even where torch
is not installed (and recomputes them live where it is).  Regenerate, from the repository root:

    python notebooks/data/make_torch_reference.py

Needs torch (CI pins torch==2.13.0, CPU build).  The file is small: one layer, X=3, H=4, T=6, B=2.
"""
from pathlib import Path

import numpy as np
import torch

SEED = 5
X, H, T, B = 3, 4, 6, 2
OUT = Path(__file__).with_name("torch_reference.npz")


def main():
    torch.manual_seed(SEED)
    # torch's own initialisation, U(-1/sqrt(H), 1/sqrt(H)), with both biases non-zero; float64 so
    # the comparison is limited by rounding, not by float32.
    lstm = torch.nn.LSTM(X, H).double()
    xs = torch.randn(T, B, X, dtype=torch.float64)
    h0 = torch.randn(1, B, H, dtype=torch.float64)
    c0 = torch.randn(1, B, H, dtype=torch.float64)
    with torch.no_grad():
        hs, (h_n, c_n) = lstm(xs, (h0, c0))
    arrays = {k: v.detach().numpy() for k, v in lstm.state_dict().items()}
    arrays.update(xs=xs.numpy(), h0=h0.numpy(), c0=c0.numpy(), hs=hs.numpy(), h_n=h_n.numpy(),
                  c_n=c_n.numpy(), torch_version=np.array(torch.__version__))
    np.savez(OUT, **arrays)
    print(f"wrote {OUT.name}: " + ", ".join(f"{k} {v.shape}" for k, v in arrays.items()))


if __name__ == "__main__":
    main()
