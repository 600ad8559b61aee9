"""Lab 5's text networks and the skorch net that trains them on token-id matrices (mlplab.training's fast loop).

Input of every module: X (n, T) int64 token ids, real tokens first, padding id 0 after them; a document's
length is its count of non-zero ids. Padding is never read:
- `LSTMClassifier`: an embedding (learned, or initialised from pretrained vectors, optionally frozen),
  word dropout in training, a stack of LSTM layers (unidirectional or bidirectional) that never read the
  padding (each document's final state is taken at its own last token, the backward direction reads it
  reversed within its length; or packed sequences, `packed=True`); dropout after every layer; then
  the final state (the source's design), or max / mean / attention pooling over the token states (padding
  masked), into one linear layer. Two classes: one logit and a sigmoid (the source's output).
- `TransformerClassifier`: a (frozen) pretrained embedding, an optional linear projection to the model
  width, fixed sinusoidal positional encoding, post-norm encoder layers (multi-head self-attention and a
  ReLU feed-forward network, each with residual and layer norm, as Vaswani et al. 2017) with a key-padding
  mask, mean pooling over the real tokens, one linear layer.
- `TextClassifier`: mlplab.training.MLPClassifier for these inputs: batches bucketed by length and cut to
  their longest document (`BucketIterator`), evaluation in length-sorted chunks, gradient-norm clipping,
  optional linear warm-up and decay of the learning rate, binary cross-entropy on one logit for two classes.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from mlplab.training import BatchIterator, MLPClassifier, TensorData

POOLINGS = ("last", "max", "mean", "attention")
EVAL_TOKENS = 65_536  # tokens per evaluation chunk (batch × its longest document): memory bound, same results


def _rate(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


def _count(name: str, value, least: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < least:
        raise ValueError(f"{name} must be an integer >= {least}, got {value!r}")
    return int(value)


def _embedding(vectors, vocab_size: int, embed_dim: int, freeze: bool) -> nn.Embedding:
    if vectors is not None:
        w = torch.from_numpy(np.array(vectors, dtype=np.float32, copy=True))  # a worker may get a read-only memmap
        if w.ndim != 2 or w.shape[0] < 2:
            raise ValueError(f"vectors must be a (vocabulary, dimension) matrix, got shape {tuple(w.shape)}")
        emb = nn.Embedding.from_pretrained(w, freeze=bool(freeze), padding_idx=0)
        return emb
    if freeze:
        raise ValueError("freeze=True needs pretrained vectors (a frozen random embedding learns nothing)")
    return nn.Embedding(_count("vocab_size", vocab_size, 2), _count("embed_dim", embed_dim), padding_idx=0)


def word_dropout(x: torch.Tensor, p: float, training: bool, unk: int = 1) -> torch.Tensor:
    """Replace a random share p of the real tokens by the unknown-word id (training only)."""
    if not training or p <= 0:
        return x
    drop = (torch.rand(x.shape, device=x.device) < p) & (x != 0)
    return torch.where(drop, torch.full_like(x, unk), x)


def reverse_within(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Each row's first `length` steps in reverse order, the padding after them left in place (its own inverse)."""
    t = torch.arange(x.shape[1], device=x.device)[None, :]
    idx = torch.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)
    return x.gather(1, idx if x.ndim == 2 else idx[..., None].expand(-1, -1, x.shape[2]))


