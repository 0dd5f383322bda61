package io.sagabus.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagabus.testing.FreePorts;
import io.sagabus.testing.NodeProcess;
import io.sagabus.testing.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three fat-jar nodes in separate JVMs on loopback, each with different roles. The crash test runs last because it
 * takes the inventory node away.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

  /**
   * hazelcast.max.no.heartbeat.seconds (5) in hazelcast-loopback.xml, plus one heartbeat interval, plus slack for a
   * CPU-starved CI machine.
   */
  private static final Duration DETECTION_BOUND = Duration.ofSeconds(5 + 1 + 6);

  private static final TestCluster cluster = new TestCluster();
  private static final List<NodeProcess> nodes = new ArrayList<>();
  private static NodeProcess gateway;
  private static NodeProcess inventory;
  private static NodeProcess secondGateway;

  @BeforeAll
  static void startThreeNodes() {
    gateway = start("gateway", "gateway-a");
    inventory = start("inventory", "inventory-b");
    await().atMost(Duration.ofSeconds(90)).until(() -> gateway.healthy() && inventory.healthy());
    await().atMost(Duration.ofSeconds(30)).until(() -> upNodes(gateway).size() == 2);

    long joinStarted = System.nanoTime();
    secondGateway = start("gateway", "gateway-c");
    await().atMost(Duration.ofSeconds(90)).until(() -> secondGateway.healthy() && upNodes(gateway).size() == 3);
    System.out.printf("[measure] third node: process start to healthy and seen by the cluster in %d ms%n",
        (System.nanoTime() - joinStarted) / 1_000_000);
  }

  @AfterAll
  static void stopNodes() {
    nodes.forEach(NodeProcess::close);
  }

  @Test
  @Order(1)
  void threeNodesFormACluster_andEachSeesTheOthersWithTheirRoles() {
    for (NodeProcess node : nodes) {
      JsonArray seen = upNodes(node);
      assertThat(seen).hasSize(3);
      assertThat(seen.stream().map(card -> ((JsonObject) card).getString("name")))
          .containsExactlyInAnyOrder("gateway-a", "inventory-b", "gateway-c");
    }
  }

  @Test
  @Order(2)
  void requestOnAGatewayNode_isAnsweredByTheInventoryVerticleOnAnotherNode() {
    HttpResponse<String> response = gateway.get("/api/inventory/SKU-APPLE");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getInteger("available")).isEqualTo(1000);
    assertThat(rolesOf(gateway, "gateway-a")).containsExactly("gateway");
  }

  @Test
  @Order(3)
  void cliSend_printsTheReply_fromTheRunningCluster() {
    NodeProcess.Result sent = NodeProcess.run(clientEnv(), Duration.ofSeconds(90),
        "send", "inventory.stock", "{\"sku\":\"SKU-CHERRY\"}", "--timeout", "10000");
    assertThat(sent.exitCode()).as(sent.stderr()).isZero();
    JsonObject reply = new JsonObject(sent.stdout());
    assertThat(reply.getString("sku")).isEqualTo("SKU-CHERRY");
    assertThat(reply.getInteger("available")).isEqualTo(100);
  }

  @Test
  @Order(4)
  void cliSend_toAWrongAddress_exitsNonZeroWithAClearMessage() {
    NodeProcess.Result sent = NodeProcess.run(clientEnv(), Duration.ofSeconds(90),
        "send", "inventory.no-such-verb", "{}", "--timeout", "3000");
    assertThat(sent.exitCode()).isEqualTo(3);
    assertThat(sent.stderr().strip())
        .isEqualTo("sagabus send: no handler for address 'inventory.no-such-verb' in cluster '" + cluster.name() + "'");
    assertThat(sent.stdout()).isEmpty();

    NodeProcess.Result badJson = NodeProcess.run(clientEnv(), Duration.ofSeconds(30), "send", "inventory.stock", "{sku:");
    assertThat(badJson.exitCode()).isEqualTo(2);
    assertThat(badJson.stderr()).contains("not a JSON object");
  }

  @Test
  @Order(5)
  void cliPublish_reachesSubscribers_andSaysSoWhenThereAreNone() {
    NodeProcess.Result published = NodeProcess.run(clientEnv(), Duration.ofSeconds(90), "publish", "inventory.stock", "{}");
    assertThat(published.exitCode()).as(published.stderr()).isZero();
    assertThat(published.stdout()).contains("published to 'inventory.stock'");

    NodeProcess.Result unheard = NodeProcess.run(clientEnv(), Duration.ofSeconds(90), "publish", "nobody.listens", "{}");
    assertThat(unheard.exitCode()).isEqualTo(3);
    assertThat(unheard.stderr().strip()).isEqualTo("sagabus publish: no subscriber for address 'nobody.listens' in cluster '" + cluster.name() + "'");
  }

  @Test
  @Order(6)
  void killedNode_isDetectedWithinTheHeartbeatBound_andItsConsumersStopReceiving() {
    assertThat(gateway.get("/api/inventory").statusCode()).isEqualTo(200);
    String inventoryId = idOf(gateway, "inventory-b");
    long killedAt = System.nanoTime();
    inventory.kill();

    await().atMost(DETECTION_BOUND).pollInterval(Duration.ofMillis(50))
        .until(() -> members(gateway) == 2 && members(secondGateway) == 2);
    long droppedMs = (System.nanoTime() - killedAt) / 1_000_000;
    await().atMost(DETECTION_BOUND).pollInterval(Duration.ofMillis(50))
        .until(() -> sawLeave(gateway, inventoryId) && sawLeave(secondGateway, inventoryId));
    System.out.printf("[measure] kill -9: membership dropped by both survivors in %d ms, services notified in %d ms (bound %d ms)%n",
        droppedMs, (System.nanoTime() - killedAt) / 1_000_000, DETECTION_BOUND.toMillis());

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      HttpResponse<String> response = gateway.get("/api/inventory");
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(response.body()).getString("type")).endsWith("/service-unavailable");
    });
    JsonObject deadCard = cards(gateway).stream().map(JsonObject.class::cast)
        .filter(card -> "inventory-b".equals(card.getString("name"))).findFirst().orElse(null);
    assertThat(deadCard == null || !deadCard.getBoolean("up")).isTrue();
  }

  @Test
  @Order(7)
  void frozenNode_thatResetsNoConnection_isDroppedByHeartbeatWithinTheBound() throws Exception {
    // kill -9 resets the node's sockets, which Hazelcast notices at once; SIGSTOP leaves them open, so only the
    // missing heartbeats can reveal it. This is the path the documented bound is for.
    String frozenId = idOf(gateway, "gateway-c");
    long frozenAt = System.nanoTime();
    new ProcessBuilder("kill", "-STOP", String.valueOf(secondGateway.pid())).start().waitFor();
    try {
      await().atMost(DETECTION_BOUND).pollInterval(Duration.ofMillis(50)).until(() -> members(gateway) == 1);
      long droppedMs = (System.nanoTime() - frozenAt) / 1_000_000;
      await().atMost(DETECTION_BOUND).pollInterval(Duration.ofMillis(50)).until(() -> sawLeave(gateway, frozenId));
      System.out.printf("[measure] SIGSTOP: membership dropped by heartbeat in %d ms, services notified in %d ms (bound %d ms)%n",
          droppedMs, (System.nanoTime() - frozenAt) / 1_000_000, DETECTION_BOUND.toMillis());
    } finally {
      secondGateway.kill();
    }
  }

  private static NodeProcess start(String roles, String name) {
    int port = FreePorts.next();
    Map<String, String> env = new HashMap<>(cluster.processEnv(port));
    env.put("SAGABUS_NODE_NAME", name);
    NodeProcess node = NodeProcess.start(port, env, "-cluster", "--roles", roles);
    nodes.add(node);
    return node;
  }

  private static Map<String, String> clientEnv() {
    Map<String, String> env = new HashMap<>(cluster.processEnv(FreePorts.next()));
    env.remove("SAGABUS_HTTP_PORT");
    return env;
  }

  private static JsonArray cards(NodeProcess node) {
    HttpResponse<String> response = node.get("/api/cluster/nodes");
    return response == null || response.statusCode() != 200 ? new JsonArray() : new JsonObject(response.body()).getJsonArray("nodes");
  }

  private static JsonArray upNodes(NodeProcess node) {
    return new JsonArray(cards(node).stream().filter(card -> ((JsonObject) card).getBoolean("up")).toList());
  }

  /** Hazelcast's member count as the node's readiness check reports it; it never waits on cluster data. */
  private static int members(NodeProcess node) {
    HttpResponse<String> response = node.get("/health/readiness/cluster");
    if (response == null || response.statusCode() != 200) {
      return -1;
    }
    return new JsonObject(response.body()).getJsonObject("data").getInteger("members");
  }

  private static String idOf(NodeProcess node, String name) {
    return cards(node).stream().map(JsonObject.class::cast).filter(card -> name.equals(card.getString("name")))
        .findFirst().orElseThrow().getString("id");
  }

  /** The survivor's own log line for the membership event: the moment Hazelcast dropped the member. */
  private static boolean sawLeave(NodeProcess survivor, String nodeId) {
    return survivor.output().contains("node " + nodeId + " left the cluster");
  }

  private static List<Object> rolesOf(NodeProcess node, String name) {
    return cards(node).stream().map(JsonObject.class::cast).filter(card -> name.equals(card.getString("name")))
        .findFirst().orElseThrow().getJsonArray("roles").getList();
  }
}
