"""Drives Debian's SQLAlchemy (PostgreSQL dialect over psycopg2) against a server.

Connection settings come from PGHOST, PGPORT, PGUSER and PGDATABASE. Everything printed
is deterministic; test/clients/python.test.ts compares it with PostgreSQL 15 + pgvector's
output (fixtures/sqlalchemy.out).
"""

import os
import warnings

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.types import UserDefinedType

# An unknown column type is a warning in SQLAlchemy; turn it into an error so the output
# would show it rather than drift silently.
warnings.simplefilter("error", sa.exc.SAWarning)


class Vector(UserDefinedType):
    """pgvector's column type, as far as reflection and bound parameters need it."""

    cache_ok = True

    def __init__(self, dim=None):
        self.dim = dim

    def get_col_spec(self, **_kw):
        return "VECTOR" if self.dim is None else f"VECTOR({self.dim})"

    def bind_processor(self, _dialect):
        def process(value):
            return None if value is None else "[" + ",".join(str(float(v)) for v in value) + "]"

        return process

    def result_processor(self, _dialect, _coltype):
        def process(value):
            return None if value is None else [float(v) for v in value[1:-1].split(",")]

        return process

    def __repr__(self):
        return f"Vector({self.dim})"


# The dialect maps format_type() names to types; vector(3) arrives as "vector" + "(3)".
ischema_names["vector"] = Vector


def show(label, value):
    print(f"{label}: {value}")


def column_summary(column):
    return (
        column["name"],
        repr(column["type"]),
        column["nullable"],
        column["default"],
        column.get("autoincrement"),
        column.get("comment"),
    )


env = os.environ
url = f"postgresql+psycopg2://{env['PGUSER']}@{env['PGHOST']}:{env['PGPORT']}/{env['PGDATABASE']}"
engine = sa.create_engine(url, future=True)

with engine.connect() as conn:
    show("select 1", conn.execute(sa.text("SELECT 1")).scalar())
    show("dialect server_version_info >= (15,)", engine.dialect.server_version_info >= (15,))
    show("default_schema_name", engine.dialect.default_schema_name)

with engine.begin() as conn:
    conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS vector"))
    conn.execute(sa.text("DROP TABLE IF EXISTS sa_chunks"))
    conn.execute(sa.text("DROP TABLE IF EXISTS sa_docs"))
    conn.execute(
        sa.text(
            "CREATE TABLE sa_docs (id serial PRIMARY KEY, title varchar(200) NOT NULL UNIQUE, "
            "lang char(2) DEFAULT 'en', score numeric(10,2), created timestamp with time zone)"
        )
    )
    conn.execute(
        sa.text(
            "CREATE TABLE sa_chunks (id bigint PRIMARY KEY, "
            "doc_id int NOT NULL REFERENCES sa_docs ON DELETE CASCADE, "
            "seq int NOT NULL, content text, embedding vector(3), UNIQUE (doc_id, seq))"
        )
    )
    conn.execute(sa.text("CREATE INDEX sa_chunks_embedding_idx ON sa_chunks USING hnsw (embedding vector_l2_ops)"))
    conn.execute(sa.text("CREATE INDEX sa_chunks_doc_idx ON sa_chunks (doc_id, seq DESC)"))

inspector = sa.inspect(engine)
show("schema names", [s for s in inspector.get_schema_names() if not s.startswith("pg_")])
show("table names", inspector.get_table_names())
show("has_table sa_docs", inspector.has_table("sa_docs"))
show("has_table missing", inspector.has_table("sa_missing"))
for table in ("sa_docs", "sa_chunks"):
    print(f"-- {table}")
    for column in inspector.get_columns(table):
        show("column", column_summary(column))
    show("pk", inspector.get_pk_constraint(table))
    show("unique", sorted(inspector.get_unique_constraints(table), key=lambda c: c["name"]))
    show("foreign keys", inspector.get_foreign_keys(table))
    show("indexes", sorted(inspector.get_indexes(table), key=lambda i: i["name"]))
    show("check constraints", inspector.get_check_constraints(table))
    show("table comment", inspector.get_table_comment(table))

