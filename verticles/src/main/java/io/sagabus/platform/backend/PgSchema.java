package io.sagabus.platform.backend;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import java.util.function.Function;

/**
 * Creates or migrates tables at start. Nodes and services take turns under one Postgres advisory lock: two nodes
 * running {@code CREATE TABLE IF NOT EXISTS} of the same table at once otherwise collide in the catalog. Each
 * statement commits on its own, so a migration never holds one table's lock while waiting for another's, and
 * cannot deadlock with the transactions of nodes already running.
 */
public final class PgSchema {

  /** Arbitrary, fixed: the key of the advisory lock all sagabus migrations share. */
  private static final long MIGRATION_LOCK = 0x5a6a_b005L;

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
        chain = chain.compose(ignored -> connection.query(statement).execute().mapEmpty());
      }
      return chain.compose(ignored -> seed.apply(connection))
          .eventually(() -> connection.query("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")").execute()
              .compose(ignored -> connection.query("RESET client_min_messages").execute()));
    });
  }
}
