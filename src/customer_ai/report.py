"""The HTML report: one self-contained file per target that shows what the marts say, for the people who act on it.

Charts are Plotly figures (plotly.py writes the figure specs; plotly.js, shipped inside the Python package, draws
them). Plotly was chosen because one pip package gives interactive charts (hover values, zoom) and the JavaScript to
draw them offline: the file inlines plotly.js once, so it opens with no network, from a file share or an e-mail.
The numbers behind every chart and table are also embedded as JSON (`<script id="report-data">`), exactly as read
from the tables, so a test (or a curious reader) can check the page against the warehouse.

`build_report` takes plain pandas frames (what the dbt Python model `report_html` reads on either engine) and
returns the HTML text.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

BUCKET_ORDER = ["high", "medium", "low"]
BUCKET_COLOURS = {"high": "#1b7f5f", "medium": "#d9a21b", "low": "#8d99ae"}


@dataclass
class ReportInputs:
    """The marts the report shows, as read from the warehouse (one frame per table or aggregate)."""

    target: str
    evaluation: pd.DataFrame  # rpt_model_evaluation, latest run of each prediction
    lift: pd.DataFrame  # rpt_lift_gains
    calibration: pd.DataFrame  # rpt_calibration
    score_distribution: pd.DataFrame  # rpt_score_distribution
    factors: pd.DataFrame  # rpt_influential_factors_by_bucket
    backtest: pd.DataFrame  # rpt_backtest
    backtest_by_bucket: pd.DataFrame  # rpt_backtest_by_bucket
    history_outcomes: pd.DataFrame  # rpt_score_history_outcomes
    clv_fit: pd.DataFrame  # rpt_clv_model_fit
    predicted_clv: pd.Series  # fct_customer_lifetime_value.predicted_clv
    value_tiers: pd.DataFrame  # value_tier, profiles, average_predicted_clv (dim_customer_profiles)
    segments: pd.DataFrame  # dim_segments
    staged_events: int
    rejections: pd.DataFrame  # rejection_reason, events
    as_of: pd.DataFrame  # int_as_of_dates_resolved
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0))


def _plain(value):
    """A JSON-safe Python value: numpy scalars as Python, NaN and NaT as null, dates as ISO text."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.date().isoformat()  # a date column (pandas reads dates as midnight timestamps)
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return value.isoformat()
    return value


def _day_text(values: pd.Series) -> pd.Series:
    """Dates as YYYY-MM-DD text, '' for null (dates arrive as datetime64 from DuckDB, as date objects from Spark)."""
    return pd.to_datetime(values).dt.strftime("%Y-%m-%d").fillna("").astype(object)


