package io.sagabus.saga;

import io.sagabus.platform.config.NodeConfig;
import io.sagabus.platform.security.JwtSecurity;
import io.sagabus.testing.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** HTTP and event-bus helpers for saga scenario tests. */
final class SagaTestSupport {

  static final String POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  record Response(int status, JsonObject body, Map<String, java.util.List<String>> headers) {
    String header(String name) {
      return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), java.util.List.of()).stream().findFirst().orElse(null);
    }
  }

  /** An admin token signed with the key test nodes use: the development key, as no test config sets one. */
  private static final String ADMIN_TOKEN = mintAdminToken();

  private SagaTestSupport() {}

  private static String mintAdminToken() {
    Vertx vertx = Vertx.vertx();
    try {
      String secret = JwtSecurity.secret(NodeConfig.from("test", new JsonObject()));
      return JwtSecurity.mint(JwtSecurity.provider(vertx, secret), "saga-tests", java.util.List.of(JwtSecurity.ADMIN_ROLE), Duration.ofHours(1));
    } finally {
      vertx.close();
    }
  }

  /**
   * Stops an in-process node from the test thread. {@code RunningNode.close()} composes {@code vertx.close()} on an
   * event loop, whose future then never completes because that loop is already shut down (it waits out the 90 s
   * await); closing Vert.x from outside its threads completes normally.
   */
  static void stop(io.sagabus.node.RunningNode node) {
    TestCluster.await(node.vertx().close());
  }

  /** A table prefix or map prefix unique to this run. */
  static String uniqueSuffix() {
    return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  /** Drops every table whose name starts with {@code prefix}: what one test run created. */
  static void dropTables(String prefix) {
    Vertx vertx = Vertx.vertx();
    try {
      var pool = io.vertx.pgclient.PgBuilder.pool().connectingTo(io.sagabus.platform.backend.Backends.pgOptions(POSTGRES_URL)).using(vertx).build();
      TestCluster.await(pool.preparedQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE $1")
          .execute(io.vertx.sqlclient.Tuple.of(prefix + "%"))
          .compose(rows -> {
            java.util.List<String> tables = new java.util.ArrayList<>();
            rows.forEach(row -> tables.add(row.getString(0)));
            return tables.isEmpty() ? io.vertx.core.Future.succeededFuture()
                : pool.query("DROP TABLE IF EXISTS " + String.join(", ", tables) + " CASCADE").execute().mapEmpty();
          }));
    } finally {
      TestCluster.await(vertx.close());
    }
  }

  /** Config that puts the saga store, every participant's tables and the order read side under one run-unique prefix. */
  static JsonObject postgresNodeConfig(String prefix) {
    JsonObject tables = new JsonObject().put("tablePrefix", prefix);
    return new JsonObject()
        .put("postgres", new JsonObject().put("url", POSTGRES_URL))
        .put("saga", tables.copy().put("store", "postgres"))
        .put("order", tables.copy())
        .put("inventory", tables.copy())
        .put("payment", tables.copy())
        .put("shipping", tables.copy())
        .put("orderview", tables.copy());
  }

  static Response get(String baseUrl, String path) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET());
  }

  static String text(String baseUrl, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Response post(String baseUrl, String path, JsonObject body, String idempotencyKey) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    if (path.startsWith("/api/admin/")) {
      request.header("Authorization", "Bearer " + ADMIN_TOKEN);
    }
    return send(request);
  }

  static Response postRaw(String baseUrl, String path, String body) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(40)).build(), HttpResponse.BodyHandlers.ofString());
      String text = response.body();
      JsonObject body = text == null || text.isBlank() || !text.trim().startsWith("{") ? new JsonObject() : new JsonObject(text);
      return new Response(response.statusCode(), body, response.headers().map());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonObject order(String customerId, String sku, int qty, String country) {
    return new JsonObject()
        .put("customerId", customerId)
        .put("items", new io.vertx.core.json.JsonArray().add(new JsonObject().put("sku", sku).put("qty", qty)))
        .put("paymentMethod", "card")
        .put("shippingAddress", new JsonObject().put("street", "1 Main St").put("city", "Springfield").put("country", country));
  }

  /** A SKU's {available, reserved, sold}. */
  static long[] stock(String baseUrl, String sku) {
    JsonObject level = get(baseUrl, "/api/inventory/" + sku).body();
    return new long[] {level.getLong("available"), level.getLong("reserved"), level.getLong("sold")};
  }

  static JsonObject account(String baseUrl, String customerId) {
    return get(baseUrl, "/api/customers/" + customerId + "/account").body();
  }

  static JsonObject request(Vertx vertx, String address, JsonObject body) {
    return TestCluster.await(vertx.eventBus().<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(5_000))
        .map(message -> message.body()));
  }
}
