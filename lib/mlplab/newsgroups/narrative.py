"""The 20 Newsgroups chapter's sentences and captions, each a function of computed numbers (every branch tested)."""

from __future__ import annotations

import pandas as pd

from mlplab.experiment import verdict as V
from mlplab.experiment.prose import capital, join
from mlplab.plots.text import short_group
from mlplab.text import study as S
from mlplab.text.prose import acc, as_verdict, length_choice, n, pct, said, search_caption, tuned_training, versus


def epochs(k: int) -> str:
    return f"{k} epoch{'s' if k != 1 else ''}"


def data_sentence(corpus, balance: pd.DataFrame) -> str:
    small, large = balance.loc[balance["training documents"].idxmin()], balance.loc[balance["training documents"].idxmax()]
    major = balance["test documents"].max() / max(1, balance["test documents"].sum())
    head = f"{n(corpus.n_train)} training and {n(corpus.n_test)} test messages in {len(corpus.classes)} groups ({corpus.provenance['split']}). "
    if small["training documents"] == large["training documents"]:
        spread = f"Every group has {n(small['training documents'])} training messages"
    else:
        spread = (f"The groups are nearly balanced, from {n(small['training documents'])} training messages "
                  f"({short_group(small['class'])}) to {n(large['training documents'])} ({short_group(large['class'])})")
    return head + spread + f"; the majority class scores {acc(major)} test accuracy."


def variants_sentence(kept_share: float) -> str:
    return (f"Two variants of every message are used. **As published**, as the files hold them, with headers (From, "
            "Subject, Organization, Lines), signatures and quoted replies: the goal below refers to it. **Text only**, "
            "with scikit-learn's remove=('headers', 'footers', 'quotes'), which strips what names the sender and the "
            f"thread: it keeps {pct(kept_share)} of the characters of the training messages. Every number says which "
            "variant it is for.")


def vocab_sentence(prep, n_fit: int) -> str:
    v = prep.vocab
    return (f"The vocabulary (same tokenizer as the IMDB chapter) is built from the {n(n_fit)} fit messages of the "
            f"as-published variant: {n(v.n_types_seen)} distinct tokens, {n(len(v) - 2)} of them seen at least "
            f"{v.min_count} times; the rest ({pct(v.unknown_share)} of the fit tokens) map to the unknown-word id.")


def glove_sentence(info: dict) -> str:
    missing = ", ".join(f"“{w}”" for w, _ in info["missing_top"][:6])
    return (f"GloVe has a vector for {pct(info['type_coverage'])} of these words, {pct(info['token_coverage'])} of the "
            f"fit tokens; the most frequent words it lacks are {missing}: user names, host names and numbers of the "
            f"headers. They get {info['oov']}; in the frozen embedding of the specified Transformer that vector never "
            "changes, so such a token is a fixed random marker.")


def truncation_sentence(tr: dict) -> str:
    return (f"The Transformers read the first {n(tr['length'])} tokens of a message (the header first), "
            f"{length_choice(tr)}: it keeps {pct(tr['kept'])} of them and cuts {pct(tr['cut'])} of the messages. Self-attention's cost grows with the square of this "
            "length, the rest of the network's linearly.")


def caption_lengths(tr: dict, spread: tuple[str, float, str, float]) -> str:
    lo, lo_v, hi, hi_v = spread
    return (f"Message length in tokens per group (fit messages, as published, log scale), with the truncation at "
            f"{n(tr['length'])} tokens. Median lengths run from {n(lo_v)} ({short_group(lo)}) to {n(hi_v)} "
            f"({short_group(hi)}).")


def caption_truncation(tr: dict) -> str:
    return (f"Share of the fit messages each truncation length cuts and share of the fit tokens it keeps. "
            f"{n(tr['length'])} tokens keep {pct(tr['kept'])} of them.")


