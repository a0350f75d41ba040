// What a BI tool does over pgjdbc on first connect, printed as stable text so the same
// program's output against Quiver can be compared with its output against PostgreSQL 15 +
// pgvector (test/clients/fixtures/jdbc-probe.out). Run as a single-file source program:
//
//   java -cp /usr/share/java/postgresql.jar JdbcProbe.java jdbc:postgresql://host:port/db?user=u
//
// It creates its own objects (jdbc_items, jdbc_item_names) and drops them at the end.
// Values that legitimately differ between the two servers are normalized where printed,
// each with the reason next to it.

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.postgresql.util.PGobject;

public class JdbcProbe {
  private static String catalog = "";

  public static void main(String[] args) throws Exception {
    try (Connection conn = DriverManager.getConnection(args[0])) {
      catalog = conn.getCatalog();
      setup(conn);
      try {
        metadata(conn);
        dml(conn);
      } finally {
        try (Statement st = conn.createStatement()) {
          st.execute("DROP VIEW IF EXISTS jdbc_item_names");
          st.execute("DROP TABLE IF EXISTS jdbc_item_notes");
          st.execute("DROP TABLE IF EXISTS jdbc_items");
        }
      }
    }
  }

  private static void setup(Connection conn) throws SQLException {
    try (Statement st = conn.createStatement()) {
      st.execute("CREATE EXTENSION IF NOT EXISTS vector");
      st.execute("DROP VIEW IF EXISTS jdbc_item_names");
      st.execute("DROP TABLE IF EXISTS jdbc_item_notes");
      st.execute("DROP TABLE IF EXISTS jdbc_items");
      st.execute(
          "CREATE TABLE jdbc_items (id bigserial PRIMARY KEY, name text NOT NULL DEFAULT 'unnamed', "
              + "embedding vector(3), price numeric(10,2), tag varchar(20) UNIQUE, tags text[], "
              + "created timestamptz)");
      st.execute("CREATE INDEX jdbc_items_embedding_idx ON jdbc_items USING hnsw (embedding vector_l2_ops)");
      st.execute("COMMENT ON TABLE jdbc_items IS 'items with embeddings'");
      st.execute("COMMENT ON COLUMN jdbc_items.embedding IS 'a 3-d embedding'");
      st.execute("CREATE VIEW jdbc_item_names AS SELECT id, name FROM jdbc_items");
      st.execute(
          "CREATE TABLE jdbc_item_notes (id int PRIMARY KEY, "
              + "item bigint NOT NULL REFERENCES jdbc_items ON DELETE CASCADE ON UPDATE RESTRICT, "
              + "tag varchar(20), CONSTRAINT jdbc_notes_tag FOREIGN KEY (tag) REFERENCES jdbc_items (tag) "
              + "DEFERRABLE INITIALLY DEFERRED)");
    }
  }

