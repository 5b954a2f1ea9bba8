"""Trained classifiers: training on a tiny corpus, skops round trip, refusing bad files, the
recognizer, and the ``train``/``evaluate`` commands."""

from __future__ import annotations

import dataclasses
import json
import logging
import pickle
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from analyzer import taxonomy as tx
from analyzer.classify import recognizer as rec_mod
from analyzer.classify.features import (
    LEXICON_PREFIX,
    TOKEN_PATTERN,
    PolicyFeatures,
)
from analyzer.classify.linear import LinearModel
from analyzer.classify.model import TextModel, sublinear_tf
from analyzer.classify.recognizer import NAME, ModelRecognizer
from analyzer.classify.store import (
    MODEL_NAMES,
    TRUSTED_TYPES,
    load_arrays,
    load_model,
    load_models,
    load_pipelines,
    save_model,
)
from analyzer.classify.train import default_corpora, train_all
from analyzer.datamodel import Clause
from analyzer.errors import ModelError
from analyzer.recognizers import RecognizerRegistry
from cli import cli

CORPORA = default_corpora()

OPP = {
    "First Party Collection/Use": [
        "We collect your email address when you register.",
        "We collect your name and phone number to create your account.",
        "We use cookies to collect information about your device.",
        "We collect location data from your phone.",
    ],
    "Third Party Sharing/Collection": [
        "We share your information with advertising partners.",
        "We may disclose your data to third parties for marketing.",
        "Third parties may collect information about you through our site.",
        "We sell personal information to data brokers.",
    ],
    "Data Retention": [
        "We keep your data for thirty days and then delete it.",
        "We retain logs for twelve months.",
        "Your data is stored as long as your account is active.",
        "We retain records for seven years.",
    ],
    "Data Security": [
        "We use encryption to protect your data.",
        "We protect your information with secure servers.",
        "Our staff is trained on security and access is restricted.",
        "We use SSL to secure transmission.",
    ],
}

GOPPC_PARAS = [
    ("10.5", "We process your data on the basis of your consent."),
    ("10.3", "We rely on our legitimate interests to process your data."),
    ("10.1", "Processing is necessary for the performance of our contract with you."),
    ("10.6", "We process data to comply with a legal obligation."),
    ("17.1", "We share your data with service providers and partners."),
    ("4.6", "You have the right to object to processing at any time."),
    ("4.9", "You may withdraw your consent at any time."),
    ("11", "We use your data to improve our services and for analytics."),
    ("19", "Welcome to our website."),
]

VAGUE = [
    ("We may share some information with certain partners as necessary.", ["4", "4", "5"]),
    ("We might use various data from time to time as appropriate.", ["5", "4", "4"]),
    ("Generally, we may collect some data where possible.", ["4", "3", "4"]),
    ("We delete your account data 30 days after you close it.", ["1", "1", "1"]),
    ("Your password is stored encrypted with bcrypt.", ["1", "2", "1"]),
    ("We send you one e-mail to confirm the order.", ["1", "1", "2"]),
]


