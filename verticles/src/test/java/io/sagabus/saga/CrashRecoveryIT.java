package io.sagabus.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagabus.testing.FreePorts;
import io.sagabus.testing.Http;
import io.sagabus.testing.NodeProcess;
import io.sagabus.testing.OrderLoad;
import io.sagabus.testing.Postgres;
import io.sagabus.testing.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash test of the saga orchestrator, with real processes and Postgres: one node owns ~500 sagas stuck behind
 * a slow participant; it is killed with kill -9; the two survivors must adopt and finish every saga, and the books
 * must balance, as checked from outside by {@code sagabus audit}.
 */
class CrashRecoveryIT {

  private static final int ORDERS = 500;
  private static final String SECRET = "crash-test-signing-key-0123456789-abcdefghijklmnop";

  private final TestCluster cluster = new TestCluster();
  private final List<NodeProcess> nodes = new ArrayList<>();
  private String databaseUrl;

  @AfterEach
  void stopEverything() {
    nodes.forEach(NodeProcess::close);
    if (databaseUrl != null) {
      Postgres.dropDatabase(databaseUrl);
    }
  }

  @Test
  void ownerKilledWithSagasInFlight_survivorsFinishEverySaga_andTheBooksBalance(@TempDir Path dir) throws Exception {
    databaseUrl = Postgres.createDatabase("crash");
    Path profile = dir.resolve("crash.json");
    // Steps, and the resilience stack around shipping, wait long enough for the slowed shipping service and hold
    // every saga at once, so only the crash decides what happens. Every bulkhead takes all the sagas at once: the
    // participants answer a burst of 500 in a few group commits, and the next step's default bulkhead (64 running,
    // 256 waiting) would refuse the rest of the burst, which fails sagas before the crash.
    Files.writeString(profile, new JsonObject()
        .put("saga", new JsonObject().put("stepTimeoutMs", 60_000).put("leaseMs", 3_000))
        .put("resilience", new JsonObject()
            .put("defaults", new JsonObject().put("bulkhead", new JsonObject().put("maxConcurrent", 2_000).put("maxQueue", 1_000)))
            .put("targets", new JsonObject().put("shipping", new JsonObject()
            .put("timeoutMs", 60_000)
            .put("bulkhead", new JsonObject().put("maxConcurrent", 2_000).put("maxQueue", 1_000))
            .put("circuit", new JsonObject().put("slowCallDurationMs", 60_000)))))
        .encode());

    // Shipping answers 40 s late: longer than placing the orders and starting two more JVMs on a busy machine, so
    // the first sagas placed are still in flight when the owner dies.
    NodeProcess owner = start("owner", profile);
    await().atMost(Duration.ofSeconds(90)).until(owner::healthy);
    String token = OrderLoad.adminToken(SECRET);
    Http.Response slowed = Http.call("POST", owner.url() + "/api/admin/chaos", token,
        new JsonObject().put("service", "shipping").put("latencyMs", 40_000).encode());
    assertThat(slowed.status()).as(slowed.text()).isEqualTo(200);

    Path baseline = dir.resolve("books.json");
    assertThat(OrderLoad.audit("save", owner.url(), "--out", baseline.toString()).exitCode()).isZero();
    Path sagaIds = dir.resolve("sagas.txt");
    Files.write(sagaIds, OrderLoad.place(owner.url(), ORDERS, 16,
        i -> OrderLoad.order(i % 2 == 0 ? "c-alice" : "c-bob", "SKU-APPLE", 1)));

    NodeProcess survivorA = start("survivor-a", profile);
    NodeProcess survivorB = start("survivor-b", profile);
    await().atMost(Duration.ofSeconds(90)).until(() -> survivorA.healthy() && survivorB.healthy());
    int inFlight = count(owner, "RUNNING") + count(owner, "PENDING") + count(owner, "COMPENSATING");
    System.out.printf("[measure] %d of %d sagas in flight on the owner when it is killed (completed %d, failed %d)%n",
        inFlight, ORDERS, count(owner, "COMPLETED"), count(owner, "FAILED"));
    assertThat(inFlight).isGreaterThan(ORDERS * 9 / 10);

    long killedAt = System.nanoTime();
    owner.kill();
    // Until the survivors drop the dead owner, a control request may be routed to it and time out.
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
        .until(() -> Http.call("DELETE", survivorA.url() + "/api/admin/chaos", token, null).status() == 200);

    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
        .until(() -> count(survivorA, "RUNNING") == 0 && count(survivorA, "COMPENSATING") == 0 && count(survivorA, "PENDING") == 0);
    System.out.printf("[measure] all %d sagas ended %d ms after the kill%n", ORDERS, (System.nanoTime() - killedAt) / 1_000_000);

    NodeProcess.Result books = OrderLoad.audit("check", survivorA.url(), "--baseline", baseline.toString(),
        "--expect-sagas", sagaIds.toString(), "--quiesce-seconds", "60");
    System.out.println(books.stdout());
    assertThat(books.exitCode()).as(books.stdout() + books.stderr()).isZero();
    assertThat(books.stdout()).contains("BOOKS BALANCE: " + ORDERS + " sagas");
  }

  private NodeProcess start(String name, Path profile) {
    int port = FreePorts.next();
    Map<String, String> env = new HashMap<>(cluster.processEnv(port));
    env.put("SAGABUS_NODE_NAME", name);
    env.put("SAGABUS_PG_URL", databaseUrl);
    env.put("SAGABUS_JWT_SECRET", SECRET);
    NodeProcess node = NodeProcess.start(port, env, "-cluster", "--profile", profile.toString());
    nodes.add(node);
    return node;
  }

  private static int count(NodeProcess node, String status) {
    int total = 0;
    String cursor = null;
    do {
      HttpResponse<String> response = node.get("/api/sagas?limit=500&status=" + status + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
      if (response == null || response.statusCode() != 200) {
        return Integer.MAX_VALUE;
      }
      JsonObject page = new JsonObject(response.body());
      total += page.getJsonArray("items").size();
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    return total;
  }


}