def words_view(table: pd.DataFrame, k: int = 6) -> pd.DataFrame:
    rows = [{"group": short_group(g), "most telling words": ", ".join(t.sort_values("z-score", ascending=False)["word"].head(k))}
            for g, t in table.groupby("class", sort=False)]
    return pd.DataFrame(rows)


def caption_words(view: pd.DataFrame) -> str:
    return ("The most telling words of each group on the fit messages, as published (log-odds ratio with an "
            "informative prior, highest z-score first). Many are names of places, organisations and people of the "
            "headers and signatures, which the text-only variant removes." if _names_share(view) >= 0.2 else
            "The most telling words of each group on the fit messages, as published (log-odds ratio with an informative "
            "prior, highest z-score first). They are mostly topic words of the groups themselves.")


HEADER_WORDS = ("edu", "com", "writes", "article", "subject", "organization", "lines", "university", "ca", "uk", "nntp",
                "host", "posting", "de", "netcom", "cs", "ac", "gov", "uiuc", "cmu", "mit")


def _names_share(view: pd.DataFrame) -> float:
    words = [w.strip() for cell in view["most telling words"] for w in cell.split(",")]
    return sum(w in HEADER_WORDS for w in words) / max(1, len(words))


def baselines_sentence(runs: dict) -> str:
    t, g = runs["tfidf_logreg"], runs["glove_logreg"]
    text = (f"As published, TF-IDF + logistic regression (C = {t.first.settings.get('C'):g}, chosen on validation "
            f"messages) reaches {acc(t.mean('accuracy'))} test accuracy and the mean GloVe vector + logistic regression "
            f"{acc(g.mean('accuracy'))}")
    if "tfidf_logreg_text_only" in runs:
        o = runs["tfidf_logreg_text_only"]
        gap = t.mean("accuracy") - o.mean("accuracy")
        text += (f"; on the text-only variant TF-IDF + logistic regression reaches {acc(o.mean('accuracy'))}, "
                 + (f"{acc(gap)} lower: that much of its accuracy came from headers, signatures and quotes" if gap > 0
                    else f"{acc(-gap)} higher: headers, signatures and quotes did not help it" if gap < 0
                    else "the same: headers, signatures and quotes made no difference to it"))
    return text + "."


def source_intro(source: dict, n_fit: int, dim: int = 50, n_all: int | None = None) -> str:
    width = source["width"] or dim
    ratio = " (the original paper's four times the width)" if source["ff"] == 4 * width else ""
    k = source["layers"]
    return (f"The specified Transformer: frozen GloVe vectors, sinusoidal positions, {k} encoder layer{'s' if k != 1 else ''} "
            f"of width {width} with {source['heads']} heads and a feed-forward layer of {n(source['ff'])} units{ratio}, "
            f"dropout {source['dropout']:g} as in the source, mean pooling over "
            f"the real tokens and one linear layer; Adam at {source['lr']:g}, {epochs(source['epochs'])} on "
            + (f"a stratified {n(n_fit)} of the {n(n_all)} fit messages (for time; the tuned network trains on all of "
               "them)" if n_all and n_fit < n_all else f"all {n(n_fit)} fit messages")
            + ", every seed. The lever measured alone: the same network with its GloVe embedding "
            "fine-tuned (unfrozen).")


def caption_parameters(table: pd.DataFrame) -> str:
    ok = bool(((table["total"] == table["formula total"]) & (table["trainable"] == table["formula trainable"])).all())
    return ("Parameters of each Transformer, counted on the fitted module and by the formula of "
            "`transformer_parameters` (frozen embedding rows are counted in the total only). "
            + ("The formula reproduces every count, the source's reported 12,012,196 and 1,810,596 included."
               if ok else "The formula and a count differ in at least one row."))


