"""Lab 5, part 1: sentiment of IMDB reviews with LSTMs (analysis/51_imdb_sentiment.ipynb).

Modules: steps (one function per notebook section, on mlplab.text.study), narrative (sentences and captions from
numbers). The reader is mlplab.data.imdb, the networks mlplab.models.text, the figures mlplab.plots.text.

Results `extra` keys (report/_results/imdb_sentiment.json): data (layout, split, counts), tokens (vocabulary size,
min count, unknown share, tokenizer), glove (coverage, source, out-of-vocabulary rule), lengths (summary per class),
truncation (chosen length, keep, share cut, tokens kept, candidates), words (telling words per class), baselines
(C chosen and validation accuracy per C), levers (budget, pairs with verdicts), search (candidates, winner,
validation accuracies), goal (tuned mean, per seed, met, against TF-IDF and Maas et al.), regularization (plan and
pairs), length_bins, mistakes, parameters (per network: total and trainable).
"""

from __future__ import annotations

from mlplab.experiment.checks import Checks, is_int, is_number

GOAL = 0.89
MAAS_2011 = 0.8889       # Maas et al. (2011), their full model on the same test half
NBSVM_2012 = 0.912       # Wang & Manning (2012), NBSVM with bigrams
KEEPS = ("head", "tail")
POOLINGS = ("last", "max", "mean", "attention")
EMBEDDINGS = ("learned", "glove", "frozen")

GLOSSARY = {
    "BaseLSTM": "The source's sentiment network: an embedding layer learned from scratch, three unidirectional LSTM "
                "layers with dropout after each, the final hidden state into one linear layer, a sigmoid output.",
    "ImprovedLSTM": "The source's second network: the same, with bidirectional LSTM layers and the embedding "
                    "initialised from pretrained word vectors (GloVe here).",
    "sentiment analysis": "Classifying a text by the opinion it expresses; here a review as positive (rated 7 to 10 "
                          "of 10) or negative (rated 1 to 4).",
}


def validate_params(params: dict) -> None:
    """Reject a bad profile before the notebook starts (called by `mlplab run` and by the notebook)."""
    c = Checks(params, "imdb_sentiment")
    c.integer("max_train", "max_test", "lever_train", "search_train", "reg_train", "tuned_patience", least=0,
              expected="an integer >= 0 (0: all documents)")
    c.between("valid_size", low=0.02, high=0.5, expected="a share of the training reviews between 0.02 and 0.5")
    c.seeds("seeds")
    c.integer("min_count", "hidden", "layers", "batch_size", "lever_epochs", "search_epochs", "tuned_epochs",
              "reg_epochs", "search_candidates", "n_jobs", "glove_length")
    c.integer("reg_patience", expected="a patience of at least 1 epoch")
    c.choice("glove_dim", options=(50, 100, 200, 300))
    c.rule("glove_path", ok=lambda v: isinstance(v, str), expected="a path to glove.6B.<d>d.txt or ''")
    c.choice("keep", options=KEEPS)
    c.fraction("keep_tokens", expected="a share of the training tokens between 0 and 1 (the truncation keeps at least it)")
    c.ints_list("length_candidates", "grid_length", "grid_hidden", "grid_layers", "grid_batch_size")
    c.rate("dropout", "reg_dropout", "reg_word_dropout")
    c.fraction("lr", expected="a learning rate between 0 and 1")
    c.non_negative("reg_weight_decay")
    c.positive_list("C_grid", expected="a non-empty list of positive C values (inverse regularization strength)")
    c.each("grid_lr", ok=lambda v: is_number(v) and 0 < v < 1, expected="a list of learning rates")
    c.rates_list("grid_dropout", "grid_word_dropout")
    c.choices("grid_keep", options=KEEPS)
    c.choices("grid_pooling", options=POOLINGS)
    c.choices("grid_embedding", options=EMBEDDINGS)
    c.each("grid_bidirectional", ok=lambda v: isinstance(v, bool), expected="a list of booleans")
    c.tracking()
    c.rule("search_candidates", ok=lambda v: is_int(v) and v >= 2, expected="at least 2 candidates")
