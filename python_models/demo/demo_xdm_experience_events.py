"""Built-in demo data: XDM-shaped experience events, generated deterministically inside `dbt build`.

Enabled only while customer_ai__events_source is 'demo'. Size and seed come from customer_ai__demo_profiles and
customer_ai__demo_seed (see dbt_project.yml); the behaviour it plants is documented in customer_ai.demo_data.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from customer_ai import engine
    from customer_ai.demo_data import DemoSettings, xdm_record_batch_reader

    settings = DemoSettings(
        n_profiles=int(dbt.config.get("demo_profiles")),
        seed=int(dbt.config.get("demo_seed")),
    )
    # A stream of Arrow batches, one per block of profiles: memory does not grow with the profile count.
    return engine.of(session).from_batches(xdm_record_batch_reader(settings), "demo_xdm_experience_events")
