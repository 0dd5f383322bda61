package io.sagabus.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagabus.testing.FreePorts;
import io.sagabus.testing.NodeProcess;
import io.sagabus.testing.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The crash test: three nodes in their own JVMs, every role on each, sagas and books in PostgreSQL, notifications
 * slow so that hundreds of sagas are in flight. One node is killed with kill -9. Every saga must end on the
 * survivors, and the books must balance: per SKU available + reserved + sold equals the initial stock, and the money
 * charged minus the money refunded equals the total of the completed orders.
 */
class SagaCrashRecoveryIT {

  static final int SAGAS = 500;
  static final long STOCK = 100_000;
  static final long PRICE = 10;
  static final long BALANCE = 1_000_000_000L;

  private final String prefix = SagaTestSupport.uniqueSuffix() + "_";
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  @AfterEach
  void stopNodes() {
    nodes.forEach(NodeProcess::close);
    SagaTestSupport.dropTables(prefix);
  }

  @Test
  void killNineOfAnOwningNode_survivorsFinishEverySagaAndTheBooksBalance() throws Exception {
    TestCluster cluster = new TestCluster();
    Path config = Files.createTempFile("sagabus-crash-", ".json");
    Files.writeString(config, SagaTestSupport.postgresNodeConfig(prefix)
        .mergeIn(new JsonObject()
            .put("saga", new JsonObject().put("stepTimeoutMs", 8_000).put("leaseMs", 6_000))
            .put("inventory", new JsonObject().put("seed", new JsonObject().put("SKU-CRASH", new JsonObject().put("stock", STOCK).put("price", PRICE))))
            .put("payment", new JsonObject().put("customers", new JsonObject().put("c-crash", BALANCE)))
            .put("notification", new JsonObject().put("faults", new JsonObject().put("send", new JsonObject().put("replyDelayMs", 4_000))))
            .put("postgres", new JsonObject().put("poolSize", 8)), true)
        .encode());
    for (int i = 0; i < 3; i++) {
      int port = FreePorts.next();
      nodes.add(NodeProcess.start(port, cluster.processEnv(port), "run", "-cluster", "-conf", config.toString(), "--node-name", "crash-" + i));
    }
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> nodes.stream().allMatch(NodeProcess::healthy));
    await().atMost(Duration.ofSeconds(30)).until(() -> new JsonObject(nodes.get(0).get("/api/cluster/nodes").body()).getJsonArray("nodes", new JsonArray()).size() >= 3);

    NodeProcess victim = nodes.get(0);
    List<CompletableFuture<HttpResponse<String>>> placing = new ArrayList<>();
    String order = new JsonObject().put("customerId", "c-crash")
        .put("items", new JsonArray().add(new JsonObject().put("sku", "SKU-CRASH").put("qty", 1)))
        .put("paymentMethod", "card")
        .put("shippingAddress", new JsonObject().put("street", "1 Main St").put("city", "Springfield").put("country", "US")).encode();
    for (int i = 0; i < SAGAS; i++) {
      placing.add(http.sendAsync(HttpRequest.newBuilder(URI.create(victim.url() + "/api/orders"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(order)).build(), HttpResponse.BodyHandlers.ofString()));
    }
    List<JsonObject> placed = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> response : placing) {
      HttpResponse<String> done = response.get();
      assertThat(done.statusCode()).as(done.body()).isEqualTo(202);
      placed.add(new JsonObject(done.body()));
    }
    String victimId = victimNodeId(victim);
    long ownedByVictim = placed.stream().filter(saga -> victimId.equals(saga.getString("node"))).count();
    assertThat(ownedByVictim).as("sagas the victim owns").isPositive();

    victim.kill();

    NodeProcess survivor = nodes.get(1);
    await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      JsonObject running = new JsonObject(survivor.get("/api/sagas?status=running&limit=1").body());
      JsonObject compensating = new JsonObject(survivor.get("/api/sagas?status=compensating&limit=1").body());
      assertThat(running.getJsonArray("items")).isEmpty();
      assertThat(compensating.getJsonArray("items")).isEmpty();
    });
    long completed = 0;
    for (JsonObject saga : placed) {
      JsonObject now = new JsonObject(survivor.get("/api/sagas/" + saga.getString("sagaId")).body());
      assertThat(now.getString("status")).as("saga %s", saga.getString("sagaId")).isIn("COMPLETED", "FAILED");
      if ("COMPLETED".equals(now.getString("status"))) {
        completed++;
      }
    }
    assertThat(completed).as("sagas completed").isPositive();
    JsonObject level = new JsonObject(survivor.get("/api/inventory/SKU-CRASH").body());
    assertThat(level.getLong("available") + level.getLong("reserved") + level.getLong("sold")).isEqualTo(STOCK);
    assertThat(level.getLong("sold")).isEqualTo(completed);
    JsonObject account = new JsonObject(survivor.get("/api/customers/c-crash/account").body());
    assertThat(account.getLong("charged") - account.getLong("refunded")).isEqualTo(completed * PRICE);
    assertThat(account.getLong("balance")).isEqualTo(BALANCE - completed * PRICE);
  }

  private static String victimNodeId(NodeProcess node) {
    return new JsonObject(node.get("/api/cluster/nodes").body()).getString("self");
  }

}
