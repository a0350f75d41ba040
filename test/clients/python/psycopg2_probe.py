"""Drives Debian's psycopg2 against a server and prints what it saw, one fact a line.

Connection settings come from libpq's environment (PGHOST, PGPORT, PGUSER, PGDATABASE).
test/clients/python.test.ts compares the output with what PostgreSQL 15 + pgvector printed
(fixtures/psycopg2.out), so everything printed must be deterministic.
"""

import io

import psycopg2
import psycopg2.extensions
import psycopg2.extras


def show(label, value):
    print(f"{label}: {value!r}")


class Vector:
    """What an application would hold in memory: a list of floats."""

    def __init__(self, values):
        self.values = [float(v) for v in values]


def adapt_vector(vector):
    # The text form pgvector reads, sent as a literal: psycopg2 interpolates parameters
    # on the client and the server casts the quoted literal.
    text = "[" + ",".join(repr(v) for v in vector.values) + "]"
    return psycopg2.extensions.AsIs(psycopg2.extensions.QuotedString(text).getquoted().decode() + "::vector")


def cast_vector(value, _cursor):
    if value is None:
        return None
    return Vector(value[1:-1].split(",")) if value != "[]" else Vector([])


conn = psycopg2.connect("")
show("server_version>=150000", conn.server_version >= 150000)
show("encoding", conn.encoding)
cur = conn.cursor()

# ---- schema ----
cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
cur.execute("DROP TABLE IF EXISTS py_items")
cur.execute(
    "CREATE TABLE py_items (id int PRIMARY KEY, name text NOT NULL, embedding vector(3))"
)
conn.commit()
show("status after commit", conn.status == psycopg2.extensions.STATUS_READY)

# ---- executemany with vectors passed as text ----
rows = [(i, f"item{i}", f"[{i},{i + 1},{i + 2}]") for i in range(1, 6)]
cur.executemany("INSERT INTO py_items (id, name, embedding) VALUES (%s, %s, %s)", rows)
show("executemany rowcount", cur.rowcount)
conn.commit()

# ---- a parameterised query (%s) ----
cur.execute("SELECT id, name, embedding::text FROM py_items WHERE id > %s AND name <> %s ORDER BY id", (2, "item4"))
show("params rows", cur.fetchall())
show("params description", [(d.name, d.type_code) for d in cur.description])
cur.execute("SELECT %s::int + %s, %s::text, %s IS NULL", (40, 2, "it's", None))
show("literal params", cur.fetchone())
conn.rollback()

# ---- an adapter for vector, found by type name ----
cur.execute("SELECT oid FROM pg_type WHERE typname = 'vector'")
vector_oid = cur.fetchone()[0]
print(f"vector oid={vector_oid}")
VECTOR = psycopg2.extensions.new_type((vector_oid,), "VECTOR", cast_vector)
psycopg2.extensions.register_type(VECTOR, conn)
psycopg2.extensions.register_adapter(Vector, adapt_vector)
cur.execute("SELECT id, embedding FROM py_items ORDER BY embedding <-> %s LIMIT 3", (Vector([3, 3, 3]),))
show("knn via adapter", [(r[0], r[1].values) for r in cur.fetchall()])
show("embedding type is vector", cur.description[1].type_code == vector_oid)
cur.execute("SELECT %s::text, NULL::vector", (Vector([1.5, -2, 0.25]),))
row = cur.fetchone()
show("adapted literal", row[0])
show("null vector", row[1])
cur.execute("SELECT embedding <-> %s AS d FROM py_items WHERE id = %s", (Vector([1, 2, 4]), 1))
show("distance", cur.fetchone()[0])
conn.commit()

# ---- COPY through copy_expert ----
cur.copy_expert("COPY py_items (id, name, embedding) FROM STDIN", io.StringIO("10\tten\t[10,0,0]\n11\televen\t\\N\n"))
show("copy text rowcount", cur.rowcount)
cur.copy_expert(
    "COPY py_items (id, name, embedding) FROM STDIN WITH (FORMAT csv, HEADER true)",
    io.StringIO('id,name,embedding\n12,"twelve, quoted","[0,12,0]"\n13,thirteen,\n'),
)
show("copy csv rowcount", cur.rowcount)
conn.commit()
out = io.StringIO()
cur.copy_expert("COPY (SELECT id, name, embedding FROM py_items WHERE id >= 10 ORDER BY id) TO STDOUT", out)
print("copy to stdout (text):")
print(out.getvalue(), end="")
out = io.StringIO()
cur.copy_expert("COPY py_items TO STDOUT WITH (FORMAT csv, HEADER true)", out)
print("copy to stdout (csv):")
print("".join(sorted(out.getvalue().splitlines(keepends=True))), end="")
conn.commit()