class LSTMClassifier(nn.Module):
    """Each layer is one `nn.LSTM` per direction. The backward direction reads every document reversed within
    its own length, so both directions start at a real token and reach each position before any padding: the
    states of the real tokens are those of the unpadded document. `packed=True` runs the same layers on
    packed sequences instead (same outputs; on a CPU its backward pass is about ten times slower when the
    lengths in a batch differ, so the default runs padded, length-bucketed batches)."""

    def __init__(self, d_out: int, vectors=None, vocab_size: int = 0, embed_dim: int = 50, freeze: bool = False,
                 hidden: int = 64, layers: int = 3, bidirectional: bool = False, dropout: float = 0.2,
                 pooling: str = "last", word_dropout: float = 0.0, embed_dropout: float = 0.0, packed: bool = False):
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}, got {pooling!r}")
        self.embedding = _embedding(vectors, vocab_size, embed_dim, freeze)
        dirs = 2 if bidirectional else 1
        hidden, layers = _count("hidden", hidden), _count("layers", layers)
        self.dropout_p = _rate("dropout", dropout)
        width_in = self.embedding.embedding_dim
        self.layers = nn.ModuleList()
        for _ in range(layers):
            self.layers.append(nn.ModuleList([nn.LSTM(width_in, hidden, batch_first=True) for _ in range(dirs)]))
            width_in = hidden * dirs
        self.drop = nn.Dropout(self.dropout_p)   # after every layer
        self.embed_drop = nn.Dropout(_rate("embed_dropout", embed_dropout))
        self.word_dropout = _rate("word_dropout", word_dropout)
        self.pooling, self.dirs, self.packed = pooling, dirs, bool(packed)
        width = hidden * dirs
        self.attend = nn.Sequential(nn.Linear(width, width), nn.Tanh(), nn.Linear(width, 1)) if pooling == "attention" else None
        self.head = nn.Linear(width, _count("d_out", d_out))

    def _run(self, lstm: nn.LSTM, h: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        if not self.packed:
            return lstm(h)[0]
        packed = pack_padded_sequence(h, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = pad_packed_sequence(lstm(packed)[0], batch_first=True, total_length=h.shape[1])
        return out

    def states(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(token states (n, T, width) after the last layer's dropout, lengths, final state (n, width))."""
        lengths = (x != 0).sum(dim=1).clamp(min=1)
        x = word_dropout(x, self.word_dropout, self.training)
        h = self.embed_drop(self.embedding(x))
        last = None
        for directions in self.layers:
            outs = [self._run(directions[0], h, lengths)]
            if self.dirs == 2:
                outs.append(reverse_within(self._run(directions[1], reverse_within(h, lengths), lengths), lengths))
            h = self.drop(torch.cat(outs, dim=2))
        rows = torch.arange(len(x), device=x.device)
        hidden = h.shape[2] // self.dirs
        last = h[rows, lengths - 1, :hidden]                       # forward direction: at the last real token
        if self.dirs == 2:
            last = torch.cat([last, h[:, 0, hidden:]], dim=1)      # backward direction: its end is position 0
        return h, lengths, last

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The document vector fed to the head, (n, width)."""
        states, lengths, last = self.states(x)
        if self.pooling == "last":
            return last
        mask = torch.arange(states.shape[1], device=x.device)[None, :] < lengths[:, None]
        if self.pooling == "max":
            return states.masked_fill(~mask[..., None], float("-inf")).amax(dim=1)
        if self.pooling == "mean":
            return (states * mask[..., None]).sum(dim=1) / lengths[:, None]
        scores = self.attend(states).squeeze(-1).masked_fill(~mask, float("-inf"))
        return (torch.softmax(scores, dim=1)[..., None] * states).sum(dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.head(self.encode(x))
        return out.squeeze(-1) if out.shape[-1] == 1 else out


def sinusoidal(length: int, width: int) -> torch.Tensor:
    """(length, width) positional encoding of Vaswani et al. 2017 (sin on even, cos on odd dimensions)."""
    pos = torch.arange(length, dtype=torch.float32)[:, None]
    rate = torch.exp(torch.arange(0, width, 2, dtype=torch.float32) * (-math.log(10_000.0) / width))
    pe = torch.zeros(length, width)
    pe[:, 0::2] = torch.sin(pos * rate)
    pe[:, 1::2] = torch.cos(pos * rate)[:, : width // 2]
    return pe


class TransformerClassifier(nn.Module):
    def __init__(self, d_out: int, vectors=None, vocab_size: int = 0, embed_dim: int = 50, freeze: bool = True,
                 width: int = 0, heads: int = 5, layers: int = 4, ff: int = 2048, dropout: float = 0.0,
                 max_len: int = 2048, word_dropout: float = 0.0, pooling: str = "mean"):
        super().__init__()
        if pooling not in ("mean", "max"):
            raise ValueError(f"pooling {pooling!r}: expected 'mean' or 'max'")
        self.pooling = pooling
        self.embedding = _embedding(vectors, vocab_size, embed_dim, freeze)
        d = self.embedding.embedding_dim
        width = d if not width else _count("width", width)
        heads = _count("heads", heads)
        if width % heads:
            raise ValueError(f"heads ({heads}) must divide the model width ({width})")
        self.project = nn.Linear(d, width) if width != d else None
        self.register_buffer("positions", sinusoidal(_count("max_len", max_len), width), persistent=False)
        layer = nn.TransformerEncoderLayer(width, heads, _count("ff", ff), _rate("dropout", dropout), batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, _count("layers", layers), enable_nested_tensor=False)
        self.word_dropout = _rate("word_dropout", word_dropout)
        self.head = nn.Linear(width, _count("d_out", d_out))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1] > self.positions.shape[0]:
            raise ValueError(f"documents of {x.shape[1]} tokens, positional encoding for {self.positions.shape[0]}")
        pad = x == 0
        x = word_dropout(x, self.word_dropout, self.training)
        h = self.embedding(x)
        if self.project is not None:
            h = self.project(h)
        h = self.encoder(h + self.positions[: x.shape[1]], src_key_padding_mask=pad)
        if self.pooling == "max":  # over the real tokens; an all-padding row (never fed) would give zeros
            return h.masked_fill(pad.unsqueeze(-1), float("-inf")).amax(dim=1).clamp(min=torch.finfo(h.dtype).min)
        keep = (~pad).unsqueeze(-1).to(h.dtype)
        return (h * keep).sum(dim=1) / keep.sum(dim=1).clamp(min=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.head(self.encode(x))
        return out.squeeze(-1) if out.shape[-1] == 1 else out


def transformer_parameters(*, vocab: int, dim: int, width: int, ff: int, layers: int, classes: int) -> dict:
    """Parameter counts of `TransformerClassifier` (and of PyTorch's encoder layer) from its sizes: the
    embedding table vocab × dim; a projection dim × width + width when width differs; per layer the attention's
    in- and out-projections 4·width² + 4·width, the feed-forward 2·width·ff + ff + width, two layer norms
    4·width; the head width·classes + classes (one logit for two classes)."""
    out_units = 1 if classes == 2 else classes
    proj = dim * width + width if width != dim else 0
    per_layer = 4 * width * width + 4 * width + 2 * width * ff + ff + width + 4 * width
    body = proj + layers * per_layer + width * out_units + out_units
    return {"embedding": vocab * dim, "trainable": body, "total": vocab * dim + body, "per_layer": per_layer}


def count_parameters(module: nn.Module) -> dict:
    total = sum(p.numel() for p in module.parameters())
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    return {"total": int(total), "trainable": int(trainable)}


class BucketIterator(BatchIterator):
    """Training batches of documents of similar length: each epoch permutes the rows (seeded), sorts each chunk
    of `batch_size × chunk` rows by length, cuts it into batches, shuffles the batches' order and trims each
    batch to its longest document. Non-shuffled iteration keeps the row order (batches trimmed too)."""

    def __init__(self, dataset: TensorData, batch_size: int = 64, shuffle: bool = False,
                 generator: torch.Generator | None = None, chunk: int = 50):
        super().__init__(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator)
        self.chunk = int(chunk)

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        n = len(X)
        lengths = (X != 0).sum(dim=1)
        if self.shuffle:
            perm = torch.randperm(n, generator=self.generator)
            size = self.batch_size * self.chunk
            parts = [p[torch.argsort(lengths[p], stable=True)] for p in perm.split(size)]
            batches = [b for p in parts for b in p.split(self.batch_size)]
            if len(batches) > 1 and len(batches[-1]) == 1:
                batches = batches[:-1]
            order = torch.randperm(len(batches), generator=self.generator).tolist()
            batches = [batches[i] for i in order]
        else:
            batches = list(torch.arange(n).split(self.batch_size))
        for idx in batches:
            longest = int(lengths[idx].max().clamp(min=1))
            yield X[idx, :longest], (y[idx] if y is not None else None)


class TextClassifier(MLPClassifier):
    """X: (n, T) int64 token ids (0 = padding, at the end); y: labels. `module` is LSTMClassifier or
    TransformerClassifier (routed with `module__...`). Two classes: one logit, binary cross-entropy, and
    `predict_proba` from the sigmoid; more: cross-entropy over the classes. `grad_clip` bounds the gradient
    norm (0: off); `warmup` > 0 raises the learning rate linearly over that share of the steps, then decays
    it linearly to zero (skorch's LRScheduler with a LambdaLR, stepped every batch)."""

    def __init__(self, module=LSTMClassifier, criterion=None, optimizer="adam", lr=1e-3, max_epochs=5,
                 batch_size=64, early_stopping=0, valid_fraction=0.0, seed=0, device="cpu", verbose=0,
                 checkpoint_dir=None, train_metric_rows=2_000, grad_clip=1.0, warmup=0.0, curve_rows=5_000,
                 iterator_train=BucketIterator, iterator_valid=BucketIterator, train_split=None,
                 optimizer__weight_decay=0.0, iterator_train__shuffle=True, **kwargs):
        from skorch import NeuralNet

        NeuralNet.__init__(self, module, criterion=criterion, optimizer=optimizer, lr=lr,
                           max_epochs=max_epochs, batch_size=batch_size, iterator_train=iterator_train,
                           iterator_valid=iterator_valid, train_split=train_split, verbose=verbose, device=device,
                           optimizer__weight_decay=optimizer__weight_decay,
                           iterator_train__shuffle=iterator_train__shuffle, **kwargs)
        self.early_stopping = early_stopping
        self.valid_fraction = valid_fraction
        self.lr_schedule = None
        self.scale_target = False
        self.seed = seed
        self.checkpoint_dir = checkpoint_dir
        self.class_weight = None
        self.train_metric_rows = train_metric_rows
        self.grad_clip = grad_clip
        self.warmup = warmup
        self.curve_rows = curve_rows

    def _check_params(self) -> None:
        super()._check_params()
        _rate("warmup", self.warmup)
        if isinstance(self.grad_clip, bool) or not isinstance(self.grad_clip, Real) or self.grad_clip < 0:
            raise ValueError(f"grad_clip must be a number >= 0 (0: off), got {self.grad_clip!r}")

    @property
    def _default_callbacks(self):
        from skorch.callbacks import GradientNormClipping, LRScheduler

        out = list(super()._default_callbacks)
        if self.grad_clip:
            out.insert(0, ("grad_clip", GradientNormClipping(gradient_clip_value=float(self.grad_clip))))
        if self.warmup:
            out.insert(0, ("warmup", LRScheduler(policy=torch.optim.lr_scheduler.LambdaLR, lr_lambda=self._lr_factor,
                                                 step_every="batch", event_name=None)))
        return out

    def _lr_factor(self, step: int) -> float:
        total = max(1, int(self.max_epochs) * getattr(self, "steps_per_epoch_", 1))
        warm = max(1, int(round(self.warmup * total)))
        return (step + 1) / warm if step < warm else max(0.0, (total - step) / max(1, total - warm))

    # ---- inputs -------------------------------------------------------------------------------------
    def _features(self, X) -> np.ndarray:
        if isinstance(X, torch.Tensor):
            X = X.detach().cpu().numpy()
        X = np.asarray(X)
        if X.ndim != 2 or len(X) == 0 or not np.issubdtype(X.dtype, np.integer):
            raise ValueError(f"X must be a non-empty (documents, tokens) matrix of integer token ids, got "
                             f"{X.dtype} of shape {X.shape}")
        if (X < 0).any():
            raise ValueError("X has negative token ids")
        X = np.ascontiguousarray(X, dtype=np.int64)
        return X if X.flags.writeable else X.copy()  # joblib hands workers read-only memmaps; torch needs writable

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        kwargs["d_out"] = self._d_out()
        self.module_ = self.initialized_instance(self.module, kwargs)
        return self

    def _fit(self, X, y, reinitialize: bool, **fit_params):
        n = len(X) if not hasattr(X, "shape") else X.shape[0]
        n_fit = n - (math.ceil(n * self.valid_fraction) if self.valid_fraction else 0)
        self.steps_per_epoch_ = max(1, n_fit // int(self.batch_size))
        return super()._fit(X, y, reinitialize, **fit_params)

    # ---- targets: one logit for two classes ---------------------------------------------------------
    @property
    def binary_(self) -> bool:
        return len(self.classes_) == 2

    def _d_out(self) -> int:
        return 1 if self.binary_ else len(self.classes_)

    def initialize_criterion(self):
        crit = nn.BCEWithLogitsLoss if self.binary_ else (self.criterion or nn.CrossEntropyLoss)
        self.criterion_ = self.initialized_instance(crit, self.get_params_for("criterion"))
        return self

    def _target_tensor(self, codes: np.ndarray) -> torch.Tensor:
        codes = np.asarray(codes, dtype=np.int64)
        return torch.from_numpy(codes.astype(np.float32)) if self.binary_ else torch.from_numpy(codes)

    def _split_rows(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return super()._split_rows(np.asarray(codes).astype(np.int64))  # binary targets travel as floats

    def _metrics(self, out: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        from mlplab.training import accuracy_macro_f1

        if self.binary_:
            return accuracy_macro_f1(y.long(), (out > 0).long(), 2)
        return accuracy_macro_f1(y, out.argmax(dim=1), len(self.classes_))

    def record_scores(self, prefix: str, X: torch.Tensor, y: torch.Tensor, loss: bool = True) -> dict:
        """Per-epoch scores; the curves' held-out sets (validation, test) on a fixed random `curve_rows` of
        their documents (0: all), which are for the figures only and cost a forward pass per epoch."""
        if prefix in ("validation", "test") and self.curve_rows and len(X) > self.curve_rows:
            rows = torch.as_tensor(np.sort(np.random.default_rng(len(X)).choice(len(X), int(self.curve_rows),
                                                                                 replace=False)))
            X, y = X[rows], y[rows]
        return super().record_scores(prefix, X, y, loss=loss)

    @torch.no_grad()
    def _logits(self, X: torch.Tensor) -> torch.Tensor:
        """Forward passes over length-sorted chunks (little padding, bounded memory), in the rows' order."""
        self._set_training(False)
        lengths = (X != 0).sum(dim=1)
        order = torch.argsort(lengths, descending=True)
        outs, i = [], 0
        while i < len(order):
            longest = int(lengths[order[i]].clamp(min=1))
            size = max(1, EVAL_TOKENS // longest)
            idx = order[i: i + size]
            outs.append(self.module_(X[idx, :longest]))
            i += size
        out = torch.cat(outs)
        result = torch.empty_like(out)
        result[order] = out
        return result

    def predict_proba(self, X) -> np.ndarray:
        logits = torch.from_numpy(self._forward_numpy(X))
        if self.binary_:
            p = torch.sigmoid(logits).numpy().astype(np.float64)
            return np.column_stack([1 - p, p])
        return torch.softmax(logits, dim=1).numpy()

    def predict(self, X) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def _forward_numpy(self, X) -> np.ndarray:
        X_t = torch.from_numpy(self._features(X)).to(self._device())
        return self._logits(X_t).cpu().numpy()
