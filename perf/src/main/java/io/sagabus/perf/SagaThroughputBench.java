package io.sagabus.perf;

import io.sagabus.chaos.contract.ChaosAddresses;
import io.sagabus.node.NodeLauncher;
import io.sagabus.node.RunningNode;
import io.sagabus.platform.config.NodeConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Order sagas through HTTP on one node, next to a plain Vert.x endpoint in the same run: for each of the plain
 * endpoint, the embedded store and the Postgres store, a closed loop finds the maximum rate of completed sagas
 * ({@code POST /api/orders?wait=...}), then an open loop at half of it gives p50/p99. Last, the heap each in-flight
 * saga costs, with 10,000 sagas held at a slowed shipping step. Usage:
 * {@code SagaThroughputBench <postgresUrl|-> <secondsPerPhase> <connections>}.
 */
public final class SagaThroughputBench {

  private static final Buffer ORDER = new JsonObject()
      .put("customerId", "c-bench")
      .put("items", new JsonArray().add(new JsonObject().put("sku", "SKU-BENCH").put("qty", 1)))
      .put("paymentMethod", "card")
      .put("shippingAddress", new JsonObject().put("street", "1 Main St").put("city", "Springfield").put("country", "US"))
      .toBuffer();
  private static final int IN_FLIGHT_SAGAS = 10_000;

  public static void main(String[] args) throws Exception {
    String postgresUrl = args[0].equals("-") ? null : args[0];
    int seconds = Integer.parseInt(args[1]);
    int connections = Integer.parseInt(args[2]);
    Vertx clientVertx = Vertx.vertx();
    HttpClient http = clientVertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(connections));
    Context context = clientVertx.getOrCreateContext();
    HttpLoad load = new HttpLoad(context);

    HttpServer plain = clientVertx.createHttpServer().requestHandler(request -> request.body()
        .onSuccess(body -> request.response().putHeader("Content-Type", "application/json").end("{\"status\":\"COMPLETED\"}")))
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    report("plain-vertx-endpoint", load, http, "http://127.0.0.1:" + plain.actualPort(), seconds, connections);

    RunningNode embedded = start(null);
    report("saga-embedded-store", load, http, embedded.httpUrl(), seconds, connections);
    heapPerInFlightSaga(embedded, http, load);
    embedded.close().get(30, TimeUnit.SECONDS);

    if (postgresUrl != null) {
      RunningNode postgres = start(postgresUrl);
      report("saga-postgres-store", load, http, postgres.httpUrl(), seconds, connections);
      postgres.close().get(30, TimeUnit.SECONDS);
    }
    clientVertx.close().await(10, TimeUnit.SECONDS);
    System.exit(0);
  }

  private static void report(String name, HttpLoad load, HttpClient http, String url, int seconds, int connections) throws Exception {
    URI target = URI.create(url + "/api/orders?wait=20000");
    load.closedLoop(connections, Math.max(2, seconds / 3), () -> post(http, target), SagaThroughputBench::completed);
    HttpLoad.Result max = load.closedLoop(connections, seconds, () -> post(http, target), SagaThroughputBench::completed);
    int half = Math.max(1, (int) (max.perSecond() / 2));
    HttpLoad.Result atHalf = load.openLoop(half, seconds * 1000L, () -> post(http, target), SagaThroughputBench::completed);
    System.out.printf("RESULT %s max=%.0f completed/s (closed loop, %d connections, p50=%.2f p99=%.2f ms, %d failed) | at half load %d/s: p50=%.2f p99=%.2f p99.9=%.2f ms, %d failed%n",
        name, max.perSecond(), connections, max.ms(50), max.ms(99), max.failures(), half, atHalf.ms(50), atHalf.ms(99), atHalf.ms(99.9), atHalf.failures());
    if (max.firstFailure() != null) {
      System.out.printf("WARN %s: first failure: %s%n", name, max.firstFailure());
    }
  }

  /** Holds 10,000 sagas at a slowed shipping step and divides the heap they add by their number. */
  private static void heapPerInFlightSaga(RunningNode node, HttpClient http, HttpLoad load) throws Exception {
    node.vertx().eventBus().request(ChaosAddresses.SET, new JsonObject().put("service", "shipping").put("latencyMs", 60_000),
        new DeliveryOptions().setSendTimeout(5_000)).await(10, TimeUnit.SECONDS);
    long before = usedHeapAfterGc();
    URI target = URI.create(node.httpUrl() + "/api/orders");
    int rate = 2_000;
    HttpLoad.Result placed = load.openLoop(rate, IN_FLIGHT_SAGAS * 1000L / rate, () -> post(http, target), status -> true);
    Thread.sleep(3_000);
    long after = usedHeapAfterGc();
    System.out.printf("RESULT heap per in-flight saga: %.0f bytes (%d sagas held at the shipping step, heap %d -> %d MiB, %d not accepted)%n",
        (after - before) / (double) IN_FLIGHT_SAGAS, IN_FLIGHT_SAGAS, before >> 20, after >> 20, placed.failures());
    node.vertx().eventBus().request(ChaosAddresses.CLEAR, new JsonObject(), new DeliveryOptions().setSendTimeout(5_000)).await(10, TimeUnit.SECONDS);
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(300);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static boolean completed(String body) {
    return body.contains("\"status\":\"COMPLETED\"");
  }

  private static Future<String> post(HttpClient http, URI target) {
    return http.request(HttpMethod.POST, target.getPort(), target.getHost(), target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery()))
        .compose(request -> request.putHeader("Content-Type", "application/json").send(ORDER))
        .compose(response -> response.body().map(Buffer::toString));
  }

  private static RunningNode start(String postgresUrl) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    JsonObject json = new JsonObject()
        .put("nodeName", "bench-" + (postgresUrl == null ? "embedded" : "postgres"))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", freePort()))
        .put("inventory", new JsonObject().put("seed", new JsonObject().put("SKU-BENCH", new JsonObject().put("stock", 1_000_000_000L).put("price", 1))))
        .put("payment", new JsonObject().put("customers", new JsonObject().put("c-bench", 1_000_000_000L)))
        .put("saga", new JsonObject().put("tablePrefix", "bench_" + run + "_").put("mapPrefix", "sagabus.bench" + run + ".")
            .put("stepTimeoutMs", 180_000).put("maxParkMs", 600_000));
    if (postgresUrl != null) {
      json.put("postgres", new JsonObject().put("url", postgresUrl).put("poolSize", 16));
    }
    return NodeLauncher.start(NodeConfig.from("bench", json), false).get(60, TimeUnit.SECONDS);
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private SagaThroughputBench() {}
}
