"""Lab 5's text core: tokenizer, vocabulary (fit documents only), truncation, GloVe reading and coverage, the LSTM
that never reads padding (same output as packed sequences and as the unpadded document), the Transformer's masked
mean pooling, its parameter-count formula, length buckets and the fast net."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from conftest import SAMPLES
from mlplab.errors import UserError
from mlplab.models.text import (BucketIterator, LSTMClassifier, TextClassifier, TransformerClassifier, count_parameters,
                                reverse_within, transformer_parameters)
from mlplab.text import eda
from mlplab.text import glove as G
from mlplab.text.tokenize import excerpt, tokenize
from mlplab.text.vocab import PAD, UNK, build_vocabulary, encode
from mlplab.training import TensorData

GLOVE_SAMPLE = SAMPLES / "text" / "glove.6B.50d.sample.txt"


def test_tokenizer_cleans_markup_and_splits_clitics_as_glove_does():
    assert tokenize("I didn't like it.<br /><br />The film's END &amp; cast: great!!") == [
        "i", "did", "n't", "like", "it", "the", "film", "'s", "end", "cast", "great", "!", "!"]
    assert tokenize("<b>Well-made</b>? Yes — 10/10") == ["well", "made", "?", "yes", "10", "10"]


def test_excerpt_is_clean_and_bounded():
    text = "A <br />review &amp; more. " + "word " * 200
    out = excerpt(text, 60)
    assert len(out) <= 60 and out.endswith("…") and "<br" not in out and "&amp;" not in out
    assert excerpt("short one", 300) == "short one"


def test_vocabulary_comes_from_the_documents_given_only():
    fit = [["good", "film", "good"], ["bad", "film"]]
    v = build_vocabulary(fit, min_count=2)
    assert v.words[:2] == ["<pad>", "<unk>"] and set(v.words[2:]) == {"good", "film"}
    assert v.ids(["good", "bad", "unseen"]) == [v.index["good"], UNK, UNK]
    assert v.n_types_seen == 3 and v.n_tokens == 5 and v.unknown_share == pytest.approx(1 / 5)
    with pytest.raises(ValueError, match="min_count"):
        build_vocabulary(fit, min_count=0)


def test_encode_keeps_head_or_tail_and_pads_at_the_end():
    v = build_vocabulary([["a", "b", "c", "d"]], min_count=1)
    ids = {w: v.index[w] for w in "abcd"}
    head = encode(v, [["a", "b", "c", "d"], ["c"], []], 3, "head")
    tail = encode(v, [["a", "b", "c", "d"]], 3, "tail")
    assert head.tolist() == [[ids["a"], ids["b"], ids["c"]], [ids["c"], PAD, PAD], [UNK, PAD, PAD]]
    assert tail.tolist() == [[ids["b"], ids["c"], ids["d"]]]


def test_glove_text_file_is_read_and_its_faults_named(tmp_path):
    vec = G.read_text_vectors(GLOVE_SAMPLE)
    assert vec.dim == 50 and len(vec.words) == 400 and vec.words[0] == "the"
    bad = tmp_path / "glove.6B.50d.txt"
    bad.write_text("the 0.1 0.2\nof 0.3\n")
    with pytest.raises(UserError, match="line 2 has 1 numbers, the first line 2"):
        G.read_text_vectors(bad)
    bad.write_text("the 0.1 x\n")
    with pytest.raises(UserError, match="not numbers after the word 'the'"):
        G.read_text_vectors(bad)


def test_glove_is_found_in_the_data_dir_for_the_requested_dimension(tmp_path):
    (tmp_path / "glove.6B.100d.txt").write_text("the " + " ".join(["0.5"] * 100) + "\n")
    kind, path = G.locate(100, data_dir=tmp_path)
    assert kind == "file" and path.name == "glove.6B.100d.txt"
    with pytest.raises(UserError, match="glove.6B.200d.txt"):
        G.locate(200, data_dir=tmp_path)
    with pytest.raises(UserError, match="glove_dim=64"):
        G.locate(64, data_dir=tmp_path)


def test_embedding_matrix_coverage_and_out_of_vocabulary_rule():
    vec = G.read_text_vectors(GLOVE_SAMPLE)
    v = build_vocabulary([["the", "the", "of", "zzqx", "zzqx", "zzqx"]], min_count=1)
    m, known, info = G.embedding_matrix(v, vec, seed=0)
    assert np.allclose(m[v.index["the"]], vec.matrix[0]) and not m[PAD].any()
    assert known.tolist() == [False, False, v.words[2] != "zzqx", v.words[3] != "zzqx", v.words[4] != "zzqx"]
    assert info["type_coverage"] == pytest.approx(2 / 3) and info["token_coverage"] == pytest.approx(3 / 6)
    assert info["missing_top"] == [("zzqx", 3)] and m[v.index["zzqx"]].any()  # a random vector, not zeros


def _docs(lengths, vocab=40, width=None, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.zeros(len(lengths), width or max(lengths), dtype=torch.long)
    for i, n in enumerate(lengths):
        x[i, :n] = torch.randint(2, vocab, (n,), generator=g)
    return x


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pooling", ["last", "max", "mean", "attention"])
def test_lstm_reads_no_padding_same_as_packed_and_unpadded(bidirectional, pooling):
    torch.manual_seed(0)
    m = LSTMClassifier(1, vocab_size=40, embed_dim=8, hidden=6, layers=2, bidirectional=bidirectional,
                       pooling=pooling).eval()
    x = _docs([9, 3, 6], width=12)
    with torch.no_grad():
        fast = m(x)
        m.packed = True
        packed = m(x)
        m.packed = False
        alone = torch.stack([m(x[i:i + 1, :n])[0] for i, n in enumerate([9, 3, 6])])
    assert torch.allclose(fast, packed, atol=1e-6) and torch.allclose(fast, alone, atol=1e-6)


def test_reverse_within_leaves_padding_in_place():
    x = torch.tensor([[1, 2, 3, 0], [4, 5, 0, 0]])
    assert reverse_within(x, torch.tensor([3, 2])).tolist() == [[3, 2, 1, 0], [5, 4, 0, 0]]


@pytest.mark.parametrize("pooling", ["mean", "max"])
def test_transformer_pooling_ignores_padding(pooling):
    torch.manual_seed(0)
    vectors = np.random.default_rng(0).normal(size=(40, 10)).astype(np.float32)
    m = TransformerClassifier(3, vectors=vectors, heads=2, layers=2, ff=16, pooling=pooling).eval()
    x = _docs([5, 2], width=5)
    wider = torch.cat([x, torch.zeros(2, 7, dtype=torch.long)], dim=1)
    with torch.no_grad():
        assert torch.allclose(m(x), m(wider), atol=1e-5)
        assert torch.allclose(m(x)[1], m(x[1:2, :2])[0], atol=1e-5)


@pytest.mark.parametrize("width,classes", [(0, 20), (16, 2), (10, 4)])
def test_transformer_parameter_formula_matches_the_module(width, classes):
    vectors = np.zeros((30, 10), dtype=np.float32)
    m = TransformerClassifier(1 if classes == 2 else classes, vectors=vectors, width=width, heads=2, layers=3, ff=24)
    c = count_parameters(m)
    f = transformer_parameters(vocab=30, dim=10, width=width or 10, ff=24, layers=3, classes=classes)
    assert c == {"total": f["total"], "trainable": f["trainable"]}


def test_parameter_formula_reproduces_the_sources_reported_counts():
    from mlplab.newsgroups import SOURCE_COUNTS, SOURCE_SIZES

    f = transformer_parameters(**SOURCE_SIZES)
    assert (f["total"], f["trainable"]) == (SOURCE_COUNTS["total"], SOURCE_COUNTS["trainable"]) == (12_012_196, 1_810_596)


def test_module_arguments_are_checked():
    with pytest.raises(ValueError, match="heads \\(3\\) must divide the model width \\(10\\)"):
        TransformerClassifier(2, vectors=np.zeros((5, 10), dtype=np.float32), heads=3)
    with pytest.raises(ValueError, match="pooling"):
        LSTMClassifier(1, vocab_size=10, pooling="sum")
    with pytest.raises(ValueError, match="pooling 'last': expected 'mean' or 'max'"):
        TransformerClassifier(2, vectors=np.zeros((5, 10), dtype=np.float32), heads=2, pooling="last")
    with pytest.raises(ValueError, match="freeze=True needs pretrained vectors"):
        LSTMClassifier(1, vocab_size=10, freeze=True)


def test_bucket_iterator_groups_similar_lengths_and_trims_batches():
    lengths = list(range(1, 65))
    x = _docs(lengths, width=64)
    data = TensorData(x, torch.zeros(64))
    it = BucketIterator(data, batch_size=8, shuffle=True, generator=torch.Generator().manual_seed(0), chunk=8)
    batches = list(it)
    assert sum(len(b) for b, _ in batches) == 64
    for b, _ in batches:
        real = (b != 0).sum(dim=1)
        assert b.shape[1] == int(real.max()) and int(real.max() - real.min()) == 7  # sorted within the chunk


def test_text_classifier_learns_a_binary_and_a_multiclass_task():
    rng = np.random.default_rng(0)
    n = 240
    y = rng.integers(0, 3, n)
    X = np.zeros((n, 12), dtype=np.int64)
    for i in range(n):
        k = rng.integers(4, 12)
        X[i, :k] = rng.integers(5, 30, k)
        X[i, rng.integers(0, k)] = 2 + y[i]  # one telling token per document
    labels = np.array(["a", "b", "c"], dtype=object)[y]
    net = TextClassifier(LSTMClassifier, max_epochs=12, batch_size=32, lr=0.01, module__vocab_size=30,
                         module__embed_dim=8, module__hidden=16, module__layers=1, module__pooling="max")
    net.fit(X, labels)
    assert (net.predict(X) == labels).mean() > 0.8 and net.predict_proba(X).shape == (n, 3)
    binary = np.where(y == 0, "neg", "pos").astype(object)
    net2 = TextClassifier(LSTMClassifier, max_epochs=12, batch_size=32, lr=0.01, module__vocab_size=30,
                          module__embed_dim=8, module__hidden=16, module__layers=1, module__pooling="max", warmup=0.1)
    net2.fit(X, binary)
    assert net2.module_.head.out_features == 1 and (net2.predict(X) == binary).mean() > 0.8
    p = net2.predict_proba(X)
    assert p.shape == (n, 2) and np.allclose(p.sum(axis=1), 1)
    with pytest.raises(ValueError, match="integer token ids"):
        net2.predict(X.astype(float))


def test_log_odds_and_truncation_choice():
    docs = [["great", "film"]] * 30 + [["awful", "film"]] * 30
    labels = np.array(["pos"] * 30 + ["neg"] * 30)
    t = eda.log_odds(docs, labels, ["neg", "pos"], top=1, min_count=5)
    assert t.set_index("class")["word"].to_dict() == {"neg": "awful", "pos": "great"}
    L = np.array([10, 20, 30, 40])
    assert eda.cut_share(L, 25) == 0.5 and eda.kept_share(L, 25) == pytest.approx(80 / 100)
    assert eda.choose_length(L, 0.8, [15, 25, 35]) == 25 and eda.choose_length(L, 0.99, [15, 25]) == 25
    chosen = eda.truncation(SimpleNamespace(fit_lengths=L), 0.8, [35, 15, 25, 25])
    assert chosen["length"] == 25 and chosen["cut"] == 0.5 and chosen["kept"] == pytest.approx(0.8)
    assert chosen["table"].shape[0] == 3  # candidates once each, in order


def test_mean_vectors_average_the_known_tokens_only():
    from mlplab.text.study import MeanVectors

    matrix = np.array([[0, 0], [9, 9], [1, 3], [3, 5], [7, 7]], dtype=np.float32)  # pad, unk, a, b, unknown-to-GloVe
    known = np.array([False, False, True, True, False])
    X = np.array([[2, 3, 4, 1, 0], [2, 2, 0, 0, 0], [4, 1, 0, 0, 0]])
    m = MeanVectors(matrix, known)
    assert m._mean(X).tolist() == [[2.0, 4.0], [1.0, 3.0], [0.0, 0.0]]


def test_text_task_predicts_a_part_once_for_its_score_and_its_details():
    """The fan-out scores the test part and then keeps its details: one pass of the network, not two."""
    from mlplab.experiment.protocol import Rows
    from mlplab.text.study import TextTask

    class Counting:
        classes_ = np.array(["neg", "pos"], dtype=object)
        calls = 0

        def predict_proba(self, X):
            Counting.calls += 1
            return np.tile([[0.2, 0.8]], (len(X), 1))

    task, model = TextTask(["neg", "pos"], positive="pos"), Counting()
    part = Rows(np.zeros((4, 3), dtype=np.int64), np.array(["pos", "pos", "neg", "pos"], dtype=object))
    assert task.score(model, part)["accuracy"] == 0.75
    assert task.detail(model, part)["y_pred"].tolist() == ["pos"] * 4 and Counting.calls == 1
    other = Rows(part.X.copy(), part.y)
    task.score(model, other)
    assert Counting.calls == 2  # another part is predicted afresh
    import pickle
    assert "_memo" not in pickle.loads(pickle.dumps(task)).__dict__  # never shipped to the workers


def test_fit_networks_records_curves_only_for_the_names_asked(monkeypatch):
    from mlplab.experiment import fanout
    from mlplab.text import study as S

    seen = {}

    def jobs_for(name, build, splits, **kw):
        seen[name] = kw["curves"]
        return []

    monkeypatch.setattr(fanout, "jobs_for", jobs_for)
    monkeypatch.setattr(fanout, "run", lambda jobs, splits, task, n_jobs=1: {})
    st = SimpleNamespace(parts=lambda s, n: [SimpleNamespace(fit=[0] * 5)], settings={}, prep=SimpleNamespace(matrix=None),
                         task=None, n_jobs=1, runs={})
    cfg = {"length": 8}
    S.fit_networks(st, {"a": cfg, "b": cfg}, labels={}, curves=("a",))
    assert seen == {"a": True, "b": False}
    S.fit_networks(st, {"a": cfg, "b": cfg}, labels={}, curves=False)
    assert seen == {"a": False, "b": False}