def source_sentence(table: pd.DataFrame) -> str:
    src = table.iloc[-1]
    return (f"The source's counts decompose exactly as 100-dimensional GloVe vectors for 102,016 words "
            f"({n(src['total'] - src['trainable'])} frozen parameters), four encoder layers of width 100 with PyTorch's "
            f"default feed-forward of 2,048 units and a four-class head ({n(src['trainable'])} trainable): its "
            f"feed-forward layers had {_ff_ratio()[0]:.0f} times the units of the one specified here (width 50, "
            f"feed-forward 200) and about {_ff_ratio()[1]:.0f} times the weights, and it classified 4 groups, not 20.")


def _ff_ratio(width: int = 50, ff: int = 200) -> tuple[float, float]:
    """The source's feed-forward units and weights (two matrices per layer) against the specified network's."""
    from mlplab.newsgroups import SOURCE_SIZES

    units = SOURCE_SIZES["ff"] / ff
    weights = (2 * SOURCE_SIZES["width"] * SOURCE_SIZES["ff"]) / (2 * width * ff)
    return units, weights


def unfreeze_sentence(v, runs: dict) -> str:
    a, b = runs["transformer_unfrozen"], runs["transformer_source"]
    return (f"Unfreezing the embedding, alone, moves test accuracy from {acc(b.mean('accuracy'))} to "
            f"{acc(a.mean('accuracy'))}: {versus('the unfrozen network', 'the specified one', v)}.")


SEARCH_WORDS = {"embedding": "frozen or fine-tuned embedding", "width": "model width", "heads": "heads",
                "layers": "depth", "ff": "feed-forward size", "dropout": "dropout", "lr": "learning rate",
                "warmup": "warm-up", "length": "truncation length"}
HELD_WORDS = {"width": "width {}", "heads": "{} heads", "layers": "{} layers", "ff": "feed-forward {}",
              "length": "{} tokens", "embedding": "{} embedding", "dropout": "dropout {}", "lr": "learning rate {}",
              "warmup": "warm-up {}"}
EMBEDDING_WORDS = {"glove": "fine-tuned GloVe embedding", "frozen": "frozen GloVe embedding",
                   "learned": "embedding learned from scratch"}


def _held(key: str, value) -> str:
    if key == "embedding":
        return EMBEDDING_WORDS.get(value, f"{value} embedding")
    if key == "layers" and value == 1:
        return "1 layer"
    return HELD_WORDS[key].format(f"{value:g}" if isinstance(value, float) else value)


def search_tried(n_candidates: int, grid: dict, n_epochs: int, patience: int = 0, refined: dict | None = None) -> str:
    """What the search varied and held (a value list of one is held), from the grid itself."""
    varied = [SEARCH_WORDS[k] for k, v in grid.items() if k in SEARCH_WORDS and len(v) > 1]
    held = [_held(k, v[0]) for k, v in grid.items() if k in HELD_WORDS and len(v) == 1]
    again = ""
    if refined and len(refined["values"]) > 1:
        words = S.POOL_WORDS if refined["key"] == "pooling" else {}
        again = (f", then {join([words.get(v, str(v)) for v in refined['values']], 'against')} on the winner at its "
                 "full budget")
    return (f"unfreezing the embedding, then {n_candidates} configurations ranked on validation messages, varying "
            f"{join(varied) if varied else 'nothing'}" + (f" (held: {join(held)})" if held else "") + again
            + f"; the winner trained {tuned_training(n_epochs, patience, 'messages')}")


def search_sentence(choice: dict, n_epochs: int, patience: int = 0) -> str:
    t = choice["table"]
    gap = t["validation accuracy"].iloc[0] - t["validation accuracy"].iloc[1] if len(t) > 1 else 0.0
    sampled = (f"a seeded random {choice['n_candidates']} of the {choice['n_grid']} valid combinations"
               if choice["n_candidates"] < choice["n_grid"] else f"all {choice['n_candidates']} combinations")
    lead = (f"leads the runner-up by {acc(gap)} validation accuracy" if gap > 0 else
            "ties with the runner-up on validation accuracy (a tie goes to the first candidate in grid order)")
    return (f"The search fits {sampled} of its grid once (first seed) on {n(choice['fit_documents'])} fit messages for "
            f"{epochs(n_epochs)} and ranks them on the validation messages. The winner, {t['configuration'].iloc[0]}, "
            f"{lead}; it is then trained on all fit messages on every seed as the tuned Transformer"
            + (" (on 90 % of them, with early stopping on the other 10 %)." if patience else "."))


