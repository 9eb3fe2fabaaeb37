"""pgvector's side of the schema (the indexed vector path of ``rag.pgvector``): the extension
and ``dataset_chunk_vectors``, made where ``CREATE EXTENSION vector`` succeeds, with the
vectors already stored copied in. Migration 0027 runs ``install``, and every ``upgrade`` to
head runs it again (a server that gains the extension later gets the table at the next start)
and then ``index_all``, without the engine's statement timeout."""

from __future__ import annotations

import sqlalchemy as sa

TABLE = "dataset_chunk_vectors"
BACKFILL_BATCH = 2000
#: pgvector's HNSW indexes ``vector`` columns of at most 2,000 dimensions.
MAX_INDEXED_DIMS = 2000


def index_name(dims: int) -> str:
    return f"ix_{TABLE}_hnsw_{dims}"


def index_sql(dims: int) -> str:
    """The HNSW index (cosine) of one dimension's vectors: a partial expression index, since
    the column's type names no dimension."""
    return (
        f"CREATE INDEX IF NOT EXISTS {index_name(dims)} ON {TABLE} "
        f"USING hnsw ((embedding::vector({dims})) vector_cosine_ops) WHERE dims = {dims}"
    )


def _create_extension(bind: sa.Connection) -> bool:
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
    except sa.exc.DBAPIError:
        return False  # not installed on this server, or not ours to create
    return True


def install(bind: sa.Connection) -> bool:
    """Whether the table is there (made now if it can be). PostgreSQL only."""
    if bind.dialect.name != "postgresql":
        return False
    if bind.scalar(sa.text("SELECT to_regclass(:t) IS NOT NULL"), {"t": TABLE}):
        return True
    if not bind.scalar(sa.text("SELECT to_regclass('dataset_chunks') IS NOT NULL")):
        return False  # an older schema: the migrations make it
    if not _create_extension(bind):
        return False
    bind.exec_driver_sql(
        f"CREATE TABLE {TABLE} ("
        " chunk_id uuid PRIMARY KEY REFERENCES dataset_chunks(id) ON DELETE CASCADE,"
        " dataset_id uuid NOT NULL,"
        " embedding_model varchar(200) NOT NULL,"
        " dims integer NOT NULL,"
        " embedding vector NOT NULL)"
    )
    bind.exec_driver_sql(
        f"CREATE INDEX ix_{TABLE}_dataset ON {TABLE} (dataset_id, embedding_model)"
    )
    _backfill(bind)
    return True


def _backfill(bind: sa.Connection) -> None:
    """Vectors written before the table was there: float32 bytes -> real[] -> vector (their
    HNSW indexes: ``index_all``)."""
    import numpy as np

    last = None
    while True:
        where = "embedding IS NOT NULL AND embedding_model IS NOT NULL"
        params: dict[str, object] = {"n": BACKFILL_BATCH}
        if last is not None:
            where += " AND id > :last"
            params["last"] = last
        rows = bind.execute(
            sa.text(
                "SELECT id, dataset_id, embedding_model, embedding FROM dataset_chunks "  # noqa: S608
                f"WHERE {where} ORDER BY id LIMIT :n"
            ),
            params,
        ).all()
        if not rows:
            break
        values = [
            {
                "c": r[0],
                "d": r[1],
                "m": r[2],
                "n": len(r[3]) // 4,
                "v": np.frombuffer(bytes(r[3]), dtype=np.float32).tolist(),
            }
            for r in rows
            if r[3] and len(r[3]) % 4 == 0
        ]
        if values:
            bind.execute(
                sa.text(
                    f"INSERT INTO {TABLE} (chunk_id, dataset_id, embedding_model, dims, embedding) "  # noqa: S608
                    "VALUES (:c, :d, :m, :n, CAST(CAST(:v AS real[]) AS vector))"
                ),
                values,
            )
        last = rows[-1][0]


def index_all(bind: sa.Connection) -> None:
    """The HNSW index of every dimension stored without one (vectors copied in by ``install``).
    Building one over many rows takes a while: run it without a statement timeout."""
    if bind.dialect.name != "postgresql" or not bind.scalar(
        sa.text("SELECT to_regclass(:t) IS NOT NULL"), {"t": TABLE}
    ):
        return
    for (dims,) in bind.execute(sa.text(f"SELECT DISTINCT dims FROM {TABLE}")).all():  # noqa: S608
        if 0 < dims <= MAX_INDEXED_DIMS and not bind.scalar(
            sa.text("SELECT to_regclass(:n) IS NOT NULL"), {"n": index_name(int(dims))}
        ):
            bind.exec_driver_sql(index_sql(int(dims)))
