"""The gradient-flow panel of notebook 00: the browser-test contract, the numbers it shows, the extremes."""
import warnings

import numpy as np
import pytest

pytest.importorskip("ipywidgets", reason="ipywidgets is not installed: the panel cannot be built")
pytest.importorskip("matplotlib", reason="matplotlib is not installed: the panel cannot draw")

from lstm_core.gradflow import compare_flow  # noqa: E402
from lstm_core.gradflow_panel import B_F, RHO, GradFlowPanel, flow_figure, rate_figure  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def panel():
    return GradFlowPanel()


def test_contract_classes_and_status(panel):
    assert "lstm-panel" in panel.widget._dom_classes
    assert "lstm-main-slider" in panel.main_slider._dom_classes and panel.main_slider is panel.sliders["rho"]
    assert "lstm-plot" in panel.image._dom_classes and panel.image.format == "png"
    assert "lstm-status" in panel.status._dom_classes
    before = panel.updates
    panel.main_slider.value = 1.2                  # as a browser would: through the widget
    assert panel.updates == before + 1 and panel.status.value == f"update {before + 1}"
    assert bytes(panel.image.value).startswith(PNG)


def test_panel_shows_lstm_core_numbers(panel):
    panel.set(rho=0.6, b_f=1.5)
    expected = compare_flow(0.6, 1.5)
    assert np.array_equal(panel.flow.rnn, expected.rnn) and np.array_equal(panel.flow.lstm, expected.lstm)
    y = panel._view.rnn.get_ydata()
    assert np.allclose(y, np.maximum(expected.rnn, 1e-300)), "the RNN line must show rnn_grad_by_lag"


@pytest.mark.parametrize("rho", [RHO["lo"], RHO["hi"]])
@pytest.mark.parametrize("b_f", [B_F["lo"], B_F["hi"]])
def test_extremes_draw_finite_lines_without_warnings(panel, rho, b_f):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = panel.set(rho=rho, b_f=b_f)
    assert png.startswith(PNG)
    for line in (panel._view.rnn, panel._view.bound, panel._view.lstm, panel._view.path):
        y = np.asarray(line.get_ydata())
        assert np.all(np.isfinite(y)) and np.all(y > 0), f"{line.get_label()}: non-finite or non-positive values"


def test_bad_slider_values(panel):
    with pytest.raises(ValueError, match=r"rho: expected a value in \[0.05, 2.5\], got 3.0"):
        panel.set(rho=3.0)
    with pytest.raises(ValueError, match="speed: expected a slider among"):
        panel.set(speed=1.0)


def test_static_figures():
    import matplotlib.pyplot as plt
    fig = flow_figure(compare_flow(0.9, 3.0))
    assert len(fig.axes) == 1 and fig.axes[0].get_yscale() == "log"
    plt.close(fig)
    fig = rate_figure([0.5, 1.0, 1.5], [0.4, 0.8, 1.1], [0.9, 1.8, 2.7])
    assert len(fig.axes[0].lines) >= 4
    plt.close(fig)
