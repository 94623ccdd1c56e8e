"""Layer 10, ``docs``: generators of the documentation.

The props reference (``reference``, with its ``examples``), the diagram of an install's manifests
(``diagram``, drawn as a Mermaid ``flowchart``), and ``layers``: the table of the package's layers
that ``tests/test_layers.py`` enforces and ``docs/architecture.md`` draws.

May import: every layer below, ``config_file`` included (the reference documents its model). Only
``cli`` sits above.
"""
