"""The propensity library on small but real data: training, calibration, guards, TreeSHAP, the registry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import training_settings
from sklearn.metrics import roc_auc_score

from customer_ai import explain, registry
from customer_ai.features import FeatureSpec
from customer_ai.propensity import (
    STATUS_INSUFFICIENT,
    STATUS_LEAKAGE,
    STATUS_POOR,
    STATUS_TRAINED,
    informative_columns,
    lift_gains,
    predict_probability,
    probability_and_raw_score,
    split_by_profile,
    train_prediction,
    tree_model,
    univariate_aucs,
)

FEATURES = ["recent_views", "days_since_visit", "orders", "noise", "tier"]
SETTINGS = training_settings(min_positive_examples=100, min_negative_examples=100)


def examples(n: int = 6_000, seed: int = 0, signal: float = 1.0) -> pd.DataFrame:
    """Profiles at two snapshots; recent views and short visit gaps drive the label (signal=0: pure noise)."""
    rng = np.random.default_rng(seed)
    recent_views = rng.poisson(1.0, n).astype(float)
    days_since_visit = rng.exponential(20, n)
    days_since_visit[rng.random(n) < 0.1] = np.nan  # never visited
    orders = rng.poisson(0.5, n).astype(float)
    tier = rng.choice(["gold", "silver", None], size=n, p=[0.2, 0.7, 0.1])
    logit = -2.2 + signal * (
        0.9 * recent_views - 0.05 * np.nan_to_num(days_since_visit, nan=60) + 0.8 * (tier == "gold")
    )
    label = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame(
        {
            "profile_id": [f"p{i // 2}" for i in range(n)],
            "snapshot_date": np.where(np.arange(n) % 2 == 0, "2025-06-01", "2025-07-01"),
            "recent_views": recent_views,
            "days_since_visit": days_since_visit,
            "orders": orders,
            "noise": rng.normal(size=n),
            "tier": tier,
            "label": label,
        }
    )


@pytest.fixture(scope="module")
def trained():
    frame = examples()
    return frame, train_prediction(frame, FEATURES, ["tier"], SETTINGS, "buy")


def test_trains_a_useful_model(trained):
    _, result = trained
    assert result.status == STATUS_TRAINED, result.message
    assert result.metrics["auc"] > 0.75
    assert result.counts["holdout_rows"] > 0
    ranked = sorted(result.global_importance, key=result.global_importance.get, reverse=True)
    assert set(ranked[:2]) == {"recent_views", "days_since_visit"}
    assert ranked[-1] in {"noise", "orders"}


def test_holdout_is_split_by_profile():
    frame = examples(2_000)
    side = split_by_profile(frame["profile_id"], SETTINGS)
    sides_per_profile = pd.Series(side).groupby(frame["profile_id"].to_numpy()).nunique()
    assert sides_per_profile.max() == 1
    assert 0.15 < (side == "holdout").mean() < 0.25
    # stable: the same profile always lands on the same side, whatever else is in the data
    assert (split_by_profile(frame["profile_id"][:100], SETTINGS) == side[:100]).all()


def test_calibration_improves_or_keeps_holdout_log_loss(trained):
    _, result = trained
    assert result.metrics["log_loss"] <= result.metrics["log_loss_uncalibrated"] + 1e-9


def test_same_data_gives_identical_probabilities():
    frame = examples(3_000, seed=4)
    a = train_prediction(frame, FEATURES, ["tier"], SETTINGS, "buy")
    b = train_prediction(frame.sample(frac=1.0, random_state=1), FEATURES, ["tier"], SETTINGS, "buy")
    matrix = a.features.matrix(frame)
    np.testing.assert_array_equal(predict_probability(a.model, matrix), predict_probability(b.model, matrix))


def test_scoring_walks_the_trees_once_for_the_same_probability_and_raw_score(trained, monkeypatch):
    frame, result = trained
    matrix = result.features.matrix(frame)
    trees = tree_model(result.model)
    expected_raw = trees.decision_function(matrix)
    walks = []
    original = type(trees).decision_function
    monkeypatch.setattr(type(trees), "decision_function", lambda self, x: walks.append(1) or original(self, x))
    probability, raw = probability_and_raw_score(result.model, matrix)
    monkeypatch.undo()
    assert len(walks) == 1
    np.testing.assert_array_equal(raw, expected_raw)
    np.testing.assert_array_equal(probability, predict_probability(result.model, matrix))


def test_the_scoring_matrix_is_column_major_and_its_layout_changes_no_value(trained):
    # scikit-learn's tree predictor reads one feature of consecutive rows at each node: on a column-major matrix
    # it walked the trees over 483,720 profiles 3-4x faster. The layout is speed only: values are the same either way.
    frame, result = trained
    matrix = result.features.matrix(frame)
    assert matrix.flags["F_CONTIGUOUS"] and not matrix.flags["C_CONTIGUOUS"]
    row_major = np.ascontiguousarray(matrix)
    scored = probability_and_raw_score(result.model, matrix)
    for a, b in zip(scored, probability_and_raw_score(result.model, row_major), strict=True):
        np.testing.assert_array_equal(a, b)
    trees = tree_model(result.model)
    np.testing.assert_array_equal(explain.shap_values(trees, matrix)[0], explain.shap_values(trees, row_major)[0])


def test_training_evaluates_on_column_major_rows(monkeypatch):
    # the holdout evaluation walks the trees as scoring does, so it gets scoring's faster layout too
    import functools

    from sklearn.ensemble import HistGradientBoostingClassifier

    walked = []
    for method in ("decision_function", "predict_proba"):
        original = getattr(HistGradientBoostingClassifier, method)

        @functools.wraps(original)  # scikit-learn looks the method up by its name
        def recording(self, X, original=original, method=method):
            walked.append((method, len(X), X.flags["F_CONTIGUOUS"]))
            return original(self, X)

        monkeypatch.setattr(HistGradientBoostingClassifier, method, recording)
    result = train_prediction(examples(), FEATURES, ["tier"], SETTINGS)
    assert result.status == STATUS_TRAINED
    holdout = [(method, column_major) for method, rows, column_major in walked if rows == result.counts["holdout_rows"]]
    # the calibrated probability (through the trees' raw score) and the trees' own probability
    assert holdout == [("decision_function", True), ("predict_proba", True)], walked


def test_shap_contributions_add_up_to_the_raw_score_for_every_row(trained):
    frame, result = trained
    trees = tree_model(result.model)
    matrix = result.features.matrix(frame)
    assert np.isnan(matrix).any()  # missing values included
    values, base = explain.shap_values(trees, matrix)
    np.testing.assert_allclose(base + values.sum(axis=1), trees.decision_function(matrix), rtol=0, atol=1e-6)


def test_reason_codes_rank_factors_by_absolute_contribution(trained):
    frame, result = trained
    trees = tree_model(result.model)
    labels = {"recent_views": "Product views in the last 7 days"}
    keys = frame[["profile_id", "snapshot_date"]]
    batches = [(keys.iloc[i : i + 500], result.features.matrix(frame.iloc[i : i + 500])) for i in range(0, 2_000, 500)]
    factors = pd.concat(explain.explain_batches(trees, batches, result.features, labels, k=3))
    assert factors.groupby(["profile_id", "snapshot_date"]).size().max() == 3
    assert factors["profile_id"].nunique() == 1_000  # 2,000 rows = 1,000 profiles x 2 snapshots
    by_row = factors.groupby(["profile_id", "snapshot_date"])
    assert (by_row["contribution"].apply(lambda c: (np.diff(np.abs(c.to_numpy())) <= 1e-12).all())).all()
    assert set(factors["direction"]) <= {"raises", "lowers"}
    assert ((factors["contribution"] > 0) == (factors["direction"] == "raises")).all()
    views = factors[factors["factor_code"] == "recent_views"]
    assert (views["factor_label"] == "Product views in the last 7 days").all()
    tiers = factors[factors["factor_code"] == "tier"]["factor_value_text"]
    assert set(tiers) <= {"gold", "silver", "none"}


def test_importance_rule():
    assert list(explain.importance_of(np.array([0.5, -0.4, 0.2, -0.05]))) == ["high", "high", "medium", "low"]


def test_too_few_examples_is_insufficient_data_with_counts():
    frame = examples(400)
    result = train_prediction(frame, FEATURES, ["tier"], training_settings(), "buy")
    assert result.status == STATUS_INSUFFICIENT
    positives = int(frame["label"].sum())
    assert f"{positives:,} positive and {len(frame) - positives:,} negative" in result.message
    assert "at least 500 positive and 500 negative" in result.message
    assert result.model is None


def test_noise_labels_give_poor_quality():
    result = train_prediction(examples(4_000, seed=2, signal=0.0), FEATURES, ["tier"], SETTINGS, "buy")
    assert result.status == STATUS_POOR, result.message
    assert result.metrics["auc"] < 0.65
    assert "below 0.65" in result.message
    assert result.model is not None  # still scored, flagged as poor


def test_leakage_guard_refuses_a_feature_built_from_the_label_window():
    frame = examples(3_000)
    # "purchases in the 30 days after the snapshot": the label itself, lightly disguised
    frame["purchases_next_30d"] = frame["label"] * 2 + np.random.default_rng(0).random(len(frame)) * 0.5
    result = train_prediction(frame, [*FEATURES, "purchases_next_30d"], ["tier"], SETTINGS, "buy")
    assert result.status == STATUS_LEAKAGE
    assert "purchases_next_30d" in result.message
    assert result.model is None


def univariate_auc(x: np.ndarray, y: np.ndarray) -> float:
    """The AUC of one column alone."""
    return float(univariate_aucs(x.reshape(-1, 1), y)[0])


def test_univariate_auc_of_constant_missing_and_one_class_columns():
    y = np.array([0, 1, 0, 1, 1])
    nan = np.nan
    assert univariate_auc(np.full(5, 3.0), y) == 0.5  # constant: no information
    assert univariate_auc(np.full(5, nan), y) == 0.5  # never observed
    assert univariate_auc(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.ones(5, dtype=int)) == 0.5  # one class
    # missing counts as the lowest value: a value present only for the positives separates them perfectly
    assert univariate_auc(np.array([nan, 7.0, nan, 7.0, 7.0]), y) == 1.0
    # either direction: a feature lower for the positives is as informative
    assert univariate_auc(np.array([9.0, 1.0, 8.0, 2.0, 3.0]), y) == 1.0


def test_univariate_aucs_of_a_matrix_equal_roc_auc_score_per_column():
    rng = np.random.default_rng(3)
    y = (rng.random(2_000) < 0.3).astype(int)
    columns = {
        "continuous": rng.normal(size=2_000) + y,
        "few_tied_values": rng.poisson(1.0 + y).astype(float),
        "missing_often": np.where(rng.random(2_000) < 0.4, np.nan, rng.normal(size=2_000) - y),
        "lower_for_positives": -rng.exponential(1.0, 2_000) * (1 + y),
    }
    matrix = np.column_stack(list(columns.values()))
    expected = []
    for x in columns.values():
        auc = roc_auc_score(y, np.where(np.isnan(x), np.nanmin(x) - 1.0, x))
        expected.append(max(auc, 1 - auc))
    assert np.allclose(univariate_aucs(matrix, y), expected, rtol=0, atol=1e-12)
    assert np.allclose(univariate_aucs(matrix, y, block=3), expected, rtol=0, atol=1e-12)  # ranked in two blocks
    assert min(expected) > 0.55  # every column carries signal, in one direction or the other


def test_lift_and_gains_by_decile():
    y = np.array([1] * 10 + [0] * 90)
    p = np.linspace(1, 0, 100)
    table = lift_gains(y, p)
    assert list(table["decile"]) == list(range(1, 11))
    assert table.loc[0, "positives"] == 10 and table.loc[0, "lift"] == pytest.approx(10.0)
    assert table["cumulative_gain"].iloc[-1] == pytest.approx(1.0)


def test_registry_round_trip_and_untrusted_types(trained):
    frame, result = trained
    blob = registry.serialize(result.model)
    loaded = registry.deserialize(blob)
    matrix = result.features.matrix(frame.head(50))
    np.testing.assert_array_equal(predict_probability(loaded, matrix), predict_probability(result.model, matrix))

    import os

    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    hostile = sio.dumps(FunctionTransformer(func=os.system))  # would run a shell command when applied
    with pytest.raises(registry.UntrustedModelError, match="outside the project's list"):
        registry.deserialize(hostile)


def test_registry_loads_only_the_projects_model_types():
    """skops itself trusts a LogisticRegression by default; the registry does not: only the types a calibrated
    HistGradientBoosting model is made of load, and the message names the prediction and the model run."""
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    other = LogisticRegression().fit(np.arange(20.0).reshape(10, 2), [0, 1] * 5)
    blob = sio.dumps(other)
    assert not sio.get_untrusted_types(data=blob)  # what the old check relied on: skops would load it
    with pytest.raises(registry.UntrustedModelError) as error:
        registry.StoredModel.from_row(
            {
                "prediction_name": "buy",
                "model_run_id": "buy__20260101T000000",
                "feature_names": "[]",
                "catalog_features": "[]",
                "categorical_levels": "{}",
                "model_blob": blob,
            }
        )
    message = str(error.value)
    assert "Prediction 'buy'" in message and "buy__20260101T000000" in message
    assert "sklearn.linear_model._logistic.LogisticRegression" in message
    with pytest.raises(registry.UntrustedModelError, match="cannot be read"):
        registry.deserialize(b"not a zip file", "buy", "run")


def test_registry_refuses_a_model_whose_feature_list_changed():
    trained_on = ["recent_views", "orders", "tier"]
    with pytest.raises(registry.FeatureMismatchError) as error:
        registry.check_features("buy", "buy__20260101T000000", trained_on, ["recent_views", "orders", "age"])
    message = str(error.value)
    assert "Prediction 'buy'" in message and "buy__20260101T000000" in message
    assert "missing now: tier" in message and "new since training: age" in message
    assert "customer_ai__retrain_policy: always" in message
    registry.check_features("buy", "x", trained_on, list(trained_on))  # same list: no error


def test_all_missing_feature_is_left_out_of_the_model():
    frame = examples(3_000)
    frame["never_seen"] = np.nan
    result = train_prediction(frame, [*FEATURES, "never_seen"], ["tier"], SETTINGS, "buy")
    assert result.status == STATUS_TRAINED
    assert "never_seen" not in result.features.names


def test_a_feature_with_one_value_in_the_training_rows_is_left_out_and_changes_no_probability():
    frame = examples(3_000)
    frame["same_everywhere"] = 7.0
    frame["seven_or_missing"] = np.where(np.arange(len(frame)) % 3 == 0, np.nan, 7.0)
    result = train_prediction(frame, [*FEATURES, "same_everywhere", "seven_or_missing"], ["tier"], SETTINGS, "buy")
    assert result.status == STATUS_TRAINED
    assert "same_everywhere" not in result.features.names
    assert "seven_or_missing" in result.features.names  # missing beside one value: two values the trees can split
    without = train_prediction(frame, [*FEATURES, "seven_or_missing"], ["tier"], SETTINGS, "buy")
    assert result.features.names == without.features.names
    matrix = result.features.matrix(frame)
    assert np.array_equal(predict_probability(result.model, matrix), predict_probability(without.model, matrix))


def test_informative_columns_count_missing_as_a_value():
    nan = np.nan
    matrix = np.array([[1.0, nan, 2.0, 5.0], [1.0, nan, nan, 5.0], [1.0, nan, 2.0, 6.0]])
    assert informative_columns(matrix).tolist() == [False, False, True, True]


def test_feature_spec_encodes_categories_and_unknown_levels():
    spec = FeatureSpec(["tier", "x"], {"tier": ["gold", "silver"]})
    matrix = spec.matrix(pd.DataFrame({"tier": ["silver", "bronze", None], "x": [1, None, 3]}))
    assert matrix.dtype == np.float64
    np.testing.assert_array_equal(matrix[:, 0], [1.0, np.nan, np.nan])
    np.testing.assert_array_equal(matrix[:, 1], [1.0, np.nan, 3.0])


def test_feature_spec_keeps_model_order_across_doubles_and_other_columns():
    """Double columns are copied as one block, the others one by one: each lands in its model position."""
    frame = pd.DataFrame(
        {
            "b": [0.5, np.nan, 2.0],
            "tier": ["gold", None, "silver"],
            "count": pd.array([3, None, 1], dtype="Int64"),
            "a": [1.0, 2.0, np.nan],
            "text": ["4.5", "x", None],
        }
    )
    spec = FeatureSpec(["a", "tier", "b", "count", "text"], {"tier": ["gold", "silver"]})
    expected = [[1.0, 0.0, 0.5, 3.0, 4.5], [2.0, np.nan, np.nan, np.nan, np.nan], [np.nan, 1.0, 2.0, 1.0, np.nan]]
    np.testing.assert_array_equal(spec.matrix(frame), expected)
    only_doubles = FeatureSpec(["b", "a"]).matrix(frame)
    np.testing.assert_array_equal(only_doubles, [[0.5, 1.0], [np.nan, 2.0], [2.0, np.nan]])
    assert only_doubles.flags.f_contiguous  # the layout scoring reads fastest


def test_parallel_explanations_equal_one_process(trained):
    frame, result = trained
    trees = tree_model(result.model)
    keys = frame[["profile_id", "snapshot_date"]]
    batches = [(keys.iloc[i : i + 700], result.features.matrix(frame.iloc[i : i + 700])) for i in range(0, 3_500, 700)]
    one = pd.concat(explain.explain_batches(trees, batches, result.features, {}, k=4, n_jobs=1))
    two = pd.concat(explain.explain_batches(trees, batches, result.features, {}, k=4, n_jobs=2))
    pd.testing.assert_frame_equal(one.reset_index(drop=True), two.reset_index(drop=True))
    assert len(one) == 3_500 * 4


def test_a_single_batch_is_explained_without_worker_processes(trained, monkeypatch):
    """Workers cannot share one batch, and starting them costs seconds (most of the reason-code time of a small
    build): a prediction whose rows fit in one batch is explained in this process, even when workers are allowed."""
    import concurrent.futures

    frame, result = trained
    trees = tree_model(result.model)
    one_batch = [(frame[["profile_id", "snapshot_date"]], result.features.matrix(frame))]
    expected = pd.concat(explain.explain_batches(trees, one_batch, result.features, {}, k=4, n_jobs=1))

    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool was started for a single batch")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    explained = pd.concat(explain.explain_batches(trees, one_batch, result.features, {}, k=4, n_jobs=2))
    pd.testing.assert_frame_equal(explained, expected)


WORKER_MAIN_SCRIPT = """
import os

