"""Every branch of Lab 5's computed sentences (IMDB, 20 Newsgroups, the conclusions), on hand-made numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlplab.conclusions import lab5 as C
from mlplab.experiment.record import Run, SplitResult
from mlplab.experiment.verdict import compare, record
from mlplab.experiment import verdict as V
from mlplab.imdb import narrative as inv
from mlplab.newsgroups import narrative as nnv
from mlplab.text.prose import said, versus


def verdict(a, b):
    return record("t", "x", "y", "accuracy", compare(a, b, higher_is_better=True, margin=0.01))


BETTER = verdict([0.9, 0.91, 0.92], [0.8, 0.8, 0.8])
WORSE = verdict([0.7, 0.71, 0.72], [0.8, 0.8, 0.8])
PAR = verdict([0.800, 0.801, 0.800], [0.8, 0.8, 0.8])
UNDECIDED = verdict([0.7, 0.9, 0.85], [0.8, 0.8, 0.8])
FEW = verdict([0.7], [0.8])


def run(name, values, role="variant", label=None, settings=None):
    splits = [SplitResult(i, i, {}, {"accuracy": v}, {"accuracy": v, "macro_f1": v}, settings=settings or {})
              for i, v in enumerate(values)]
    return Run(name, role, label or name, splits)


@pytest.mark.parametrize("v,words", [(BETTER, "better (+0.110"), (WORSE, "worse (-0.090"), (PAR, "on a par (+0.000"),
                                     (UNDECIDED, "undecided (better on 2 and worse on 1 of 3 seeds"),
                                     (FEW, "not decidable with 1 seed")])
def test_said_every_word(v, words):
    assert said(v).startswith(words)


@pytest.mark.parametrize("v,words", [(BETTER, "A is better than B (+0.110"), (WORSE, "A is worse than B"),
                                     (PAR, "A is on a par with B"), (UNDECIDED, "whether A differs from B is undecided"),
                                     (FEW, "A and B cannot be compared with 1 seed")])
def test_versus_every_word(v, words):
    assert versus("A", "B", v).startswith(words)


def goal(mean, *, met, above, v=WORSE):
    return {"mean": mean, "n_seeds": 3, "sd": 0.004, "tfidf": 0.905, "goal": 0.89, "maas": 0.8889, "met": met,
            "above_maas": above, "vs_tfidf": v}


def test_imdb_goal_sentence_branches():
    met = inv.goal_sentence(goal(0.895, met=True, above=True, v=BETTER), "x")
    assert "The goal set for this chapter, 0.890, is met, above the 88.89 %" in met and "earns its cost" in met
    close = inv.goal_sentence({**goal(0.891, met=True, above=True, v=BETTER), "n_test": 10_000}, "x")
    assert ("is met, by 0.001; the mean is within twice the test sampling error (2 × 0.003) of the 88.89 % of Maas et "
            "al. (2011), so it matches their number rather than beats it.") in close
    clear = inv.goal_sentence({**goal(0.91, met=True, above=True, v=BETTER), "n_test": 25_000}, "x")
    assert "is met, and the mean is above the 88.89 % of Maas et al. (2011) on the same test half by more than twice the" \
           " test sampling error (0.002)." in clear
    near = inv.goal_sentence(goal(0.889, met=False, above=True, v=UNDECIDED), "x")
    assert "is not met, though the mean is above the 88.89 %" in near and "earns" not in near and "linear" not in near
    low = inv.goal_sentence(goal(0.85, met=False, above=False), "three configurations")
    assert "are not reproduced at this budget. Tried: three configurations." in low
    assert "the linear baseline is the better classifier." in low and "baseline, reaches 0.905" in low
    costed = inv.goal_sentence({**goal(0.85, met=False, above=False), "tuned_seconds": 400.0, "tfidf_seconds": 10.0}, "x")
    assert "better classifier, and about 40 times cheaper to fit here (10 s against 400 s per fit)." in costed
    same = inv.goal_sentence({**goal(0.85, met=False, above=False), "tuned_seconds": 11.0, "tfidf_seconds": 10.0}, "x")
    assert "better classifier, and about as costly to fit here" in same
    faster = inv.goal_sentence({**goal(0.85, met=False, above=False), "tuned_seconds": 0.4, "tfidf_seconds": 9.0}, "x")
    assert "better classifier, though slower to fit here (9.0 s against 0.4 s per fit)." in faster
    assert "stratified" not in met
    sub = inv.goal_sentence({**goal(0.895, met=True, above=True, v=BETTER), "n_test": 10_000, "n_test_published": 25_000}, "x")
    assert sub.endswith("Maas et al. scored all 25,000 test reviews; the numbers here score a stratified 10,000 of them "
                        "(a standard error of at most 0.005 on an accuracy).")
    whole = inv.goal_sentence({**goal(0.895, met=True, above=True, v=BETTER), "n_test": 25_000, "n_test_published": 25_000}, "x")
    assert "stratified" not in whole


def test_imdb_search_tried_says_what_varied_and_what_was_held():
    grid = {"layers": [1], "hidden": [64], "pooling": ["last", "max"], "length": [256, 400], "lr": [0.001]}
    text = inv.search_tried(8, grid, 3)
    assert text.startswith("8 configurations of a bidirectional GloVe LSTM ranked on validation reviews, varying pooling and "
                           "truncation length (held at 1 layer of 64 units: deeper or wider")
    assert text.endswith("; the winner trained for 3 epochs on all fit reviews") and "learning rate" not in text
    free = inv.search_tried(4, {"layers": [1, 2], "hidden": [64, 128]}, 1)
    assert "varying depth and width; the winner trained for 1 epoch" in free and "held" not in free
    wide = inv.search_tried(4, {"layers": [1, 2], "hidden": [64]}, 2)
    assert "(held at 64 units:" in wide
    stop = inv.search_tried(4, {"layers": [1, 2]}, 4, patience=1)
    assert stop.endswith("; the winner trained on 90 % of the fit reviews for at most 4 epochs, stopped early on the "
                         "other 10 % (patience 1) with its best epoch's weights kept")


def test_imdb_tuned_settings_choose_the_epochs_on_held_out_fit_reviews_only_when_asked():
    from mlplab.imdb import steps

    win = {"kind": "lstm", "length": 256, "epochs": 2}
    assert steps.tuned_settings(win, 3, 0) == {"kind": "lstm", "length": 256, "epochs": 3}
    assert steps.tuned_settings(win, 4, 1) == {"kind": "lstm", "length": 256, "epochs": 4, "early_stopping": 1,
                                               "valid_fraction": 0.1}
    from mlplab.text.study import net
    import numpy as np
    m = net(steps.tuned_settings(win, 4, 1), matrix=np.zeros((10, 4), dtype=np.float32))
    assert m.early_stopping == 1 and m.valid_fraction == 0.1 and m.max_epochs == 4


def test_imdb_search_sentence_says_where_the_tuned_network_trains():
    table = pd.DataFrame({"configuration": ["a", "b"], "validation accuracy": [0.86, 0.83]})
    choice = {"table": table, "n_candidates": 2, "n_grid": 2}
    assert inv.search_sentence(choice, 4000, 2).endswith("as the tuned network.")
    assert inv.search_sentence(choice, 4000, 2, 1).endswith(
        "as the tuned network (on 90 % of them, with early stopping on the other 10 %).")


def test_imdb_lengths_caption_alike_or_not():
    tr = {"length": 256, "cut": 0.3}
    assert "hits both classes alike" in inv.caption_lengths(tr, {"positive": 0.30, "negative": 0.29})
    assert "cuts more positive reviews (40.0 %) than negative ones (20.0 %)" in inv.caption_lengths(
        tr, {"positive": 0.40, "negative": 0.20})


def test_imdb_recommendation_branches():
    assert "none is recommended" in inv.recommendation_sentence(None, {})
    runs = {"a": run("a", [0.9] * 3, "baseline", "TF-IDF"), "b": run("b", [0.8] * 3, "baseline", "GloVe"),
            "c": run("c", [0.85, 0.86, 0.84], label="the tuned LSTM")}
    det = inv.recommendation_sentence({"model": "a", "validation": 0.9, "runner_up": "b"}, runs)
    assert "both are deterministic" in det and "(-0.100)" in det
    net = inv.recommendation_sentence({"model": "a", "validation": 0.9, "runner_up": "c"}, runs)
    assert "it is better (+0.050" in net
    assert inv.recommendation_sentence({"model": "a", "validation": 0.9, "runner_up": None}, runs).endswith("0.900.")


def test_imdb_epochs_and_search_wording():
    choice = {"table": pd.DataFrame({"configuration": ["A", "B"], "validation accuracy": [0.85, 0.84]}),
              "n_candidates": 2, "n_grid": 24}
    text = inv.search_sentence(choice, 500, 1)
    assert "a seeded random 2 of the 24 combinations" in text and "for 1 epoch and" in text
    choice["n_grid"] = 2
    assert "all 2 combinations" in inv.search_sentence(choice, 500, 2) and "2 epochs" in inv.search_sentence(choice, 5, 2)
    choice["table"] = pd.DataFrame({"configuration": ["A", "B"], "validation accuracy": [0.85, 0.85]})
    assert "ties with the runner-up" in inv.search_sentence(choice, 5, 2)


class _Corpus:
    def __init__(self, counts):
        self.n_train, self.n_test = sum(counts), 100
        self.classes = tuple(f"comp.g{i}" for i in range(len(counts)))
        self.provenance = {"split": "the by-date split"}


def test_newsgroups_data_sentence_equal_or_spread():
    eq = pd.DataFrame({"class": ["rec.a", "rec.b"], "training documents": [30, 30], "test documents": [10, 10]})
    assert "Every group has 30 training messages" in nnv.data_sentence(_Corpus([30, 30]), eq)
    sp = pd.DataFrame({"class": ["rec.a", "sci.b"], "training documents": [20, 40], "test documents": [10, 30]})
    text = nnv.data_sentence(_Corpus([20, 40]), sp)
    assert "from 20 training messages (a) to 40 (b)" in text and "scores 0.750" in text


def test_newsgroups_text_only_sentence_branches():
    assert nnv.text_only_sentence({}) == ""
    runs = {"transformer_tuned": run("t", [0.8] * 3), "tfidf_logreg_text_only": run("b", [0.69] * 3, "baseline"),
            "transformer_tuned_text_only": run("o", [0.6])}
    one = nnv.text_only_sentence(runs)
    assert "(1 seed; 0.200 below its as-published score)" in one and "cannot judge these gaps" in one
    runs["transformer_tuned_text_only"] = run("o", [0.85, 0.85, 0.85])
    three = nnv.text_only_sentence(runs)
    assert "0.050 above" in three and "no paired verdict" in three
    runs["transformer_tuned_text_only"] = run("o", [0.8, 0.8, 0.8])
    assert "the same as as published" in nnv.text_only_sentence(runs)


def test_newsgroups_source_intro_states_the_ratio_only_when_true():
    s = {"width": 0, "layers": 4, "heads": 5, "ff": 200, "dropout": 0.0, "lr": 0.001, "epochs": 1}
    assert "four times the width" in nnv.source_intro(s, 100, 50) and "1 epoch on" in nnv.source_intro(s, 100, 50)
    assert "four times" not in nnv.source_intro({**s, "ff": 32}, 100, 50)
    assert "4 encoder layers" in nnv.source_intro(s, 100, 50) and "1 encoder layer of" in nnv.source_intro({**s, "layers": 1}, 9)
    assert "on all 100 fit messages" in nnv.source_intro(s, 100, 50, 100)
    sub = nnv.source_intro(s, 40, 50, 100)
    assert "on a stratified 40 of the 100 fit messages (for time; the tuned network trains on all of them)" in sub


class _Reviews:
    def __init__(self, n_train, n_test, whole=None):
        self.n_train, self.n_test = n_train, n_test
        self.provenance = {"split": "Stanford's movie-disjoint split"}
        self.report = {"subset_of": whole} if whole else {}

    def counts(self):
        return {"train": {"positive": self.n_train // 2}, "test": {"positive": self.n_test // 2}}


def test_imdb_data_sentence_names_a_test_subset_only_when_only_the_test_half_is_cut():
    whole = inv.data_sentence(_Reviews(25_000, 25_000))
    assert whole.startswith("25,000 training and 25,000 test reviews (Stanford's") and "stratified" not in whole
    cut = inv.data_sentence(_Reviews(25_000, 10_000, {"train": 25_000, "test": 25_000}))
    assert ("10,000 test reviews (Stanford's movie-disjoint split; the test reviews are a stratified 10,000 of the 25,000 "
            "published ones, drawn once and scored by every model, because") in cut
    small = inv.data_sentence(_Reviews(800, 400, {"train": 25_000, "test": 25_000}))  # a small run: the banner says so
    assert "stratified" not in small


def test_newsgroups_parameter_caption_and_words_caption():
    ok = pd.DataFrame({"network": ["a"], "total": [10], "trainable": [4], "formula total": [10], "formula trainable": [4]})
    assert "reproduces every count" in nnv.caption_parameters(ok)
    assert "differ in at least one row" in nnv.caption_parameters(ok.assign(trainable=[5]))
    names = pd.DataFrame({"group": ["a"], "most telling words": ["edu, writes, cmu, organization, god"]})
    assert "names of places" in nnv.caption_words(names)
    assert "topic words" in nnv.caption_words(names.assign(**{"most telling words": ["god, church, faith"]}))


def doc(goal_, rec_role="baseline", levers=None, text_only=None, kind="real"):
    return {"notebook": "n", "provenance": {"kind": kind}, "extra": {"goal": goal_, "levers": levers or {},
                                                                      "text_only": text_only or {}},
            "recommended": {"model": "m", "validation": 0.9, "test": 0.88},
            "models": {"m": {"label": "the model", "role": rec_role}}, "verdicts": []}


def test_conclusions_sentiment_branches():
    met = C.sentiment_sentences(doc(goal(0.9, met=True, above=True, v=BETTER)))
    assert "The goal of 0.890 is met." in met and "the tuned LSTM is better than the baseline" in met
    beaten = C.sentiment_sentences(doc(goal(0.889, met=False, above=True)))
    assert "not met and Maas et al.'s number is beaten" in beaten
    low = C.sentiment_sentences(doc(goal(0.85, met=False, above=False)))
    assert "not reproduced at this budget" in low


def test_conclusions_lever_branches():
    pairs = [{"a": "lstm_bidirectional", "word": "better"}, {"a": "lstm_pretrained", "word": "worse"},
             {"a": "lstm_improved", "word": "undecided"}, {"a": "lstm_improved_frozen", "word": "on a par"}]
    text = C.lever_sentences(doc({}, levers={"pairs": pairs, "fit_documents": 5000, "epochs": 1}))
    assert "(5,000 fit reviews, 1 epoch)" in text and "bidirectional layers helped" in text
    assert "the GloVe embedding hurt" in text and "2 of the 4 changes could not be told" in text
    only = C.lever_sentences(doc({}, levers={"pairs": pairs[:1], "fit_documents": 10, "epochs": 3}))
    assert only.endswith("bidirectional layers helped.")


def test_conclusions_text_only_clause_branches():
    to = {"tfidf_logreg_text_only": {"accuracy": 0.69}, "transformer_tuned_text_only": {"accuracy": 0.6, "seeds": 1}}
    big = C.text_only_clause(to, 0.85, 0.8)
    assert "falls from 0.850 to 0.690" in big and "1 seed for the network" in big and "drop of 0.160" in big
    small = C.text_only_clause({**to, "tfidf_logreg_text_only": {"accuracy": 0.84},
                                "transformer_tuned_text_only": {"accuracy": 0.8, "seeds": 3}}, 0.85, 0.8)
    assert "gave away" not in small and "stays from 0.800" in small and "3 seeds" in small
    assert "rises" in C.text_only_clause({**to, "transformer_tuned_text_only": {"accuracy": 0.9, "seeds": 1}}, 0.85, 0.8)


def test_conclusions_recommendation_branches():
    base = C.recommendation_sentences(doc({}), doc({}))
    assert "do not earn their cost" in base and "a linear baseline" in base
    nets = C.recommendation_sentences(doc({}, "tuned"), doc({}, "tuned"))
    assert "On both tasks a network is the model to use." in nets
    mixed = C.recommendation_sentences(doc({}, "tuned"), doc({}))
    assert "earn" not in mixed and "On both tasks" not in mixed
    none = doc({})
    none["recommended"], none["reason"] = None, "no validation scores"
    assert "For sentiment, no model is recommended: no validation scores." in C.recommendation_sentences(none, doc({}))


def test_conclusions_subset_note():
    assert C.subset_note(doc({}), doc({})) is False
    assert C.subset_note({**doc({}, kind="subset"), "notebook": "imdb_sentiment"}, doc({})) == \
        "a real subset of the IMDB reviews"


def test_conclusions_subset_sentence_tells_a_test_cut_from_a_subset():
    assert C.subset_sentence(doc({}), doc({})) == ""
    small = {**doc({}, kind="subset"), "notebook": "imdb_sentiment"}
    small["extra"]["data"] = {"subset_of": {"train": 25_000, "test": 25_000}, "train": 2_000, "test": 1_000}
    assert C.subset_sentence(small, doc({})) == ("These conclusions rest on a real subset of the IMDB reviews: their "
                                                 "numbers describe that subset, not the full data sets.")
    cut = {**doc({}, kind="subset"), "notebook": "imdb_sentiment"}
    cut["extra"]["data"] = {"subset_of": {"train": 25_000, "test": 25_000}, "train": 25_000, "test": 10_000}
    assert C.subset_sentence(cut, doc({})) == ("The IMDB numbers use every training review and score a stratified 10,000 "
                                               "of the 25,000 test reviews, the same for every model.")


def test_conclusions_maas_comparison_says_when_our_test_reviews_are_a_part():
    whole = C.sentiment_sentences(doc(goal(0.87, met=False, above=False)))
    assert "on the same test reviews." in whole and "stratified" not in whole
    part = C.sentiment_sentences(doc({**goal(0.87, met=False, above=False), "n_test": 10_000, "n_test_published": 25_000}))
    assert "on all 25,000 test reviews (ours score a stratified 10,000 of them)." in part


def test_lab5_terms_are_in_the_books_glossary():
    from mlplab.glossary import terms

    t = terms()
    assert {"BaseLSTM", "ImprovedLSTM", "GloVe coverage", "packed sequence", "word dropout", "frozen embedding",
            "sinusoidal positional encoding", "mean pooling", "as-published variant", "text-only variant"} <= set(t)
    assert "tokens" not in t["LSTM"]  # Lab 4's general definition stays


def test_imdb_per_class_caption_branches():
    t = pd.DataFrame({"class": ["negative", "positive"], "precision": [0.9, 0.8], "recall": [0.78, 0.92],
                      "f1": [0.84, 0.86], "support": [10, 10]})
    assert "Recall is lower on the negative reviews, by 0.140." in inv.caption_per_class(t)
    assert "Recall is the same on both classes." in inv.caption_per_class(t.assign(recall=[0.8, 0.8]))


def test_imdb_baselines_sentence_branches():
    runs = {"tfidf_logreg": run("t", [0.9] * 3, "baseline", settings={"C": 4.0}),
            "glove_logreg": run("g", [0.8] * 3, "baseline", settings={"C": 1.0})}
    assert "loses 0.100 of accuracy" in inv.baselines_sentence(runs)
    runs["glove_logreg"] = run("g", [0.89] * 3, "baseline", settings={"C": 1.0})
    assert "come close to" in inv.baselines_sentence(runs)
    runs["glove_logreg"] = run("g", [0.95] * 3, "baseline", settings={"C": 1.0})
    assert "beat the word and bigram counts by 0.050" in inv.baselines_sentence(runs)


def test_imdb_networks_caption_counts_the_recurrent_parameters():
    from mlplab.models.text import LSTMClassifier

    a = LSTMClassifier(1, vocab_size=20, embed_dim=8, hidden=4, layers=2)
    b = LSTMClassifier(1, vocab_size=20, embed_dim=8, hidden=4, layers=2, bidirectional=True)
    ratio = inv.recurrent_parameters(b) / inv.recurrent_parameters(a)
    assert f"hold {ratio:.1f} times" in inv.caption_networks(a, b) and ratio > 2


def test_newsgroups_baselines_sentence_text_only_branches():
    runs = {"tfidf_logreg": run("t", [0.85] * 3, "baseline", settings={"C": 10.0}),
            "glove_logreg": run("g", [0.5] * 3, "baseline", settings={"C": 1.0})}
    assert nnv.baselines_sentence(runs).endswith("0.500.")
    runs["tfidf_logreg_text_only"] = run("o", [0.69] * 3, "baseline")
    assert "0.160 lower: that much of its accuracy came from headers" in nnv.baselines_sentence(runs)
    runs["tfidf_logreg_text_only"] = run("o", [0.9] * 3, "baseline")
    assert "0.050 higher: headers, signatures and quotes did not help it" in nnv.baselines_sentence(runs)
    runs["tfidf_logreg_text_only"] = run("o", [0.85] * 3, "baseline")
    assert "the same: headers" in nnv.baselines_sentence(runs)


def test_newsgroups_networks_caption_says_what_the_tuned_one_trains():
    assert "trains its embedding too" in nnv.caption_networks({"embedding": "glove"})
    assert "keeps GloVe frozen as well" in nnv.caption_networks({"embedding": "frozen"})


def test_newsgroups_search_tried_says_what_varied_and_what_was_held():
    grid = {"embedding": ["frozen", "glove"], "width": [64], "heads": [4], "layers": [2, 4], "ff": [128, 256],
            "dropout": [0.0], "lr": [0.001, 0.003], "warmup": [0.0, 0.1], "length": [128, 192]}
    text = nnv.search_tried(6, grid, 4)
    assert text == ("unfreezing the embedding, then 6 configurations ranked on validation messages, varying frozen or "
                    "fine-tuned embedding, depth, feed-forward size, learning rate, warm-up and truncation length "
                    "(held: width 64, 4 heads and dropout 0); the winner trained for 4 epochs on all fit messages")
    assert "held" not in nnv.search_tried(2, {"heads": [4, 5]}, 1)
    one = nnv.search_tried(2, {"heads": [4, 5], "layers": [1], "embedding": ["glove"]}, 1)
    assert "(held: 1 layer and fine-tuned GloVe embedding)" in one
    stop = nnv.search_tried(2, {"heads": [4, 5]}, 6, patience=1)
    assert stop.endswith("; the winner trained on 90 % of the fit messages for at most 6 epochs, stopped early on the "
                         "other 10 % (patience 1) with its best epoch's weights kept")


def test_newsgroups_search_sentence_says_where_the_tuned_transformer_trains():
    table = pd.DataFrame({"configuration": ["a", "b"], "validation accuracy": [0.61, 0.58]})
    choice = {"table": table, "n_candidates": 2, "n_grid": 2, "fit_documents": 2000}
    assert nnv.search_sentence(choice, 3).endswith("The winner, a, leads the runner-up by 0.030 validation accuracy; it "
                                                   "is then trained on all fit messages on every seed as the tuned "
                                                   "Transformer.")
    assert nnv.search_sentence(choice, 3, 1).endswith(
        "as the tuned Transformer (on 90 % of them, with early stopping on the other 10 %).")
    pooling = {"key": "pooling", "values": ["mean", "max"], "validation": {"mean": 0.847, "max": 0.873}, "won": "max"}
    assert nnv.pooling_sentence(pooling) == (
        "The pooling over the tokens is chosen at the tuned Transformer's own budget (all fit messages, its epochs and "
        "early stopping, first seed), where a short search budget would favour what learns fast: mean pooling against "
        "max pooling on the validation messages, max pooling 0.873 against 0.847. Max pooling is kept; its first-seed "
        "fit is the tuned Transformer's first seed.")
    assert nnv.pooling_sentence({**pooling, "values": ["mean"]}) == ""
    assert nnv.search_tried(2, {"heads": [4, 5]}, 1, refined=pooling).startswith(
        "unfreezing the embedding, then 2 configurations ranked on validation messages, varying heads, then mean "
        "pooling against max pooling on the winner at its full budget;")


def test_newsgroups_tuned_patience_is_validated_and_reaches_the_network():
    from mlplab.errors import UserError
    from mlplab.newsgroups import steps, validate_params
    from mlplab.text.study import net
    import numpy as np

    with pytest.raises(UserError, match="tuned_patience"):
        validate_params({"tuned_patience": -1})
    settings = steps.tuned_settings({"kind": "transformer", "length": 128, "heads": 2, "layers": 1, "ff": 8}, 6, 1)
    m = net(settings, matrix=np.zeros((10, 4), dtype=np.float32))
    assert m.early_stopping == 1 and m.valid_fraction == 0.1 and m.max_epochs == 6


def test_newsgroups_goal_sentence_branches():
    base = {"mean": 0.775, "n_seeds": 3, "sd": 0.007, "source": 0.504, "tfidf": 0.853, "goal": 0.8}
    short = nnv.goal_sentence({**base, "met": False, "vs_tfidf": WORSE, "tuned_seconds": 182.0, "tfidf_seconds": 64.0},
                              "six configurations")
    assert "reaches 0.775 test accuracy on the as-published variant (mean of 3 seeds, SD 0.007; the specified one 0.504)" in short
    assert "The source's goal, above 0.800, is not reached at this budget (the source's network had a four-class head, so its goal was met on 4 groups, not the 20 here). Tried: six configurations." in short
    assert short.endswith("The linear baseline remains the better topic classifier, and about 3 times cheaper to fit here "
                          "(64 s against 182 s per fit).")
    plain = nnv.goal_sentence({**base, "met": False, "vs_tfidf": WORSE}, "x")
    assert plain.endswith("The linear baseline remains the better topic classifier here.")
    met = nnv.goal_sentence({**base, "mean": 0.86, "met": True, "vs_tfidf": BETTER}, "x")
    assert "The source's goal, above 0.800, is met, on all 20 groups" in met and "Tried" not in met and "linear baseline" not in met


def test_conclusions_published_caption_counts_in_words_at_the_ends():
    import pandas as pd

    t = pd.DataFrame({"value": [0.889, 0.912, 0.8], "our tuned network": [0.87, 0.87, 0.78],
                      "our TF-IDF baseline": [0.907, 0.907, 0.853]})
    assert C.caption_published(t).endswith("Our tuned networks are above none of the 3, the TF-IDF baselines above 2.")
    t["our tuned network"] = [0.95, 0.95, 0.95]
    assert "Our tuned networks are above all of the 3" in C.caption_published(t)


def test_newsgroups_source_sentence_computes_how_much_wider_the_sources_network_was():
    table = pd.DataFrame({"total": [12_012_196], "trainable": [1_810_596]})
    text = nnv.source_sentence(table)
    assert "had 10 times the units of the one specified here (width 50, feed-forward 200) and about 20 times the " \
           "weights, and it classified 4 groups, not 20." in text and "30 times" not in text


def test_truncation_sentences_say_how_the_length_was_chosen_either_way():
    reached = {"length": 256, "keep_tokens": 0.75, "kept": 0.757, "cut": 0.305}
    short = {"length": 128, "keep_tokens": 0.75, "kept": 0.508, "cut": 0.9}
    assert "256 tokens per review, the shortest candidate that keeps at least 75 % of the fit tokens: it keeps 75.7 %" \
        in inv.truncation_sentence(reached, "head")
    text = inv.truncation_sentence(short, "head")
    assert "the longest candidate, since none keeps 75 % of the fit tokens: it keeps 50.8 %" in text
    assert "the longest candidate, since none keeps 75 %" in nnv.truncation_sentence(short)


def test_text_pairs_view_marks_a_change_that_changed_nothing():
    from mlplab.experiment.tables import IDENTICAL
    from mlplab.text.study import pairs_view

    table = pd.DataFrame({"change": ["GloVe frozen", "bidirectional"], "verdict": ["on a par", "better"]})
    same = V.compare([0.8, 0.81, 0.82], [0.8, 0.81, 0.82], higher_is_better=True, margin=0.01)
    gain = V.compare([0.85, 0.87, 0.86], [0.8, 0.81, 0.82], higher_is_better=True, margin=0.01)
    records = [V.record("levers", "glove", "ref", "accuracy", same), V.record("levers", "bi", "ref", "accuracy", gain)]
    out = pairs_view(table, records)
    assert out["95 % interval"].tolist() == [IDENTICAL, f"{gain.low:+.3f} to {gain.high:+.3f}"]
    assert out["difference"].tolist() == ["+0.000", "+0.050"] and out["seeds"].tolist() == [3, 3]
    with_n = pairs_view(table.assign(n=[3, 3]).loc[:, ["change", "n", "verdict"]], records)
    assert list(with_n.columns) == ["change", "seeds", "verdict", "difference", "95 % interval"]   # one count column


def test_search_configurations_leave_out_the_search_epochs():
    from mlplab.text.study import describe

    s = {"kind": "transformer", "layers": 2, "width": 64, "heads": 4, "ff": 128, "embedding": "glove", "length": 128,
         "dropout": 0.1, "lr": 0.003, "batch_size": 64, "epochs": 3}
    assert describe(s).endswith("learning rate 0.003, batch 64, 3 epochs")
    assert describe(s, epochs=False).endswith("learning rate 0.003, batch 64")  # the search text states its epochs


def test_imdb_scope_sentence_says_what_the_search_varied_and_held():
    tried = inv.search_tried(8, {"layers": [1], "hidden": [64], "pooling": ["last", "max"], "lr": [0.001, 0.003]}, 4, 1)
    text = inv.scope_sentence(tried)
    assert text.startswith("This run searched 8 configurations of a bidirectional GloVe LSTM ranked on validation "
                           "reviews, varying pooling and learning rate (held at 1 layer of 64 units")
    assert text.endswith(".") and not text.endswith("..")


def test_models_table_gives_no_spread_for_a_single_fit():
    from types import SimpleNamespace

    from mlplab.text.study import models_table

    def run(name, role, accs):
        m = {"accuracy": None, "macro_f1": None}
        return Run(name, role, name, splits=[SplitResult(i, i, dict.fromkeys(m, a), dict.fromkeys(m, a),
                                                         dict.fromkeys(m, a)) for i, a in enumerate(accs)])
    st = SimpleNamespace(runs={"tfidf": run("tfidf", "baseline", [0.9, 0.9, 0.9]),
                               "net": run("net", "tuned", [0.8, 0.82, 0.84])})
    t = models_table(st, ["tfidf", "net"])
    assert t["seeds"].tolist() == [1, 3] and pd.isna(t["SD"].iloc[0]) and t["SD"].iloc[1] == pytest.approx(0.02)


def test_imdb_curves_caption_says_which_weights_early_stopping_kept():
    h = pd.DataFrame({"epoch": [1, 2, 3], "validation_accuracy": [0.88, 0.905, 0.892]})
    assert inv.caption_curves(h).endswith("Validation accuracy at the last epoch: 0.892.")
    assert inv.caption_curves(h, stopped=True).endswith(
        "0.892; early stopping kept the weights of the epoch with the lowest loss on its own held-out share of the fit "
        "reviews, not those of the last epoch.")
    assert inv.caption_curves(h.assign(validation_accuracy=float("nan"))) == "Training curves of the tuned network (first seed)."


def test_lab5_model_tables_show_what_each_verdict_rests_on():
    names = [n for n, _ in C.SENTIMENT_ROWS]
    models = {n: {"role": "baseline" if n in ("majority", "tfidf_logreg", "glove_logreg") else "tuned",
                  "seeds": {"n": 3, "mean": {"accuracy": 0.8, "f1": 0.8, "roc_auc": 0.9}}} for n in names}
    v = compare([0.89, 0.9, 0.88], [0.907, 0.907, 0.907], higher_is_better=True, margin=0.01)
    imdb = {"models": models, "verdicts": [record("headline", "lstm_tuned", "tfidf_logreg", "accuracy", v)]}
    t = C.sentiment_table(imdb)
    row = t.set_index("model").loc["TF-IDF + logistic regression"]
    assert row["verdict"] == v.word and row["n"] == 3 and row["95 % interval"] == f"{v.low:+.3f} to {v.high:+.3f}"
    assert row["tuned − it"] == f"{v.mean_diff:+.3f}" and row["seeds"] == 1
    assert t.set_index("model").loc["the tuned LSTM", "verdict"] == "–"


def test_search_caption_says_how_many_rows_show_and_the_winners_lead():
    from mlplab.text.prose import search_caption

    table = pd.DataFrame({"validation accuracy": [0.859, 0.830, 0.765]})
    assert search_caption("", table, 3).endswith("(one fit each; all 3 shown): the winner leads the runner-up by "
                                                 "0.029 of validation accuracy.")
    many = pd.DataFrame({"validation accuracy": np.linspace(0.9, 0.5, 12)})
    assert "the top 8 of 12 shown" in search_caption(", on a subset", many, 12)
    tie = pd.DataFrame({"validation accuracy": [0.8, 0.8]})
    assert "ties with the runner-up" in search_caption("", tie, 2)
    assert search_caption("", table.head(1), 1).endswith("all 1 shown): the only candidate wins.")


def test_imdb_levers_are_named_alike_in_the_figure_and_the_table():
    from mlplab.imdb import steps as imdb_steps

    for variant, reference, change in imdb_steps.LEVER_PAIRS:
        if variant in ("lstm_bidirectional", "lstm_pretrained"):
            assert change.removesuffix(" alone") in imdb_steps.LEVER_LABELS[variant]
    assert "GloVe frozen" in imdb_steps.LEVER_LABELS["lstm_improved_frozen"]
