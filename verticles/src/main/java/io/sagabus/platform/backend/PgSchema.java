package io.sagabus.platform.backend;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import java.util.function.Function;

/**
 * Creates or migrates tables at start. Every node and every service runs its DDL under one cluster-wide Postgres
 * advisory lock, in one transaction: concurrent {@code CREATE TABLE IF NOT EXISTS} of the same table by two nodes
 * otherwise collides in the catalog and fails one node's start.
 */
public final class PgSchema {

  /** Arbitrary, fixed: the key of the advisory lock all sagabus migrations share. */
  private static final long MIGRATION_LOCK = 0x5a6a_b005L;

  private PgSchema() {}

  public static Future<Void> migrate(Pool pool, List<String> ddl) {
    return migrate(pool, ddl, connection -> Future.succeededFuture());
  }

  /** Runs {@code ddl} in order, then {@code seed}, all in one transaction under the migration lock. */
  public static Future<Void> migrate(Pool pool, List<String> ddl, Function<SqlConnection, Future<Void>> seed) {
    return pool.withTransaction(connection -> {
      // "already exists, skipping" notices are expected on every start after the first.
      Future<Void> chain = connection.query("SET LOCAL client_min_messages = warning").execute()
          .compose(ignored -> connection.query("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")").execute())
          .mapEmpty();
      for (String statement : ddl) {
        chain = chain.compose(ignored -> connection.query(statement).execute().mapEmpty());
      }
      return chain.compose(ignored -> seed.apply(connection));
    });
  }
}
