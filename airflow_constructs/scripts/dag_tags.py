"""The DAG ids carrying given tags, read from the metadata database: shared by the team scripts.

``fab_teams.py`` and ``keycloak_setup.py`` import ``dag_ids_by_tag`` with a ``# shipped inline`` line;
the text each ConfigMap ships has this function in place of that line (``core.shipped_scripts``), so a
pod runs one file and the repository holds one copy.
"""

from __future__ import annotations


def dag_ids_by_tag(tags: list[str]) -> dict[str, list[str]]:
    """Each tag's DAG ids (DAGs not stale), read from the metadata database in a read-only transaction."""
    if not tags:
        return {}
    from airflow.utils.session import create_session  # type: ignore[import-not-found]  # the Airflow image
    from sqlalchemy import bindparam, text  # type: ignore[import-not-found]

    query = text(
        "SELECT t.name, t.dag_id FROM dag_tag t JOIN dag d ON d.dag_id = t.dag_id "
        "WHERE t.name IN :tags AND NOT d.is_stale"
    ).bindparams(bindparam("tags", expanding=True))
    out: dict[str, list[str]] = {tag: [] for tag in tags}
    with create_session() as session:
        if session.get_bind().dialect.name in ("postgresql", "mysql"):
            session.execute(text("SET TRANSACTION READ ONLY"))
        for tag, dag_id in session.execute(query, {"tags": sorted(set(tags))}):
            out[tag].append(dag_id)
        session.rollback()
    return {tag: sorted(ids) for tag, ids in out.items()}