def caption_search(choice: dict) -> str:
    return search_caption("", choice["table"], choice["n_candidates"])


def pooling_sentence(record: dict) -> str:
    """How the tuned Transformer's pooling was chosen: at its own budget, on the validation messages."""
    if len(record["values"]) < 2:
        return ""
    words = S.POOL_WORDS
    scores = record["validation"]
    ranked = sorted(record["values"], key=lambda v: -scores[str(v)])
    won, other = ranked[0], ranked[1]
    return (f"The pooling over the tokens is chosen at the tuned Transformer's own budget (all fit messages, its "
            f"epochs and early stopping, first seed), where a short search budget would favour what learns fast: "
            f"{join([words.get(v, v) for v in record['values']], 'against')} on the validation messages, "
            f"{words.get(won, won)} {acc(scores[str(won)])} against {acc(scores[str(other)])}. "
            f"{capital(words.get(record['won'], record['won']))} is kept; its first-seed fit is the tuned Transformer's "
            "first seed.")


def caption_models(table: pd.DataFrame) -> str:
    best = table.sort_values("test accuracy", ascending=False).iloc[0]
    return (f"Every model on the as-published variant (mean over seeds; SD of the test accuracy over seeds). "
            f"{capital(best['model'])} has the highest test accuracy, {acc(best['test accuracy'])}.")


def goal_sentence(goal: dict, tried: str) -> str:
    v = as_verdict(goal["vs_tfidf"])
    text = (f"The tuned Transformer reaches {acc(goal['mean'])} test accuracy on the as-published variant (mean of "
            f"{goal['n_seeds']} seeds, SD {goal['sd']:.3f}; the specified one {acc(goal['source'])}); TF-IDF + logistic "
            f"regression reaches {acc(goal['tfidf'])}: {versus('the tuned Transformer', 'the baseline', v)}.")
    if goal["met"]:
        text += (f" The source's goal, above {acc(goal['goal'])}, is met, on all 20 groups (the source's network had a "
                 "four-class head).")
    else:
        text += (f" The source's goal, above {acc(goal['goal'])}, is not reached at this budget (the source's network "
                 f"had a four-class head, so its goal was met on 4 groups, not the 20 here). Tried: {tried}.")
    if v.word == V.WORSE:
        from mlplab.imdb.narrative import cost_text

        text += (f" The linear baseline remains the better topic classifier, {cost_text(goal)}."
                 if goal.get("tuned_seconds") else " The linear baseline remains the better topic classifier here.")
    return text


def text_only_sentence(runs: dict) -> str:
    if "transformer_tuned_text_only" not in runs or "tfidf_logreg_text_only" not in runs:
        return ""
    t, b = runs["transformer_tuned_text_only"], runs["tfidf_logreg_text_only"]
    full = runs["transformer_tuned"]
    gap = full.mean("accuracy") - t.mean("accuracy")
    where = f"{acc(abs(gap))} {'below' if gap > 0 else 'above'} its as-published score" if gap else "the same as as published"
    seeds = f"{t.n} {'seed' if t.n == 1 else 'seeds'}"
    judge = ("with one seed the noise rule cannot judge these gaps, so they are reported as measured" if t.n < 3 else
             "the as-published and text-only runs are different inputs, so no paired verdict is drawn between them")
    return (f"On the text-only variant the tuned configuration reaches {acc(t.mean('accuracy'))} test accuracy "
            f"({seeds}; {where}) and TF-IDF + logistic regression {acc(b.mean('accuracy'))}; {judge}.")


