"""Layer 5, ``network``: the connection graph and the NetworkPolicies derived from it.

It holds no rule of who talks to whom: each part declares its flows (``declare_flows``, with the
``core.network_flow`` types) and ``flows.read_graph`` reads those declarations, gathered after
composition by ``airflow_constructs.flow_declarations``, places the peers outside the release where
``NetworkPolicyProps`` says they are, and ``policies`` renders the graph as NetworkPolicy objects.

May import: ``core``, ``runtime`` (the ``ReleasePods`` roster, the runtime's names) and other
``network`` modules; never ``components`` or ``services`` (``tests/test_flow_declarations.py``).
"""
