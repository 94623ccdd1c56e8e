"""Layer 2, ``services``: the backing services Airflow connects to.

The metadata database (external, or the embedded PostgreSQL), PgBouncer in front of it, the Redis
broker, what every service construct shares (``ReleaseService``: one constructor taking the ``Release``
it belongs to and its props) and what the embedded ones share (a StatefulSet
with its claim and generated password).
They know the connection a client needs, not which Airflow process is the client: their
``declare_flows`` take the clients' pod names as arguments (the metadata database as a flow end,
PgBouncer's server connections and exporter, Redis's broker clients, KEDA's PostgreSQL scaler).

May import: ``core`` and other ``services`` modules.
"""