def write_tiny_corpora(root: Path) -> Path:
    (root / "opp115").mkdir(parents=True)
    rows = [{"text": t, "labels": [lab]} for lab, ts in OPP.items() for t in ts]
    for name, part in [("train", rows), ("validation", rows[::2])]:
        with (root / "opp115" / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
            for r in part:
                fh.write(json.dumps(r) + "\n")
    pol = root / "goppc150" / "policies"
    pol.mkdir(parents=True)
    for i in range(1, 7):
        body = "".join(
            f'<paragraph category="{c};{c}">{t} (policy {i})</paragraph>\n' for c, t in GOPPC_PARAS
        )
        (pol / f"{i}.xml").write_text(f"<policy>\n{body}</policy>\n", encoding="utf-8")
    (root / "vagueness").mkdir()
    with (root / "vagueness" / "docs.jsonl").open("w", encoding="utf-8") as fh:
        for d in range(5):
            sents = [
                {"sentence_str": f"{t} ({d})", "scores": s, "vague_phrases": {}} for t, s in VAGUE
            ]
            fh.write(json.dumps({"id": str(d), "type": "Document", "vague_sentences": sents}))
            fh.write("\n")
    terms = "may\nmight\nsome\ncertain\nvarious\nfrom time to time\nas necessary\ngenerally\n"
    (root / "vagueness" / "vague_terms").write_text(terms, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("tiny")
    corpora = write_tiny_corpora(base / "corpora")
    out = base / "models"
    reports = train_all(corpora, out)
    return {"corpora": corpora, "models": out, "reports": reports}  # type: ignore[dict-item]


def test_train_writes_models_and_cards(tiny):
    for name in MODEL_NAMES:
        assert (tiny["models"] / f"{name}.skops").is_file()
        assert (tiny["models"] / f"{name}.npz").is_file()
        card = (tiny["models"] / f"{name}.md").read_text(encoding="utf-8")
        assert "Licence" in card and "code version 0.1.0" in card and "Macro-F1" in card
        assert f"`models/{name}.npz`" in card and "allow_pickle=False" in card
    assert "non-commercial" in (tiny["models"] / "opp115.md").read_text(encoding="utf-8")
    # the tiny corpus is separable: training reaches it
    assert tiny["reports"]["opp115"]["validation"]["macro_f1"] >= 0.75


def test_training_is_reproducible(tiny, tmp_path):
    again = train_all(tiny["corpora"], tmp_path, tasks=["opp115", "vagueness"])
    for name in again:
        a, b = dict(again[name]), dict(tiny["reports"][name])
        a.pop("train_seconds"), b.pop("train_seconds")
        assert a == b
    m1 = load_model(tiny["models"] / "opp115.skops")
    m2 = load_model(tmp_path / "opp115.skops")
    texts = ["We keep your data for a year.", "We share data with partners."]
    assert np.array_equal(m1.predict_proba(texts), m2.predict_proba(texts))
    a1 = load_arrays(tiny["models"] / "opp115.skops", "opp115")
    a2 = load_arrays(tmp_path / "opp115.skops", "opp115")
    assert np.array_equal(a1.predict_proba(texts), a2.predict_proba(texts))
    assert np.array_equal(a1.coef_t, a2.coef_t) and np.array_equal(a1.idf, a2.idf)


def test_round_trip_same_predictions(tiny, tmp_path):
    models = load_pipelines(tiny["models"])
    texts = [t for ts in OPP.values() for t in ts] + [t for _, t in GOPPC_PARAS]
    for name, model in models.items():
        path = save_model(model, tmp_path / f"{name}.skops")
        back = load_model(path, name)
        assert back.labels == model.labels and back.thresholds == model.thresholds
        assert np.array_equal(back.predict_proba(texts), model.predict_proba(texts))
        # the stacked-weights shortcut agrees with scikit-learn's own pipeline
        ref = back.pipeline.predict_proba(back.features.to_union().transform(texts))
        if len(back.labels) == 1:  # one label: scikit-learn returns both classes
            ref = ref[:, 1:]
        assert np.allclose(back.predict_proba(texts), ref, atol=1e-9)
    v = models["vagueness"]
    assert np.array_equal(load_model(tmp_path / "vagueness.skops").regress(texts), v.regress(texts))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(alphabet="abcdeimtyo ,.\nweshardpnkt", max_size=80), max_size=6))
def test_folded_route_equals_the_stock_tfidf(tiny_pipelines, extra):
    """``predict_tf`` (idf folded into the weights) gives the probabilities and scores of
    scikit-learn's tf-idf step followed by the heads, also for empty rows."""
    texts = [*extra, "", "We share your data with partners.", "We may keep some data."]
    texts += [t for ts in OPP.values() for t in ts]
    for model in tiny_pipelines.values():
        raw = model.featurize(texts)
        proba, score = model.predict_tf(sublinear_tf(raw), raw)
        weighted = model.weigh(raw)
        assert np.allclose(proba, model.proba_from(weighted), rtol=0, atol=1e-9)
        if model.regressor is not None:
            assert np.allclose(score, model.regress_from(weighted), rtol=0, atol=1e-9)
        else:
            assert score is None


