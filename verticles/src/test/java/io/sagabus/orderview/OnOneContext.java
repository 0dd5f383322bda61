package io.sagabus.orderview;

import io.sagabus.testing.TestCluster;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * Store contract tests: a fresh store per test, and every operation run on one event-loop context, as the service
 * does, waited for.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OnOneContext<S> {

  S store;

  /** A new store with tables (or maps) of its own. */
  abstract S newStore(Vertx vertx);

  abstract Future<Void> start(S store);

  Vertx vertx;
  private Context context;
  /** Pools and table prefixes of the PostgreSQL subclasses; unused by the memory ones. */
  final PgTables tables = new PgTables();

  @BeforeAll
  void startVertx() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @AfterAll
  void stopVertx() {
    tables.dropAll();
    TestCluster.await(vertx.close());
  }

  @BeforeEach
  void freshStore() {
    store = newStore(vertx);
    run(() -> start(store));
  }

  <T> T run(Supplier<Future<T>> operation) {
    return TestCluster.await(onContext(operation));
  }

  /** The failure of an operation that must fail; null when it succeeded. */
  <T> Throwable runFailing(Supplier<Future<T>> operation) {
    return TestCluster.await(onContext(operation).transform(done -> Future.succeededFuture(done.cause())));
  }

  private <T> Future<T> onContext(Supplier<Future<T>> operation) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(ignored -> operation.get().onComplete(promise));
    return promise.future();
  }
}