def records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _fmt(value, digits: int = 3) -> str:
    value = _plain(value)
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def _table(frame: pd.DataFrame, columns: dict[str, str], digits: int = 3) -> str:
    if frame.empty:
        return '<p class="note">No rows.</p>'
    head = "".join(f"<th>{html.escape(label)}</th>" for label in columns.values())
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(row[c], digits))}</td>" for c in columns) + "</tr>"
        for row in frame.to_dict("records")
    )
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class _Charts:
    """Collects Plotly figures as <div>s; every chart has a stable id the test looks for."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    def add(self, chart_id: str, figure, title: str, height: int = 340) -> str:
        figure.update_layout(
            title={"text": title, "font": {"size": 15}},
            height=height,
            margin={"l": 60, "r": 20, "t": 50, "b": 50},
            template="plotly_white",
            legend={"orientation": "h", "y": -0.2},
        )
        self.ids.append(chart_id)
        return (
            f'<div class="chart" data-chart="{chart_id}">'
            + figure.to_html(
                full_html=False,
                include_plotlyjs=False,
                div_id=chart_id,
                config={"displaylogo": False, "responsive": True},
            )
            + "</div>"
        )


def _prediction_section(name: str, inputs: ReportInputs, charts: _Charts) -> tuple[str, dict]:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    evaluation = inputs.evaluation[inputs.evaluation["prediction_name"] == name]
    row = evaluation.iloc[0].to_dict() if len(evaluation) else {}
    data = {"evaluation": records(evaluation)}
    quality = html.escape(str(row.get("quality", "no model")))
    parts = [
        f'<section class="prediction" id="prediction-{html.escape(name)}"><h2>{html.escape(name)}</h2>',
        f'<p><span class="badge badge-{quality.replace(" ", "-")}">{quality}</span> '
        f"{html.escape(str(row.get('quality_message') or ''))}</p>",
        f'<p class="note">Status {html.escape(str(row.get("status", "–")))}: '
        f"{html.escape(str(row.get('status_message') or ''))}</p>",
        _table(
            evaluation,
            {
                "auc": "holdout AUC",
                "auc_lower_95": "AUC 95% low",
                "auc_upper_95": "AUC 95% high",
                "log_loss": "log loss",
                "brier": "Brier",
                "expected_calibration_error": "calibration error",
                "holdout_positives": "holdout positives",
                "holdout_negatives": "holdout negatives",
            },
        ),
        '<div class="grid">',
    ]

    lift = inputs.lift[inputs.lift["prediction_name"] == name].sort_values("decile")
    data["lift"] = records(lift)
    if len(lift):
        figure = make_subplots(specs=[[{"secondary_y": True}]])
        figure.add_trace(go.Bar(x=lift["decile"], y=lift["lift"], name="lift", marker_color="#3a6ea5"))
        figure.add_trace(
            go.Scatter(x=lift["decile"], y=lift["cumulative_gain"], name="cumulative gain", mode="lines+markers"),
            secondary_y=True,
        )
        figure.update_xaxes(title_text="decile (1 = highest scores)", dtick=1)
        figure.update_yaxes(title_text="lift", secondary_y=False)
        figure.update_yaxes(title_text="cumulative gain", range=[0, 1.05], tickformat=".0%", secondary_y=True)
        parts.append(charts.add(f"{name}-lift", figure, "Lift and cumulative gains (holdout)"))

    calibration = inputs.calibration[inputs.calibration["prediction_name"] == name]
    data["calibration"] = records(calibration)
    if len(calibration):
        figure = go.Figure()
        figure.add_trace(
            go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect", line={"dash": "dot", "color": "#999"})
        )
        for (source, day), group in calibration.groupby(["source", _day_text(calibration["backtest_date"])]):
            part = group.sort_values("probability_bin")
            label = "holdout" if source == "holdout" else f"backtest {day}"
            figure.add_trace(
                go.Scatter(
                    x=part["mean_predicted_probability"],
                    y=part["observed_rate"],
                    mode="lines+markers",
                    name=label,
                    text=part["profiles"],
                    hovertemplate="predicted %{x:.3f}<br>observed %{y:.3f}<br>%{text} profiles",
                )
            )
        figure.update_xaxes(title_text="mean predicted probability", range=[0, 1])
        figure.update_yaxes(title_text="observed rate", range=[0, 1])
        parts.append(charts.add(f"{name}-calibration", figure, "Calibration: predicted against observed"))

    distribution = inputs.score_distribution[inputs.score_distribution["prediction_name"] == name]
    distribution = distribution.sort_values("bin_start")
    data["score_distribution"] = records(distribution)
    if len(distribution):
        figure = go.Figure(
            go.Bar(x=distribution["bin_start"], y=distribution["profiles"], name="profiles", marker_color="#5b8e7d")
        )
        figure.update_xaxes(title_text="score (0-100), bins of 5")
        figure.update_yaxes(title_text="profiles")
        parts.append(charts.add(f"{name}-scores", figure, "Score distribution"))

    factors = inputs.factors[inputs.factors["prediction_name"] == name]
    data["factors"] = records(factors)
    if len(factors):
        figure = go.Figure()
        for bucket in BUCKET_ORDER:
            part = factors[factors["bucket"] == bucket].sort_values("factor_rank", ascending=False)
            if len(part):
                figure.add_trace(
                    go.Bar(
                        y=part["factor_label"],
                        x=part["mean_contribution"],
                        name=bucket,
                        orientation="h",
                        marker_color=BUCKET_COLOURS[bucket],
                    )
                )
        figure.update_layout(barmode="group")
        figure.update_xaxes(title_text="mean contribution (log-odds)")
        height = 120 + 16 * factors["factor_label"].nunique() * 2
        parts.append(charts.add(f"{name}-factors", figure, "Influential factors by bucket", height=max(height, 360)))

    by_bucket = inputs.backtest_by_bucket[inputs.backtest_by_bucket["prediction_name"] == name]
    by_bucket = by_bucket.sort_values(["backtest_date", "bucket_order"])
    data["backtest_by_bucket"] = records(by_bucket)
    if len(by_bucket):
        labels = _day_text(by_bucket["backtest_date"]) + " " + by_bucket["bucket"]
        figure = go.Figure(
            [
                go.Bar(x=labels, y=by_bucket["mean_predicted_probability"], name="predicted", marker_color="#3a6ea5"),
                go.Bar(x=labels, y=by_bucket["actual_rate"], name="actual", marker_color="#e07a5f"),
            ]
        )
        figure.update_layout(barmode="group")
        figure.update_yaxes(title_text="rate", range=[0, 1])
        parts.append(charts.add(f"{name}-backtest", figure, "Backtests: predicted against actual, by bucket"))
    parts.append("</div>")

    backtest = inputs.backtest[inputs.backtest["prediction_name"] == name].sort_values("backtest_date")
    data["backtest"] = records(backtest)
    parts += [
        "<h3>Backtests</h3>",
        '<p class="note">Each backtest trains only on what was known at its date and is scored against what '
        "happened in the outcome window after it.</p>",
        _table(
            backtest,
            {
                "backtest_date": "date",
                "status": "status",
                "profiles": "profiles",
                "auc": "AUC",
                "auc_lower_95": "95% low",
                "auc_upper_95": "95% high",
                "mean_predicted_probability": "mean predicted",
                "actual_rate": "actual rate",
                "expected_calibration_error": "calibration error",
            },
        ),
    ]
    history = inputs.history_outcomes[inputs.history_outcomes["prediction_name"] == name]
    data["history_outcomes"] = records(history)
    if len(history):
        parts += [
            "<h3>Kept scores against what happened</h3>",
            _table(
                history.sort_values("as_of_date"),
                {
                    "as_of_date": "scored on",
                    "profiles": "profiles",
                    "auc": "AUC",
                    "mean_predicted_probability": "mean predicted",
                    "actual_rate": "actual rate",
                    "high_bucket_actual_rate": "high bucket actual",
                    "low_bucket_actual_rate": "low bucket actual",
                },
            ),
        ]
    parts.append("</section>")
    return "\n".join(parts), data


def clv_histogram(values: pd.Series, bins: int = 30) -> pd.DataFrame:
    """Profiles per predicted-CLV range (equal-width bins up to the 99th percentile, the rest in the last bin)."""
    clean = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=np.float64)
    if clean.size == 0:
        return pd.DataFrame(columns=["bin_start", "bin_end", "profiles"])
    top = float(np.quantile(clean, 0.99)) or float(clean.max()) or 1.0
    edges = np.linspace(0.0, top, bins + 1)
    counts, _ = np.histogram(np.clip(clean, 0.0, top), bins=edges)
    return pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:], "profiles": counts.astype(int)})


def build_report(inputs: ReportInputs) -> tuple[str, dict]:
    """(html, data): the page, and the numbers it shows."""
    import plotly.graph_objects as go
    from plotly.offline import get_plotlyjs

    charts = _Charts()
    data: dict = {"target": inputs.target, "generated_at": inputs.generated_at.isoformat(), "predictions": {}}
    names = sorted(set(inputs.evaluation["prediction_name"]) | set(inputs.backtest["prediction_name"]))
    sections = []
    for name in names:
        section, data["predictions"][name] = _prediction_section(name, inputs, charts)
        sections.append(section)

    # lifetime value
    fit = inputs.clv_fit
    data["clv_fit"] = records(fit)
    histogram = clv_histogram(inputs.predicted_clv)
    data["clv_histogram"] = records(histogram)
    data["value_tiers"] = records(inputs.value_tiers)
    clv_parts = [
        '<section id="lifetime-value"><h2>Lifetime value</h2>',
        _table(
            fit,
            {
                "model_name": "model",
                "status": "status",
                "status_message": "message",
                "customers": "customers",
                "r": "r",
                "alpha": "alpha",
                "a": "a",
                "b": "b",
                "p": "p",
                "q": "q",
                "gamma": "gamma",
            },
        ),
        '<div class="grid">',
    ]
    if len(histogram):
        figure = go.Figure(
            go.Bar(
                x=(histogram["bin_start"] + histogram["bin_end"]) / 2,
                y=histogram["profiles"],
                width=histogram["bin_end"] - histogram["bin_start"],
                marker_color="#6d597a",
                name="profiles",
            )
        )
        figure.update_xaxes(title_text="predicted CLV (last bin: the top 1 % and above)")
        figure.update_yaxes(title_text="profiles")
        clv_parts.append(charts.add("clv-distribution", figure, "Predicted lifetime value"))
    if len(inputs.value_tiers):
        tiers = inputs.value_tiers
        figure = go.Figure(
            go.Bar(
                x=tiers["value_tier"],
                y=tiers["profiles"],
                text=[f"avg CLV {_fmt(v, 2)}" for v in tiers["average_predicted_clv"]],
                marker_color="#b56576",
                name="profiles",
            )
        )
        figure.update_yaxes(title_text="profiles")
        clv_parts.append(charts.add("value-tiers", figure, "Value tiers"))
    clv_parts += ["</div>", "</section>"]

    # segments
    segments = inputs.segments.sort_values(["profiles", "segment_id"], ascending=[False, True])
    data["segments"] = records(segments)
    segment_parts = ['<section id="segments"><h2>Segments</h2>']
    if len(segments):
        shown = segments.head(30).iloc[::-1]
        figure = go.Figure(
            go.Bar(y=shown["segment_name"], x=shown["profiles"], orientation="h", marker_color="#355070")
        )
        figure.update_xaxes(title_text="profiles")
        segment_parts.append(
            charts.add("segment-sizes", figure, "Segment sizes (largest 30)", height=max(360, 40 + 22 * len(shown)))
        )
    segment_parts += [
        _table(
            segments,
            {
                "segment_name": "segment",
                "segment_kind": "kind",
                "prediction_name": "prediction",
                "profiles": "profiles",
                "segment_definition": "definition",
            },
        ),
        "</section>",
    ]

    # data health
    rejections = inputs.rejections.sort_values(["events", "rejection_reason"], ascending=[False, True])
    rejected = int(rejections["events"].sum()) if len(rejections) else 0
    as_of = inputs.as_of.iloc[0].to_dict() if len(inputs.as_of) else {}
    data["data_health"] = {
        "input_rows": inputs.staged_events + rejected,
        "staged_events": inputs.staged_events,
        "rejected_events": rejected,
        "rejections": records(rejections),
        "as_of": {k: _plain(v) for k, v in as_of.items()},
    }
    outcome = pd.concat(
        [
            pd.DataFrame({"outcome": ["staged"], "events": [inputs.staged_events]}),
            pd.DataFrame({"outcome": "rejected: " + rejections["rejection_reason"], "events": rejections["events"]}),
        ]
    )
    figure = go.Figure(
        go.Bar(
            y=outcome["outcome"].iloc[::-1],
            x=outcome["events"].iloc[::-1],
            orientation="h",
            marker_color=["#c1121f"] * (len(outcome) - 1) + ["#2a9d8f"],
        )
    )
    figure.update_xaxes(title_text="input rows", type="log")
    health_parts = [
        '<section id="data-health"><h2>Data health</h2>',
        '<div class="kpis">'
        + "".join(
            f'<div class="kpi"><div class="kpi-value">{html.escape(_fmt(v))}</div>'
            f'<div class="kpi-label">{html.escape(k)}</div></div>'
            for k, v in (
                ("input rows", inputs.staged_events + rejected),
                ("staged events", inputs.staged_events),
                ("rejected events", rejected),
                ("as-of date", as_of.get("as_of_date")),
            )
        )
        + "</div>",
        f'<p class="note">As-of date rule: {html.escape(str(as_of.get("as_of_rule", "–")))}</p>',
        charts.add(
            "input-rows", figure, "Input rows: staged and rejected by reason", height=max(300, 60 + 28 * len(outcome))
        ),
        "</section>",
    ]

    data["charts"] = charts.ids
    title = f"Customer AI report: {inputs.target}"
    nav = " · ".join(
        [f'<a href="#prediction-{html.escape(n)}">{html.escape(n)}</a>' for n in names]
        + ['<a href="#lifetime-value">lifetime value</a>', '<a href="#segments">segments</a>']
        + ['<a href="#data-health">data health</a>']
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>{_CSS}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<header><h1>{html.escape(title)}</h1>
<p class="note">Built {html.escape(inputs.generated_at.strftime("%Y-%m-%d %H:%M"))} UTC from the warehouse's marts.
{nav}</p></header>
{"".join(sections)}
{"".join(clv_parts)}
{"".join(segment_parts)}
{"".join(health_parts)}
<script type="application/json" id="report-data">{_json_for_html(data)}</script>
<script>
// each chart is drawn as soon as its element is parsed, before the grid has its final columns: size them again
window.addEventListener("load", () =>
  document.querySelectorAll(".js-plotly-plot").forEach(d => Plotly.Plots.resize(d)));
</script>
</body>
</html>
"""
    return page, data