with open(os.environ["IMPORTS_LOG"], "a") as log:
    log.write(__name__ + "\\n")

if __name__ == "__main__":
    import numpy as np
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingClassifier

    from customer_ai import explain
    from customer_ai.features import FeatureSpec

    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(2_000, 3))
    trees = HistGradientBoostingClassifier(max_iter=5).fit(matrix, matrix[:, 0] > 0)
    batches = [(pd.DataFrame({"profile_id": range(i, i + 500)}), matrix[i : i + 500]) for i in range(0, 2_000, 500)]
    if os.environ.get("START_SERVER_EARLY"):
        import pathlib
        import time

        explain.start_worker_server()
        # the server imports this script before any pool exists (it does not wait for one)
        deadline = time.monotonic() + 60
        while "__mp_main__" not in pathlib.Path(os.environ["IMPORTS_LOG"]).read_text().split():
            assert time.monotonic() < deadline, "the fork server did not start"
            time.sleep(0.05)
        with open(os.environ["IMPORTS_LOG"], "a") as log:
            log.write("server_ready_before_any_pool\\n")
    for _ in range(2):  # two pools of two workers, as for two predictions
        list(explain.explain_batches(trees, batches, FeatureSpec(["a", "b", "c"]), {}, k=2, n_jobs=2))