def test_folded_route_falls_back_on_other_tfidf_settings(tiny_pipelines, tmp_path):
    """A tf-idf step the folded route does not reproduce goes through scikit-learn, and
    cannot be written as inference arrays."""
    from sklearn.base import clone

    model = tiny_pipelines["opp115"]
    texts = [t for ts in OPP.values() for t in ts]
    raw = model.featurize(texts)
    tfidf = clone(model.pipeline.named_steps["tfidf"]).set_params(norm=None).fit(raw)
    pipe = Pipeline([("tfidf", tfidf), model.pipeline.steps[1]])
    other = dataclasses.replace(model, pipeline=pipe)
    assert other._folded is None
    proba, score = other.predict_tf(sublinear_tf(raw), raw)
    assert np.array_equal(proba, other.proba_from(other.weigh(raw))) and score is None
    with pytest.raises(ModelError, match="sublinear_tf=True"):
        save_model(other, tmp_path / "opp115.skops")


def test_refuses_pickle(tiny, tmp_path):
    model = load_model(tiny["models"] / "opp115.skops")
    bad = tmp_path / "opp115.skops"
    bad.write_bytes(pickle.dumps({"pipeline": model.pipeline}))
    with pytest.raises(ModelError, match="not a skops archive.*retrain with `policydiff train`"):
        load_model(bad)


def _rewrite_schema(src: Path, dst: Path, old: str, new: str) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "schema.json":
                data = data.replace(old.encode(), new.encode())
            zout.writestr(item, data)


def test_refuses_tampered_types(tiny, tmp_path):
    src = tiny["models"] / "opp115.skops"
    bad = tmp_path / "opp115.skops"
    _rewrite_schema(src, bad, '"TfidfTransformer"', '"Popen"')
    _rewrite_schema(bad, tmp_path / "t2.skops", '"sklearn.feature_extraction.text"', '"subprocess"')
    with pytest.raises(ModelError, match="never reviewed.*subprocess.Popen"):
        load_model(tmp_path / "t2.skops")


def test_refuses_corrupt_and_wrong_schema(tiny, tmp_path):
    raw = bytearray((tiny["models"] / "goppc.skops").read_bytes())
    mid = len(raw) // 2
    raw[mid : mid + 64] = bytes(64)
    corrupt = tmp_path / "goppc.skops"
    corrupt.write_bytes(bytes(raw))
    with pytest.raises(ModelError, match="goppc.skops"):
        load_model(corrupt)
    other = tmp_path / "other.skops"
    sio.dump({"schema": "someone.else/1", "weights": [1.0]}, other)
    with pytest.raises(ModelError, match="missing"):
        load_model(other)
    sio.dump([1, 2, 3], other)
    with pytest.raises(ModelError, match="expected a dict"):
        load_model(other)
    with pytest.raises(ModelError, match="name 'opp115', expected 'goppc'"):
        load_model(tiny["models"] / "opp115.skops", "goppc")
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "nowhere.skops")


def _features(lexicon=("may", "from time to time"), extra=()) -> PolicyFeatures:
    texts = [
        "We may, from time to time, share data with partners.",
        "We share data with partners and may keep it.",
        *extra,
    ]
    return PolicyFeatures.fit(texts, lexicon=lexicon, min_df=1)


def test_features_name_their_columns():
    f = _features()
    n = f.n_vocabulary
    assert f.vocabulary == tuple(sorted(f.vocabulary)) and "share data" in f.vocabulary
    text = "We may, from time to time, share data."
    x = f.transform([text])
    names = f.column_terms(text)
    assert set(x.indices) == set(names)
    assert names[f.vocabulary.index("share data")] == "share data"
    assert names[n] == LEXICON_PREFIX + "may"
    assert names[n + 1] == LEXICON_PREFIX + "from time to time"
    assert x[0, n] == 1
    assert f.column_terms(text, lexicon=False) == {c: t for c, t in names.items() if c < n}
    assert f.term(n + 1) == LEXICON_PREFIX + "from time to time"


