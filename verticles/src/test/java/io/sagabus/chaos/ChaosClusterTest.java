package io.sagabus.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.sagabus.inventory.contract.InventoryAddresses;
import io.sagabus.node.RunningNode;
import io.sagabus.platform.resilience.BulkheadFullException;
import io.sagabus.platform.resilience.ResilientCaller;
import io.sagabus.platform.security.JwtSecurity;
import io.sagabus.testing.Http;
import io.sagabus.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two in-process nodes: A runs the gateway and the circuit view, B runs the inventory participant. Faults are set
 * through A's HTTP API and must act on B.
 */
class ChaosClusterTest {

  private static final String SECRET = "chaos-cluster-test-secret-" + "q".repeat(16);
  private static TestCluster cluster;
  private static RunningNode gatewayNode;
  private static RunningNode inventoryNode;
  private static String base;
  private static String adminToken;

  @BeforeAll
  static void startCluster() {
    cluster = new TestCluster();
    JsonObject common = new JsonObject()
        .put("security", new JsonObject().put("jwtSecret", SECRET))
        .put("resilience", new JsonObject().put("publishIntervalMs", 200));
    gatewayNode = cluster.startNode(common.copy().put("roles", new JsonArray().add("gateway").add("circuits")));
    inventoryNode = cluster.startNode(common.copy().put("roles", new JsonArray().add("inventory")));
    base = gatewayNode.httpUrl();
    adminToken = JwtSecurity.mint(JwtSecurity.provider(gatewayNode.vertx(), SECRET), "test-admin", List.of("admin"), Duration.ofMinutes(30));
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @AfterEach
  void clearFaults() {
    assertThat(Http.call("DELETE", base + "/api/admin/chaos", adminToken, null).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> activeFaults(inventoryNode, "failure") == 0
        && activeFaults(inventoryNode, "no_reply") == 0 && activeFaults(inventoryNode, "partition") == 0
        && activeFaults(inventoryNode, "latency") == 0);
  }

  private static Future<Message<JsonObject>> stockFrom(RunningNode node, long timeoutMs) {
    return node.vertx().eventBus().request(InventoryAddresses.STOCK, new JsonObject(), new DeliveryOptions().setSendTimeout(timeoutMs));
  }

  private static ReplyException failureOf(Future<?> future) {
    Throwable failure = Assertions.catchThrowable(future::await);
    assertThat(failure).isInstanceOf(ReplyException.class);
    return (ReplyException) failure;
  }

  private static double activeFaults(RunningNode node, String kind) {
    Gauge gauge = node.context().metrics().find("sagabus_chaos_faults_active").tag("kind", kind).gauge();
    return gauge == null ? -1 : gauge.value();
  }

  private static double injected(RunningNode node, String kind) {
    Counter counter = node.context().metrics().find("sagabus_chaos_injected").tags("service", "inventory", "kind", kind).counter();
    return counter == null ? 0 : counter.count();
  }

  private static void setFault(String json, String kind) {
    Http.Response response = Http.call("POST", base + "/api/admin/chaos", adminToken, json);
    assertThat(response.status()).as(response.text()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> activeFaults(inventoryNode, kind) == 1);
  }

  @Test
  void failureRate100_setOverHttpOnOneNode_failsParticipantCallsOnAnother_andClearRestores() {
    setFault("{\"service\":\"inventory\",\"failureRate\":1.0}", "failure");

    ReplyException failure = failureOf(stockFrom(gatewayNode, 2_000));
    assertThat(failure.failureType()).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
    assertThat(failure.failureCode()).isEqualTo(500);
    assertThat(failure.getMessage()).contains("chaos");
    ResilientCaller caller = ResilientCaller.forNode(gatewayNode.vertx(), gatewayNode.context());
    assertThat(failureOf(caller.request("inventory", InventoryAddresses.STOCK, new JsonObject())).failureCode()).isEqualTo(500);
    assertThat(Http.call("GET", base + "/api/inventory", null, null).status()).isEqualTo(502);
    assertThat(injected(inventoryNode, "failure")).isGreaterThanOrEqualTo(3);

    JsonArray shown = Http.call("GET", base + "/api/chaos", null, null).json().getJsonArray("faults");
    assertThat(shown).hasSize(1);
    assertThat(shown.getJsonObject(0).getDouble("failureRate")).isEqualTo(1.0);

    assertThat(Http.call("DELETE", base + "/api/admin/chaos/inventory", adminToken, null).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> activeFaults(inventoryNode, "failure") == 0);
    assertThat(stockFrom(gatewayNode, 2_000).await().body().getJsonArray("items")).isNotEmpty();
  }

  @Test
  void noReply_forcesATimeout() {
    setFault("{\"service\":\"inventory\",\"noReplyRate\":1}", "no_reply");
    assertThat(failureOf(stockFrom(gatewayNode, 500)).failureType()).isEqualTo(ReplyFailure.TIMEOUT);
    assertThat(injected(inventoryNode, "no_reply")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void addedLatency_delaysEveryRequest() {
    setFault("{\"service\":\"inventory\",\"latencyMs\":{\"min\":300,\"max\":400}}", "latency");
    long start = System.nanoTime();
    stockFrom(gatewayNode, 5_000).await();
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
  }

  @Test
  void partition_dropsMessagesCrossingTheIsolatedNode_butNotItsLocalOnes() {
    setFault("{\"service\":\"inventory\",\"partitionNode\":\"" + inventoryNode.context().config().nodeName() + "\"}", "partition");
    await().atMost(Duration.ofSeconds(10)).until(() -> activeFaults(gatewayNode, "partition") == 1);
    assertThat(failureOf(stockFrom(gatewayNode, 500)).failureType()).isEqualTo(ReplyFailure.TIMEOUT);
    assertThat(stockFrom(inventoryNode, 2_000).await().body().getJsonArray("items")).isNotEmpty();
    assertThat(injected(inventoryNode, "partition")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void invalidFault_is400Problem() {
    Http.Response response = Http.call("POST", base + "/api/admin/chaos", adminToken, "{\"service\":\"inventory\",\"failureRate\":1.5}");
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().getString("detail")).startsWith("failureRate");
  }

  @Test
  void nodeJoiningLater_injectsTheFaultsAlreadyInForce() {
    setFault("{\"service\":\"inventory\",\"failureRate\":1.0}", "failure");
    RunningNode late = cluster.startNode(new JsonObject()
        .put("security", new JsonObject().put("jwtSecret", SECRET))
        .put("roles", new JsonArray().add("inventory")));
    try {
      assertThat(activeFaults(late, "failure")).isEqualTo(1);
    } finally {
      TestCluster.await(late.close());
    }
  }

  @Test
  void circuitView_reportsEachNodesBreakersPerService() {
    ResilientCaller onGateway = ResilientCaller.forNode(gatewayNode.vertx(), gatewayNode.context());
    ResilientCaller onInventory = ResilientCaller.forNode(inventoryNode.vertx(), inventoryNode.context());
    for (int i = 0; i < 3; i++) {
      onGateway.request("inventory", InventoryAddresses.STOCK, new JsonObject()).await();
      onInventory.request("inventory", InventoryAddresses.STOCK, new JsonObject()).await();
    }
    long gatewayCalls = onGateway.snapshot("inventory").getLong("calls");
    long inventoryCalls = onInventory.snapshot("inventory").getLong("calls");
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      JsonObject view = Http.call("GET", base + "/api/circuits", null, null).json();
      JsonObject service = view.getJsonObject("services").getJsonObject("inventory");
      return service != null
          && service.getJsonObject("nodes").getJsonObject(gatewayNode.nodeId(), new JsonObject()).getLong("calls", 0L) >= gatewayCalls
          && service.getJsonObject("nodes").getJsonObject(inventoryNode.nodeId(), new JsonObject()).getLong("calls", 0L) >= inventoryCalls;
    });
    JsonObject view = Http.call("GET", base + "/api/circuits", null, null).json();
    JsonObject service = view.getJsonObject("services").getJsonObject("inventory");
    assertThat(service.getString("state")).isEqualTo("CLOSED");
    JsonObject circuit = service.getJsonObject("nodes").getJsonObject(inventoryNode.nodeId());
    assertThat(circuit.getLong("calls")).isGreaterThanOrEqualTo(3);
    assertThat(circuit.fieldNames()).contains("failures", "failureRate", "slowCalls", "p50Ms", "p99Ms", "bulkheadRejections", "state");
    assertThat(view.getJsonObject("nodes").fieldNames()).contains(gatewayNode.nodeId(), inventoryNode.nodeId());
  }

  @Test
  void injectedFailures_openTheCallersCircuit_visibleInViewAndMetrics_andItClosesAfterClear() {
    String section = "{\"targets\":{\"inventory\":{\"retry\":{\"maxAttempts\":1},\"circuit\":{\"slidingWindowSize\":4,"
        + "\"minimumNumberOfCalls\":4,\"waitDurationInOpenStateMs\":500,\"permittedCallsInHalfOpenState\":1}}}}";
    assertThat(Http.call("PUT", base + "/api/admin/resilience", adminToken, section).status()).isEqualTo(200);
    ResilientCaller caller = ResilientCaller.forNode(gatewayNode.vertx(), gatewayNode.context());
    await().atMost(Duration.ofSeconds(10)).until(() -> caller.settings().policyFor("inventory").circuit().slidingWindowSize() == 4);
    try {
      setFault("{\"service\":\"inventory\",\"failureRate\":1.0}", "failure");
      for (int i = 0; i < 4; i++) {
        failureOf(caller.request("inventory", InventoryAddresses.STOCK, new JsonObject()));
      }
      assertThat(caller.isOpen("inventory")).isTrue();
      assertThat(gatewayNode.context().metrics().get("sagabus_circuit_state").tag("target", "inventory").gauge().value()).isEqualTo(1.0);
      await().atMost(Duration.ofSeconds(10)).until(() -> "OPEN".equals(Http.call("GET", base + "/api/circuits", null, null).json()
          .getJsonObject("services").getJsonObject("inventory", new JsonObject()).getString("state")));

      assertThat(Http.call("DELETE", base + "/api/admin/chaos/inventory", adminToken, null).status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> activeFaults(inventoryNode, "failure") == 0
          && !caller.isOpen("inventory"));
      assertThat(caller.request("inventory", InventoryAddresses.STOCK, new JsonObject()).await().body()).isNotNull();
      assertThat(caller.circuitState("inventory").name()).isEqualTo("CLOSED");
    } finally {
      assertThat(Http.call("PUT", base + "/api/admin/resilience", adminToken, "{}").status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> caller.settings().policyFor("inventory").circuit().slidingWindowSize() == 100);
    }
  }

  @Test
  void resilienceSettingsChangedOverAdminApi_applyOnEveryNode_withoutRestart() {
    String section = "{\"targets\":{\"inventory\":{\"bulkhead\":{\"maxConcurrent\":1,\"maxQueue\":0}}}}";
    assertThat(Http.call("PUT", base + "/api/admin/resilience", adminToken, section).status()).isEqualTo(200);
    ResilientCaller onInventory = ResilientCaller.forNode(inventoryNode.vertx(), inventoryNode.context());
    await().atMost(Duration.ofSeconds(10)).until(() -> onInventory.settings().policyFor("inventory").bulkhead().maxConcurrent() == 1);

    Promise<Object> pending = Promise.promise();
    onInventory.call("inventory", remaining -> pending.future());
    assertThat(failureOf(onInventory.call("inventory", remaining -> Future.succeededFuture("unreached")))).isInstanceOf(BulkheadFullException.class);
    pending.complete("done");

    Http.Response invalid = Http.call("PUT", base + "/api/admin/resilience", adminToken, "{\"defaults\":{\"timeoutMs\":-1}}");
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.json().getString("detail")).startsWith("resilience.defaults.timeoutMs");

    assertThat(Http.call("PUT", base + "/api/admin/resilience", adminToken, "{}").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> onInventory.settings().policyFor("inventory").bulkhead().maxConcurrent() == 64);
  }
}
