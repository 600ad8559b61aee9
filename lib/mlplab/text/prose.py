"""Sentence pieces both Lab 5 chapters use: a verdict said with its numbers, thousands separators, signed differences."""

from __future__ import annotations

from mlplab.experiment import verdict as V


def as_verdict(v) -> V.Verdict:
    return v if isinstance(v, V.Verdict) else V.Verdict.from_dict(v)


def said(v, digits: int = 3) -> str:
    """'better (+0.012; 95 % interval +0.004 to +0.020 over 3 seeds)', or for an undecided verdict what is known."""
    v = as_verdict(v)
    if v.word == V.TOO_FEW:
        return f"not decidable with {v.n} {'seed' if v.n == 1 else 'seeds'} (difference {V.signed(v.mean_diff, digits)})"
    if v.word == V.UNDECIDED:
        return f"undecided ({V.undecided_text(v, digits, unit='seeds')})"
    return (f"{v.word} ({V.signed(v.mean_diff, digits)}; 95 % interval {V.signed(v.low, digits)} to "
            f"{V.signed(v.high, digits)} over {v.n} seeds)")


def pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f} %"


def acc(x: float) -> str:
    return f"{x:.3f}"


def n(x: int) -> str:
    return f"{int(x):,}"


def versus(a: str, b: str, v, digits: int = 3) -> str:
    """'the tuned LSTM is worse than TF-IDF + logistic regression (−0.012; 95 % interval … over 3 seeds)', or for
    an undecided verdict whether A is better than B is undecided and what the runs show."""
    v = as_verdict(v)
    if v.word == V.TOO_FEW:
        return f"{a} and {b} cannot be compared with {v.n} {'seed' if v.n == 1 else 'seeds'}"
    if v.word == V.UNDECIDED:
        return f"whether {a} differs from {b} is undecided ({V.undecided_text(v, digits, unit='seeds')})"
    numbers = (f"{V.signed(v.mean_diff, digits)}; 95 % interval {V.signed(v.low, digits)} to "
               f"{V.signed(v.high, digits)} over {v.n} seeds")
    rel = "on a par with" if v.word == V.PAR else f"{v.word} than"
    return f"{a} is {rel} {b} ({numbers})"


def tuned_training(n_epochs: int, patience: int, what: str) -> str:
    """How the tuned network trains, for `what` ('reviews', 'messages'): fixed epochs, or early stopping."""
    e = f"{n_epochs} epoch{'s' if n_epochs != 1 else ''}"
    if patience:
        return (f"on 90 % of the fit {what} for at most {e}, stopped early on the other 10 % (patience "
                f"{patience}) with its best epoch's weights kept")
    return f"for {e} on all fit {what}"


def length_choice(tr: dict) -> str:
    """How the truncation length was chosen, true whichever way it went: the shortest candidate keeping the
    target share of the fit tokens, or the longest candidate when none keeps it."""
    target = pct(tr["keep_tokens"], 0)
    if tr["kept"] >= tr["keep_tokens"]:
        return f"the shortest candidate that keeps at least {target} of the fit tokens"
    return f"the longest candidate, since none keeps {target} of the fit tokens"



def search_caption(subset: str, table, candidates: int, top: int = 8) -> str:
    """The search table's caption; the notebooks print at most `top` rows; the takeaway is the winner's lead."""
    k = min(top, len(table))
    which = f"all {candidates} shown" if k >= candidates else f"the top {k} of {candidates} shown"
    v = table["validation accuracy"].to_numpy()
    lead = (f"the winner leads the runner-up by {acc(v[0] - v[1])} of validation accuracy" if len(v) > 1 and v[0] > v[1]
            else "the winner ties with the runner-up (a tie goes to the first candidate in grid order)" if len(v) > 1
            else "the only candidate wins")
    return f"The search's candidates ranked by validation accuracy (one fit each{subset}; {which}): {lead}."
