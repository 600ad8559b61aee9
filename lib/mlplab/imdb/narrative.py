"""The IMDB chapter's sentences and captions, each a function of computed numbers (every branch tested)."""

from __future__ import annotations

import pandas as pd

from mlplab.experiment import verdict as V
from mlplab.experiment.prose import capital, join
from mlplab.text.prose import acc, as_verdict, length_choice, n, pct, said, search_caption, tuned_training, versus


def data_sentence(corpus) -> str:
    c = corpus.counts()
    pos_tr, pos_te = c["train"]["positive"] / max(1, corpus.n_train), c["test"]["positive"] / max(1, corpus.n_test)
    whole = corpus.report.get("subset_of") or {}
    part = (f"; the test reviews are a stratified {n(corpus.n_test)} of the {n(whole['test'])} published ones, drawn once "
            "and scored by every model, because the networks' passes over the test half are a large share of the "
            "chapter's time"
            if whole.get("test", corpus.n_test) > corpus.n_test and whole.get("train", corpus.n_train) == corpus.n_train
            else "")
    return (f"{n(corpus.n_train)} training and {n(corpus.n_test)} test reviews ({corpus.provenance['split']}{part}); "
            f"{pct(pos_tr)} of the training and {pct(pos_te)} of the test reviews are positive, so the majority class "
            f"scores about {acc(max(pos_te, 1 - pos_te))} accuracy and every model below is measured against that floor.")


def vocab_sentence(prep, tokenizer: str, n_fit: int) -> str:
    v = prep.vocab
    return (f"Tokens: {tokenizer}. The vocabulary is built from the {n(n_fit)} fit reviews only: "
            f"{n(v.n_types_seen)} distinct tokens, of which the {n(len(v) - 2)} seen at least {v.min_count} times get an "
            f"id; the rarer ones, {pct(v.unknown_share)} of the fit tokens, map to the unknown-word id, as do "
            "validation and test tokens never seen in fitting.")


def glove_sentence(info: dict) -> str:
    missing = ", ".join(f"“{w}”" for w, _ in info["missing_top"][:6])
    return (f"GloVe ({info['source']}, {info['dim']} dimensions) has a vector for {pct(info['type_coverage'])} of the "
            f"vocabulary's words, which make up {pct(info['token_coverage'])} of the fit tokens. The words it lacks "
            f"(the most frequent: {missing}) and the unknown-word id get {info['oov']}.")


def truncation_sentence(tr: dict, keep: str) -> str:
    return (f"The networks read at most {n(tr['length'])} tokens per review, {length_choice(tr)}: it keeps "
            f"{pct(tr['kept'])} of them and cuts "
            f"{pct(tr['cut'])} of the reviews, whose {'first' if keep == 'head' else 'last'} {n(tr['length'])} tokens "
            "remain. Longer inputs cost time in proportion (a recurrent network reads one token after another); "
            "the search below tries a longer truncation and keeping the end of a review instead.")


def caption_lengths(tr: dict, cut_by_class: dict) -> str:
    (a, ca), (b, cb) = sorted(cut_by_class.items(), key=lambda kv: -kv[1])[:2]
    alike = abs(ca - cb) < 0.02
    how = (f"it cuts {pct(ca)} of the {a} and {pct(cb)} of the {b} reviews, so it hits both classes alike" if alike else
           f"it cuts more {a} reviews ({pct(ca)}) than {b} ones ({pct(cb)})")
    return (f"Review length in tokens per class (fit reviews, log scale), with the truncation at {n(tr['length'])} "
            f"tokens: {how}.")


def caption_truncation(tr: dict) -> str:
    return (f"Share of the fit reviews each truncation length cuts and share of the fit tokens it keeps. "
            f"{n(tr['length'])} tokens keep {pct(tr['kept'])} of them.")


def caption_words(table: pd.DataFrame) -> str:
    top = {c: t.sort_values("z-score", ascending=False)["word"].iloc[0] for c, t in table.groupby("class")}
    return (f"The most telling words of each class on the fit reviews (log-odds ratio with an informative prior, as a "
            f"z-score). “{top.get('positive', '')}” leads the positive reviews' list and “{top.get('negative', '')}” the "
            "negative reviews'.")


