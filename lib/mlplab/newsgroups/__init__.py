"""Lab 5, part 2: the topic of 20 Newsgroups messages with a Transformer encoder on frozen GloVe vectors
(analysis/52_newsgroups.ipynb).

Modules: steps (one function per notebook section, on mlplab.text.study), narrative (sentences and captions from
numbers). The reader is mlplab.data.newsgroups, the networks mlplab.models.text, the figures mlplab.plots.text.

Results `extra` keys (report/_results/newsgroups.json): data, tokens, glove, lengths, truncation, words, variants
(as-published and text-only: what each keeps), source (the source's reported parameter counts and their
decomposition), parameters (per network: total, trainable, frozen, and the formula's counts), lever (unfreezing:
pair and verdict), search (candidates, winner, validation accuracies), goal (tuned mean, per seed, met, against
TF-IDF), text_only (TF-IDF and the tuned Transformer on the text-only variant), per_class, confusions, length_bins,
mistakes.
"""

from __future__ import annotations

from mlplab.experiment.checks import Checks, is_int, is_number

GOAL = 0.80
SOURCE_COUNTS = {"total": 12_012_196, "trainable": 1_810_596}
# The source's counts decompose exactly as PyTorch's encoder with 100-d GloVe, feed-forward 2,048 (PyTorch's default),
# 4 layers and a 4-class head, over a frozen table of 102,016 words (mlplab.models.text.transformer_parameters).
SOURCE_SIZES = {"vocab": 102_016, "dim": 100, "width": 100, "ff": 2048, "layers": 4, "classes": 4}
EMBEDDINGS = ("learned", "glove", "frozen")

GLOSSARY = {
    "newsgroup": "A Usenet discussion forum; each message of 20 Newsgroups was posted to one of 20 of them, and the "
                 "group is the class to predict.",
    "as-published variant": "The 20 Newsgroups messages as the by-date files hold them: headers (From, Subject, "
                            "Organization, Lines), signatures and quoted replies included.",
    "text-only variant": "The messages with scikit-learn's remove=('headers', 'footers', 'quotes') applied: the "
                         "header block, a trailing signature and quoted lines removed.",
}


def validate_params(params: dict) -> None:
    c = Checks(params, "newsgroups")
    c.integer("max_train", "max_test", "source_train", "search_train", "tuned_patience", least=0, expected="an integer >= 0 (0: all documents)")
    c.between("valid_size", low=0.02, high=0.5, expected="a share of the training messages between 0.02 and 0.5")
    c.seeds("seeds", "text_only_seeds")
    c.integer("min_count", "heads", "layers", "ff", "batch_size", "source_epochs", "search_epochs", "tuned_epochs",
              "n_jobs", "glove_length")
    c.integer("width", least=0, expected="0 (the embedding's dimension, no projection) or a model width")
    c.rule("heads", ok=lambda v: is_int(v) and v >= 1 and (params.get("width") or params.get("glove_dim", 50)) % v == 0,
           expected="a number of heads dividing the model width (width, or glove_dim when width is 0)")
    c.choice("glove_dim", options=(50, 100, 200, 300))
    c.rule("glove_path", ok=lambda v: isinstance(v, str), expected="a path to glove.6B.<d>d.txt or ''")
    c.choice("keep", options=("head", "tail"))
    c.fraction("keep_tokens", expected="a share of the training tokens between 0 and 1")
    c.ints_list("length_candidates", "grid_length", "grid_layers", "grid_ff", "grid_width", "grid_heads")
    c.rate("dropout", "warmup")
    c.fraction("lr", expected="a learning rate between 0 and 1")
    c.positive_list("C_grid", expected="a non-empty list of positive C values")
    c.each("grid_lr", ok=lambda v: is_number(v) and 0 < v < 1, expected="a list of learning rates")
    c.rates_list("grid_dropout", "grid_warmup")
    c.choices("grid_embedding", options=EMBEDDINGS)
    c.choices("search_pooling", options=("mean", "max"))
    c.integer("search_candidates", least=2, expected="at least 2 candidates")
    c.tracking()
