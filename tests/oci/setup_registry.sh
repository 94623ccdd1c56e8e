#!/usr/bin/env bash
# Debian's docker-registry (the CNCF Distribution registry) unpacked under .tools/registry/ for
# tests/oci/: `apt-get download` + `dpkg-deb -x`, so nothing is installed system-wide and no service
# starts. Cached: a second run does nothing. apt runs under the shared lock other engineers' e2e
# set-up holds (flock /tmp/airflow-e2e.lock); `apt-get update` runs only when the package is unknown.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=.tools/registry
binary=$dest/usr/bin/docker-registry
if [ -x "$binary" ]; then
  exit 0
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
mkdir -p "$dest/cache"
if ! ls "$dest"/cache/docker-registry_*.deb >/dev/null 2>&1; then
  (
    cd "$dest/cache"
    flock /tmp/airflow-e2e.lock bash -c "
      apt-get download docker-registry >/dev/null 2>&1 || { $sudo apt-get update -qq && apt-get download docker-registry; }
    "
  )
fi
dpkg-deb -x "$(ls "$dest"/cache/docker-registry_*.deb | head -1)" "$dest"
"$binary" --version
