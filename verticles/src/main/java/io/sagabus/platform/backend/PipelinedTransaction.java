package io.sagabus.platform.backend;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A transaction that costs as few round trips as its statements allow: {@code BEGIN} goes out with the first
 * statement and {@code COMMIT} with the last. Statements whose results the work does not wait for go into the
 * {@code pipelined} list; the transaction commits only after every one of them succeeded, so a failed statement
 * fails the whole transaction even when PostgreSQL answers the {@code COMMIT} of an aborted transaction with a
 * rollback rather than an error.
 */
public final class PipelinedTransaction {

  private PipelinedTransaction() {}

  /** Runs {@code work} in one transaction on a connection of {@code pool}; rolls back when anything failed. */
  public static <T> Future<T> run(Pool pool, BiFunction<SqlConnection, List<Future<?>>, Future<T>> work) {
    return pool.withConnection(conn -> {
      List<Future<?>> pipelined = new ArrayList<>();
      pipelined.add(conn.query("BEGIN").execute());
      return work.apply(conn, pipelined)
          .compose(result -> {
            Future<?> committed = conn.query("COMMIT").execute();
            return Future.all(pipelined).compose(all -> committed).map(result);
          })
          .recover(failure -> conn.query("ROLLBACK").execute().transform(ignored -> Future.<T>failedFuture(failure)));
    });
  }
}
