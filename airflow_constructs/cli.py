"""The ``airflow-constructs`` command: an Airflow install from a config file, without Python.

    airflow-constructs synth CONFIG.yaml -o DIR     write the manifests
    airflow-constructs chart CONFIG.yaml -o DIR     write the Helm chart wrapping them
    airflow-constructs schema                       print the config file's JSON Schema
    airflow-constructs diagram CONFIG.yaml          print a Mermaid diagram of the install
    airflow-constructs migrate VALUES.yaml -o FILE  a config file from the official chart's values
    airflow-constructs keycloak-realm CONFIG.yaml --airflow-url URL -o FILE
                                                    a Keycloak realm import for auth.kind keycloak

A config file is the ``Airflow`` construct's props plus ``namespace`` and ``chart`` (see
``config_file``). Bad input exits with status 2, says where and why on stderr, and writes nothing.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml
from cdk8s import App

from .config_file import ConfigError, WorkersOnlyConfig, build_chart, config_props, load_config, schema_text
from .core.props import PropsError
from .core.synthesis import app_documents, synth

# Each command imports what only it needs (migrate, packaging, docs) when it runs: a cold
# `airflow-constructs synth` loads no more than synthesis takes.

EXIT_BAD_INPUT = 2
"""Exit status for invalid input (argparse uses it for usage errors too)."""
DEFAULT_RELEASE = "airflow"
"""The official chart's release name when --release is not given (``migrate.command.DEFAULT_RELEASE``)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="airflow-constructs",
        description="Apache Airflow 3 on Kubernetes from a typed config file: manifests, JSON Schema, diagram.",
        epilog="A config file holds the Airflow construct's props plus namespace and chart; "
        "`airflow-constructs schema` describes every key.",
    )
    _add_commands(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    return parser


def _add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Every command, in the order ``--help`` lists them: its name, help line and description, then its
    arguments (those of ``migrate`` and ``keycloak-realm`` in functions of their own)."""
    synth = commands.add_parser(
        "synth",
        help="write the Kubernetes manifests of a config file",
        description="Validate CONFIG and write its manifests to DIR/<chart>.k8s.yaml. "
        "Nothing is written when CONFIG is not valid.",
    )
    _config_argument(synth)
    _output_argument(synth, "DIR", "output directory", default=Path("dist"))

    chart = commands.add_parser(
        "chart",
        help="write the Helm chart of a config file",
        description="Validate CONFIG, synthesize it, and write the Helm chart that installs exactly those "
        "manifests to DIR/<chart>/ (the namespace comes from `helm install -n`). Nothing is written when "
        "CONFIG is not valid.",
    )
    _config_argument(chart)
    _output_argument(chart, "DIR", "directory the chart directory is written into", default=Path("dist/helm/charts"))

    commands.add_parser(
        "schema",
        help="print the JSON Schema of the config file",
        description="Print the JSON Schema of the config file, generated from the props models "
        "(the same as schema/airflow.schema.json in the repository).",
    )

    diagram = commands.add_parser(
        "diagram",
        help="print a Mermaid diagram of what a config file installs",
        description="Print a Mermaid flowchart of the install CONFIG describes: workloads, Services, "
        "volume claims, Secrets (names only), ConfigMaps, Ingresses/HTTPRoutes and allowed network flows.",
    )
    _config_argument(diagram)

    migrate = commands.add_parser(
        "migrate",
        help="write a config file from a values file of the official Apache Airflow chart",
        description="Read VALUES (written for the official Apache Airflow Helm chart, 1.15 and later) and "
        "write the config file that installs the same Airflow on the same database with the same Secrets "
        "(by reference), plus a report of what became of every key. An unknown key is an error.",
    )
    _migrate_arguments(migrate)

    realm = commands.add_parser(
        "keycloak-realm",
        help="write a Keycloak realm import file for a config file with auth.kind keycloak",
        description="Write the realm import (JSON) for CONFIG's auth section: a confidential client for "
        "Airflow (its secret read by Keycloak from the env var AIRFLOW_KEYCLOAK_CLIENT_SECRET at import), "
        "password policy (length 12, not the username, not the last 5), OTP for the admin group, "
        "brute-force detection, short access tokens, the admin group and the teams' groups.",
    )
    _realm_arguments(realm)


def _config_argument(parser: argparse.ArgumentParser, help: str = "YAML or JSON config file") -> None:
    """The ``CONFIG`` positional (``args.config``): the config file the command reads."""
    parser.add_argument("config", metavar="CONFIG", type=Path, help=help)


def _output_argument(parser: argparse.ArgumentParser, metavar: str, help: str, default: Path | None = None) -> None:
    """``-o/--output METAVAR`` (``args.output``, a path): required when there is no ``default``, and
    otherwise ``help`` ends with ``(default: ...)``."""
    if default is None:
        parser.add_argument("-o", "--output", metavar=metavar, type=Path, required=True, help=help)
    else:
        help = f"{help} (default: %(default)s)"
        parser.add_argument("-o", "--output", metavar=metavar, type=Path, default=default, help=help)


def _realm_arguments(realm: argparse.ArgumentParser) -> None:
    _config_argument(realm, "YAML or JSON config file (auth.kind keycloak)")
    realm.add_argument(
        "--airflow-url", required=True, help="Airflow's public base URL, e.g. https://airflow.example.com"
    )
    _output_argument(realm, "FILE", "realm file to write")
    realm.add_argument("--admin-group", default="airflow-admins", help="group of Airflow admins (default: %(default)s)")
    realm.add_argument(
        "--token-minutes", type=int, default=5, help="access token lifetime in minutes (default: %(default)s)"
    )


def _migrate_arguments(migrate: argparse.ArgumentParser) -> None:
    migrate.add_argument("values", metavar="VALUES", type=Path, help="the official chart's values file")
    _output_argument(migrate, "FILE", "config file", default=Path("airflow.yaml"))
    migrate.add_argument(
        "--release",
        metavar="NAME",
        default=DEFAULT_RELEASE,
        help="the official chart's release name, which names its Secrets (default: airflow)",
    )
    migrate.add_argument(
        "--compare",
        metavar="CHART_DIR",
        type=Path,
        help="then render CHART_DIR (the official chart, a directory or .tgz) with VALUES through "
        "`helm template` and print how its workloads differ from ours",
    )
    migrate.add_argument(
        "--name",
        metavar="NAME",
        help="our install's name, the prefix of its objects (default: <release>-ac; never the old release's "
        "name, whose `helm uninstall` would delete our same-named objects)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "schema":
            sys.stdout.write(schema_text())
            return 0
        if args.command == "diagram":
            return _diagram(args.config)
        if args.command == "migrate":
            return _migrate(args)
        if args.command == "keycloak-realm":
            return _keycloak_realm(args)
        if args.command == "chart":
            return _chart(args.config, args.output)
        return _synth(args.config, args.output)
    except (ConfigError, PropsError) as err:
        message = str(err)
        # A PropsError from a construct (a check across components) does not know the file.
        if isinstance(err, PropsError):
            source = getattr(args, "config", None) or args.values
            message = "\n".join(f"{source}: {line}" for line in message.splitlines())
        print(message, file=sys.stderr)
        return EXIT_BAD_INPUT


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML has it: counting the objects written costs little."""


def _synth(config_path: Path, outdir: Path) -> int:
    config = load_config(config_path)
    if outdir.exists() and not outdir.is_dir():
        raise ConfigError(f"{outdir}: the output must be a directory, and this is a file")
    app = App(outdir=str(outdir))
    build_chart(app, config)  # every check runs here, before anything is written
    others = sorted(outdir.glob("*.k8s.yaml")) if outdir.is_dir() else []
    counts = synth(app)
    written = sorted(counts)
    total = 0
    for path in written:
        count = counts[path]
        if count < 0:  # written by App.synth(), which does not count
            count = sum(1 for doc in yaml.load_all(path.read_text(), Loader=_LOADER) if doc)
        total += count
        print(f"wrote {path} ({count} objects)")
    stale = [p for p in others if p not in written]
    for path in stale:
        print(f"note: {path} was not written by this run; remove it if it is stale")
    files = f"{len(written)} file{'' if len(written) == 1 else 's'}"
    print(f"{config_path}: {total} objects in {files} for namespace {config.namespace!r}")
    return 0


CHART_DATE = datetime.date(1970, 1, 1)
"""The date of a config's chart release: only packaging reads it, and a fixed one keeps output stable."""


def _chart(config_path: Path, outdir: Path) -> int:
    from .packaging.changelog import Release
    from .packaging.chart_yaml import ChartMetadata
    from .packaging.helm import ChartValues, write_chart
    from .packaging.helm import build_chart as build_helm_chart
    from .packaging.values import value_leaves, with_sentinels

    config = load_config(config_path)
    if outdir.exists() and not outdir.is_dir():
        raise ConfigError(f"{outdir}: the output must be a directory, and this is a file")
    meta = ChartMetadata(
        name=config.chart,
        description=f"Apache Airflow on Kubernetes, from airflow-constructs: {config_path.name}.",
    )
    props = config_props(config)
    leaves = value_leaves(props)
    # The chart wraps the manifests exactly as `synth` writes them (app_documents: the objects synth
    # would write, under its file names, with no YAML written and read back); then the same with a
    # sentinel for every value, to find where the values land.
    app = App()
    build_chart(app, config)
    documents = app_documents(app)
    sentinel = App()
    build_chart(sentinel, config, with_sentinels(props, leaves))
    values = ChartValues(leaves, app_documents(sentinel))
    # A config's chart has no changelog of its own: no Artifact Hub "changes" to announce.
    files = build_helm_chart(documents, meta, Release(version=meta.version, date=CHART_DATE, changes=()), values)
    directory = outdir / meta.name
    written = write_chart(files, directory)
    total = 0
    for path in written:
        relative = path.relative_to(directory).as_posix()
        if relative.removeprefix("templates/") in documents:
            count = len(documents[relative.removeprefix("templates/")])
            total += count
            print(f"wrote {path} ({count} objects)")
        else:
            print(f"wrote {path}")
    print(
        f"{config_path}: chart {meta.name} {meta.version} with {total} objects in {directory}; "
        f"install with: helm install {meta.name} {directory} -n {config.namespace}"
    )
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from .migrate import command as migrate_command
    from .migrate.compare import compare
    from .migrate.values import ValuesError
    from .migrate.wiring import MigrationError

    try:
        status = migrate_command.run(args.values, args.output, args.release, args.name)
        if status == 0 and args.compare is not None:
            return compare(args.compare, args.values, args.output, args.release)
    except (ValuesError, MigrationError) as err:
        print(err, file=sys.stderr)
        return EXIT_BAD_INPUT
    return status


def _diagram(config_path: Path) -> int:
    from .docs.diagram import mermaid

    config = load_config(config_path)
    chart = build_chart(App(), config)
    sys.stdout.write(mermaid(chart.to_json()))
    return 0


def _keycloak_realm(args: argparse.Namespace) -> int:
    """Write the realm import for the config file's Keycloak auth section."""
    from .runtime.keycloak import KeycloakAuth
    from .runtime.keycloak_realm import realm_import

    config = load_config(args.config)
    if isinstance(config, WorkersOnlyConfig):
        print(
            f"{args.config}: kind 'workers-only' has no auth: keycloak-realm needs auth.kind 'keycloak'",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    auth = config.auth
    if not isinstance(auth, KeycloakAuth):
        print(f"{args.config}: auth.kind is {auth.kind!r}: keycloak-realm needs auth.kind 'keycloak'", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not re.match(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/\S*)?$", args.airflow_url):
        print(f"--airflow-url {args.airflow_url!r}: expected http(s)://host[:port][/path]", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not 1 <= args.token_minutes <= 60:
        print(f"--token-minutes {args.token_minutes}: expected 1 to 60", file=sys.stderr)
        return EXIT_BAD_INPUT
    realm = realm_import(
        realm=auth.realm,
        airflow_url=args.airflow_url,
        client_id=auth.client_id,
        admin_group=args.admin_group,
        teams=list(auth.teams),
        token_minutes=args.token_minutes,
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(realm, indent=2, sort_keys=True) + "\n")
    print(f"wrote {args.output} (realm {auth.realm!r}, client {auth.client_id!r})")
    return 0


def console_main() -> int:
    """The ``airflow-constructs`` console script: ``main`` with jsii's argument checks off (see
    ``core.jsii_start.skip_argument_checks``; ``main`` called from Python keeps them)."""
    from .core.jsii_start import skip_argument_checks

    skip_argument_checks()
    return main()


if __name__ == "__main__":
    sys.exit(console_main())
