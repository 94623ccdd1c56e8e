"""Layer 3, ``runtime``: what every Airflow process shares.

``airflow.cfg``, the Airflow image and the version it implies, the Airflow container and its
environment, the api-server's HTTPS, the Airflow secrets, the secrets bootstrap Job and the secrets
backend, DAG delivery, logs, authentication, and the executors as plain data that components read
(an executor imports no component). ``release_pods`` names the release's pods by role for the flow
declarations; the modules here declare the flows of what every Airflow process shares (DNS, the
metadata database, the secrets backend, the package index, the DAG repository, remote logs, the
identity provider, the bootstrap Job's Kubernetes API calls).

May import: ``core``, ``services`` and other ``runtime`` modules.
"""
