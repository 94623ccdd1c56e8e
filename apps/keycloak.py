"""Keycloak auth manager: users, password policy, MFA for admins and per-DAG team access in Keycloak
(realm from ``airflow-constructs keycloak-realm``), the client secret and Keycloak's CA from Secrets, a
keycloak-setup Job creating the provider's permissions and two teams' DAG permissions."""

from __future__ import annotations

from typing import Any

from cdk8s import App, Chart

from airflow_constructs import Airflow, KeycloakAdminCredentials, KeycloakAuth, SecretRef, Team
from airflow_constructs.packaging.values import merge_props


def build(app: App, **overrides: Any) -> Chart:
    chart = Chart(app, "airflow", namespace="airflow", disable_resource_name_hashes=True)
    Airflow(
        chart,
        "airflow",
        **merge_props(
            dict(
                auth=KeycloakAuth(
                    server_url="https://sso.example.com",
                    realm="airflow",
                    client_id="airflow",
                    client_secret=SecretRef("airflow-keycloak", "client-secret"),
                    ca=SecretRef("airflow-keycloak", "ca.crt"),
                    setup=KeycloakAdminCredentials(
                        username="airflow-setup", password=SecretRef("airflow-keycloak-admin", "password")
                    ),
                    teams=[
                        Team(
                            name="sales",
                            group="team-sales",
                            dags=["sales_daily", "sales_forecast"],
                            access=["read", "run"],
                        ),
                        Team(name="finance", group="team-finance", dags=["ledger_close"], access=["read"]),
                    ],
                ),
                extra_pip_packages=["apache-airflow-providers-keycloak==0.11.2"],
                api_server={
                    "expose": {"host": "airflow.example.com", "issuer": "letsencrypt", "ingress_class": "nginx"}
                },
                network_policies={"identity_provider": {"to": [{"namespace": "keycloak"}], "ports": [8443]}},
            ),
            overrides,
        ),
    )
    return chart
