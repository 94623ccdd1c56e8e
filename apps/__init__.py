"""Example apps: each builds one chart; ``python -m apps`` synthesizes them all into ``dist/<app>/``."""