"""


def test_explanation_workers_do_not_import_the_main_script_again(tmp_path):
    """Under dbt the main script is dbt's: importing it costs a worker over a second of CPU, and every reason-code
    run starts two workers per prediction. The fork server imports it once and forks workers that have it."""
    import multiprocessing
    import os
    import subprocess
    import sys

    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork server on this platform: spawned workers import the main script by design")
    script, imports = tmp_path / "main_script.py", tmp_path / "imports.log"
    script.write_text(WORKER_MAIN_SCRIPT)
    # a setting inherited from this process (as a dbt started by a Python process that explained) names another
    # script: the child must not run it
    stray = tmp_path / "stray.py"
    stray.write_text('import os\nopen(os.environ["IMPORTS_LOG"], "a").write("stray\\n")\n')
    inherited = {explain.WORKER_MAIN_SCRIPT_VARIABLE: f"{os.getpid()}:{stray}"}
    environment = {**os.environ, **inherited, "IMPORTS_LOG": str(imports)}
    subprocess.run([sys.executable, str(script)], check=True, env=environment)
    names = imports.read_text().split()
    assert names.count("__main__") == 1
    assert "stray" not in names
    assert names.count("__mp_main__") == 1, f"the main script was imported by {names.count('__mp_main__')} processes"


def test_the_worker_server_started_early_is_the_one_the_pools_fork_from(tmp_path):
    """ml_reason_codes starts the fork server before it reads the models and the first rows, so that the server's
    imports overlap them: the server must be up without any pool, and the pools must fork from it rather than
    start another (which would import the main script again)."""
    import multiprocessing
    import os
    import subprocess
    import sys

    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork server on this platform: workers are spawned by each pool")
    script, imports = tmp_path / "main_script.py", tmp_path / "imports.log"
    script.write_text(WORKER_MAIN_SCRIPT)
    environment = {**os.environ, "IMPORTS_LOG": str(imports), "START_SERVER_EARLY": "1"}
    subprocess.run([sys.executable, str(script)], check=True, env=environment)
    names = imports.read_text().split()
    assert names.count("server_ready_before_any_pool") == 1
    assert names.count("__mp_main__") == 1, f"the main script was imported by {names.count('__mp_main__')} processes"


def test_explanations_use_workers_only_for_a_prediction_of_more_than_one_batch():
    """The fork server is started early only when a pool will need it: a build whose predictions each fit in one
    batch (the demo) explains them in the dbt process and must not pay for a server it never uses."""
    import duckdb

    from customer_ai import engine, propensity_steps

    session = duckdb.connect()
    session.execute(
        "create table scoring_rows as select prediction_name, range as profile_id from range(30), "
        "(values ('buy'), ('churn')) as p(prediction_name) where prediction_name = 'buy' or range < 10"
    )
    warehouse, rows = engine.of(session), session.table("scoring_rows")
    assert propensity_steps.explanations_use_workers(warehouse, rows, processes=2, batch_rows=20)  # buy: 30 rows
    assert not propensity_steps.explanations_use_workers(warehouse, rows, processes=2, batch_rows=30)
    assert not propensity_steps.explanations_use_workers(warehouse, rows, processes=1, batch_rows=20)
    assert not propensity_steps.explanations_use_workers(warehouse, rows.filter("false"), processes=2, batch_rows=20)


def digested(frame: pd.DataFrame, day: dt.date = dt.date(2025, 8, 1)):
    """A backtest's examples digested as the backtest trainer has the engine do it (bookkeeping columns aside)."""
    import duckdb

    from customer_ai import backtest_steps, engine

    session = duckdb.connect()
    session.register("examples", frame.assign(prediction_name="buy", backtest_date=day))
    relation = session.table("examples")
    fitted = [column for column in relation.columns if column != "inputs_fingerprint"]
    digests = engine.of(session).content_digests(relation, ["prediction_name", "backtest_date"], columns=fitted)
    return backtest_steps.examples_digests(digests, fitted)


