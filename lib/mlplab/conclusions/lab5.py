"""Lab 5's computed comparison and conclusions (analysis/53_lab5_conclusions.ipynb), from the results files of both
chapters only (`report/_results/imdb_sentiment.json`, `report/_results/newsgroups.json`) and the published numbers
of references/published.yml.

Every sentence branches on computed values; verdict words are those the noise rule wrote into the results.
"""

from __future__ import annotations

import pandas as pd

from mlplab.errors import UserError
from mlplab.experiment.prose import capital, join
from mlplab.experiment.tables import difference_cell, interval_cell
from mlplab.references import published
from mlplab.text.prose import acc, versus


def validate_params(params: dict) -> None:
    if "results_dir" in params and not isinstance(params["results_dir"], str):
        raise UserError(f"lab5_conclusions parameter results_dir={params['results_dir']!r}: expected a folder path or ''")


def refs() -> dict:
    return published()["lab5"]


def _verdict(doc: dict, a: str, b: str, metric: str = "accuracy") -> dict | None:
    return next((v for v in doc.get("verdicts", []) if v["a"] == a and v["b"] == b and v["metric"] == metric), None)


def _m(doc: dict, name: str, metric: str = "accuracy") -> float:
    return float(doc["models"][name]["seeds"]["mean"][metric])


READABLE = {"imdb_sentiment": "the IMDB reviews", "newsgroups": "the 20 Newsgroups messages"}
SHORT = {"imdb_sentiment": ("IMDB", "review"), "newsgroups": ("20 Newsgroups", "message")}


def subset_note(*docs: dict) -> bool | str:
    names = [READABLE.get(d["notebook"], d["notebook"]) for d in docs
             if d["provenance"].get("kind") == "subset" and not _test_cut_only(d)]
    return False if not names else "a real subset of " + join(names)


def _test_cut_only(doc: dict) -> dict | None:
    """The data report of a run that used every training document and a stratified part of the test ones."""
    data = (doc.get("extra") or {}).get("data") or {}
    whole = data.get("subset_of") or {}
    if whole and whole.get("train") == data.get("train") and data.get("test", 0) < whole.get("test", 0):
        return data
    return None


def subset_sentence(*docs: dict) -> str:
    """What part of each data set the conclusions rest on: a real subset, or all training documents and a
    stratified part of the test ones (said per data set), or nothing when every run used the whole set."""
    out = []
    note = subset_note(*docs)
    if note:
        out.append(f"These conclusions rest on {note}: their numbers describe that subset, not the full data sets.")
    for d in docs:
        data = _test_cut_only(d)
        if data:
            name, unit = SHORT.get(d["notebook"], (d["notebook"], "document"))
            out.append(f"The {name} numbers use every training {unit} and score a stratified {data['test']:,} of the "
                       f"{data['subset_of']['test']:,} test {unit}s, the same for every model.")
    return " ".join(out)


# ---- sentiment -------------------------------------------------------------------------------------------

SENTIMENT_ROWS = (("majority", "majority class"), ("tfidf_logreg", "TF-IDF + logistic regression"),
                  ("glove_logreg", "mean GloVe + logistic regression"), ("lstm_source", "BaseLSTM as specified"),
                  ("lstm_improved", "ImprovedLSTM as specified"), ("lstm_tuned", "the tuned LSTM"))


def sentiment_table(imdb: dict) -> pd.DataFrame:
    rows = []
    for name, label in SENTIMENT_ROWS:
        m = imdb["models"][name]
        v = _verdict(imdb, "lstm_tuned", name) if name != "lstm_tuned" else None
        rows.append({"model": label, "test accuracy": _m(imdb, name), "ROC AUC": _m(imdb, name, "roc_auc"),
                     "seeds": m["seeds"]["n"] if m["role"] != "baseline" else 1, **_against(v)})
    return pd.DataFrame(rows)


def _against(v: dict | None) -> dict:
    """The tuned network against a row's model: the paired difference, its interval, n and the word (every verdict
    table shows what its word rests on); '–' on the tuned network's own row."""
    if v is None:
        return {"tuned − it": "–", "95 % interval": "–", "n": "–", "verdict": "–"}
    return {"tuned − it": difference_cell(v), "95 % interval": interval_cell(v), "n": v["n"], "verdict": v["word"]}


