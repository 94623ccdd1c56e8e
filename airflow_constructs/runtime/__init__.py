"""Layer 3, ``runtime``: what every Airflow process shares.

``airflow.cfg``, the Airflow image and the version it implies, the Airflow container and its
environment, the api-server's HTTPS, the Airflow secrets, the secrets bootstrap Job and the secrets
backend, DAG delivery, logs, authentication, and the executors as plain data that components read
(an executor imports no component).

May import: ``core``, ``services`` and other ``runtime`` modules.
"""