def test_vocabulary_is_chosen_by_document_frequency():
    texts = ["data data shared", "data kept", "kept once"]
    f = PolicyFeatures.fit(texts, min_df=2)
    assert f.vocabulary == ("data", "kept")  # "shared", "data shared"... occur in one text
    assert f.transform(["Data data, KEPT!"]).toarray().tolist() == [[2.0, 1.0]]
    with pytest.raises(ValueError):
        PolicyFeatures.fit(["a b", "c d"], min_df=2)  # no n-gram left


@pytest.mark.parametrize(
    "vocabulary",
    [[], ["data", "data"], ["Data"], ["a"], ["share  data"], ["one two three"], ["e-mail"]],
)
def test_refuses_a_vocabulary_that_is_not_word_ngrams(vocabulary):
    with pytest.raises(ValueError):
        PolicyFeatures(vocabulary)


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("We may, from time to time, share data.", [1, 1, 0]),
        ("MAY may Mayday dismay", [2, 0, 0]),
        ("from time to time and from time to time", [0, 2, 0]),
        ("not limited to may", [1, 0, 1]),
        ("nothing here", [0, 0, 0]),
        ("from time, to time", [0, 1, 0]),  # like every n-gram: punctuation is not a word
    ],
)
def test_lexicon_counts_its_terms(text, counts):
    f = PolicyFeatures(["data"], lexicon=("May", "from time to time", "not  limited to"))
    assert f.lexicon == ("may", "from time to time", "not limited to")
    assert f.transform([text])[0, 1:].toarray().ravel().tolist() == counts
    # the same counts as the 1-4 grams of scikit-learn's vectorizer
    ngrams = CountVectorizer(vocabulary=list(f.lexicon), ngram_range=(1, 4))
    assert ngrams.transform([text]).toarray().ravel().tolist() == counts


_TRICKY = [
    "",
    "a",
    "I am a b c d e",
    "We MAY, from time to time, share data -- e-mail/phone (e.g. IDs) 3rd-party_data.",
    "Können wir Ihre Daten übermitteln? Ja: l'été, naïve café; 数据 共享 ٢٠٢٤ x1 y",
    "ΟΔΟΣ ΣΟΦΟΣ İstanbul ǅemal ﬁle Straße ½ x² ⅷ",
    "cafe\u0301 combining marks, a‿tie, zero\u200bwidth",
    "tabs\tand\nnew lines\r\n  and   spaces",
    "punctuation!!!only???",
    "lone surrogate data\udcffshare data \ud800",  # JSON "\\udcff" gives such a str
]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab é_1 ,.-'\n\tÜ数", max_size=80))
def test_token_pattern_gives_scikit_learns_default_tokens(text):
    """The faster ``\\w\\w+`` finds exactly the tokens of ``\\b\\w\\w+\\b``."""
    default = re.compile(r"(?u)\b\w\w+\b")
    for t in [text, *_TRICKY]:
        assert re.findall(TOKEN_PATTERN, t) == default.findall(t)


_ALPHABET = "abcdeimtyo ,.\nÉΣß_1²\u0301数"


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(alphabet=_ALPHABET, max_size=60), min_size=1, max_size=6),
    st.lists(st.text(alphabet=_ALPHABET, max_size=60), min_size=1, max_size=6),
)
def test_fast_transform_equals_the_stock_union(train, texts):
    """``PolicyFeatures.transform`` (polars) gives the matrix of the stock scikit-learn
    union of ``to_union``, on texts whose n-grams are partly in the vocabulary."""
    try:
        f = PolicyFeatures.fit([*train, *_TRICKY], lexicon=("may", "to do", "ab ab ab"), min_df=1)
    except ValueError:  # no word at all
        return
    texts = [*texts, *train, *_TRICKY]
    fast, ref = f.transform(texts), f.to_union().transform(texts)
    assert fast.format == "csr" and fast.dtype == ref.dtype == np.float64
    assert fast.shape == ref.shape and (fast != ref).nnz == 0
    assert fast.has_canonical_format


