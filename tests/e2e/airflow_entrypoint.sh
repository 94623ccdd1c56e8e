#!/bin/sh
# Stand-in for the apache/airflow image's /entrypoint (tests/e2e/kubelet.py): a container without a
# command runs the image's ENTRYPOINT with its args, and that script runs the args as a command.
exec "$@"
