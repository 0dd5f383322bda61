package io.sagabus.platform.backend;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates or migrates tables at start. Nodes and services take turns under one Postgres advisory lock: two nodes
 * running {@code CREATE TABLE IF NOT EXISTS} of the same table at once otherwise collide in the catalog. Each
 * statement commits on its own, so a migration never holds one table's lock while waiting for another's, and
 * cannot deadlock with the transactions of nodes already running. An index that exists is not created again:
 * {@code CREATE INDEX IF NOT EXISTS} takes a share lock on its table before it looks, and would stall every writer
 * of a busy table while a node restarts.
 */
public final class PgSchema {

  /** Arbitrary, fixed: the key of the advisory lock all sagabus migrations share. */
  private static final long MIGRATION_LOCK = 0x5a6a_b005L;
  private static final Pattern CREATE_INDEX = Pattern.compile("(?i)^\\s*CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+IF\\s+NOT\\s+EXISTS\\s+(\\S+)");

  private PgSchema() {}

  public static Future<Void> migrate(Pool pool, List<String> ddl) {
    return migrate(pool, ddl, connection -> Future.succeededFuture());
  }

  /** Runs {@code ddl} in order, then {@code seed}, on one connection under the migration lock. */
  public static Future<Void> migrate(Pool pool, List<String> ddl, Function<SqlConnection, Future<Void>> seed) {
    return pool.withConnection(connection -> {
      // "already exists, skipping" notices are expected on every start after the first.
      Future<Void> chain = connection.query("SET client_min_messages = warning").execute()
          .compose(ignored -> connection.query("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")").execute())
          .mapEmpty();
      for (String statement : ddl) {
        chain = chain.compose(ignored -> apply(connection, statement));
      }
      return chain.compose(ignored -> seed.apply(connection))
          .eventually(() -> connection.query("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")").execute()
              .compose(ignored -> connection.query("RESET client_min_messages").execute()));
    });
  }

  private static Future<Void> apply(SqlConnection connection, String statement) {
    Matcher index = CREATE_INDEX.matcher(statement);
    if (!index.find()) {
      return connection.query(statement).execute().mapEmpty();
    }
    return connection.preparedQuery("SELECT to_regclass($1) IS NOT NULL AS present").execute(Tuple.of(index.group(1)))
        .compose(rows -> rows.iterator().next().getBoolean("present")
            ? Future.succeededFuture()
            : connection.query(statement).execute().mapEmpty());
  }
}