def test_a_backtest_is_kept_only_while_its_inputs_are_the_same():
    """The next build keeps a backtest's fit when examples, features and settings are unchanged (any row order),
    without reading its examples (the engine digests them), and fits it again when one example changes or a setting
    does."""
    from customer_ai import backtest_steps
    from customer_ai.propensity_steps import FeatureCatalog

    day = dt.date(2025, 8, 1)
    catalog = FeatureCatalog(names=FEATURES, categorical=["tier"], labels={})
    frame = examples(2_000)

    def build(rows: pd.DataFrame, stored=None, settings=SETTINGS) -> tuple[pa.Table, list[str], int]:
        messages, reads = [], []

        def read_examples(name: str, when: dt.date) -> pd.DataFrame:
            reads.append((name, when))
            return rows

        table = backtest_steps.train_all(
            [("buy", "conversion")],
            {"buy": [day]},
            read_examples,
            digested(rows, day),
            catalog,
            settings,
            now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            log=messages.append,
            stored=stored,
        )
        return table, messages, len(reads)

    first, _, reads = build(frame)
    assert first.column("status").to_pylist() == [STATUS_TRAINED] and reads == 1
    shuffled = frame.sample(frac=1.0, random_state=3)
    again, messages, reads = build(shuffled, stored=first)
    assert any("kept the model fitted at" in m for m in messages)
    assert again.equals(first)
    assert reads == 0, "a kept backtest's examples were read"

    changed = frame.copy()
    changed.loc[7, "orders"] += 1
    for rows, settings in ((changed, SETTINGS), (frame, training_settings(min_positive_examples=99))):
        refitted, messages, _ = build(rows, stored=first, settings=settings)
        assert not any("kept" in m for m in messages) and any("training on 2,000 examples" in m for m in messages)
        assert refitted.column("training_fingerprint") != first.column("training_fingerprint")
    # a table of another shape (before fingerprints were kept) is not reused
    _, messages, _ = build(frame, stored=first.drop_columns(["training_fingerprint"]))
    assert not any("kept" in m for m in messages)


