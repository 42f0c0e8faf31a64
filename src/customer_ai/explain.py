"""Reason codes: exact TreeSHAP contributions of every feature to every score, and the top factors per profile.

shap 0.51 traps avoided here (see DESIGN.md): the trees have no native categorical splits (categories are ordinal
codes), the explainer gets no background data (path-dependent TreeSHAP, which is exact and additive for
HistGradientBoosting), and inputs are float64 numpy arrays with NaN, never pandas nullable dtypes.

The values are computed by customer_ai.tree_shap (exact path-dependent TreeSHAP by leaf tables, on shap's reading
of the trees, several times faster than shap's own per-row walk); trees whose paths are too long for the tables
fall back to shap's algorithm. Both give the same values up to float rounding.

Contributions are in log-odds of the tree model (before calibration, which is monotone): base value plus the sum
of a profile's contributions equals the model's raw output for that profile.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shap
from sklearn.ensemble import HistGradientBoostingClassifier

from customer_ai.features import FeatureSpec
from customer_ai.tree_shap import TabulatedTreeShap

# Importance of a factor by the size of its contribution, in log-odds: 0.4 moves the odds by about 1.5x,
# 0.1 by about 1.1x. Documented in the README (Reason codes).
HIGH_IMPORTANCE = 0.4
MEDIUM_IMPORTANCE = 0.1


def explainer(trees: HistGradientBoostingClassifier) -> shap.TreeExplainer:
    return shap.TreeExplainer(trees)  # no background data: path-dependent, exact


def shap_values(
    trees: HistGradientBoostingClassifier,
    matrix: np.ndarray,
    tree_explainer: shap.TreeExplainer | None = None,
    tables: TabulatedTreeShap | None = None,
) -> tuple[np.ndarray, float]:
    """(contributions of shape rows x features, base value) in log-odds. Pass the explainer and its tables when
    explaining many batches with one model: building them costs a fraction of a second."""
    tree_explainer = tree_explainer or explainer(trees)
    tables = tables or TabulatedTreeShap(tree_explainer.model)
    # the layout as given: the tables read the matrix feature by feature (a column-major matrix, as
    # FeatureSpec.matrix builds it, needs no copy); shap's own algorithm reads it row by row
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.shape[0] == 0:
        return np.zeros((0, matrix.shape[1])), float(np.ravel(tree_explainer.expected_value)[0])
    if tables.supported:
        return tables.values(matrix), float(np.ravel(tree_explainer.expected_value)[-1])
    values = tree_explainer.shap_values(np.ascontiguousarray(matrix), check_additivity=False)
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 3:  # some shap versions return one slice per class
        values = values[..., -1]
    return values, float(np.ravel(tree_explainer.expected_value)[-1])


def mean_absolute_shap(trees: HistGradientBoostingClassifier, matrix: np.ndarray) -> np.ndarray:
    """Global importance: mean |contribution| of each feature over the rows given."""
    values, _ = shap_values(trees, matrix)
    return np.abs(values).mean(axis=0) if len(values) else np.zeros(matrix.shape[1])


def importance_of(contribution: np.ndarray) -> np.ndarray:
    size = np.abs(contribution)
    return np.where(size >= HIGH_IMPORTANCE, "high", np.where(size >= MEDIUM_IMPORTANCE, "medium", "low"))


def _value_text(values: np.ndarray, codes: np.ndarray, spec: FeatureSpec) -> np.ndarray:
    """The factor values as display text, vectorized: whole numbers without decimals, others with two, the level
    of categorical factors, 'none' where the profile has no value."""
    text = np.full(len(values), "none", dtype=object)
    finite = ~np.isnan(values)
    whole = finite & (values == np.floor(values))
    text[whole] = values[whole].astype(np.int64).astype(str)
    fractional = finite & ~whole
    text[fractional] = np.char.mod("%.2f", values[fractional])
    for name, levels in spec.categorical_levels.items():
        j = spec.names.index(name)
        rows = (codes == j) & finite
        text[rows] = np.asarray(levels, dtype=object)[values[rows].astype(np.int64)]
    return text


def top_factors(
    values: np.ndarray, matrix: np.ndarray, spec: FeatureSpec, labels: dict[str, str], k: int
) -> pd.DataFrame:
    """The k largest contributions of each row by absolute size (zero contributions are not reasons)."""
    n, f = values.shape
    k = min(k, f)
    if n == 0:
        return pd.DataFrame(
            columns=[
                "row",
                "factor_rank",
                "factor_code",
                "factor_label",
                "factor_value",
                "factor_value_text",
                "contribution",
                "direction",
                "importance",
            ]
        )
    order = np.argsort(-np.abs(values), axis=1, kind="stable")[:, :k]
    rows = np.repeat(np.arange(n), k)
    cols = order.ravel()
    contribution = values[rows, cols]
    keep = contribution != 0
    rows, cols, contribution = rows[keep], cols[keep], contribution[keep]
    rank = np.tile(np.arange(1, k + 1), n)[keep]
    raw = matrix[rows, cols]
    names = np.asarray(spec.names, dtype=object)[cols]
    return pd.DataFrame(
        {
            "row": rows,
            "factor_rank": rank.astype(np.int32),
            "factor_code": names,
            "factor_label": [labels.get(name, name) for name in names],
            "factor_value": np.where(np.isnan(raw), np.nan, raw),
            "factor_value_text": _value_text(raw, cols, spec),
            "contribution": contribution,
            "direction": np.where(contribution > 0, "raises", "lowers"),
            "importance": importance_of(contribution),
        }
    )


@dataclass
class _Explainer:
    """A model with its TreeSHAP explainer and leaf tables (built once, used for every batch) and what reason codes
    need."""

    trees: HistGradientBoostingClassifier
    spec: FeatureSpec
    labels: dict[str, str]
    k: int

    def __post_init__(self) -> None:
        self.tree_explainer = explainer(self.trees)
        self.tables = TabulatedTreeShap(self.tree_explainer.model)

    def reason_codes(self, matrix: np.ndarray) -> pd.DataFrame:
        values, _ = shap_values(self.trees, matrix, self.tree_explainer, self.tables)
        return top_factors(values, matrix, self.spec, self.labels, self.k)

    def contributions(self, matrix: np.ndarray) -> np.ndarray:
        return shap_values(self.trees, matrix, self.tree_explainer, self.tables)[0]


# How the explanation workers' fork server learns the parent's main script: "<pid of the parent>:<path>", read by
# customer_ai.worker_preload (which this module must not import: it acts on import)
WORKER_MAIN_SCRIPT_VARIABLE = "CUSTOMER_AI_WORKER_MAIN_SCRIPT"

# The explainer of a worker process of a parallel run (set by the pool's initializer). The single-process path
# never touches it: it keeps its explainer in a local variable.
_IN_WORKER: dict[str, _Explainer] = {}


def _init_worker(trees: HistGradientBoostingClassifier, spec: FeatureSpec, labels: dict[str, str], k: int) -> None:
    _IN_WORKER["explainer"] = _Explainer(trees, spec, labels, k)


def _reason_codes_in_worker(matrix: np.ndarray) -> pd.DataFrame:
    return _IN_WORKER["explainer"].reason_codes(matrix)


def _contributions_in_worker(matrix: np.ndarray) -> np.ndarray:
    return _IN_WORKER["explainer"].contributions(matrix)


def worker_context():
    """The start method of the explanation workers: a fork server where the platform has one (Linux, macOS), else
    spawn. Both are safe inside the multi-threaded dbt process. A spawned worker imports this module (shap,
    scikit-learn) and the parent's main script (under dbt, all of dbt) before its first batch, in every worker of
    every pool. The fork server imports both once per dbt run (customer_ai.worker_preload) and forks ready workers
    from itself."""
    import multiprocessing
    import os
    import sys

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    main = sys.modules["__main__"]
    main_script = getattr(main, "__file__", None)
    # the rule a worker's preparation follows (multiprocessing.spawn.get_preparation_data, not called here: it
    # fixes the process's default start method as a side effect): a main run as a script is imported by its path
    if main_script and getattr(main, "__spec__", None) is None:
        # read by the fork server when it starts (the first pool of this process)
        os.environ[WORKER_MAIN_SCRIPT_VARIABLE] = f"{os.getpid()}:{os.path.normpath(main_script)}"
    context = multiprocessing.get_context("forkserver")
    # customer_ai.worker_preload is imported by the fork server only: it imports the main script there
    context.set_forkserver_preload(["customer_ai.worker_preload", __name__])
    return context


def uses_workers(batches: int, n_jobs: int) -> bool:
    """Whether explain_batches forks workers for a prediction of this many batches: workers cannot share a single
    batch, and starting them would cost more than that batch."""
    return n_jobs > 1 and batches > 1


def start_worker_server() -> None:
    """Start the workers' fork server now rather than with the first pool. It returns at once: the server imports
    the main script and shap (about 3 s of CPU under dbt) in its own process, while this one goes on reading and
    sorting the first rows; the first pool then forks from a server that is ready. Without a fork server (spawn)
    there is nothing to start."""
    context = worker_context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def explain_batches(
    trees: HistGradientBoostingClassifier,
    batches: Iterable[tuple[pd.DataFrame, np.ndarray]],
    spec: FeatureSpec,
    labels: dict[str, str],
    k: int,
    n_jobs: int = 1,
) -> Iterator[pd.DataFrame]:
    """Reason codes batch by batch: memory is bounded by the batches in flight, not by the number of profiles.

    Each batch is (keys, matrix): keys holds the identifying columns (e.g. profile_id) of the matrix rows. With
    n_jobs > 1 and more than one batch, the batches are explained by that many worker processes (worker_context);
    results come back in input order and are identical to n_jobs = 1, since each batch is a pure function of the
    model and its rows. At most 2 x n_jobs batches are in flight. A single batch is explained in this process:
    workers could not share it, and starting them would cost more than the batch.
    """

    def attach(keys: pd.DataFrame, factors: pd.DataFrame) -> pd.DataFrame:
        key_rows = keys.reset_index(drop=True).iloc[factors["row"].to_numpy()].reset_index(drop=True)
        return pd.concat([key_rows, factors.drop(columns="row").reset_index(drop=True)], axis=1)

    batches = iter(batches)
    leading = list(itertools.islice(batches, 2))
    batches = itertools.chain(leading, batches)
    if not uses_workers(len(leading), n_jobs):
        local = _Explainer(trees, spec, labels, k)
        for keys, matrix in batches:
            yield attach(keys, local.reason_codes(matrix))
        return

    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(
        n_jobs, mp_context=worker_context(), initializer=_init_worker, initargs=(trees, spec, labels, k)
    ) as pool:
        pending: deque = deque()
        for keys, matrix in batches:
            pending.append((keys, pool.submit(_reason_codes_in_worker, matrix)))
            if len(pending) >= 2 * n_jobs:
                done_keys, future = pending.popleft()
                yield attach(done_keys, future.result())
        while pending:
            done_keys, future = pending.popleft()
            yield attach(done_keys, future.result())


def shap_values_batched(
    trees: HistGradientBoostingClassifier, matrix: np.ndarray, batch_rows: int = 20_000, n_jobs: int = 2
) -> np.ndarray:
    """All contributions (rows x features), computed in batches on n_jobs worker processes; equal to one call."""
    starts = range(0, len(matrix), batch_rows)
    if n_jobs <= 1:
        local = _Explainer(trees, FeatureSpec([]), {}, 0)
        return np.vstack([local.contributions(matrix[i : i + batch_rows]) for i in starts])
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(
        n_jobs, mp_context=worker_context(), initializer=_init_worker, initargs=(trees, FeatureSpec([]), {}, 0)
    ) as pool:
        return np.vstack(list(pool.map(_contributions_in_worker, (matrix[i : i + batch_rows] for i in starts))))
