package io.sagabus.saga;

import static io.sagabus.saga.SagaTestSupport.get;
import static io.sagabus.saga.SagaTestSupport.order;
import static io.sagabus.saga.SagaTestSupport.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagabus.chaos.contract.ChaosAddresses;
import io.sagabus.node.NodeLauncher;
import io.sagabus.node.RunningNode;
import io.sagabus.platform.config.NodeConfig;
import io.sagabus.platform.resilience.ResilientCaller;
import io.sagabus.testing.FreePorts;
import io.sagabus.testing.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Circuit-aware sagas: while a participant's circuit is open, sagas that need it wait ("parked, waiting for
 * payment") instead of burning retries and compensating; they resume when the circuit lets calls through again,
 * and a maximum park time ends the wait by compensating.
 */
class ParkedSagasTest {

  private RunningNode node;

  @AfterEach
  void stopNode() {
    if (node != null) {
      TestCluster.await(node.close());
    }
  }

  @Test
  void paymentCircuitOpen_sagasParkWithoutCompensating_andAllCompleteWhenPaymentRecovers() {
    startNode(30_000, 1_000);
    tripPaymentCircuit();

    List<String> parked = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      SagaTestSupport.Response accepted = post(node.httpUrl(), "/api/orders", order("c-alice", "SKU-APPLE", 1, "US"), null);
      assertThat(accepted.status()).isEqualTo(202);
      parked.add(accepted.body().getString("sagaId"));
    }
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      for (String sagaId : parked) {
        JsonObject saga = saga(sagaId);
        assertThat(saga.getBoolean("parked")).as(sagaId).isTrue();
        assertThat(saga.getString("parkedReason")).isEqualTo("waiting for payment");
      }
    });
    assertThat(sagaPage("parked").size()).isGreaterThanOrEqualTo(parked.size());
    assertThat(node.context().metrics().get("sagabus.saga.parked").gauge().value()).isGreaterThanOrEqualTo(parked.size());

    chaos(ChaosAddresses.CLEAR, new JsonObject());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      for (String sagaId : parked) {
        assertThat(saga(sagaId).getString("status")).as(sagaId).isEqualTo("COMPLETED");
      }
    });
    for (String sagaId : parked) {
      JsonObject saga = saga(sagaId);
      assertThat(saga.getBoolean("parked")).isFalse();
      assertThat(attempts(saga, "charge-payment").stream().map(attempt -> ((JsonObject) attempt).getString("outcome")))
          .as("a refusal by an open circuit is not an attempt").containsOnly("ok");
      assertThat(attempts(saga, "create-order").stream().filter(attempt -> "compensate".equals(((JsonObject) attempt).getString("kind"))))
          .as("nothing was compensated").isEmpty();
    }
  }

  @Test
  void paymentStaysDown_theMaximumParkTimeEndsTheWaitByCompensating() {
    // The circuit stays open far longer than the saga may wait.
    startNode(1_500, 60_000);
    tripPaymentCircuit();

    String sagaId = post(node.httpUrl(), "/api/orders", order("c-alice", "SKU-APPLE", 1, "US"), null).body().getString("sagaId");
    await().atMost(Duration.ofSeconds(10)).until(() -> saga(sagaId).getBoolean("parked"));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonObject saga = saga(sagaId);
      assertThat(saga.getString("status")).isEqualTo("FAILED");
      assertThat(saga.getString("error")).contains("gave up waiting for payment");
    });
    JsonObject stock = get(node.httpUrl(), "/api/inventory/SKU-APPLE").body();
    assertThat(stock.getInteger("reserved")).as("the reservation was released").isZero();
  }

  private void startNode(long maxParkMs, long openStateMs) {
    JsonObject circuit = new JsonObject()
        .put("failureRateThreshold", 50).put("slidingWindowSize", 10).put("minimumNumberOfCalls", 4)
        .put("waitDurationInOpenStateMs", openStateMs).put("permittedCallsInHalfOpenState", 2);
    NodeConfig config = NodeConfig.from("test", new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", FreePorts.next()))
        .put("saga", new JsonObject()
            .put("store", "embedded").put("mapPrefix", "sagabus." + SagaTestSupport.uniqueSuffix() + ".")
            .put("stepTimeoutMs", 2_000).put("maxParkMs", maxParkMs)
            .put("retry", new JsonObject().put("maxAttempts", 2).put("initialBackoffMs", 10).put("maxBackoffMs", 20)))
        .put("resilience", new JsonObject().put("targets", new JsonObject().put("payment", new JsonObject()
            .put("circuit", circuit)
            .put("retry", new JsonObject().put("maxAttempts", 1))))));
    node = TestCluster.await(NodeLauncher.start(config, false));
  }

  /** Payment fails every call until the node's circuit for it opens. */
  private void tripPaymentCircuit() {
    chaos(ChaosAddresses.SET, new JsonObject().put("service", "payment").put("failureRate", 1.0).put("failureCode", 503));
    ResilientCaller caller = ResilientCaller.forNode(node.vertx(), node.context());
    for (int i = 0; i < 4 && !caller.isOpen("payment"); i++) {
      post(node.httpUrl(), "/api/orders?wait=5000", order("c-bob", "SKU-BANANA", 1, "US"), null);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> caller.isOpen("payment"));
  }

  private void chaos(String address, JsonObject body) {
    SagaTestSupport.request(node.vertx(), address, body);
  }

  private JsonObject saga(String sagaId) {
    return get(node.httpUrl(), "/api/sagas/" + sagaId).body();
  }

  private JsonArray sagaPage(String status) {
    return get(node.httpUrl(), "/api/sagas?limit=500&status=" + status).body().getJsonArray("items");
  }

  private static JsonArray attempts(JsonObject saga, String step) {
    for (Object candidate : saga.getJsonArray("steps")) {
      JsonObject record = (JsonObject) candidate;
      if (record.getString("name").equals(step)) {
        return record.getJsonArray("attempts");
      }
    }
    throw new AssertionError("no step " + step);
  }
}
