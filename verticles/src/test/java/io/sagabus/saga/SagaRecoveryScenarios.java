package io.sagabus.saga;

import static io.sagabus.saga.SagaTestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagabus.inventory.contract.InventoryAddresses;
import io.sagabus.node.RunningNode;
import io.sagabus.payment.contract.PaymentAddresses;
import io.sagabus.saga.contract.SagaAddresses;
import io.sagabus.testing.TestCluster;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Crash recovery in-process: node A runs only the orchestrator, node B runs the participants and an orchestrator.
 * Slow notifications keep sagas in flight while A leaves; B must claim A's sagas and finish every one, with the
 * books balanced. A saga owned by a node that never renews its lease must be claimed too.
 */
abstract class SagaRecoveryScenarios {

  static final int SAGAS = 30;

  abstract JsonObject storeConfig();

  JsonObject nodeConfig() {
    return new JsonObject();
  }

  @Test
  void ownerLeavesMidFlight_survivorClaimsAndFinishesEverySaga() {
    TestCluster cluster = new TestCluster();
    // The notification delay must outlast starting all the sagas on a busy machine, or the first ones end on the
    // doomed node before it leaves.
    JsonObject saga = new JsonObject().put("stepTimeoutMs", 10_000).put("leaseMs", 3_000).mergeIn(storeConfig());
    JsonObject participantsNode = new JsonObject().put("saga", saga.copy())
        .put("roles", new JsonArray(List.of("order", "inventory", "payment", "shipping", "notification", "saga")))
        .put("inventory", new JsonObject().put("seed", new JsonObject().put("SKU-R", new JsonObject().put("stock", 1_000).put("price", 10))))
        .put("payment", new JsonObject().put("customers", new JsonObject().put("c-r", 1_000_000)))
        .put("notification", new JsonObject().put("faults", new JsonObject().put("send", new JsonObject().put("replyDelayMs", 4_000))))
        .mergeIn(nodeConfig(), true);
    RunningNode survivor = cluster.startNode(participantsNode);
    RunningNode doomed = cluster.startNode(new JsonObject().put("saga", saga.copy()).put("roles", new JsonArray().add("saga"))
        .mergeIn(nodeConfig(), true));
    try {
      List<JsonObject> started = new ArrayList<>();
      for (int i = 0; i < SAGAS; i++) {
        started.add(request(doomed.vertx(), SagaAddresses.START, new JsonObject().put("type", "order").put("input", orderInput())));
      }
      List<String> ownedByDoomed = started.stream().filter(s -> doomed.nodeId().equals(s.getString("node")))
          .map(s -> s.getString("sagaId")).toList();
      assertThat(ownedByDoomed).as("round-robin gave the doomed node some sagas").isNotEmpty();
      String ghostSaga = createSagaOwnedByGhost(survivor);

      SagaTestSupport.stop(doomed);

      List<String> all = new ArrayList<>(started.stream().map(s -> s.getString("sagaId")).toList());
      all.add(ghostSaga);
      await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
        for (String sagaId : all) {
          assertThat(sagaStatus(survivor, sagaId)).as("saga %s", sagaId).isEqualTo("COMPLETED");
        }
      });
      for (String sagaId : ownedByDoomed) {
        JsonObject view = request(survivor.vertx(), SagaAddresses.GET, new JsonObject().put("sagaId", sagaId));
        assertThat(view.getJsonArray("transitions").encode()).contains("claimed by node " + survivor.nodeId());
      }
      JsonObject level = request(survivor.vertx(), InventoryAddresses.STOCK, new JsonObject().put("sku", "SKU-R"));
      assertThat(level.getLong("sold")).isEqualTo(all.size());
      assertThat(level.getLong("available") + level.getLong("reserved") + level.getLong("sold")).isEqualTo(1_000);
      JsonObject account = request(survivor.vertx(), PaymentAddresses.ACCOUNT, new JsonObject().put("customerId", "c-r"));
      assertThat(account.getJsonArray("charges")).hasSize(all.size());
      assertThat(account.getLong("balance")).isEqualTo(1_000_000 - 10L * all.size());
    } finally {
      SagaTestSupport.stop(survivor);
    }
  }

  /** A saga whose owner never took a lease: only the lease sweep can find it. */
  private String createSagaOwnedByGhost(RunningNode node) {
    JsonObject config = storeConfig();
    SagaStore store = "postgres".equals(config.getString("store"))
        ? new PostgresSagaStore(node.vertx(), node.context().backends().postgres().orElseThrow(), config.getString("tablePrefix"), 10, 1)
        : new EmbeddedSagaStore(node.vertx(), config.getString("mapPrefix"), 60_000);
    SagaDefinition definition = OrderSaga.definition(Duration.ofSeconds(5), SagaDefinition.DEFAULT_RETRY, SagaDefinition.DEFAULT_COMPENSATION_RETRY);
    SagaInstance saga = SagaInstance.create(UUID.randomUUID().toString(), definition, orderInput(), null, null,
        "ghost-" + UUID.randomUUID(), System.currentTimeMillis());
    saga.status = io.sagabus.saga.contract.SagaStatus.RUNNING;
    Context context = node.vertx().getOrCreateContext();
    TestCluster.await(Future.<SagaInstance>future(promise -> context.runOnContext(ignored ->
        store.start().compose(started -> store.create(saga)).onComplete(promise))));
    return saga.id();
  }

  private static JsonObject orderInput() {
    return new JsonObject().put("orderId", "ord-" + UUID.randomUUID()).put("customerId", "c-r")
        .put("items", new JsonArray().add(new JsonObject().put("sku", "SKU-R").put("qty", 1)))
        .put("paymentMethod", "card")
        .put("shippingAddress", new JsonObject().put("street", "1 Main St").put("city", "Springfield").put("country", "US"));
  }

  private static String sagaStatus(RunningNode node, String sagaId) {
    return TestCluster.await(node.vertx().eventBus().<JsonObject>request(SagaAddresses.GET, new JsonObject().put("sagaId", sagaId),
        new DeliveryOptions().setSendTimeout(5_000)).map(m -> m.body().getString("status")));
  }
}
