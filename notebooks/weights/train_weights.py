"""Train the small networks notebook 06 loads, and write them next to this script as .npz files.

    python notebooks/weights/train_weights.py

Every file is written by lstm_core.train.save_model (plain arrays, read with
np.load(..., allow_pickle=False) by lstm_core.train.load_model) and records the recipe inside it:
the seed, the number of training steps and the learning rate.

    adding_lstm.npz     LSTM on the adding problem, T=50: train_adding("lstm") (ADDING_RECIPE, stops
                        when the test solve rate reaches 0.95)
    adding_rnn.npz      vanilla tanh RNN, same recipe, the same number of steps as the LSTM
    reset_lstm.npz      LSTM on the reset task: train_reset(forget_gate=True) (RESET_RECIPE)
    reset_noforget.npz  the same with f pinned to 1: train_reset(forget_gate=False)

Training is deterministic on one machine; on another CPU, floating-point rounding can make the
weights differ slightly.  Took about 30 s on the shared 2-core machine while others used it.
"""
from pathlib import Path

from lstm_core.train import ADDING_RECIPE, RESET_RECIPE, save_model, train_adding, train_reset

HERE = Path(__file__).resolve().parent


def _save(name, result, recipe):
    score = result.evals[-1][1] if result.evals else float("nan")
    save_model(HERE / name, result.model, seed=recipe["seed"], steps=result.steps, lr=recipe["lr"],
               batch_size=recipe["batch_size"], T=recipe["T"], test_score=score,
               script="notebooks/weights/train_weights.py")
    print(f"{name}: {result.steps} steps, {result.seconds:.1f} s"
          + (f", test solve rate {score:.3f}" if result.evals else ""))


def main():
    lstm = train_adding("lstm")
    _save("adding_lstm.npz", lstm, ADDING_RECIPE)
    _save("adding_rnn.npz", train_adding("rnn", steps=lstm.steps), ADDING_RECIPE)
    _save("reset_lstm.npz", train_reset(forget_gate=True), RESET_RECIPE)
    _save("reset_noforget.npz", train_reset(forget_gate=False), RESET_RECIPE)


if __name__ == "__main__":
    main()
