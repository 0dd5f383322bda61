package io.sagabus.saga;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagabus.node.RunningNode;
import io.sagabus.testing.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store contract against the embedded store on a real two-member Hazelcast cluster, plus what only it must
 * show: sagas written through one member outlive that member.
 */
class EmbeddedSagaStoreTest extends SagaStoreContract {

  private final TestCluster cluster = new TestCluster();
  private final String prefix = "sagabus." + SagaTestSupport.uniqueSuffix() + ".";
  private RunningNode first;
  private RunningNode second;
  private EmbeddedSagaStore store;
  private boolean firstStopped;

  @BeforeAll
  void startCluster() {
    JsonObject lightweight = new JsonObject().put("roles", new JsonArray().add("notification"));
    first = cluster.startNode(lightweight.copy());
    second = cluster.startNode(lightweight.copy());
    store = new EmbeddedSagaStore(second.vertx(), prefix, 60_000);
    run(store::start);
  }

  @AfterAll
  void stopCluster() {
    SagaTestSupport.stop(second);
    if (!firstStopped) {
      SagaTestSupport.stop(first);
    firstStopped = true;
    }
  }

  @Override
  Vertx vertx() {
    return second.vertx();
  }

  @Override
  SagaStore store() {
    return store;
  }

  @Test
  void finishedSagas_expireAfterTheRetention_parkedOnesStay() {
    EmbeddedSagaStore shortMemory = new EmbeddedSagaStore(second.vertx(), prefix + "short.", 1_000);
    run(shortMemory::start);
    SagaInstance finished = run(() -> shortMemory.create(newSaga("node-a", "key-" + java.util.UUID.randomUUID(), "h")));
    SagaInstance parked = run(() -> shortMemory.create(newSaga("node-a", null, null)));
    finished.status = io.sagabus.saga.contract.SagaStatus.COMPLETED;
    parked.status = io.sagabus.saga.contract.SagaStatus.COMPENSATION_FAILED;
    run(() -> shortMemory.save(finished));
    run(() -> shortMemory.save(parked));

    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> run(() -> shortMemory.get(finished.id())) == null);
    assertThat(run(() -> shortMemory.get(parked.id()))).isNotNull();
  }

  @Test
  void sagasWrittenThroughOneMember_outliveThatMember() {
    EmbeddedSagaStore throughFirst = new EmbeddedSagaStore(first.vertx(), prefix, 60_000);
    var context = first.vertx().getOrCreateContext();
    List<SagaInstance> written = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      SagaInstance saga = newSaga("node-a", null, null);
      written.add(saga);
    }
    TestCluster.await(io.vertx.core.Future.<Void>future(promise -> context.runOnContext(ignored -> throughFirst.start()
        .compose(started -> io.vertx.core.Future.all(written.stream().map(throughFirst::create).toList()))
        .<Void>mapEmpty()
        .onComplete(promise))));

    SagaTestSupport.stop(first);
    firstStopped = true;

    for (SagaInstance saga : written) {
      assertThat(run(() -> store.get(saga.id()))).as("saga %s after its writer left", saga.id()).isNotNull();
    }
  }
}
