"""Layer 5, ``network``: the connection graph and the NetworkPolicies derived from it.

It reads the composed install (through the ``Composition`` protocol, not ``airflow.py``) after every
component exists, and renders who talks to whom as NetworkPolicy objects.

May import: ``core``, ``services``, ``runtime``, ``components`` and other ``network`` modules.
"""