  private static void metadata(Connection conn) throws SQLException {
    DatabaseMetaData md = conn.getMetaData();
    // Quiver reports a PostgreSQL 16 server_version (DESIGN.md §6) and the reference is 15:
    // only the product name and that the major version is one pgjdbc treats as modern are
    // compared (both get the same catalog queries from pgjdbc 42.5).
    section("product");
    System.out.println("name=" + md.getDatabaseProductName());
    System.out.println("major>=15: " + (md.getDatabaseMajorVersion() >= 15));
    System.out.println("driver=" + md.getDriverName());
    System.out.println("identifierQuote=" + md.getIdentifierQuoteString());
    System.out.println("searchStringEscape=" + md.getSearchStringEscape());

    // The reference server holds other databases (postgres, template1 …): only whether the
    // connection's own database is listed is compared.
    section("getCatalogs");
    boolean found = false;
    try (ResultSet rs = md.getCatalogs()) {
      printColumns(rs.getMetaData());
      while (rs.next()) found |= catalog.equals(rs.getString("TABLE_CAT"));
    }
    System.out.println("current catalog listed=" + found);

    section("getSchemas");
    print(md.getSchemas(), Set.of());
    section("getSchemas(null, \"pub%\")");
    print(md.getSchemas(null, "pub%"), Set.of());
    section("getTableTypes");
    print(md.getTableTypes(), Set.of());

    section("getTables(public, %, TABLE/VIEW)");
    print(md.getTables(null, "public", "jdbc%", new String[] {"TABLE", "VIEW"}), Set.of());
    section("getTables(null, jdbc_items, null)");
    print(md.getTables(null, null, "jdbc_items", null), Set.of());

    section("getColumns(public, jdbc_items)");
    print(md.getColumns(null, "public", "jdbc_items", "%"), Set.of());
    section("getColumns(view)");
    print(md.getColumns(null, "public", "jdbc_item_names", null), Set.of());

    section("getPrimaryKeys");
    print(md.getPrimaryKeys(null, "public", "jdbc_items"), Set.of());

    section("getIndexInfo");
    print(md.getIndexInfo(null, "public", "jdbc_items", false, false), Set.of());
    section("getIndexInfo(unique)");
    print(md.getIndexInfo(null, "public", "jdbc_items", true, true), Set.of());

    section("getImportedKeys");
    print(md.getImportedKeys(null, "public", "jdbc_items"), Set.of());
    section("getImportedKeys(notes)");
    print(md.getImportedKeys(null, "public", "jdbc_item_notes"), Set.of());
    section("getExportedKeys");
    print(md.getExportedKeys(null, "public", "jdbc_items"), Set.of());
    section("getCrossReference");
    print(md.getCrossReference(null, "public", "jdbc_items", null, "public", "jdbc_item_notes"), Set.of());

    // PostgreSQL has types Quiver does not implement (geometric, ranges, …): the count is
    // only bounded; the rows of the types Quiver does have are compared in full.
    section("getTypeInfo");
    Set<String> shown =
        Set.of("bool", "int4", "int8", "float8", "numeric", "text", "varchar", "timestamptz", "vector", "_vector", "_int4");
    int total = 0;
    try (ResultSet rs = md.getTypeInfo()) {
      ResultSetMetaData rsmd = rs.getMetaData();
      printColumns(rsmd);
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        total++;
        if (shown.contains(rs.getString("TYPE_NAME"))) rows.add(row(rs, rsmd, Set.of()));
      }
      rows.sort(null);
      rows.forEach(System.out::println);
    }
    System.out.println("rows >= 40: " + (total >= 40));
  }

  private static void dml(Connection conn) throws SQLException {
    section("insert with PGobject");
    try (PreparedStatement ps =
        conn.prepareStatement("INSERT INTO jdbc_items (name, embedding, price, tag) VALUES (?, ?, ?, ?)")) {
      ps.setString(1, "first");
      ps.setObject(2, vector("[1,2,3]"));
      ps.setBigDecimal(3, new java.math.BigDecimal("9.99"));
      ps.setString(4, "a");
      System.out.println("updated=" + ps.executeUpdate());
    }

    section("batch insert");
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO jdbc_items (name, embedding) VALUES (?, ?)")) {
      String[][] rows = {{"second", "[4,5,6]"}, {"third", "[1,1,1]"}, {"fourth", "[10,10,10]"}};
      for (String[] r : rows) {
        ps.setString(1, r[0]);
        ps.setObject(2, vector(r[1]));
        ps.addBatch();
      }
      int[] counts = ps.executeBatch();
      System.out.println("batch=" + java.util.Arrays.toString(counts));
    }

    section("kNN");
    try (PreparedStatement ps = conn.prepareStatement(
        "SELECT id, name, embedding, embedding <-> ?::vector AS distance, price, tags, created "
            + "FROM jdbc_items ORDER BY embedding <-> ?::vector LIMIT 2")) {
      ps.setString(1, "[1,2,2]");
      ps.setString(2, "[1,2,2]");
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData rsmd = rs.getMetaData();
        for (int i = 1; i <= rsmd.getColumnCount(); i++) {
          System.out.println(rsmd.getColumnLabel(i) + ": typeName=" + rsmd.getColumnTypeName(i)
              + " type=" + rsmd.getColumnType(i) + " class=" + rsmd.getColumnClassName(i)
              + " table=" + rsmd.getTableName(i) + " nullable=" + rsmd.isNullable(i)
              + " autoIncrement=" + rsmd.isAutoIncrement(i) + " precision=" + rsmd.getPrecision(i)
              + " scale=" + rsmd.getScale(i) + " displaySize=" + rsmd.getColumnDisplaySize(i));
        }
        while (rs.next()) {
          Object embedding = rs.getObject("embedding");
          System.out.println(rs.getLong("id") + "|" + rs.getString("name") + "|"
              + embedding.getClass().getSimpleName() + ":" + embedding + "|" + rs.getDouble("distance")
              + "|" + rs.getBigDecimal("price"));
        }
      }
    }

    section("aggregate");
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT count(*) AS n, avg(embedding) AS centroid, sum(price) AS total FROM jdbc_items")) {
      print(rs, Set.of());
    }

    section("dimension mismatch");
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO jdbc_items (embedding) VALUES (?)")) {
      ps.setObject(1, vector("[1,2]"));
      ps.executeUpdate();
      System.out.println("no error");
    } catch (SQLException e) {
      System.out.println("SQLSTATE=" + e.getSQLState() + " message=" + ((org.postgresql.util.PSQLException) e).getServerErrorMessage().getMessage());
    }
  }

  private static PGobject vector(String text) throws SQLException {
    PGobject v = new PGobject();
    v.setType("vector");
    v.setValue(text);
    return v;
  }

  private static void section(String name) {
    System.out.println("== " + name);
  }

  private static void printColumns(ResultSetMetaData rsmd) throws SQLException {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= rsmd.getColumnCount(); i++) {
      if (i > 1) sb.append('|');
      sb.append(rsmd.getColumnLabel(i)).append(':').append(rsmd.getColumnTypeName(i));
    }
    System.out.println(sb);
  }

  private static String row(ResultSet rs, ResultSetMetaData rsmd, Set<String> skip) throws SQLException {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= rsmd.getColumnCount(); i++) {
      if (i > 1) sb.append('|');
      String label = rsmd.getColumnLabel(i);
      String value = rs.getString(i);
      if (skip.contains(label)) value = "<skipped>";
      // The database name is the test's own (a scratch database on the reference server).
      else if (value != null && value.equals(catalog)) value = "<catalog>";
      sb.append(value);
    }
    return sb.toString();
  }

  private static void print(ResultSet rs, Set<String> skip) throws SQLException {
    try (rs) {
      ResultSetMetaData rsmd = rs.getMetaData();
      printColumns(rsmd);
      int n = 0;
      while (rs.next()) {
        System.out.println(row(rs, rsmd, skip));
        n++;
      }
      System.out.println("(" + n + " rows)");
    }
  }
}
