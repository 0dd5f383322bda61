package io.sagabus.platform.backend;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * Creates or migrates a service's tables at start. Nodes start together, and concurrent
 * {@code CREATE TABLE IF NOT EXISTS} of one table can still collide in PostgreSQL's catalog, so the statements run
 * in one transaction under a transaction-scoped advisory lock named after the service's tables.
 */
public final class PgSchema {

  private PgSchema() {}

  public static Future<Void> apply(Pool pool, String lockName, List<String> statements) {
    return pool.withTransaction(conn -> {
      Future<Void> chain = conn.preparedQuery("SELECT pg_advisory_xact_lock(hashtext($1))").execute(Tuple.of(lockName)).mapEmpty();
      for (String statement : statements) {
        chain = chain.compose(ignored -> conn.query(statement).execute().mapEmpty());
      }
      return chain;
    });
  }
}
