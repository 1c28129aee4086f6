"""Shared test setup.

Keras 3 picks its backend when it is first imported, and this project runs it on PyTorch.
Setting the variable here, before any test module imports keras, makes that true in every test.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_core import LSTMParams  # noqa: E402


@pytest.fixture
def rng():
    """A fresh seeded generator per test, so tests never depend on their order."""
    return np.random.default_rng(1234)


@pytest.fixture
def params():
    """A small standard cell (X=3, H=4, float64) with a non-zero forget bias."""
    return LSTMParams.random(3, 4, seed=7, forget_bias=1.0)


@pytest.fixture
def peephole_params():
    """The same sizes with peephole weights w_cf, w_ci, w_co."""
    return LSTMParams.random(3, 4, seed=8, forget_bias=1.0, peephole=True)
