"""The networks every lab builds on (torch.nn modules; arguments checked once, in the constructor).

mlp: the tabular MLP (input noise, periodic embedding, blocks of Linear/BatchNorm/activation/Dropout).
Other labs add their own modules here (CNN blocks, residual and grouped blocks, sequence models).
"""

from mlplab.models.mlp import (ACTIVATIONS, EMBEDDINGS, MLP, GaussianNoise, InputLinear,  # noqa: F401
                               PeriodicEmbedding)
