package io.sagabus.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

/** Places orders over real HTTP, many at a time, and keeps the saga id of each accepted one. */
public final class OrderLoad {

  private OrderLoad() {}

  public static JsonObject order(String customerId, String sku, int qty) {
    return new JsonObject()
        .put("customerId", customerId)
        .put("items", new JsonArray().add(new JsonObject().put("sku", sku).put("qty", qty)))
        .put("paymentMethod", "card")
        .put("shippingAddress", new JsonObject().put("street", "1 Main St").put("city", "Springfield").put("country", "US"));
  }

  /** Places {@code count} orders, {@code concurrency} at a time; each must be accepted with 202. */
  public static List<String> place(String gatewayUrl, int count, int concurrency, IntFunction<JsonObject> orderNumber) {
    ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<CompletableFuture<Void>> placed = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String body = orderNumber.apply(i).encode();
        placed.add(CompletableFuture.runAsync(() -> {
          HttpResponse<String> response = Http.send(HttpRequest.newBuilder(URI.create(gatewayUrl + "/api/orders"))
              .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body)).build());
          assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
          ids.add(new JsonObject(response.body()).getString("sagaId"));
        }, pool));
      }
      CompletableFuture.allOf(placed.toArray(CompletableFuture[]::new)).join();
    } finally {
      pool.shutdown();
    }
    return List.copyOf(ids);
  }

  /** {@code sagabus audit} against a node, as an operator would run it. */
  public static NodeProcess.Result audit(String mode, String gatewayUrl, String... args) {
    List<String> command = new ArrayList<>(List.of("audit", mode, "--url", gatewayUrl));
    command.addAll(List.of(args));
    return NodeProcess.run(java.util.Map.of(), Duration.ofMinutes(4), command.toArray(String[]::new));
  }

  /** Mints an admin token with the fat jar's {@code token} command, signed with {@code secret}. */
  public static String adminToken(String secret) {
    NodeProcess.Result minted = NodeProcess.run(java.util.Map.of("SAGABUS_JWT_SECRET", secret), Duration.ofSeconds(60),
        "token", "--subject", "tests", "--role", "admin");
    assertThat(minted.exitCode()).as(minted.stderr()).isZero();
    return minted.stdout().strip();
  }
}
