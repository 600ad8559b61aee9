"""The networks every lab builds on (torch.nn modules; arguments checked once, in the constructor).

mlp: the tabular MLP (input noise, periodic embedding, blocks of Linear/BatchNorm/activation/Dropout).
Other labs add their own modules here (CNN blocks, residual and grouped blocks, sequence models).
"""

from mlplab.models.mlp import (ACTIVATIONS, EMBEDDINGS, MLP, GaussianNoise, InputLinear,  # noqa: F401
                               PeriodicEmbedding)

# cnn and residual: Lab 3's image networks (uint8 input, batch augmentation, channels_last; plain and
# residual deep stacks, VGG-16-C, ResNet-18, ResNeXt and the per-layer gradient-norm probe).
from mlplab.models.cnn import CNN, BatchAugment, ImageInput  # noqa: F401,E402
from mlplab.models.residual import DeepStack, ResNet18, ResNeXt, VGG16C, gradient_norms  # noqa: F401,E402

# sequence: the Conv1d autoencoder and LSTM/GRU forecasters of Lab 4, with their skorch net. That module
# imports mlplab.training, which imports this package, so its names are loaded on first use (PEP 562).
_SEQUENCE = ("ConvAutoencoder", "RecurrentForecaster", "MaskedMSELoss", "SequenceRegressor")


def __getattr__(name: str):
    if name in _SEQUENCE:
        from mlplab.models import sequence

        return getattr(sequence, name)
    raise AttributeError(f"module 'mlplab.models' has no attribute {name!r}")

# text (Lab 5): LSTMClassifier (never reads padding), TransformerClassifier (key-padding mask, masked mean pooling),
# transformer_parameters (the count formula) and TextClassifier, the skorch net with length buckets. Import it as
# mlplab.models.text (it imports mlplab.training).
