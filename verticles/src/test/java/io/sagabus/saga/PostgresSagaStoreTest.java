package io.sagabus.saga;

import io.sagabus.platform.backend.Backends;
import static org.assertj.core.api.Assertions.assertThat;

import io.sagabus.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract against PostgreSQL, in tables unique to this run (dropped afterwards). */
class PostgresSagaStoreTest extends SagaStoreContract {

  private Vertx vertx;
  private Pool pool;
  private PostgresSagaStore store;
  private final String prefix = SagaTestSupport.uniqueSuffix() + "_";

  @BeforeAll
  void startStore() {
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().connectingTo(Backends.pgOptions(SagaTestSupport.POSTGRES_URL))
        .with(new PoolOptions().setMaxSize(4)).using(vertx).build();
    store = new PostgresSagaStore(vertx, pool, prefix, 100, 2);
    run(store::start);
    // Starting twice is how a second node or a restart finds the schema: it must be a no-op.
    run(store::start);
  }

  @AfterAll
  void dropTables() {
    run(() -> pool.query("DROP TABLE IF EXISTS " + prefix + "sagas, " + prefix + "saga_leases").execute());
    TestCluster.await(vertx.close());
  }

  @Test
  void savesQueuedBackToBack_goIntoOneBatch_andLandInOrder() {
    SagaInstance saga = run(() -> store.create(newSaga("node-a", null, null)));
    SagaInstance other = run(() -> store.create(newSaga("node-a", null, null)));

    run(() -> {
      saga.nextStep = 1;
      Future<Void> first = store.save(saga);
      other.nextStep = 1;
      Future<Void> alongside = store.save(other);
      saga.nextStep = 2;
      Future<Void> second = store.save(saga);
      return Future.all(first, alongside, second);
    });

    SagaInstance stored = run(() -> store.get(saga.id()));
    assertThat(stored.version()).isEqualTo(3);
    assertThat(stored.nextStep).isEqualTo(2);
    assertThat(run(() -> store.get(other.id())).nextStep).isEqualTo(1);
  }

  @Override
  Vertx vertx() {
    return vertx;
  }

  @Override
  SagaStore store() {
    return store;
  }
}