# ---- a named (server-side) cursor: DECLARE, FETCH FORWARD n, CLOSE ----
with conn.cursor(name="py_named") as named:
    named.itersize = 4
    named.execute("SELECT id, name FROM py_items ORDER BY id")
    show("named first", named.fetchone())
    show("named many", named.fetchmany(2))
    show("named iterate", [r for r in named])
    show("named rownumber", named.rownumber)
conn.commit()

with conn.cursor(name="py_scroll", scrollable=True) as named:
    named.execute("SELECT id FROM py_items WHERE id < %s ORDER BY id", (10,))
    show("scroll all", named.fetchall())
    named.scroll(1, mode="absolute")
    show("scroll absolute 1 then fetchone", named.fetchone())
    named.scroll(-2)
    show("scroll relative -2 then fetchmany", named.fetchmany(2))
conn.rollback()

# WITH HOLD survives the commit of the transaction that declared it.
held = conn.cursor(name="py_held", withhold=True)
held.execute("SELECT id FROM py_items ORDER BY id DESC")
conn.commit()
show("held after commit", held.fetchmany(3))
held.close()
conn.commit()

# ---- transactions and rollback ----
cur.execute("INSERT INTO py_items VALUES (100, 'temp', '[0,0,0]')")
cur.execute("SELECT count(*) FROM py_items")
show("count inside transaction", cur.fetchone()[0])
conn.rollback()
cur.execute("SELECT count(*) FROM py_items")
show("count after rollback", cur.fetchone()[0])
conn.commit()
with conn:
    with conn.cursor() as c2:
        c2.execute("UPDATE py_items SET name = upper(name) WHERE id <= %s", (2,))
        show("update rowcount", c2.rowcount)
cur.execute("SELECT name FROM py_items WHERE id <= 2 ORDER BY id")
show("after with-block commit", cur.fetchall())
conn.commit()

# ---- errors carry their SQLSTATE ----
for label, sql in [
    ("unique violation", "INSERT INTO py_items VALUES (1, 'dup', '[1,1,1]')"),
    ("dimension mismatch", "INSERT INTO py_items VALUES (200, 'bad', '[1,2]')"),
    ("distance dimension mismatch", "SELECT embedding <-> '[1,2]' FROM py_items"),
    ("undefined table", "SELECT * FROM py_missing"),
]:
    try:
        cur.execute(sql)
    except psycopg2.Error as e:
        show(label, (e.pgcode, type(e).__name__, e.diag.message_primary))
        show(label + " status", conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INERROR)
        conn.rollback()
try:
    cur.execute("SELECT 1")
    cur.execute("SELEC 1")
except psycopg2.errors.SyntaxError as e:
    show("syntax error", (e.pgcode, e.diag.message_primary, e.diag.statement_position))
    conn.rollback()

# ---- autocommit and a server-side cursor outside a transaction block ----
conn.autocommit = True
try:
    cur.execute("DECLARE py_nohold CURSOR FOR SELECT 1")
except psycopg2.Error as e:
    show("declare outside block", (e.pgcode, e.diag.message_primary))
cur.execute("BEGIN")
cur.execute("DECLARE py_manual NO SCROLL CURSOR FOR SELECT id FROM py_items ORDER BY id")
show("declare statusmessage", cur.statusmessage)
cur.execute("FETCH 2 FROM py_manual")
show("fetch 2", (cur.fetchall(), cur.statusmessage))
cur.execute("MOVE FORWARD 3 IN py_manual")
show("move", cur.statusmessage)
cur.execute("FETCH NEXT FROM py_manual")
show("fetch next", (cur.fetchall(), cur.statusmessage))
try:
    cur.execute("FETCH PRIOR FROM py_manual")
except psycopg2.Error as e:
    show("backward on no scroll", (e.pgcode, e.diag.message_primary))
cur.execute("ROLLBACK")
try:
    cur.execute("FETCH 1 FROM py_manual")
except psycopg2.Error as e:
    show("cursor gone after rollback", (e.pgcode, e.diag.message_primary))
cur.execute("DROP TABLE py_items")
show("drop", cur.statusmessage)
conn.close()
show("closed", conn.closed)