def test_backtest_scores_are_kept_only_while_model_and_evaluation_rows_are_the_same():
    """A build keeps the previous build's scores of a backtest when its model (training fingerprint) and its
    evaluation rows (the engine's digest) are unchanged, and scores it again when either changed or when the stored
    table predates the fingerprints."""
    import duckdb

    from customer_ai import backtest_steps, engine
    from customer_ai.propensity_steps import FeatureCatalog

    day = dt.date(2025, 8, 1)
    catalog = FeatureCatalog(names=FEATURES, categorical=["tier"], labels={})
    frame = examples(1_000)
    models = backtest_steps.train_all(
        [("buy", "conversion")],
        {"buy": [day]},
        lambda name, when: frame,
        digested(frame, day),
        catalog,
        SETTINGS,
        now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        log=lambda message: None,
    ).to_pandas()
    session = duckdb.connect()
    evaluation = frame.assign(prediction_name="buy", backtest_date=day)
    session.register("evaluation", evaluation)
    warehouse = engine.of(session)

    def to_score(evaluation_sql: str, trained: pd.DataFrame = models) -> backtest_steps.BacktestToScore:
        digests = warehouse.content_digests(session.sql(evaluation_sql), ["prediction_name", "backtest_date"])
        (backtest,) = backtest_steps.usable_models(trained, digests)
        return backtest

    backtest = to_score("select * from evaluation")
    assert backtest.row_count == len(evaluation)  # the progress messages take it instead of counting again
    scores = backtest_steps.scorer(backtest.name, day, backtest.model, backtest.fingerprint)([evaluation])
    session.register("stored", pa.Table.from_batches(list(scores)))

    def stored(where: str) -> pa.Table:
        return session.sql(f"select * from stored where {where}").to_arrow_table()

    kept = backtest_steps.kept_scores(stored, to_score("select * from evaluation order by profile_id desc"))
    assert kept is not None and kept.equals(session.table("stored").to_arrow_table())

    one_label_changed = (
        "select * replace (case when profile_id = 'p7' then 1 - label else label end as label) from evaluation"
    )
    refitted = models.assign(training_fingerprint="another model")
    assert backtest_steps.kept_scores(stored, to_score(one_label_changed)) is None
    assert backtest_steps.kept_scores(stored, to_score("select * from evaluation", refitted)) is None
    session.register("stored", session.sql("select * exclude (scoring_fingerprint) from stored").to_arrow_table())
    assert backtest_steps.kept_scores(stored, backtest) is None


