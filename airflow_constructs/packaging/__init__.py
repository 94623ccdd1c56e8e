"""Layer 8, ``packaging``: synthesized manifests made into a Helm chart and a chart repository.

Templates (escaping, placeholders), ``Chart.yaml`` and ``values.schema.json``, the chart README and
NOTES, the changelog's release notes, ``helm package`` and ``helm repo index``.

May import: every layer below (``core`` to ``airflow.py`` and the package's public names). Not
``config_file``, ``docs`` or ``cli``.
"""
