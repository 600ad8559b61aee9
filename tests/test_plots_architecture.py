"""Architecture diagrams are drawn from the model's own layers."""

from mlplab.models import MLP
from mlplab.plots.architecture import count_parameters, describe_layers, module_of, plot_architecture
from mlplab.training import MLPClassifier


def test_layers_follow_the_module():
    m = MLP(4, 1, hidden=(8, 3), activation="tanh", dropout=0.2, batch_norm=True)
    kinds = [k for k, _ in describe_layers(m)]
    assert kinds.count("linear") == 3 and kinds.count("act") == 2 and kinds.count("drop") == 2 and kinds.count("norm") == 2
    labels = [label for _, label in describe_layers(m)]
    assert "Linear\n4→8" in labels and "Linear\n3→1" in labels
    assert count_parameters(m) == sum(p.numel() for p in m.parameters())


def test_module_of_unfitted_net_and_figure():
    net = MLPClassifier(module__hidden=(16,), module__activation="gelu")
    m = module_of(net, d_in=7, d_out=6)
    labels = [label for _, label in describe_layers(m)]
    assert labels[0] == "Linear\n7→16" and labels[-1] == "Linear\n16→6" and "GELU" in labels
    fig = plot_architecture(m, "Test", "7 features", "6 logits")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts[0] == "7 features" and texts[-1] == "6 logits"
    assert f"{count_parameters(m):,} trainable parameters" in fig.axes[0].get_title(loc="left")


def test_long_io_labels_wrap_inside_their_boxes():
    fig = plot_architecture(MLP(131, 6, hidden=(64,)), "Tuned", "131 inputs (thresholds)", "6 class logits")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts[0] == "131 inputs\n(thresholds)" and texts[-1] == "6 class\nlogits"
    fig = plot_architecture(MLP(4, 1, hidden=(8,)), "Reg", "4 inputs", "intraday_return")
    assert fig.axes[0].texts[-1].get_text() == "intraday\nreturn"


def test_deep_networks_stay_readable_at_pdf_width():
    from mlplab.plots.architecture import blocks, plot_architectures

    deep = MLP(8, 1, hidden=(256, 256, 256), dropout=0.2)
    assert blocks(deep)[0] == ("linear", "Linear\n8→256\nReLU\nDropout 0.2") and blocks(deep)[-1] == ("linear", "Linear\n256→1")
    fig = plot_architectures([(deep, "source", "8 standardized inputs", "price"), (MLP(8, 1, hidden=(128,)), "tuned", "8", "y")])
    width, height = fig.get_size_inches()
    scale = (15.0 / 2.54) / width  # printed at the PDF's 15 cm text width
    sizes = [t.get_fontsize() * scale for ax in fig.axes for t in ax.texts if t.get_text()]
    assert min(sizes) >= 7.0 and height / width > 0.4  # no 4 pt strip
    boxes = [t for t in fig.axes[0].texts if t.get_text()]  # the arrows are empty annotations
    texts = [t.get_text() for t in boxes]
    assert texts[0] == "8\nstandardized\ninputs" and texts[-1] == "price" and len(texts) == 6  # one box per dense block
    positions = [t.get_position() for t in boxes]
    assert max(x for x, _ in positions) <= 4 and positions[-1][1] == -1  # a sixth box starts a second row