def test_fast_transform_without_unigrams_or_lexicon():
    """A vocabulary may hold a bigram without its words; a space may have no lexicon."""
    f = PolicyFeatures(["share data", "zz"])
    texts = ["share data, share", "data share data", "", "zz zz"]
    assert f.transform(texts).toarray().tolist() == [[1, 0], [1, 0], [0, 0], [0, 2]]
    assert (f.transform(texts) != f.to_union().transform(texts)).nnz == 0
    unigrams = PolicyFeatures(["data", "share"], lexicon=("share",), ngram_range=(1, 1))
    assert unigrams.transform(["share data share"]).toarray().tolist() == [[1, 2, 2]]
    assert unigrams.transform([]).shape == (0, 3)


@pytest.mark.skipif(not CORPORA.is_dir(), reason=f"shared corpora not found at {CORPORA}")
def test_fast_transform_equals_the_stock_union_on_real_policies():
    from corpora.opp115 import read_jsonl

    rows = read_jsonl(CORPORA / "opp115" / "validation.jsonl")
    texts = [r.text for r in rows]
    f = PolicyFeatures.fit(texts[::2], lexicon=("may", "from time to time", "not limited to"))
    assert (f.transform(texts) != f.to_union().transform(texts)).nnz == 0


def test_state_round_trip_and_refusals():
    f = _features(extra=("Können wir Daten übermitteln",))
    back = PolicyFeatures.from_state(f.to_state())
    assert back.vocabulary == f.vocabulary and back.lexicon == f.lexicon
    assert back.key() == f.key() != _features(lexicon=("may",)).key()
    state = f.to_state()
    for bad in (
        {**state, "kind": "other"},
        {**state, "token_pattern": "\\S+"},
        {**state, "vocabulary": list(f.vocabulary)},
        {**state, "vocabulary": np.frombuffer(b"\xff\xfe", dtype=np.uint8)},
        {**state, "lexicon": "may"},
        {**state, "lexicon": ["May"]},
        {**state, "ngram_range": [1, 3]},
        ["not", "a", "dict"],
    ):
        with pytest.raises((ValueError, UnicodeDecodeError)):
            PolicyFeatures.from_state(bad)


def test_models_hold_stock_components_only(tiny):
    for name in MODEL_NAMES:
        path = tiny["models"] / f"{name}.skops"
        untrusted = sio.get_untrusted_types(file=path)
        assert set(untrusted) <= set(TRUSTED_TYPES)
        assert not any(t.startswith("analyzer.") for t in untrusted)
        model = load_model(path, name)
        assert list(model.pipeline.named_steps) == ["tfidf", "clf"]
        union = model.features.to_union()
        assert isinstance(union, FeatureUnion)
        assert [type(t).__name__ for _, t in union.transformer_list] == [
            "CountVectorizer",
            "CountVectorizer",
        ]
    # one vocabulary for all models
    keys = {load_model(tiny["models"] / f"{n}.skops").features.key() for n in MODEL_NAMES}
    assert len(keys) == 1


def test_refuses_foreign_features(tiny, tmp_path):
    model = load_model(tiny["models"] / "opp115.skops")
    other = PolicyFeatures(["data", "share"])
    with pytest.raises(ModelError, match="tf-idf step has .* columns, the features 2"):
        save_model(dataclasses.replace(model, features=other), tmp_path / "opp115.skops")
    payload = sio.loads((tiny["models"] / "opp115.skops").read_bytes(), trusted=list(TRUSTED_TYPES))
    path = tmp_path / "opp115.skops"
    sio.dump({**payload, "features": other.to_state()}, path)
    with pytest.raises(ModelError, match="tf-idf step has .* columns, the features 2"):
        load_model(path)
    payload["features"] = {"kind": "hashing"}
    bad = tmp_path / "bad.skops"
    sio.dump(payload, bad)
    with pytest.raises(ModelError, match="unexpected features"):
        load_model(bad)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=80), min_size=1, max_size=6))
def test_predictions_do_not_depend_on_the_batch(tiny_models, texts):
    model = tiny_models["opp115"]
    batch = model.predict_proba(texts)
    one = np.vstack([model.predict_proba([t]) for t in texts])
    assert np.allclose(batch, one)
    assert ((batch >= 0) & (batch <= 1)).all()


