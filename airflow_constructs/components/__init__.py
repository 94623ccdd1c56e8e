"""Layer 4, ``components``: one module per deployed thing.

The api-server, scheduler, DAG processor, triggerer, Celery and Edge workers, Flower, the
KubernetesExecutor's pods, the migrations Job, the admin user, the maintenance jobs, the StatsD
exporter and the Kerberos sidecar, and the ``AirflowComponent`` base they share (``Component[P]``: the
one constructor of those built from their own props class ``P``, each writing only ``_compose``). Each one declares
the flows it owns (``declare_flows``: its ingress, who reads its log server, the APIs it calls) with
the ``core.network_flow`` types, naming pods from ``runtime.release_pods``; none of them imports
``network``.

May import: ``core``, ``services``, ``runtime`` and other ``components`` modules.
"""
