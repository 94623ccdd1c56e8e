"""FAB auth manager with OpenID Connect (Keycloak): the client secret from Vault through an
ExternalSecret, realm groups mapped to Airflow roles, the UI on a Gateway API HTTPRoute."""

from __future__ import annotations

from typing import Any

from cdk8s import App, Chart

from airflow_constructs import Airflow, ExternalSecretProps, FabAuth, OAuthAuth, RemoteRef, SecretRef, SecretStoreRef
from airflow_constructs.packaging.values import merge_props


def build(app: App, **overrides: Any) -> Chart:
    chart = Chart(app, "airflow", namespace="airflow", disable_resource_name_hashes=True)
    Airflow(
        chart,
        "airflow",
        **merge_props(
            dict(
                auth=FabAuth(
                    oauth=OAuthAuth(
                        provider="keycloak",
                        client_id="airflow",
                        client_secret=SecretRef("airflow-oidc", "client-secret"),
                        metadata_url="https://sso.example.com/realms/acme/.well-known/openid-configuration",
                        api_base_url="https://sso.example.com/realms/acme/protocol/openid-connect",
                        scope="openid email profile groups",
                        roles={"airflow-admins": ["Admin"], "data-engineers": ["Op"], "analysts": ["Viewer"]},
                    )
                ),
                external_secrets=[
                    ExternalSecretProps(
                        name="airflow-oidc",
                        store=SecretStoreRef(name="vault", kind="ClusterSecretStore"),
                        data={"client-secret": RemoteRef(key="airflow/oidc", property="client_secret")},
                    )
                ],
                api_server={
                    "expose": {
                        "kind": "httproute",
                        "host": "airflow.example.com",
                        "gateway": "public",
                        "gateway_namespace": "gateways",
                        "gateway_listener": "https",
                    }
                },
                network_policies={"ingress_from": [{"namespace": "gateways"}]},
            ),
            overrides,
        ),
    )
    return chart