@pytest.fixture(scope="module")
def tiny_models(tiny) -> dict[str, LinearModel]:
    """The tiny models as the engine loads them: inference arrays."""
    return load_models(tiny["models"])


@pytest.fixture(scope="module")
def tiny_pipelines(tiny) -> dict[str, TextModel]:
    """The tiny models as scikit-learn pipelines (skops files)."""
    return load_pipelines(tiny["models"])


def _clause(text: str, i: int = 0, context: str = "") -> Clause:
    return Clause(f"c{i}", i, text, text.lower(), "sentence", (), 0, len(text), context)


def test_model_recognizer_annotations(tiny_models):
    rec = ModelRecognizer(models=tiny_models)
    clauses = [
        _clause("We share your data with service providers and partners.", 0),
        _clause("You have the right to object to processing at any time.", 1),
        _clause("We may share some information with certain partners as necessary.", 2),
        _clause("We rely on our legitimate interests to process your data.", 3),
    ]
    anns = rec.analyze(clauses, [])
    assert anns, "the tiny models should fire on their own training sentences"
    for a in anns:
        assert tx.is_known(a.kind, a.label), (a.kind, a.label)
        assert a.explanation.source == "model" and a.explanation.recognizer == NAME
        assert a.explanation.pattern in MODEL_NAMES
        assert 0.0 <= a.score <= 1.0
        assert a.span.text == clauses[int(a.clause_id[1:])].text
        assert a.explanation.detail
    got = {(a.clause_id, a.kind, a.label) for a in anns}
    assert ("c0", "recipient", "shared") in got
    assert ("c1", "choice", "opt_out") in got
    assert ("c3", "legal_basis", "legitimate_interests") in got
    vague = [a for a in anns if a.kind == "vague"]
    assert vague and vague[0].clause_id == "c2"
    assert float(vague[0].qualifier("vagueness_score")[0]) >= 3.0
    share = next(a for a in anns if a.label == "shared")
    # named after n-grams of the clause (in the tiny corpus many tie; ties keep column order)
    top = share.explanation.top_terms
    assert top and all(t in clauses[0].text.lower() for t in top)
    assert set(top) <= {
        "and partners",
        "data with",
        "partners",
        "providers",
        "providers and",
        "service",
        "service providers",
        "share",
        "share your",
        "we share",
    }
    assert rec.analyze([], []) == []


