"""Layer 11, ``migrate``: moving an install from the official Apache Airflow Helm chart.

``values`` reads the chart's values file into leaf keys with their lines; ``rules`` says where each
key of the chart's vocabulary goes (one of four outcomes; the tables are in ``top_level`` and
``vocabulary``, the value converters in ``converters``); ``convert`` builds our config file from
them and keeps the release's Secrets by reference; ``report`` prints the outcome table; ``compare``
puts a ``helm template`` render of the official chart beside our synthesized manifests.

May import: every layer below (``config_file`` validates what ``convert`` writes). Only ``cli`` sits
above.
"""