def caption_curves(history) -> str:
    v = history["validation_accuracy"].dropna()
    return ("Training curves of the tuned Transformer (first seed): loss and accuracy on the fit messages, the "
            f"validation messages and a fixed sample of the test messages per epoch. Validation accuracy ends at "
            f"{acc(v.iloc[-1])}." if len(v) else "Training curves of the tuned Transformer (first seed).")


def caption_confusion(pairs: pd.DataFrame) -> str:
    if pairs.empty:
        return "Confusion matrix of the tuned Transformer on the test messages (first seed): no message misclassified."
    top = pairs.iloc[0]
    return (f"Confusion matrix of the tuned Transformer on the test messages (first seed; percent of each true group). "
            f"The largest confusion: {short_group(top['true group'])} read as {short_group(top['predicted as'])} "
            f"({top['% of the true group']:.0f} % of that group).")


def caption_per_class(table: pd.DataFrame) -> str:
    lo = table.loc[table["f1"].idxmin()]
    hi = table.loc[table["f1"].idxmax()]
    return (f"Precision, recall and F1 per group of the tuned Transformer (test messages, first seed). F1 runs from "
            f"{acc(lo['f1'])} ({short_group(lo['class'])}) to {acc(hi['f1'])} ({short_group(hi['class'])}).")


def caption_pairs(pairs: pd.DataFrame) -> str:
    if pairs.empty:
        return "The most frequent confusions: none."
    return (f"The most frequent confusions of the tuned Transformer (test messages, first seed). The top {len(pairs)} "
            f"account for {n(pairs['messages'].sum())} messages.")


def caption_length(table: pd.DataFrame) -> str:
    spread = table.groupby("model")["accuracy"].agg(lambda s: s.max() - s.min())
    return (f"Test accuracy by message length (first seed; bins at the fit messages' quintiles). The widest swing "
            f"across bins is {acc(spread.max())} ({spread.idxmax()}).")


def caption_mistakes(table: pd.DataFrame) -> str:
    if table.empty:
        return "The tuned Transformer's most confident mistakes: none."
    return (f"The tuned Transformer's most confident mistakes on the test messages (first seed; excerpts of at most "
            f"300 characters). The top one was given {pct(table['probability'].iloc[0])} for the wrong group.")


def recommendation_sentence(rec: dict | None, runs: dict) -> str:
    if rec is None:
        return "No model was scored on the validation messages, so none is recommended."
    best = runs[rec["model"]]
    text = (f"Chosen on the validation messages (accuracy {acc(rec['validation'])}): **{best.label}**, with test "
            f"accuracy {acc(best.mean('accuracy'))} on the as-published variant")
    if rec.get("runner_up"):
        other = runs[rec["runner_up"]]
        if max(best.std("accuracy"), other.std("accuracy")) < 1e-12:  # two deterministic models: no seed spread
            text += (f"; the validation runner-up, {other.label}, scores {acc(other.mean('accuracy'))} on test; both are "
                     "deterministic, so seeds give no interval to judge the gap by")
        else:
            v = V.compare_runs(best, other, "accuracy", higher_is_better=True)
            text += f"; against the validation runner-up, {other.label} (test accuracy {acc(other.mean('accuracy'))}), it is {said(v)}"
    return text + "."


def parameters_view(table: pd.DataFrame) -> pd.DataFrame:
    """Counts with thousands separators (the table shows them as text)."""
    out = table.copy()
    for c in out.columns[1:]:
        out[c] = out[c].map(lambda v: f"{int(v):,}")
    return out


def caption_networks(tuned: dict) -> str:
    how = ("trains its embedding too" if tuned.get("embedding") != "frozen" else "keeps GloVe frozen as well")
    return ("The specified and the tuned Transformer as fitted, block by block, with their parameter counts. The specified "
            f"network trains only its encoder and head; the tuned one {how}.")
