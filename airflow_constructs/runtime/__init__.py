"""Layer 3, ``runtime``: what every Airflow process shares.

``airflow.cfg``, the Airflow container and its environment, the Airflow secrets and the secrets
backend, DAG delivery, logs, authentication, and the executors as plain data that components read
(an executor imports no component).

May import: ``core``, ``services`` and other ``runtime`` modules.
"""
