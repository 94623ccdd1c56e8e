"""A Keycloak realm import file for Airflow (``airflow-constructs keycloak-realm``).

What the realm enforces, before Airflow sees a user:

- a confidential OpenID Connect client for Airflow, its secret a placeholder Keycloak fills from an env
  var at import (``${AIRFLOW_KEYCLOAK_CLIENT_SECRET}``: never in the file), authorization services on,
  deciding affirmatively (one permitting permission is enough);
- the realm roles the provider's permissions are written for (Viewer, User, Op, Admin, SuperAdmin), the
  admin group (role Admin) and one group per team;
- a password policy: at least 12 characters, not the username, none of the last 5 passwords;
- MFA: the sign-in flows ask members of the Admin role for a one-time password, and make those
  without one configure it first (the browser flow and the direct grant the provider's token API uses);
- brute-force detection: the account is locked for a while after ``failure_factor`` failures;
- short access tokens (5 minutes by default) and bounded sessions.
"""

from __future__ import annotations

from typing import Any

from .keycloak import Team

ROLES = ("Viewer", "User", "Op", "Admin", "SuperAdmin")
"""Realm roles the provider's ``create-permissions`` attaches its role policies to."""
SECRET_PLACEHOLDER = "${AIRFLOW_KEYCLOAK_CLIENT_SECRET}"
PASSWORD_POLICY = "length(12) and notUsername(undefined) and passwordHistory(5)"
BROWSER_FLOW = "airflow browser"
DIRECT_GRANT_FLOW = "airflow direct grant"


def _execution(authenticator: str, requirement: str, priority: int, config: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "authenticator": authenticator,
        "authenticatorFlow": False,
        "priority": priority,
        "requirement": requirement,
        "userSetupAllowed": False,
    }
    if config is not None:
        out["authenticatorConfig"] = config
    return out


def _subflow(alias: str, requirement: str, priority: int) -> dict[str, Any]:
    return {
        "authenticatorFlow": True,
        "flowAlias": alias,
        "priority": priority,
        "requirement": requirement,
        "userSetupAllowed": False,
    }


def _flow(alias: str, description: str, executions: list[dict[str, Any]], top: bool = False) -> dict[str, Any]:
    return {
        "alias": alias,
        "authenticationExecutions": executions,
        "builtIn": False,
        "description": description,
        "providerId": "basic-flow",
        "topLevel": top,
    }


def _admin_otp(flow: str, otp: str, condition: str, note: str = "") -> dict[str, Any]:
    """The ``<flow> admin otp`` sub-flow: members of the admin role (``condition``) pass the ``otp`` step;
    ``note`` ends its description."""
    executions = [_execution("conditional-user-role", "REQUIRED", 10, condition), _execution(otp, "REQUIRED", 20)]
    return _flow(f"{flow} admin otp", f"OTP for members of the admin role{note}", executions)


def _flows(admin_role: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The browser and direct-grant flows with OTP for ``admin_role``, and the condition's config."""
    condition = "airflow admin role"
    flows = [
        _flow(
            BROWSER_FLOW,
            "Cookie, or username and password then OTP for admins",
            [
                _execution("auth-cookie", "ALTERNATIVE", 10),
                _subflow(f"{BROWSER_FLOW} forms", "ALTERNATIVE", 20),
            ],
            top=True,
        ),
        _flow(
            f"{BROWSER_FLOW} forms",
            "Username and password, then OTP for admins",
            [
                _execution("auth-username-password-form", "REQUIRED", 10),
                _subflow(f"{BROWSER_FLOW} admin otp", "CONDITIONAL", 20),
            ],
        ),
        _admin_otp(BROWSER_FLOW, "auth-otp-form", condition, " (configured at first sign-in)"),
        _flow(
            DIRECT_GRANT_FLOW,
            "Username and password, then OTP for admins (the token API)",
            [
                _execution("direct-grant-validate-username", "REQUIRED", 10),
                _execution("direct-grant-validate-password", "REQUIRED", 20),
                _subflow(f"{DIRECT_GRANT_FLOW} admin otp", "CONDITIONAL", 30),
            ],
            top=True,
        ),
        _admin_otp(DIRECT_GRANT_FLOW, "direct-grant-validate-otp", condition),
    ]
    configs = [{"alias": condition, "config": {"condUserRole": admin_role, "negate": "false"}}]
    return flows, configs


def _client(client_id: str, airflow_url: str, token_minutes: int) -> dict[str, Any]:
    base = airflow_url.rstrip("/")
    return {
        "attributes": {
            "access.token.lifespan": str(token_minutes * 60),
            "post.logout.redirect.uris": f"{base}/*",
        },
        "authorizationServicesEnabled": True,
        "authorizationSettings": {
            "allowRemoteResourceManagement": True,
            "decisionStrategy": "AFFIRMATIVE",
            "policyEnforcementMode": "ENFORCING",
            "policies": [],
            "resources": [],
            "scopes": [],
        },
        "clientAuthenticatorType": "client-secret",
        "clientId": client_id,
        "directAccessGrantsEnabled": True,
        "enabled": True,
        "protocol": "openid-connect",
        "publicClient": False,
        "redirectUris": [f"{base}/auth/login_callback"],
        "rootUrl": base,
        "secret": SECRET_PLACEHOLDER,
        "serviceAccountsEnabled": True,
        "standardFlowEnabled": True,
        "webOrigins": [base],
    }


def realm_import(
    *,
    realm: str,
    airflow_url: str,
    client_id: str = "airflow",
    admin_group: str = "airflow-admins",
    teams: list[Team] | None = None,
    token_minutes: int = 5,
    failure_factor: int = 5,
) -> dict[str, Any]:
    """The realm import (a ``RealmRepresentation``) for Airflow; see the module docstring.

    Long because it is one literal: every setting the realm needs, in the order Keycloak documents them.
    """
    flows, configs = _flows("Admin")
    groups = [{"name": admin_group, "path": f"/{admin_group}", "realmRoles": ["Admin"], "subGroups": []}]
    for team in sorted(teams or [], key=lambda t: t.group):
        if team.group not in {g["name"] for g in groups}:
            groups.append({"name": team.group, "path": f"/{team.group}", "realmRoles": [], "subGroups": []})
    return {
        "accessTokenLifespan": token_minutes * 60,
        "authenticationFlows": flows,
        "authenticatorConfig": configs,
        "browserFlow": BROWSER_FLOW,
        "bruteForceProtected": True,
        "clients": [_client(client_id, airflow_url, token_minutes)],
        "directGrantFlow": DIRECT_GRANT_FLOW,
        "enabled": True,
        "failureFactor": failure_factor,
        "groups": groups,
        "maxDeltaTimeSeconds": 43200,
        "maxFailureWaitSeconds": 900,
        "minimumQuickLoginWaitSeconds": 60,
        "otpPolicyAlgorithm": "HmacSHA1",
        "otpPolicyDigits": 6,
        "otpPolicyPeriod": 30,
        "otpPolicyType": "totp",
        "passwordPolicy": PASSWORD_POLICY,
        "permanentLockout": False,
        "realm": realm,
        "registrationAllowed": False,
        "roles": {"realm": [{"description": f"Airflow {r}", "name": r} for r in ROLES]},
        "sslRequired": "external",
        "ssoSessionIdleTimeout": 1800,
        "ssoSessionMaxLifespan": 36000,
        "waitIncrementSeconds": 60,
    }