metadata = sa.MetaData()
metadata.reflect(engine)
show("reflected tables", sorted(metadata.tables))
chunks = metadata.tables["sa_chunks"]
docs = metadata.tables["sa_docs"]
show("reflected embedding type", repr(chunks.c.embedding.type))
show("reflected fk", [(fk.parent.name, fk.column.table.name, fk.column.name) for fk in chunks.foreign_keys])
show("reflected indexes", sorted((i.name, [c.name for c in i.columns], i.unique) for i in chunks.indexes))

with engine.begin() as conn:
    result = conn.execute(sa.insert(docs).returning(docs.c.id), [{"title": "first", "score": 1.5}])
    show("inserted doc id", result.scalar())
    conn.execute(sa.insert(docs), [{"title": "second", "lang": "de"}, {"title": "third", "lang": "en"}])
    conn.execute(
        sa.insert(chunks),
        [
            {"id": i, "doc_id": 1 + i % 3, "seq": i, "content": f"chunk {i}", "embedding": [i, i % 4, 1]}
            for i in range(1, 9)
        ],
    )

with engine.connect() as conn:
    distance = chunks.c.embedding.op("<->")(sa.literal_column("'[1,1,1]'"))
    query = sa.select(chunks.c.id, chunks.c.content).order_by(distance).limit(3)
    show("knn literal_column", conn.execute(query).all())
    query = sa.select(chunks.c.id).order_by(sa.text("embedding <-> '[4,0,1]'")).limit(2)
    show("knn text order", conn.execute(query).all())
    param = sa.bindparam("q", [2, 2, 1], type_=Vector(3))
    dist = chunks.c.embedding.op("<=>", return_type=sa.Float)(param).label("distance")
    query = (
        sa.select(chunks.c.id, docs.c.title, sa.func.round(sa.cast(dist, sa.Numeric), 4).label("d"))
        .join(docs, docs.c.id == chunks.c.doc_id)
        .where(docs.c.lang == sa.bindparam("lang", "en"))
        .order_by(dist, chunks.c.id)
        .limit(4)
    )
    show("knn join with bound vector", [tuple(r) for r in conn.execute(query)])
    row = conn.execute(sa.select(chunks.c.embedding).where(chunks.c.id == 5)).one()
    show("vector result processor", row.embedding)
    query = (
        sa.select(docs.c.lang, sa.func.count(chunks.c.id).label("n"))
        .select_from(docs.outerjoin(chunks, chunks.c.doc_id == docs.c.id))
        .group_by(docs.c.lang)
        .order_by(docs.c.lang)
    )
    show("aggregate", conn.execute(query).all())

try:
    with engine.begin() as conn:
        conn.execute(sa.update(docs).where(docs.c.id == 1).values(title="renamed"))
        conn.execute(sa.insert(docs).values(title="second"))
except sa.exc.IntegrityError as e:
    show("integrity error", (e.orig.pgcode, type(e.orig).__name__))
with engine.connect() as conn:
    show("title after rollback", conn.execute(sa.select(docs.c.title).where(docs.c.id == 1)).scalar())

try:
    with engine.begin() as conn:
        conn.execute(sa.insert(chunks).values(id=99, doc_id=99, seq=1))
except sa.exc.IntegrityError as e:
    show("foreign key error", (e.orig.pgcode, type(e.orig).__name__, e.orig.diag.constraint_name))
with engine.begin() as conn:
    conn.execute(sa.delete(docs).where(docs.c.id == 3))
    show("chunks after cascade", conn.execute(sa.select(sa.func.count()).select_from(chunks)).scalar())

with engine.begin() as conn:
    conn.execute(sa.text("DROP TABLE sa_chunks"))
    conn.execute(sa.text("DROP TABLE sa_docs"))
engine.dispose()
show("done", True)