def baselines_sentence(runs: dict) -> str:
    t, g = runs["tfidf_logreg"], runs["glove_logreg"]
    ct, cg = t.first.settings.get("C"), g.first.settings.get("C")
    gap = t.mean("accuracy") - g.mean("accuracy")
    tail = (f": averaging the word vectors of a review loses {acc(gap)} of accuracy against counting its words and word "
            "pairs" if gap >= 0.02 else ": the averaged word vectors come close to the word and bigram counts" if gap >= 0
            else f": the averaged word vectors beat the word and bigram counts by {acc(-gap)}")
    return (f"TF-IDF + logistic regression (C = {ct:g}, chosen on the validation reviews) reaches {acc(t.mean('accuracy'))} "
            f"test accuracy; the mean GloVe vector + logistic regression (C = {cg:g}) {acc(g.mean('accuracy'))}{tail}.")


def epochs(k: int) -> str:
    return f"{k} epoch{'s' if k != 1 else ''}"


def levers_intro(n_fit: int, n_epochs: int, length: int) -> str:
    return (f"Budget: every network of this section trains on the same {n(n_fit)} fit reviews for {epochs(n_epochs)}, "
            f"reading the first {n(length)} tokens, on every seed; the numbers measure the changes at this budget, "
            "not the networks' best.")


def levers_sentence(table: pd.DataFrame, records: list[dict]) -> str:
    parts = []
    for (_, row), r in zip(table.iterrows(), records):
        parts.append(f"{row['change']}: {said(r)}")
    return "Each change against its reference on test accuracy: " + "; ".join(parts) + "."


def caption_levers(values: dict, table: pd.DataFrame) -> str:
    best = max(values, key=lambda k: sum(values[k]) / len(values[k]))
    better = int((table["verdict"] == V.BETTER).sum())
    return (f"Test accuracy of the source's two networks and each change alone, per seed (grey) and mean (diamond). "
            f"{capital(best)} scores highest; {better} of {len(table)} changes are better than their reference.")


def caption_levers_table(table: pd.DataFrame) -> str:
    return ("Each change of the improved network measured alone against its reference (test accuracy, paired over "
            f"seeds, 95 % interval). {_count_words(table)}.")


def _count_words(table: pd.DataFrame) -> str:
    words = table["verdict"].value_counts()
    return capital(join([f"{int(k)} {w}" for w, k in words.items()]))


def search_sentence(choice: dict, n_fit: int, n_epochs: int, patience: int = 0) -> str:
    t = choice["table"]
    gap = t["validation accuracy"].iloc[0] - t["validation accuracy"].iloc[1] if len(t) > 1 else 0.0
    sampled = (f"a seeded random {choice['n_candidates']} of the {choice['n_grid']} combinations of the grid"
               if choice["n_candidates"] < choice["n_grid"] else f"all {choice['n_candidates']} combinations of the grid")
    lead = (f"leads the runner-up by {acc(gap)} validation accuracy" if gap > 0 else
            "ties with the runner-up on validation accuracy (a tie goes to the first candidate in grid order)")
    return (f"The search fits {sampled} once (first seed) on {n(n_fit)} fit reviews for {epochs(n_epochs)} and ranks them "
            f"on the validation reviews. The winner, {t['configuration'].iloc[0]}, {lead}; it is then trained on all fit "
            "reviews on every seed as the tuned network"
            + (" (on 90 % of them, with early stopping on the other 10 %)." if patience else "."))


def caption_search(choice: dict) -> str:
    return search_caption(", on a subset of the fit reviews", choice["table"], choice["n_candidates"])


def caption_models(table: pd.DataFrame) -> str:
    best = table.sort_values("test accuracy", ascending=False).iloc[0]
    return (f"Every model's validation and test scores (mean over seeds; SD of the test accuracy over seeds). "
            f"{capital(best['model'])} has the highest test accuracy, {acc(best['test accuracy'])}.")


