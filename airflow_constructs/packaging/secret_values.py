"""Secret references as chart values: ``<path>.name`` and ``<path>.key`` of every existing Secret the app reads.

A ``SecretRef`` the props hold (``database.password``, ``dags.ssh.private_key``, ``auth.ldap.ca``...)
names a Secret the user keeps outside the chart; its name and key reach the manifests as text
(``secretKeyRef``, ``secret`` volumes), so they are text values found by the sentinel synthesis like
the image's. Both fields of a reference travel together (``ValueLeaf.whole_parent``): a reference
needs its name and its key. Secrets the library generates in-cluster are not references: they
have no value, and neither has a reference to a Secret the app's own ExternalSecret makes: its name
and key are wiring inside the chart, tied to that ExternalSecret's (which the props refuse to break).
"""

from __future__ import annotations

from pydantic import BaseModel

from ..core.docstrings import field_descriptions
from ..core.pod import SecretRef
from ..core.props import held
from .pod_values import DNS_SUBDOMAIN_PATTERN
from .value_leaf import ValueLeaf

SECRET_KEY_PATTERN = r"^[-._a-zA-Z0-9]+$"
"""A Secret's key (``SecretRef.key``), as a JSON Schema pattern."""


def secret_leaves(props: BaseModel) -> list[ValueLeaf]:
    """``<path>.name`` and ``<path>.key`` of every Secret reference the props hold (not in lists)."""
    docs = field_descriptions(SecretRef)
    made_here = {e.name for e in getattr(props, "external_secrets", [])}
    references = [(path, ref) for path, ref in held(props, SecretRef) if ref.name not in made_here]
    leaves = []
    for index, (path, ref) in enumerate(references):
        where = f"{'.'.join(path)}: "
        name_schema = {
            "type": "string",
            "maxLength": 253,
            "pattern": DNS_SUBDOMAIN_PATTERN,
            "description": where + docs["name"],
        }
        key_schema = {"type": "string", "pattern": SECRET_KEY_PATTERN, "description": where + docs["key"]}
        leaves.append(
            ValueLeaf(
                (*path, "name"), (*path, "name"), ref.name, f"zzsentinel-secret-{index}", name_schema, whole_parent=True
            )
        )
        leaves.append(
            ValueLeaf((*path, "key"), (*path, "key"), ref.key, f"zzsentinel-key-{index}", key_schema, whole_parent=True)
        )
    return leaves
