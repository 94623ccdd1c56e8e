"""Stand-in for ``prom/statsd-exporter``'s ``/bin/statsd_exporter``, for the end-to-end harness.

The exporter is a Go binary with no Debian or PyPI package, so the harness runs this script as
the image's entrypoint, with the container's ``args`` as written. It does what the manifests rely
on, and fails where the real exporter would:

* the flags: the ones below, as ``--flag=value`` or ``--flag value``; an unknown flag exits 1
  (kingpin, the exporter's flag parser, does the same; the messages here are the stand-in's own);
* the mapping config (``--statsd.mapping-config``): read at start, every rule needs ``match`` and
  ``name`` (glob by default: ``*`` is one dot-separated part; or ``match_type: regex``); a missing
  file or a bad rule exits 1;
* StatsD lines on the UDP address (``name:value|type[|@rate][|#tags]``, several per packet),
  mapped by the first matching rule into a metric name and labels (``$1``... are the captures);
  unmapped names get every character Prometheus does not allow turned into ``_``;
* the Prometheus text format on ``--web.listen-address`` at ``--web.telemetry-path``: counters,
  gauges, and timers as ``<name>_count`` and ``<name>_sum`` (seconds).

Nothing else (TCP/unixgram listeners, mapping defaults such as buckets, TTLs) is modelled.
"""

from __future__ import annotations

import re
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import yaml

FLAGS = {
    "statsd.listen-udp": ":9125",
    "statsd.listen-tcp": ":9125",
    "statsd.listen-unixgram": "",
    "statsd.mapping-config": "",
    "statsd.cache-size": "1000",
    "web.listen-address": ":9102",
    "web.telemetry-path": "/metrics",
    "log.level": "info",
    "log.format": "logfmt",
}
UNSAFE = re.compile(r"[^a-zA-Z0-9_]")


def fail(message: str) -> None:
    print(f"statsd_exporter: error: {message}", file=sys.stderr)
    sys.exit(1)


def parse_flags(argv: list[str]) -> dict[str, str]:
    flags = dict(FLAGS)
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("--"):
            fail(f"unexpected {arg}")
        name, eq, value = arg[2:].partition("=")
        if name not in FLAGS:
            fail(f"unknown long flag '--{name}'")
        if not eq:
            i += 1
            if i == len(argv):
                fail(f"expected argument for flag '--{name}'")
            value = argv[i]
        flags[name] = value
        i += 1
    return flags


class Rule:
    def __init__(self, index: int, rule: Any) -> None:
        where = f"mappings[{index}]"
        if not isinstance(rule, dict) or not isinstance(rule.get("match"), str) or not rule["match"]:
            fail(f"{where}: a rule needs a 'match'")
        if rule.get("action", "map") == "map" and not isinstance(rule.get("name"), str):
            fail(f"{where}: line {rule['match']!r} has no metric 'name'")
        unknown = set(rule) - {"match", "name", "labels", "match_type", "action", "help", "observer_type", "ttl"}
        if unknown:
            fail(f"{where}: unknown fields {sorted(unknown)}")
        self.name: str = rule.get("name", "")
        self.labels: dict[str, str] = {str(k): str(v) for k, v in (rule.get("labels") or {}).items()}
        self.drop = rule.get("action") == "drop"
        match_type = rule.get("match_type", "glob")
        if match_type == "glob":
            if not re.fullmatch(r"[a-zA-Z0-9_*\-]+(\.[a-zA-Z0-9_*\-]+)*", rule["match"]):
                fail(f"{where}: invalid glob {rule['match']!r}")
            pattern = re.escape(rule["match"]).replace(r"\*", "([^.]*)")
        elif match_type == "regex":
            pattern = rule["match"]
        else:
            fail(f"{where}: invalid match_type {match_type!r}")
        try:
            self.regex = re.compile(pattern)
        except re.error as err:
            fail(f"{where}: {err}")

    def apply(self, statsd_name: str) -> tuple[str, dict[str, str]] | None:
        m = self.regex.fullmatch(statsd_name)
        if m is None:
            return None

        def expand(template: str) -> str:
            return re.sub(r"\$\{?(\d+)\}?", lambda g: m.group(int(g.group(1))) or "", template)

        return expand(self.name), {k: expand(v) for k, v in self.labels.items()}