def goal_sentence(goal: dict, tried: str) -> str:
    """The goal (0.89) with Maas et al.'s 88.89 % and the TF-IDF baseline's place, plainly either way."""
    v = as_verdict(goal["vs_tfidf"])
    base = (f"The tuned network reaches {acc(goal['mean'])} test accuracy (mean of {goal['n_seeds']} seeds, SD "
            f"{goal['sd']:.3f}); TF-IDF + logistic regression, the simplest strong baseline, reaches "
            f"{acc(goal['tfidf'])}: {versus('the tuned network', 'the baseline', v)}.")
    n_test = goal.get("n_test") or 0
    # the sampling error of an accuracy on the reviews scored: a mean within two of them of a published number matches it
    se = (goal["mean"] * (1 - goal["mean"]) / n_test) ** 0.5 if n_test else 0.0
    if goal["met"] and not se:
        head = (f" The goal set for this chapter, {acc(goal['goal'])}, is met, above the {pct(goal['maas'], 2)} of "
                "Maas et al. (2011) on the same test half.")
    elif goal["met"] and goal["mean"] - goal["maas"] > 2 * se:
        head = (f" The goal set for this chapter, {acc(goal['goal'])}, is met, and the mean is above the "
                f"{pct(goal['maas'], 2)} of Maas et al. (2011) on the same test half by more than twice the test "
                f"sampling error ({acc(se)}).")
    elif goal["met"]:
        head = (f" The goal set for this chapter, {acc(goal['goal'])}, is met, by {acc(goal['mean'] - goal['goal'])}; "
                f"the mean is within twice the test sampling error (2 × {acc(se)}) of the {pct(goal['maas'], 2)} of "
                "Maas et al. (2011), so it matches their number rather than beats it.")
    elif goal["above_maas"]:
        head = (f" The goal of {acc(goal['goal'])} is not met, though the mean is above the {pct(goal['maas'], 2)} of "
                "Maas et al. (2011).")
    else:
        head = (f" The goal of {acc(goal['goal'])} and the {pct(goal['maas'], 2)} of Maas et al. (2011) are not reproduced "
                f"at this budget. Tried: {tried}.")
    if v.word == V.WORSE:
        tail = (f" On this data the linear baseline is the better classifier, {cost_text(goal)}."
                if goal.get("tuned_seconds") else " On this data the linear baseline is the better classifier.")
    elif v.word == V.BETTER:
        tail = " The network earns its cost against the baseline here."
    else:
        tail = ""
    published = goal.get("n_test_published", 0)
    if published > goal.get("n_test", published):
        tail += (f" Maas et al. scored all {n(published)} test reviews; the numbers here score a stratified "
                 f"{n(goal['n_test'])} of them (a standard error of at most "
                 f"{acc((0.25 / goal['n_test']) ** 0.5)} on an accuracy).")
    return base + head + tail


SEARCH_WORDS = {"layers": "depth", "hidden": "width", "bidirectional": "direction", "embedding": "embedding",
                "pooling": "pooling", "length": "truncation length", "keep": "which end of the review is kept",
                "dropout": "dropout", "word_dropout": "word dropout", "lr": "learning rate", "batch_size": "batch size"}


def search_tried(n_candidates: int, grid: dict, n_epochs: int, patience: int = 0) -> str:
    """What the search varied and what it held fixed, from the grid itself (a value list of one is fixed)."""
    varied = [SEARCH_WORDS[k] for k, v in grid.items() if k in SEARCH_WORDS and len(v) > 1]
    fixed = {k: v[0] for k, v in grid.items() if k in SEARCH_WORDS and len(v) == 1}
    shape = []
    if "layers" in fixed or "hidden" in fixed:
        k = fixed.get("layers")
        shape.append(f"{k} layer{'s' if k != 1 else ''}" if k is not None else "")
        shape.append(f"{fixed['hidden']} units" if "hidden" in fixed else "")
    held = " of ".join(x for x in shape if x)
    text = (f"{n_candidates} configurations of a bidirectional GloVe LSTM ranked on validation reviews, varying "
            f"{join(varied) if varied else 'nothing'}")
    if held:
        text += f" (held at {held}: deeper or wider networks cost more than the chapter's time budget pays for three seeds)"
    return text + f"; the winner trained {tuned_training(n_epochs, patience, 'reviews')}"


def scope_sentence(tried: str) -> str:
    """Under the search table: what this run's search varied and held (`search_tried`)."""
    return f"This run searched {tried}."


def caption_curves(history, stopped: bool = False) -> str:
    """`stopped`: the network ran early stopping, so the weights it kept are not those of the last epoch drawn."""
    v = history["validation_accuracy"].dropna()
    if not len(v):
        return "Training curves of the tuned network (first seed)."
    text = (f"Training curves of the tuned network (first seed): loss and accuracy on the fit reviews, the validation "
            f"reviews and a fixed random sample of the test reviews per epoch. Validation accuracy at the last epoch: "
            f"{acc(v.iloc[-1])}")
    if stopped:
        text += ("; early stopping kept the weights of the epoch with the lowest loss on its own held-out share of "
                 "the fit reviews, not those of the last epoch")
    return text + "."


def caption_confusion(matrix, labels) -> str:
    m = pd.DataFrame(matrix, index=labels, columns=labels)
    fn, fp = int(m.loc["positive", "negative"]), int(m.loc["negative", "positive"])
    more = "positive reviews called negative" if fn > fp else "negative reviews called positive"
    return (f"Confusion matrix of the tuned network on the test reviews (first seed; share of each true class and "
            f"count). Its errors lean towards {more} ({n(max(fn, fp))} against {n(min(fn, fp))}).")


