"""FAB auth manager with LDAP: directory groups mapped to Airflow roles, the UI behind an Ingress with
a cert-manager certificate, StatsD metrics scraped through a ServiceMonitor, narrowed network policies."""

from __future__ import annotations

from typing import Any

from cdk8s import App, Chart

from airflow_constructs import Airflow, FabAuth, LdapAuth, SecretRef
from airflow_constructs.packaging.values import merge_props


def build(app: App, **overrides: Any) -> Chart:
    chart = Chart(app, "airflow", namespace="airflow", disable_resource_name_hashes=True)
    Airflow(
        chart,
        "airflow",
        **merge_props(
            dict(
                auth=FabAuth(
                    ldap=LdapAuth(
                        uri="ldaps://ldap.example.com:636",
                        bind_dn="cn=airflow,ou=services,dc=example,dc=com",
                        bind_password=SecretRef("airflow-ldap", "bind-password"),
                        search_base="ou=people,dc=example,dc=com",
                        ca=SecretRef("airflow-ldap", "ca.crt"),
                        roles={
                            "cn=airflow-admins,ou=groups,dc=example,dc=com": ["Admin"],
                            "cn=data-engineers,ou=groups,dc=example,dc=com": ["Op"],
                            "cn=analysts,ou=groups,dc=example,dc=com": ["Viewer"],
                        },
                        default_role="Public",
                    )
                ),
                api_server={
                    "expose": {"host": "airflow.example.com", "issuer": "letsencrypt", "ingress_class": "nginx"}
                },
                metrics={"statsd": True, "service_monitor": True, "service_monitor_labels": {"release": "prometheus"}},
                network_policies={
                    "identity_provider": {"to": [{"cidr": "10.20.30.0/24"}]},
                    "kubernetes_api": ["10.96.0.1/32"],
                },
            ),
            overrides,
        ),
    )
    return chart
