"""How long the cell remembers: with the input gate shut (i = 0), c_t = f^t c_0."""
import numpy as np

from ._checks import float_array


def half_life(f):
    """Steps until a memory kept by a constant forget gate f falls to half: ln 0.5 / ln f.

    f in (0, 1); f = 1 keeps memory forever (inf) and f = 0 erases it in one step (0).
    """
    f = float_array("f", f)
    if f.size and (f.min() < 0 or f.max() > 1):
        raise ValueError(f"f: expected values in [0, 1], got values from {f.min():g} to {f.max():g}")
    with np.errstate(divide="ignore"):
        out = np.where(f >= 1.0, np.inf, np.where(f <= 0.0, 0.0, np.log(0.5) / np.log(np.clip(f, 1e-300, 1.0))))
    return out[()] if out.ndim == 0 else out


def retention(f, steps):
    """f^t for t = 0 .. steps-1: the fraction of c_0 left after t steps with i = 0."""
    f = float_array("f", f)
    return f ** np.arange(int(steps))