def length_sentence(table: pd.DataFrame, tuned_label: str) -> str:
    t = table[table["model"] == tuned_label].reset_index(drop=True)
    if len(t) < 2:
        return ""
    lo, hi = t.loc[t["accuracy"].idxmin()], t.loc[t["accuracy"].idxmax()]
    return (f"By length, the tuned network is most accurate on reviews of {hi['length (tokens)']} tokens "
            f"({acc(hi['accuracy'])}) and least on {lo['length (tokens)']} tokens ({acc(lo['accuracy'])}).")


def caption_length(table: pd.DataFrame) -> str:
    spread = table.groupby("model")["accuracy"].agg(lambda s: s.max() - s.min())
    return (f"Test accuracy by review length (first seed; bins at the fit reviews' quintiles). The widest swing across "
            f"bins is {acc(spread.max())} ({spread.idxmax()}).")


def caption_mistakes(table: pd.DataFrame) -> str:
    if table.empty:
        return "The tuned network's most confident mistakes: none (no test review was misclassified)."
    return (f"The tuned network's most confident mistakes on the test reviews (first seed; excerpts of at most 300 "
            f"characters). Even the top mistake was given {pct(table['probability'].iloc[0])} for the wrong class.")


def regularization_sentence(table: pd.DataFrame, records: list[dict], n_fit: int, n_epochs: int) -> str:
    parts = [f"{row['change']}: {said(r)}" for (_, row), r in zip(table.iterrows(), records)]
    return (f"Each regularizer alone on the tuned configuration without any ({n(n_fit)} fit reviews, {epochs(n_epochs)}, "
            "every seed; early stopping against the same network trained on the 90 % of those reviews it fits on): "
            + "; ".join(parts) + ".")


def caption_regularization(table: pd.DataFrame) -> str:
    return ("Regularizers, each alone against the unregularized tuned configuration (test accuracy, paired over seeds). "
            f"{_count_words(table)}.")


def recommendation_sentence(rec: dict | None, runs: dict) -> str:
    if rec is None:
        return "No model was scored on the validation reviews, so none is recommended."
    best = runs[rec["model"]]
    text = (f"Chosen on the validation reviews (accuracy {acc(rec['validation'])}): **{best.label}**, with test "
            f"accuracy {acc(best.mean('accuracy'))}")
    if rec.get("runner_up"):
        other = runs[rec["runner_up"]]
        if max(best.std("accuracy"), other.std("accuracy")) < 1e-12:  # two deterministic models: no seed spread
            d = best.mean("accuracy") - other.mean("accuracy")
            text += (f"; the validation runner-up, {other.label}, scores {acc(other.mean('accuracy'))} on test "
                     f"({V.signed(-d)}); both are deterministic, so seeds give no interval to judge the gap by")
        else:
            v = V.compare_runs(best, other, "accuracy", higher_is_better=True)
            text += f"; against the validation runner-up, {other.label} (test accuracy {acc(other.mean('accuracy'))}), it is {said(v)}"
    return text + "."


def caption_per_class(table: pd.DataFrame) -> str:
    gap = float(table["recall"].max() - table["recall"].min())
    lo = table.loc[table["recall"].idxmin(), "class"]
    return (f"Precision, recall and F1 of the tuned network per class (test reviews, first seed). Recall is lower on "
            f"the {lo} reviews, by {acc(gap)}." if gap > 0 else
            "Precision, recall and F1 of the tuned network per class (test reviews, first seed). Recall is the same "
            "on both classes.")


def _seconds(x: float) -> str:
    return f"{x:,.0f} s" if x >= 10 else f"{x:.1f} s"


def cost_text(goal: dict) -> str:
    """'and about 40 times cheaper to fit here (12 s against 480 s per fit)' from the measured fit times."""
    a, b = goal["tfidf_seconds"], goal["tuned_seconds"]
    ratio = b / max(a, 1e-9)
    times = f"{_seconds(a)} against {_seconds(b)} per fit"
    if ratio >= 1.5:
        return f"and about {ratio:,.0f} times cheaper to fit here ({times})"
    if ratio <= 1 / 1.5:
        return f"though slower to fit here ({times})"
    return f"and about as costly to fit here ({times})"


def recurrent_parameters(module) -> int:
    return int(sum(p.numel() for layer in module.layers for p in layer.parameters()))


def caption_networks(source, improved) -> str:
    ratio = recurrent_parameters(improved) / max(1, recurrent_parameters(source))
    return (f"The source's two networks as fitted here, block by block, with their parameter counts. ImprovedLSTM's "
            f"recurrent layers hold {ratio:.1f} times BaseLSTM's parameters: two directions per layer, and every layer "
            "after the first reads both directions' states.")