def load_rules(path: str) -> list[Rule]:
    if not path:
        return []
    try:
        with open(path) as fh:
            config = yaml.safe_load(fh) or {}
    except (OSError, yaml.YAMLError) as err:
        fail(f"loading mapping config: {err}")
    if not isinstance(config, dict) or not isinstance(config.get("mappings", []), list):
        fail("mapping config: 'mappings' must be a list")
    return [Rule(i, r) for i, r in enumerate(config.get("mappings", []))]


class Registry:
    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self.lock = threading.Lock()
        self.series: dict[tuple[str, str, tuple[tuple[str, str], ...]], float] = {}

    def observe(self, line: str) -> None:
        head, _, rest = line.partition("|")
        name, _, value = head.rpartition(":")
        if not name or not rest:
            return
        parts = rest.split("|")
        kind = parts[0]
        labels: dict[str, str] = {}
        for extra in parts[1:]:
            if extra.startswith("#"):
                for tag in extra[1:].split(","):
                    key, _, val = tag.partition(":")
                    labels[UNSAFE.sub("_", key)] = val
        for rule in self.rules:
            mapped = rule.apply(name)
            if mapped is not None:
                if rule.drop:
                    return
                metric, rule_labels = mapped
                labels.update(rule_labels)
                break
        else:
            metric = UNSAFE.sub("_", name)
        try:
            number = float(value)
        except ValueError:
            return
        key = tuple(sorted(labels.items()))
        with self.lock:
            if kind == "c":
                self._add(metric, "counter", key, number)
            elif kind == "g":
                current = self.series.get((metric, "gauge", key), 0.0)
                relative = value[:1] in "+-"
                self.series[(metric, "gauge", key)] = current + number if relative else number
            elif kind in ("ms", "h", "d"):
                self._add(f"{metric}_count", "summary", key, 1)
                self._add(f"{metric}_sum", "summary", key, number / 1000 if kind == "ms" else number)

    def _add(self, metric: str, kind: str, key: tuple[tuple[str, str], ...], number: float) -> None:
        self.series[(metric, kind, key)] = self.series.get((metric, kind, key), 0.0) + number

    def text(self) -> str:
        with self.lock:
            lines = []
            for (metric, _, key), number in sorted(self.series.items()):
                labels = ",".join(f'{k}="{v}"' for k, v in key)
                lines.append(f"{metric}{{{labels}}} {number:g}" if labels else f"{metric} {number:g}")
        return "\n".join(lines) + "\n"


def address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not port.isdigit():
        fail(f"invalid address {value!r}")
    return host or "0.0.0.0", int(port)


def main(argv: list[str]) -> None:
    flags = parse_flags(argv)
    registry = Registry(load_rules(flags["statsd.mapping-config"]))
    if flags["statsd.listen-udp"]:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(address(flags["statsd.listen-udp"]))

        def receive() -> None:
            while True:
                packet = udp.recv(65535).decode(errors="replace")
                for line in packet.splitlines():
                    registry.observe(line.strip())

        threading.Thread(target=receive, daemon=True).start()
    path = flags["web.telemetry-path"]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] == path:
                body, kind, status = registry.text().encode(), "text/plain; version=0.0.4", 200
            elif self.path == "/":
                body, kind, status = b"<html>StatsD Exporter</html>", "text/html", 200
            else:
                body, kind, status = b"404 page not found\n", "text/plain", 404
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(address(flags["web.listen-address"]), Handler)
    print(f"statsd_exporter stand-in: {len(registry.rules)} mapping rules; listening", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
