"""Input validation shared by the package.

Every error is a ValueError that names the argument and says what was expected
against what arrived.  Nothing is broadcast silently.
"""
import numpy as np


def float_array(name, value, dtype=None):
    """Return `value` as a finite float ndarray, or raise ValueError naming `name`."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name}: expected a numeric array, got {type(value).__name__} ({exc})") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"{name}: expected a numeric array, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"{name}: expected real numbers, got dtype {arr.dtype}")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    finite = np.isfinite(arr)
    if not finite.all():
        bad = np.argwhere(~finite)
        first = tuple(int(k) for k in bad[0]) if arr.ndim else ()
        raise ValueError(
            f"{name}: expected finite values, got {len(bad)} NaN or inf "
            f"(first at index {first}: {arr[first] if arr.ndim else arr})"
        )
    return arr


def check_shape(name, arr, expected, meaning=""):
    """Raise ValueError unless arr.shape == expected.  `meaning` spells out the symbols."""
    if tuple(arr.shape) != tuple(expected):
        hint = f" ({meaning})" if meaning else ""
        raise ValueError(f"{name}: expected shape {tuple(expected)}{hint}, got {tuple(arr.shape)}")
    return arr


def sequence_input(xs, X):
    """Check a time-major sequence against input size X: (T, X) or (T, B, X), T >= 1.
    Returns (xs as a float array, batched, T, B)."""
    xs = float_array("xs", xs)
    if xs.ndim not in (2, 3) or xs.shape[-1] != X or xs.shape[0] < 1:
        raise ValueError(f"xs: expected shape (T, X) or (T, B, X) with T >= 1 and X={X} from params, "
                         f"got {xs.shape}")
    batched = xs.ndim == 3
    return xs, batched, xs.shape[0], (xs.shape[1] if batched else 1)


def backward_inputs(params, trace, trace_type, forward_name, dh):
    """Check what a backward pass receives; returns (T, B, H, X, dtype, dh as (T, B, H)).

    `trace` must be the `trace_type` made by `forward_name` with params of the same sizes, and dh
    must have the shape of trace.h."""
    if not isinstance(trace, trace_type):
        raise ValueError(f"trace: expected the {trace_type.__name__} returned by {forward_name}, "
                         f"got {type(trace).__name__}")
    T, B, H = trace.hs.shape
    X = trace.xs.shape[-1]
    if (params.input_size, params.hidden_size) != (X, H):
        raise ValueError(f"params: expected the params the trace was made with (X={X}, H={H}), "
                         f"got X={params.input_size}, H={params.hidden_size}")
    dtype = trace.hs.dtype
    user = (T, B, H) if trace.batched else (T, H)
    dh = check_shape("dh", float_array("dh", dh, dtype), user, "the shape of trace.h").reshape(T, B, H)
    return T, B, H, X, dtype, dh


def working_dtype(*dtypes):
    """The float dtype a computation runs in: float32 only when every float input is float32."""
    floats = [np.dtype(d) for d in dtypes if np.issubdtype(np.dtype(d), np.floating)]
    return np.result_type(*floats) if floats else np.dtype(np.float64)


def initial_state(name, value, shape, dtype):
    """A state argument (h0, c0, h_prev, ...): zeros of `shape` when None, else `value` checked
    to be finite with exactly `shape`, in `dtype`."""
    if value is None:
        return np.zeros(shape, dtype)
    arr = float_array(name, value)
    check_shape(name, arr, shape, "(H,) for one sequence, (B, H) for a batch")
    return arr.astype(dtype, copy=False)


def freeze_fields(obj, arrays, dtype):
    """Set each {name: array} on the frozen dataclass `obj` as its own read-only copy in `dtype`."""
    for n, a in arrays.items():
        a = np.array(a, dtype=dtype)  # own copy: params never alias the caller's arrays
        a.setflags(write=False)
        object.__setattr__(obj, n, a)
