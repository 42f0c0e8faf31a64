"""Adding a feature: one SQL column in a feature model and its YAML entry; the two ways to get it half right fail
with an error that says what to do."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
from conftest import copy_project, run_dbt

from customer_ai import demo_data as dd

FEATURES = "models/intermediate/features"


def _add_emails_sent_feature(project, *, describe: bool, label: bool = True) -> None:
    model = project / FEATURES / "int_profile_recent_features_computed.sql"
    sql = model.read_text()
    anchor = "        active_days_30d,\n"
    assert sql.count(anchor) == 1
    model.write_text(sql.replace(anchor, anchor + "        emails_sent_90d,\n"))
    if not describe:
        return
    properties = project / FEATURES / "_features__models.yml"
    text = properties.read_text()
    anchor = "      - name: interaction_trend_30d_vs_90d\n"
    assert text.count(anchor) == 1
    meta = '{label: "Emails received in the last 90 days", group: email, default: 0}' if label else "{group: email}"
    entry = "      - name: emails_sent_90d\n        description: Emails sent.\n        config:\n"
    entry += f"          meta: {meta}\n"
    properties.write_text(text.replace(anchor, entry + anchor))


def test_a_feature_is_a_column_of_a_feature_model_and_its_yaml_entry(tmp_path):
    events = dd.to_flat_table(dd.simulate_block(dd.DemoSettings(n_profiles=60, seed=5), 0))
    pq.write_table(events, tmp_path / "events.parquet")
    variables = {
        "customer_ai__events_source": "files",
        "customer_ai__events_format": "flat",
        "customer_ai__events_path": str(tmp_path / "events.parquet"),
    }
    select = ["run", "--select", "+int_profile_snapshots_featurized", "int_features_cataloged"]

    added = copy_project(tmp_path / "added")
    _add_emails_sent_feature(added, describe=True)
    run_dbt(select, tmp_path / "added_run", variables, project_dir=added)
    with duckdb.connect(str(tmp_path / "added_run" / "test.duckdb"), read_only=True) as con:
        columns = [r[0] for r in con.sql("describe int_profile_snapshots_featurized").fetchall()]
        catalog = con.sql(
            "select feature_name, feature_label, feature_group from int_features_cataloged order by feature_position"
        ).fetchall()
        # the new feature counts what the generated per-type count of the same events counts
        differences, sent = con.sql(
            "select count(*) filter (where emails_sent_90d <> direct_marketing_email_sent_90d), "
            "sum(emails_sent_90d) from int_profile_snapshots_featurized"
        ).fetchall()[0]
    assert columns.index("emails_sent_90d") == columns.index("active_days_30d") + 1
    assert ("emails_sent_90d", "Emails received in the last 90 days", "email") in catalog
    assert [name for name, _, _ in catalog] + ["inputs_fingerprint", "computed_at"] == columns[2:]
    assert differences == 0 and sent > 0

    undescribed = copy_project(tmp_path / "undescribed")
    _add_emails_sent_feature(undescribed, describe=False)
    failed = run_dbt(select, tmp_path / "undescribed_run", variables, check=False, project_dir=undescribed)
    assert failed.returncode != 0
    assert "computes emails_sent_90d, which its YAML does not describe" in failed.stdout

    unlabelled = copy_project(tmp_path / "unlabelled")
    _add_emails_sent_feature(unlabelled, describe=True, label=False)
    failed = run_dbt(select, tmp_path / "unlabelled_run", variables, check=False, project_dir=unlabelled)
    assert failed.returncode != 0
    assert "Column emails_sent_90d of int_profile_recent_features_computed is a feature" in failed.stdout