def test_default_registry_without_models_warns(monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(rec_mod, "default_models_dir", lambda: tmp_path)
    rec_mod._CACHE.clear()
    with caplog.at_level(logging.WARNING):
        reg = RecognizerRegistry.default()
    assert NAME not in [r.name for r in reg.recognizers]
    assert "disabled" in caplog.text and "retrain with `policydiff train`" in caplog.text


def test_default_registry_with_models(monkeypatch, tiny):
    monkeypatch.setattr(rec_mod, "default_models_dir", lambda: tiny["models"])
    rec_mod._CACHE.clear()
    reg = RecognizerRegistry.default()
    assert NAME in [r.name for r in reg.recognizers]
    rec_mod._CACHE.clear()


def test_cli_evaluate_json(tiny, tmp_path):
    data = tmp_path / "held_out.jsonl"
    rows = [
        {"text": "We retain your data for two years.", "labels": ["Data Retention"]},
        {"text": "We encrypt data to protect it.", "labels": ["Data Security"]},
        {"text": "We share data with advertisers.", "labels": ["Third Party Sharing/Collection"]},
        {"text": "Odd", "labels": ["Something Else"]},
    ]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    args = ["evaluate", "opp115", str(data), "--format", "json", "--models", str(tiny["models"])]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert 0.0 <= out["macro_f1"] <= 1.0 and 0.0 <= out["micro_f1"] <= 1.0
    assert out["n"] == 4 and out["unknown_labels"] == {"Something Else": 1}
    assert out["per_class"]["Data Retention"]["support"] == 1
    text = CliRunner().invoke(cli, args[:3] + ["--models", str(tiny["models"])])
    assert text.exit_code == 0 and "macro_f1" in text.output


def test_cli_evaluate_other_tasks(tiny):
    m = str(tiny["models"])
    c = tiny["corpora"]
    res = CliRunner().invoke(
        cli, ["evaluate", "goppc", str(c / "goppc150"), "--format", "json", "--models", m]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["policies"] == 6 and "legal_basis_macro_f1" in out and "macro_f1" in out
    res = CliRunner().invoke(
        cli,
        [
            "evaluate",
            "vagueness",
            str(c / "vagueness/docs.jsonl"),
            "--format",
            "json",
            "--models",
            m,
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["n"] == 30 and {"pearson", "spearman", "f1_vague", "macro_f1"} <= set(out)


def test_cli_errors_are_one_line(tmp_path):
    (tmp_path / "x.jsonl").write_text('{"text": "a", "labels": []}\n', encoding="utf-8")
    res = CliRunner().invoke(
        cli, ["evaluate", "opp115", str(tmp_path / "x.jsonl"), "--models", str(tmp_path)]
    )
    assert res.exit_code == 2
    assert "Error:" in res.output and "retrain with `policydiff train`" in res.output
    res = CliRunner().invoke(cli, ["train", "--corpora", str(tmp_path / "none")])
    assert res.exit_code == 2 and "corpora folder not found" in res.output


def test_cli_train_twice_same_metrics(tiny, tmp_path):
    args = ["train", "--corpora", str(tiny["corpora"]), "--task", "goppc"]
    a = CliRunner().invoke(cli, [*args, "--output", str(tmp_path / "a")])
    b = CliRunner().invoke(cli, [*args, "--output", str(tmp_path / "b")])
    assert a.exit_code == 0 and b.exit_code == 0, a.output
    strip = lambda s: [ln.split(" (")[0] for ln in s.splitlines() if ln.startswith("goppc:")]  # noqa: E731
    assert strip(a.stdout) == strip(b.stdout) and strip(a.stdout)


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_commands_have_help(command):
    res = CliRunner().invoke(cli, [command, "--help"])
    assert res.exit_code == 0 and "Usage" in res.output


def test_model_recognizer_skips_non_english_docs(tiny_models):
    from analyzer.nlp import get_nlp

    rec = ModelRecognizer(models=tiny_models)
    text = "We share your data with service providers and partners."
    clauses = [_clause(text, 0), _clause(text, 1)]
    docs = [get_nlp("en")(text), get_nlp("de")(text)]
    anns = rec.analyze(clauses, docs)
    assert anns and {a.clause_id for a in anns} == {"c0"}


@pytest.mark.parametrize("kind", ["arrays", "pipelines"])
def test_name_top_many_equals_name_top_per_pair(tiny_models, tiny_pipelines, kind):
    """The batched explanation names the same terms as explaining each pair alone."""
    texts = [
        "We share your data with service providers and partners.",
        "We may, from time to time, use certain data as needed.",
        "",
        "the of and to",
        "You have the right to object to processing at any time; we keep logs for 30 days.",
        "We collect your email address and we collect your email address again.",
    ]
    models = tiny_models if kind == "arrays" else tiny_pipelines
    for model in models.values():
        weighted = model.weigh(model.featurize(texts))
        labels = [*range(len(model.labels)), *([-1] if model._reg_coef.size else [])]
        pairs = [(i, j) for i in range(len(texts)) for j in labels]
        for k in (1, 3, 5):
            many = model.name_top_many(weighted, pairs, k)
            for (i, j), top in zip(pairs, many, strict=True):
                lo, hi = weighted.indptr[i], weighted.indptr[i + 1]
                cols, values = weighted.indices[lo:hi], weighted.data[lo:hi]
                if j >= 0:
                    contrib = model.contributions(cols, values)[j]
                else:
                    contrib = model.regressor_contributions(cols, values)
                assert top == model.name_top(cols, contrib, k)
        assert any(model.name_top_many(weighted, pairs, 5))  # something was named
        assert model.name_top_many(weighted, []) == []
