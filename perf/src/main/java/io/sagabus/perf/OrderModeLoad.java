package io.sagabus.perf;

import io.sagabus.node.NodeLauncher;
import io.sagabus.node.RunningNode;
import io.sagabus.platform.choreography.FlowEvents;
import io.sagabus.platform.config.NodeConfig;
import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventLog;
import io.sagabus.platform.events.EventTopics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * The same order flow orchestrated and choreographed on one node, side by side in one run, each the other's
 * baseline. A latency is a whole flow: for orchestration {@code POST /api/orders?mode=orchestration&wait=...} until
 * it answers COMPLETED; for choreography {@code POST /api/orders?mode=choreography} until this process sees the
 * flow's {@code order-completed} event on the node's log (no polling in the way). Not a test: it prints figures.
 *
 * <pre>java -cp perf/target/sagabus-perf.jar io.sagabus.perf.OrderModeLoad embedded|KAFKA_BOOTSTRAP [seconds] [concurrency] [rate|auto] [relayPollMs]</pre>
 *
 * Phases, after a warm-up of each: a closed loop per mode ({@code concurrency} users), then an open loop at
 * {@code rate} orders/s (default {@code auto}: half the slower mode's maximum) in alternating one-second slices, so
 * background load on a shared machine hits both modes alike. Choreographed steps' events go through the outbox relay,
 * which an append wakes; {@code relayPollMs} sets its safety-net poll ({@code relay.pollMs}, default 1,000).
 */
public final class OrderModeLoad {

  private static final String ORDER = new JsonObject().put("customerId", "c-perf")
      .put("items", new JsonArray().add(new JsonObject().put("sku", "SKU-PERF").put("qty", 1)))
      .put("paymentMethod", "card")
      .put("shippingAddress", new JsonObject().put("street", "1 Main St").put("city", "Springfield").put("country", "US")).encode();

  public static void main(String[] args) throws Exception {
    String log = args.length > 0 ? args[0] : "embedded";
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    String prefix = "perf" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_";
    JsonObject config = new JsonObject()
        .put("nodeName", "perf-modes")
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", HttpLoad.freePort()))
        .put("inventory", new JsonObject().put("seed", new JsonObject().put("SKU-PERF", new JsonObject().put("stock", 1_000_000_000L).put("price", 1))))
        .put("payment", new JsonObject().put("customers", new JsonObject().put("c-perf", 1_000_000_000_000L)))
        .put("saga", new JsonObject().put("stepTimeoutMs", 60_000))
        .put("events", new JsonObject().put("topicPrefix", prefix));
    if (args.length > 4) {
      config.put("relay", new JsonObject().put("pollMs", Long.parseLong(args[4])));
    }
    if (!log.equals("embedded")) {
      config.put("kafka", new JsonObject().put("bootstrap", log));
    }
    RunningNode node = NodeLauncher.start(NodeConfig.from("perf", config), false).get(120, TimeUnit.SECONDS);
    FlowEnds ends = new FlowEnds();
    EventLog.Subscription trail = SagaLoad.await(node.context().backends().events()
        .subscribe("perf-flow-ends", List.of(EventTopics.ORDER_COMPLETED, EventTopics.ORDER_CANCELLED), EventLog.StartFrom.LATEST, ends::ended));

    Vertx clientVertx = Vertx.vertx();
    Context context = clientVertx.getOrCreateContext();
    HttpClient http = clientVertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(concurrency * 2));
    int port = java.net.URI.create(node.httpUrl()).getPort();
    Supplier<Future<Boolean>> orchestrated = () -> post(http, port, "/api/orders?mode=orchestration&wait=20000")
        .map(saga -> "COMPLETED".equals(saga.getString("status")));
    Supplier<Future<Boolean>> choreographed = () -> post(http, port, "/api/orders?mode=choreography")
        .compose(placed -> onContext(context, ends.await(placed.getString("orderId"))))
        .map(EventTopics.ORDER_COMPLETED::equals);
    HttpLoad load = new HttpLoad(context);

    System.out.printf(Locale.ROOT, "log=%s seconds=%d concurrency=%d relay=%s cores=%d%n", log, seconds, concurrency,
        config.getJsonObject("relay", new JsonObject()).encode(), Runtime.getRuntime().availableProcessors());
    load.closedLoop(concurrency, 5, orchestrated, ok -> ok);
    load.closedLoop(concurrency, 5, choreographed, ok -> ok);
    HttpLoad.Result orchestratedMax = load.closedLoop(concurrency, seconds, orchestrated, ok -> ok);
    report("orchestration, closed loop", orchestratedMax);
    HttpLoad.Result choreographedMax = load.closedLoop(concurrency, seconds, choreographed, ok -> ok);
    report("choreography, closed loop", choreographedMax);

    int rate = args.length > 3 && !args[3].equals("auto") ? Integer.parseInt(args[3])
        : (int) Math.max(1, Math.min(orchestratedMax.perSecond(), choreographedMax.perSecond()) / 2);
    Histogram orchestratedOpen = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    Histogram choreographedOpen = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    long failures = 0;
    for (int slice = 0; slice < seconds; slice++) {
      HttpLoad.Result o = load.openLoop(rate, 1_000, orchestrated, ok -> ok);
      HttpLoad.Result c = load.openLoop(rate, 1_000, choreographed, ok -> ok);
      orchestratedOpen.add(o.latencyMicros());
      choreographedOpen.add(c.latencyMicros());
      failures += o.failures() + c.failures();
    }
    System.out.printf(Locale.ROOT, "open loop at %d orders/s, %d one-second slices each, failures=%d%n", rate, seconds, failures);
    report("orchestration, open loop", orchestratedOpen);
    report("choreography, open loop", choreographedOpen);

    SagaLoad.await(trail.close());
    SagaLoad.await(clientVertx.close());
    SagaLoad.await(node.vertx().close());
    System.exit(0);
  }

  /** Which way each choreographed order ended, as its order-completed or order-cancelled event says. */
  private static final class FlowEnds {
    private final Map<String, Promise<String>> byOrder = new ConcurrentHashMap<>();

    Future<Void> ended(DomainEvent event) {
      if (FlowEvents.choreographed(event)) {
        byOrder.computeIfAbsent(event.key(), orderId -> Promise.promise()).tryComplete(event.type());
      }
      return Future.succeededFuture();
    }

    Future<String> await(String orderId) {
      return byOrder.computeIfAbsent(orderId, id -> Promise.promise()).future().andThen(ignored -> byOrder.remove(orderId));
    }
  }

  /** {@code future}'s outcome delivered on {@code context}, where the load generator keeps its histograms. */
  private static <T> Future<T> onContext(Context context, Future<T> future) {
    Promise<T> promise = Promise.promise();
    future.onComplete(result -> context.runOnContext(ignored -> promise.handle(result)));
    return promise.future();
  }

  private static Future<JsonObject> post(HttpClient http, int port, String uri) {
    return http.request(HttpMethod.POST, port, "127.0.0.1", uri)
        .compose(request -> request.putHeader("Content-Type", "application/json").send(Buffer.buffer(ORDER)))
        .compose(response -> response.body().map(Buffer::toJsonObject));
  }

  private static void report(String name, HttpLoad.Result result) {
    System.out.printf(Locale.ROOT, "RESULT %-28s %7.0f orders/s failures=%d%n", name, result.perSecond(), result.failures());
    report(name, result.latencyMicros());
  }

  private static void report(String name, Histogram micros) {
    System.out.printf(Locale.ROOT, "RESULT %-28s p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms (n=%d)%n", name,
        micros.getValueAtPercentile(50) / 1000.0, micros.getValueAtPercentile(90) / 1000.0, micros.getValueAtPercentile(99) / 1000.0,
        micros.getMaxValue() / 1000.0, micros.getTotalCount());
  }

  private OrderModeLoad() {}
}
