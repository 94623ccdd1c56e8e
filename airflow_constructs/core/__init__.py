"""Layer 1, ``core``: the Kubernetes vocabulary, with no Airflow knowledge.

Props helpers and their validation, API objects and names, pod and container builders, the props
every workload takes (``ComponentProps``), image references, resources, security contexts, label
selectors, autoscalers, exposure (Ingress/Gateway), TLS primitives, ExternalSecrets, the Secret keys
to generate in the cluster, ``NetworkPeer`` and the flow declarations of ``network_flow``
(``Connection``, ``Outside``: so that a part declares who it talks to without importing ``network``).

May import: the standard library, third-party packages, ``airflow_constructs.imports`` (generated
CRD bindings) and other ``core`` modules. Nothing else of this package.
"""
