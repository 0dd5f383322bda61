package io.sagabus.orderview;

import io.sagabus.platform.backend.Backends;
import io.sagabus.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The machine's Postgres for store tests: a pool, unique table prefixes, and dropping what a prefix created. */
final class PgTables {

  static final String URL = "postgresql://postgres@127.0.0.1:5432/test";

  private Pool pool;
  private final List<String> prefixes = new ArrayList<>();

  /** The shared pool of one test class, created on first use. */
  Pool sharedPool(Vertx vertx) {
    if (pool == null) {
      pool = pool(vertx);
    }
    return pool;
  }

  /** A prefix no other test uses; its tables are dropped by {@link #dropAll}. */
  String newPrefix() {
    String prefix = uniquePrefix();
    prefixes.add(prefix);
    return prefix;
  }

  void dropAll() {
    if (pool != null) {
      drop(pool, prefixes);
    }
  }

  static Pool pool(Vertx vertx) {
    return PgBuilder.pool().connectingTo(Backends.pgOptions(URL)).with(new PoolOptions().setMaxSize(8)).using(vertx).build();
  }

  static String uniquePrefix() {
    return "ov" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "_";
  }

  /** Drops the views, then the tables, whose names start with any of {@code prefixes}. */
  static void drop(Pool pool, List<String> prefixes) {
    for (String prefix : prefixes) {
      TestCluster.await(pool.preparedQuery("SELECT 'VIEW' AS kind, viewname AS name FROM pg_views WHERE schemaname = 'public' AND viewname LIKE $1 "
              + "UNION ALL SELECT 'TABLE', tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE $1 ORDER BY 1 DESC")
          .execute(Tuple.of(prefix + "%"))
          .compose(rows -> {
            Future<Void> chain = Future.succeededFuture();
            for (Row row : rows) {
              chain = chain.compose(ignored -> pool.query("DROP " + row.getString("kind") + " IF EXISTS " + row.getString("name") + " CASCADE")
                  .execute().mapEmpty());
            }
            return chain;
          }));
    }
  }

}