def caption_sentiment(imdb: dict) -> str:
    g = imdb["extra"]["goal"]
    return (f"IMDB test reviews: every model's mean over seeds, and the tuned LSTM against each: the paired accuracy "
            f"difference (tuned − it), its 95 % interval over n seeds and the noise rule's word. The tuned LSTM {'meets' if g['met'] else 'misses'} the {acc(g['goal'])} goal.")


def sentiment_sentences(imdb: dict) -> str:
    g = imdb["extra"]["goal"]
    r = refs()["imdb"]
    v = g["vs_tfidf"]
    text = (f"Sentiment: the tuned LSTM reaches {acc(g['mean'])} test accuracy over {g['n_seeds']} seeds and TF-IDF + "
            f"logistic regression {acc(g['tfidf'])}: {versus('the tuned LSTM', 'the baseline', v)}. Maas et al. (2011) reported "
            f"{acc(r['maas_2011']['value'])} and NBSVM (Wang & Manning 2012) {acc(r['nbsvm_2012']['value'])} on "
            + (f"all {g['n_test_published']:,} test reviews (ours score a stratified {g['n_test']:,} of them). "
               if g.get("n_test_published", 0) > g.get("n_test", 0) else "the same test reviews. "))
    if g["met"]:
        text += f"The goal of {acc(g['goal'])} is met."
    else:
        text += (f"The goal of {acc(g['goal'])} is not met and Maas et al.'s number is "
                 f"{'beaten' if g['above_maas'] else 'not reproduced at this budget'}; the training budget of two "
                 "CPU cores (stated in the chapter) limits what was tried.")
    return text


def lever_sentences(imdb: dict) -> str:
    pairs = imdb["extra"]["levers"]["pairs"]
    better = [p for p in pairs if p["word"] == "better"]
    worse = [p for p in pairs if p["word"] == "worse"]
    named = {"lstm_bidirectional": "bidirectional layers", "lstm_pretrained": "the GloVe embedding",
             "lstm_improved": "both changes together", "lstm_improved_frozen": "freezing GloVe"}
    lev = imdb["extra"]["levers"]
    e = lev["epochs"]
    text = (f"The source's claim that ImprovedLSTM is better, measured at equal budgets ({lev['fit_documents']:,} fit "
            f"reviews, {e} epoch{'s' if e != 1 else ''}): ")
    parts = []
    if better:
        parts.append(join([named.get(p["a"], p["a"]) for p in better]) + " helped")
    if worse:
        parts.append(join([named.get(p["a"], p["a"]) for p in worse]) + " hurt")
    rest = len(pairs) - len(better) - len(worse)
    if rest:
        parts.append(f"{rest} of the {len(pairs)} changes could not be told from their reference")
    return text + "; ".join(parts) + "."


# ---- topics ----------------------------------------------------------------------------------------------

TOPIC_ROWS = (("majority", "majority class"), ("tfidf_logreg", "TF-IDF + logistic regression"),
              ("glove_logreg", "mean GloVe + logistic regression"), ("transformer_source", "the Transformer as specified"),
              ("transformer_unfrozen", "the same, GloVe fine-tuned"), ("transformer_tuned", "the tuned Transformer"))


def topics_table(ng: dict) -> pd.DataFrame:
    rows = []
    for name, label in TOPIC_ROWS:
        m = ng["models"][name]
        v = _verdict(ng, "transformer_tuned", name) if name != "transformer_tuned" else None
        rows.append({"model": label, "test accuracy": _m(ng, name), "macro-F1": _m(ng, name, "macro_f1"),
                     "seeds": m["seeds"]["n"] if m["role"] != "baseline" else 1, **_against(v)})
    return pd.DataFrame(rows)


def caption_topics(ng: dict) -> str:
    g = ng["extra"]["goal"]
    return (f"20 Newsgroups test messages, as published: every model's mean over seeds, and the tuned Transformer "
            f"against each: the paired accuracy difference (tuned − it), its 95 % interval over n seeds and the noise "
            f"rule's word. The tuned Transformer {'reaches' if g['met'] else 'misses'} the "
            f"source's {acc(g['goal'])} goal.")