def test_a_backtest_fingerprint_covers_the_examples_not_the_record_of_where_they_came_from():
    """The examples' inputs_fingerprint says what they were drawn from (a run keeps them while it stays the same):
    the same rows drawn again under other rules must not refit a backtest; another row, a missing one or another
    column must."""
    from customer_ai import backtest_steps
    from customer_ai.propensity_steps import FeatureCatalog

    day = dt.date(2025, 8, 1)
    catalog = FeatureCatalog(names=FEATURES, categorical=["tier"], labels={})

    def fingerprint(frame: pd.DataFrame) -> str:
        return backtest_steps.training_fingerprint("buy", "conversion", digested(frame)("buy", day), catalog, SETTINGS)

    frame = examples(200)
    before = fingerprint(frame)
    assert fingerprint(frame.assign(inputs_fingerprint="drawn under other rules")) == before
    assert fingerprint(frame.assign(label=1 - frame["label"])) != before
    assert fingerprint(frame.iloc[1:]) != before
    assert fingerprint(frame.rename(columns={"noise": "other"})) != before


def test_a_backtest_fingerprint_covers_the_code_that_builds_its_row(monkeypatch, tmp_path):
    """A kept backtest row is the output of the training code and of the code that turns a fit into a row
    (metrics, JSON formats, the blob): a change to any of them must refit."""
    from customer_ai import backtest_steps, features, propensity, propensity_steps, registry
    from customer_ai.propensity_steps import FeatureCatalog

    modules = {Path(module.__file__) for module in (propensity, features, propensity_steps, registry, backtest_steps)}
    assert modules <= set(backtest_steps.TRAINING_CODE)

    catalog = FeatureCatalog(names=FEATURES, categorical=["tier"], labels={})
    frame = backtest_steps.ExamplesDigest(200, "12345", ("profile_id", "label"))
    before = backtest_steps.training_fingerprint("buy", "conversion", frame, catalog, SETTINGS)
    for path in backtest_steps.TRAINING_CODE:
        edited = tmp_path / path.name
        edited.write_bytes(path.read_bytes() + b"\n# edited\n")
        code = [edited if other == path else other for other in backtest_steps.TRAINING_CODE]
        monkeypatch.setattr(backtest_steps, "TRAINING_CODE", code)
        assert backtest_steps.training_fingerprint("buy", "conversion", frame, catalog, SETTINGS) != before, path
        monkeypatch.undo()