def _json_for_html(data: dict) -> str:
    # "</" would end the script element early
    return json.dumps(data, allow_nan=False).replace("</", "<\\/")


_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 0 auto; max-width: 1280px;
       padding: 0 24px 48px; color: #222; }
header { border-bottom: 1px solid #ddd; margin-bottom: 12px; }
h1 { font-size: 24px; } h2 { font-size: 20px; margin-top: 36px; border-bottom: 1px solid #eee; }
h3 { font-size: 16px; }
.note { color: #555; font-size: 13px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 12px; }
.chart { border: 1px solid #eee; border-radius: 6px; padding: 4px; min-height: 300px; }
table.data { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
table.data th, table.data td { border-bottom: 1px solid #eee; padding: 4px 10px; text-align: right; }
table.data th { background: #f6f6f6; }
table.data td:first-child, table.data th:first-child { text-align: left; }
.badge { border-radius: 4px; padding: 2px 8px; color: #fff; font-weight: 600; background: #777; }
.badge-good { background: #1b7f5f; } .badge-poor { background: #c1121f; }
.badge-unreliable { background: #d9a21b; } .badge-not-trained { background: #555; }
.kpis { display: flex; gap: 16px; flex-wrap: wrap; }
.kpi { border: 1px solid #eee; border-radius: 6px; padding: 8px 16px; }
.kpi-value { font-size: 20px; font-weight: 600; } .kpi-label { color: #555; font-size: 12px; }
"""


def write_report(page: str, folder: str) -> str:
    """Write index.html into folder, atomically (a reader sees the old or the new page, never half of one)."""
    import os
    import tempfile

    os.makedirs(folder, exist_ok=True)
    path = os.path.abspath(os.path.join(folder, "index.html"))
    handle, temporary = tempfile.mkstemp(prefix=".index-", suffix=".html.tmp", dir=folder)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(page)
    os.chmod(temporary, 0o644)  # mkstemp makes it private; a report is for reading
    os.replace(temporary, path)
    return path