def topics_sentences(ng: dict) -> str:
    g = ng["extra"]["goal"]
    to = ng["extra"]["text_only"]
    u = _verdict(ng, "transformer_unfrozen", "transformer_source")
    text = (f"Topics: the specified Transformer (frozen GloVe) reaches {acc(g['source'])} test accuracy as published; "
            f"with its embedding unfrozen, {versus('it', 'the frozen one', u)}. The tuned Transformer reaches "
            f"{acc(g['mean'])} and TF-IDF + logistic regression {acc(g['tfidf'])}: "
            f"{versus('the tuned Transformer', 'the baseline', g['vs_tfidf'])}; the source's goal of more than "
            f"{acc(g['goal'])} is {'met' if g['met'] else 'not met'}. ")
    if "tfidf_logreg_text_only" in to and "transformer_tuned_text_only" in to:
        text += text_only_clause(to, g["tfidf"], g["mean"])
    return text


def text_only_clause(to: dict, tfidf: float, tuned: float, big: float = 0.05) -> str:
    """What removing headers, signatures and quotes does to both models (one seed for the network: measured, not
    judged by the noise rule)."""
    a, b = to["transformer_tuned_text_only"], to["tfidf_logreg_text_only"]
    moves = []
    for label, before, after in (("TF-IDF + logistic regression", tfidf, b["accuracy"]),
                                 ("the tuned Transformer", tuned, a["accuracy"])):
        word = "falls" if after < before else "rises" if after > before else "stays"
        moves.append(f"{label} {word} from {acc(before)} to {acc(after)}")
    seeds = f"{a['seeds']} seed{'s' if a['seeds'] != 1 else ''} for the network"
    text = f"On the text-only variant {join(moves)} ({seeds}, so measured rather than judged by the noise rule)."
    if tfidf - b["accuracy"] >= big:
        text += (f" The baseline's drop of {acc(tfidf - b['accuracy'])} is what headers, signatures and quotes gave "
                 "away: who wrote a message, and from where.")
    return text


def published_table(imdb: dict, ng: dict) -> pd.DataFrame:
    r = refs()
    g, h = imdb["extra"]["goal"], ng["extra"]["goal"]
    rows = [("IMDB accuracy, Maas et al. (2011)", r["imdb"]["maas_2011"]["value"], g["mean"], g["tfidf"]),
            ("IMDB accuracy, NBSVM (Wang & Manning 2012)", r["imdb"]["nbsvm_2012"]["value"], g["mean"], g["tfidf"]),
            ("20 Newsgroups accuracy, the source's goal", r["newsgroups"]["source_goal"]["value"], h["mean"], h["tfidf"])]
    return pd.DataFrame([{"published number": a, "value": b, "our tuned network": c, "our TF-IDF baseline": d}
                         for a, b, c, d in rows])


def caption_published(table: pd.DataFrame) -> str:
    above = int((table["our tuned network"] > table["value"]).sum())
    base = int((table["our TF-IDF baseline"] > table["value"]).sum())
    def count(k: int) -> str:
        return "none" if k == 0 else "all" if k == len(table) else f"{k}"

    return (f"Published numbers beside ours (test accuracy; the source reported no number for its LSTMs). Our tuned "
            f"networks are above {count(above)} of the {len(table)}, the TF-IDF baselines above {count(base)}.")


def recommendation_sentences(imdb: dict, ng: dict) -> str:
    out = []
    for doc, task in ((imdb, "sentiment"), (ng, "topics")):
        rec = doc.get("recommended")
        if rec is None:
            out.append(f"For {task}, no model is recommended: {doc.get('reason', 'no validation scores')}.")
            continue
        m = doc["models"][rec["model"]]
        kind = "a linear baseline" if m["role"] == "baseline" else "a network"
        out.append(f"For {task}, the validation rows recommend {m['label']} ({kind}; validation accuracy "
                   f"{acc(rec['validation'])}, test {acc(rec['test'])}).")
    both = [d["models"][d["recommended"]["model"]]["role"] == "baseline" for d in (imdb, ng) if d.get("recommended")]
    if both and all(both):
        out.append("On both tasks the networks, at the budgets of two CPU cores, do not earn their cost against word "
                   "counts and a linear model.")
    elif both and not any(both):
        out.append("On both tasks a network is the model to use.")
    return capital(" ".join(out))
