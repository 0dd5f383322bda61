package io.sagabus.perf;

import io.sagabus.node.NodeLauncher;
import io.sagabus.node.RunningNode;
import io.sagabus.platform.config.NodeConfig;
import io.sagabus.saga.contract.SagaAddresses;
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
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * Load generator for the order saga: one clustered node (Hazelcast, single member) with HTTP in front, driven over
 * HTTP by {@code POST /api/orders?wait=...} so each latency is a whole saga, start to COMPLETED. Runs a plain Vert.x
 * HTTP endpoint in the same JVM as the baseline. Not a test: it prints figures.
 *
 * <pre>java -cp perf/target/sagabus-perf.jar io.sagabus.perf.SagaLoad embedded|postgres|postgres-journal [seconds] [concurrency] [transitions|every-step] [open-loop sagas/s]</pre>
 *
 * Phases: closed-loop maximum (concurrency users, each sends its next order when the last one ends), then an open
 * loop at half that rate (latency measured from the intended send time, so queueing is not hidden), then heap per
 * in-flight saga with 10,000 sagas held at a slow step, and again once they finished. {@code seconds} 0 runs only the
 * heap phase. {@code -Droles=a,b,...} runs the node with only those roles (default: all); {@code -Dstandalone=true}
 * runs it without Hazelcast (the embedded store then keeps plain local maps); {@code -DheapPhase=false} skips the heap
 * phase.
 */
public final class SagaLoad {

  static final String POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test";
  /** Whole-machine CPU load below which the machine counts as settled. */
  private static final double QUIET_CPU_LOAD = 0.25;
  private static final int WARM_UP_ROUND_SECONDS = 5;
  private static final int MIN_WARM_UP_ROUNDS = 2;
  private static final int OPEN_LOOP_WARM_UP_SECONDS = 5;
  private static final int MAX_WARM_UP_ROUNDS = 18;
  /** Compiling less than 5 % of a round's wall time counts as settled. */
  private static final long SETTLED_COMPILE_MILLIS_PER_ROUND = 250;
  /**
   * Each order waits for its saga on its own HTTP/1 connection, so the open loop needs as many connections as orders
   * in flight: with too few, a short server pause queues requests in the client's pool and the bench measures that.
   */
  private static final int OPEN_LOOP_CONNECTIONS = Integer.getInteger("openLoopConnections", 4096);
  /** The open loop's worst answers are reported per window of this much send time. */
  private static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  public static void main(String[] args) throws Exception {
    if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
      System.err.println("hint: on a 2-core host pass -Djava.util.concurrent.ForkJoinPool.common.parallelism=4 (see the README, Sagas, Performance)");
    }
    String store = args.length > 0 ? args[0] : "embedded";
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    String checkpoint = args.length > 3 ? args[3] : "transitions";
    double openLoopRate = args.length > 4 ? Double.parseDouble(args[4]) : 0;
    int nodePort = 18_080 + (int) (Math.random() * 1000);
    int baselinePort = nodePort + 1;
    int clusterPort = 25_701 + (int) (Math.random() * 1000);
    String prefix = "perf" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_";

    JsonObject tables = new JsonObject().put("tablePrefix", prefix);
    JsonObject config = new JsonObject()
        .put("nodeName", "perf")
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", nodePort))
        .put("cluster", new JsonObject().put("name", "perf-" + prefix).put("host", "127.0.0.1").put("port", clusterPort)
            .put("members", new JsonArray().add("127.0.0.1:" + clusterPort)))
        .put("inventory", new JsonObject().put("seed", new JsonObject().put("SKU-PERF", new JsonObject().put("stock", 1_000_000_000L).put("price", 1))))
        .put("payment", new JsonObject().put("customers", new JsonObject().put("c-perf", 1_000_000_000_000L)))
        // A wide bulkhead so bursts of starts are not refused, and a notification call that may wait for the heap
        // phase's held sagas (their replies come 40 s late).
        .put("resilience", new JsonObject()
            .put("defaults", new JsonObject().put("bulkhead", new JsonObject().put("maxConcurrent", 20_000).put("maxQueue", 20_000)))
            .put("targets", new JsonObject().put("notification", new JsonObject().put("timeoutMs", 60_000))))
        .put("saga", new JsonObject().put("stepTimeoutMs", 60_000).put("mapPrefix", "sagabus." + prefix + ".").put("checkpoint", checkpoint));
    String roles = System.getProperty("roles");
    if (roles != null) {
      config.put("roles", new JsonArray(List.of(roles.split(","))));
    }
    if (store.equals("postgres-journal")) {
      // The saga store on PostgreSQL, participants in memory: what the journal alone sustains.
      config.put("postgres", new JsonObject().put("url", POSTGRES_URL).put("poolSize", 16));
      config.getJsonObject("saga").mergeIn(tables).put("store", "postgres");
      for (String service : new String[] {"order", "inventory", "payment", "shipping"}) {
        config.put(service, config.getJsonObject(service, new JsonObject()).copy().put("store", "memory"));
      }
    } else if (store.equals("postgres")) {
      config.put("postgres", new JsonObject().put("url", POSTGRES_URL).put("poolSize", 16))
          .put("order", tables.copy()).put("inventory", config.getJsonObject("inventory").copy().mergeIn(tables))
          .put("payment", config.getJsonObject("payment").copy().mergeIn(tables)).put("shipping", tables.copy())
          // The read side too: each run starts from empty views and histories, as the write side does.
          .put("orderview", tables.copy());
      config.getJsonObject("saga").mergeIn(tables).put("store", "postgres");
    } else {
      config.getJsonObject("saga").put("store", "embedded");
    }
    RunningNode node = NodeLauncher.start(NodeConfig.from("perf", config), !Boolean.getBoolean("standalone")).get(120, TimeUnit.SECONDS);
    HttpServer baseline = await(node.vertx().createHttpServer()
        .requestHandler(request -> request.body().onSuccess(body -> request.response().setStatusCode(202)
            .putHeader("Content-Type", "application/json").end(new JsonObject().put("accepted", true).encode())))
        .listen(baselinePort, "127.0.0.1"));

    Vertx clientVertx = Vertx.vertx();
    Buffer order = Buffer.buffer(new JsonObject().put("customerId", "c-perf")
        .put("items", new JsonArray().add(new JsonObject().put("sku", "SKU-PERF").put("qty", 1)))
        .put("paymentMethod", "card")
        .put("shippingAddress", new JsonObject().put("street", "1 Main St").put("city", "Springfield").put("country", "US")).encode());
    String sagaUri = "/api/orders?wait=20000";

    System.out.printf(Locale.ROOT, "store=%s checkpoint=%s seconds=%d concurrency=%d cores=%d%n", store, checkpoint, seconds, concurrency,
        Runtime.getRuntime().availableProcessors());
    if (seconds > 0) {
      throughputAndLatency(clientVertx, store, nodePort, baselinePort, sagaUri, order, concurrency, seconds, openLoopRate);
    }
    if (Boolean.parseBoolean(System.getProperty("heapPhase", "true"))) {
      heapPerInFlightSaga(node, 10_000);
    }

    // The node first: sagas still running would otherwise hold locks the DROP TABLE waits for.
    await(baseline.close());
    await(node.vertx().close());
    int exitCode = 0;
    if (store.startsWith("postgres")) {
      try {
        dropTables(clientVertx, prefix);
      } catch (RuntimeException e) {
        // Exit anyway: a JVM left running keeps its threads and connections, and disturbs the next run.
        System.err.println("could not drop this run's tables (" + prefix + "*): " + e.getMessage());
        exitCode = 1;
      }
    }
    await(clientVertx.close());
    System.exit(exitCode);
  }

  /**
   * Closed-loop maximum of the plain endpoint and of the saga, then both open-loop at half the saga's maximum, or at
   * {@code openLoopRate} when it is positive (to compare runs at one rate).
   */
  private static void throughputAndLatency(Vertx clientVertx, String store, int nodePort, int baselinePort, String sagaUri,
      Buffer order, int concurrency, int seconds, double openLoopRate) throws Exception {
    warmUp("baseline plain endpoint", clientVertx, baselinePort, "/baseline", order, concurrency);
    Result baselineMax = closedLoop(clientVertx, baselinePort, "/baseline", order, concurrency, seconds);
    report("baseline plain endpoint, closed loop", baselineMax);
    warmUp("order saga (" + store + ")", clientVertx, nodePort, sagaUri, order, concurrency);
    Result sagaMax = closedLoop(clientVertx, nodePort, sagaUri, order, concurrency, seconds);
    report("order saga (" + store + "), closed loop", sagaMax);
    awaitQuietMachine();
    double rate = openLoopRate > 0 ? openLoopRate : sagaMax.perSecond() / 2;
    // Switching from the closed loop to an open loop deoptimised about 60 compiled methods in its first 200 ms (JFR),
    // and its first second answered slowly: that change of workload is warmed up too, and not measured.
    openLoop(clientVertx, nodePort, sagaUri, order, rate, OPEN_LOOP_WARM_UP_SECONDS, false);
    Result sagaHalf;
    try (GcPauses pauses = GcPauses.record()) {
      sagaHalf = openLoop(clientVertx, nodePort, sagaUri, order, rate, seconds, true);
      System.out.println("  " + pauses.summary());
    }
    report("order saga (" + store + "), open loop at " + (openLoopRate > 0 ? "the given rate" : "half the max rate"), sagaHalf);
    openLoop(clientVertx, baselinePort, "/baseline", order, rate, OPEN_LOOP_WARM_UP_SECONDS, false);
    Result baselineHalf = openLoop(clientVertx, baselinePort, "/baseline", order, rate, seconds, true);
    report("baseline plain endpoint, open loop at the same rate", baselineHalf);
  }

  /**
   * Runs the closed loop in rounds until the JIT compiler settles: on two cores C2 takes 30 to 90 % of one core for
   * about 20 s of saga load, so a short fixed warm-up measured the compiler as much as the saga.
   */
  private static void warmUp(String what, Vertx clientVertx, int port, String uri, Buffer body, int concurrency) throws Exception {
    CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
    long started = System.nanoTime();
    long compileMillis;
    int rounds = 0;
    do {
      long before = compiler.getTotalCompilationTime();
      closedLoop(clientVertx, port, uri, body, concurrency, WARM_UP_ROUND_SECONDS);
      compileMillis = compiler.getTotalCompilationTime() - before;
      rounds++;
    } while ((rounds < MIN_WARM_UP_ROUNDS || compileMillis > SETTLED_COMPILE_MILLIS_PER_ROUND) && rounds < MAX_WARM_UP_ROUNDS);
    System.out.printf(Locale.ROOT, "warm-up of the %s: %.0f s, JIT compile time in its last %d s round %d ms%s%n", what,
        (System.nanoTime() - started) / 1e9, WARM_UP_ROUND_SECONDS, compileMillis,
        compileMillis > SETTLED_COMPILE_MILLIS_PER_ROUND ? " (not settled; the measurement includes compiling)" : "");
  }

  /**
   * Waits until the machine's CPU is mostly idle for two seconds in a row (at most two minutes): the closed loop leaves
   * a backlog behind (the projection, the relay, the stores' own work), and an open loop started on top of it would
   * measure that backlog instead of the half-load steady state.
   */
  private static void awaitQuietMachine() throws InterruptedException {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long started = System.nanoTime();
    int quietSeconds = 0;
    os.getCpuLoad();
    while (quietSeconds < 2 && System.nanoTime() - started < TimeUnit.MINUTES.toNanos(2)) {
      Thread.sleep(1_000);
      quietSeconds = os.getCpuLoad() < QUIET_CPU_LOAD ? quietSeconds + 1 : 0;
    }
    System.out.printf(Locale.ROOT, "waited %.1f s for the machine to settle after the closed loop (CPU load now %.0f%%)%n",
        (System.nanoTime() - started) / 1e9, os.getCpuLoad() * 100);
  }

  record Result(long ok, long failed, double seconds, Histogram latency) {
    double perSecond() {
      return ok / seconds;
    }
  }

  static HttpClient client(Vertx vertx, int connections) {
    return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(connections));
  }

  static Result closedLoop(Vertx vertx, int port, String uri, Buffer body, int users, int seconds) throws Exception {
    HttpClient client = client(vertx, users);
    Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    CompletableFuture<?>[] done = new CompletableFuture<?>[users];
    long started = System.nanoTime();
    for (int i = 0; i < users; i++) {
      CompletableFuture<Void> user = new CompletableFuture<>();
      done[i] = user;
      loop(client, port, uri, body, deadline, latency, ok, failed, user);
    }
    CompletableFuture.allOf(done).get(seconds + 60L, TimeUnit.SECONDS);
    await(client.close());
    return new Result(ok.get(), failed.get(), (System.nanoTime() - started) / 1e9, latency);
  }

  private static void loop(HttpClient client, int port, String uri, Buffer body, long deadline, Histogram latency,
      AtomicLong ok, AtomicLong failed, CompletableFuture<Void> user) {
    if (System.nanoTime() > deadline) {
      user.complete(null);
      return;
    }
    long sent = System.nanoTime();
    send(client, port, uri, body).onComplete(result -> {
      long micros = (System.nanoTime() - sent) / 1_000;
      synchronized (latency) {
        latency.recordValue(Math.min(micros, latency.getHighestTrackableValue()));
      }
      if (result.succeeded() && result.result().ok()) {
        ok.incrementAndGet();
      } else {
        failed.incrementAndGet();
      }
      loop(client, port, uri, body, deadline, latency, ok, failed, user);
    });
  }

  /** @param report whether to print where the time went; a warm-up round prints nothing */
  static Result openLoop(Vertx vertx, int port, String uri, Buffer body, double ratePerSecond, int seconds, boolean report)
      throws Exception {
    HttpClient client = client(vertx, OPEN_LOOP_CONNECTIONS);
    Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long total = (long) (ratePerSecond * seconds);
    double intervalNanos = 1e9 / ratePerSecond;
    AtomicLong outstanding = new AtomicLong(total);
    CompletableFuture<Void> done = new CompletableFuture<>();
    long start = System.nanoTime();
    long startMillis = System.currentTimeMillis();
    // Its clock time, to match a stall found by send time against GC, JFR or node logs.
    if (report) {
      System.out.printf(Locale.ROOT, "open loop at %.0f/s to %s starts at %s%n", ratePerSecond, uri, Instant.ofEpochMilli(startMillis));
    }
    long[] issued = {0};
    Slowest slowest = new Slowest();
    Map<Long, Long> worstPerWindow = new HashMap<>();
    Map<Long, Long> latestSendPerWindow = new HashMap<>();
    Map<Long, Long> latestConnectionPerWindow = new HashMap<>();
    // A 1 ms tick on one event loop sends every request whose intended time has come; latency counts from that time.
    vertx.getOrCreateContext().runOnContext(ignored -> vertx.setPeriodic(1, timer -> {
      long due = Math.min(total, (long) ((System.nanoTime() - start) / intervalNanos) + 1);
      for (; issued[0] < due; issued[0]++) {
        long intended = start + (long) (issued[0] * intervalNanos);
        long lateMicros = (System.nanoTime() - intended) / 1_000;
        synchronized (latency) {
          latestSendPerWindow.merge((intended - start) / WINDOW_NANOS, lateMicros, Math::max);
        }
        // When the pool handed the request a connection: a slow connect is the client's delay, not the node's.
        Runnable connected = () -> {
          long waitedMicros = (System.nanoTime() - intended) / 1_000;
          synchronized (latency) {
            latestConnectionPerWindow.merge((intended - start) / WINDOW_NANOS, waitedMicros, Math::max);
          }
        };
        send(client, port, uri, body, connected).onComplete(result -> {
          long micros = (System.nanoTime() - intended) / 1_000;
          // Answers arrive on the client's several event loops; the histogram is not thread-safe.
          synchronized (latency) {
            latency.recordValue(Math.min(micros, latency.getHighestTrackableValue()));
            worstPerWindow.merge((intended - start) / WINDOW_NANOS, micros, Math::max);
            if (micros > slowest.micros && result.succeeded()) {
              slowest.micros = micros;
              slowest.intendedMillis = startMillis + (intended - start) / 1_000_000;
              slowest.body = result.result().body();
            }
          }
          if (result.succeeded() && result.result().ok()) {
            ok.incrementAndGet();
          } else {
            failed.incrementAndGet();
          }
          if (outstanding.decrementAndGet() == 0) {
            done.complete(null);
          }
        });
      }
      if (issued[0] >= total) {
        vertx.cancelTimer(timer);
      }
    }));
    try {
      done.get(seconds + 120L, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      System.out.printf(Locale.ROOT, "open loop: %d of %d requests never answered%n", outstanding.get(), total);
    }
    await(client.close());
    if (!report) {
      return new Result(ok.get(), failed.get(), (System.nanoTime() - start) / 1e9, latency);
    }
    synchronized (latency) {
      printWorstWindows("slowest answer", worstPerWindow);
      // A late send is the load generator's own stall, not the server's: its latency counts from the intended time.
      printWorstWindows("latest send", latestSendPerWindow);
      printWorstWindows("latest connection", latestConnectionPerWindow);
    }
    if (uri.startsWith("/api/orders")) {
      printWhereTheSlowestSagaWaited(vertx, port, slowest);
    }
    return new Result(ok.get(), failed.get(), (System.nanoTime() - start) / 1e9, latency);
  }

  /** The slowest answers by 100 ms window of send time: one long stall and a spread-out tail read the same as a p99. */
  private static void printWorstWindows(String what, Map<Long, Long> worstPerWindow) {
    String worst = worstPerWindow.entrySet().stream()
        .sorted(Map.Entry.<Long, Long>comparingByValue().reversed())
        .limit(5)
        .map(entry -> String.format(Locale.ROOT, "%.1fs:%.0fms", entry.getKey() * WINDOW_NANOS / 1e9, entry.getValue() / 1000.0))
        .collect(Collectors.joining(" "));
    System.out.println("  " + what + " by 100 ms of send time, worst 5 windows: " + worst);
  }

  private static Future<Answer> send(HttpClient client, int port, String uri, Buffer body) {
    return send(client, port, uri, body, () -> { });
  }

  private static Future<Answer> send(HttpClient client, int port, String uri, Buffer body, Runnable connected) {
    return client.request(HttpMethod.POST, port, "127.0.0.1", uri)
        .onSuccess(request -> connected.run())
        .compose(request -> request.putHeader("Content-Type", "application/json").send(body))
        .compose(response -> response.body().map(answer -> new Answer(response.statusCode(), answer)));
  }

  private record Answer(int status, Buffer body) {
    boolean ok() {
      return status == 200 || status == 202;
    }
  }

  /** The open loop's slowest answer: when it was meant to be sent, and the body naming its saga. */
  private static final class Slowest {
    long micros;
    long intendedMillis;
    Buffer body;
  }

  /**
   * Prints, for the open loop's slowest saga, when it was created and when each step ran, counted from the moment
   * its order was meant to be sent: a wait before the saga exists, inside one step or between steps reads apart.
   */
  private static void printWhereTheSlowestSagaWaited(Vertx vertx, int port, Slowest slowest) throws Exception {
    if (slowest.body == null) {
      return;
    }
    String sagaId = new JsonObject(slowest.body).getString("sagaId");
    HttpClient client = client(vertx, 1);
    JsonObject saga = await(client.request(HttpMethod.GET, port, "127.0.0.1", "/api/sagas/" + sagaId)
        .compose(request -> request.send().compose(response -> response.body())).map(Buffer::toJsonObject));
    await(client.close());
    long sent = slowest.intendedMillis;
    StringBuilder steps = new StringBuilder();
    for (Object step : saga.getJsonArray("steps")) {
      JsonArray attempts = ((JsonObject) step).getJsonArray("attempts");
      if (!attempts.isEmpty()) {
        JsonObject first = attempts.getJsonObject(0);
        JsonObject last = attempts.getJsonObject(attempts.size() - 1);
        steps.append(String.format(Locale.ROOT, " %s +%d..+%d", ((JsonObject) step).getString("name"),
            first.getLong("startedAt") - sent, last.getLong("endedAt", 0L) - sent));
      }
    }
    System.out.printf(Locale.ROOT, "  slowest saga, ms from its intended send: answered +%.0f, created +%d,%s, stored +%d%n",
        slowest.micros / 1000.0, saga.getLong("createdAt") - sent, steps, saga.getLong("updatedAt") - sent);
  }

  static void report(String name, Result result) {
    Histogram h = result.latency();
    System.out.printf(Locale.ROOT, "%-60s %9.0f/s ok=%d failed=%d p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms%n",
        name, result.perSecond(), result.ok(), result.failed(),
        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
  }

  /** Holds {@code count} sagas at the notification step (its reply delayed), then compares heap with and without them. */
  static void heapPerInFlightSaga(RunningNode node, int count) throws Exception {
    var bus = node.vertx().eventBus();
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(30_000);
    Map<String, Long> before = liveHeapByClass();
    await(bus.request("notification.faults", new JsonObject().put("op", "send").put("replyDelayMs", 40_000), options));
    JsonObject input = new JsonObject().put("customerId", "c-perf")
        .put("items", new JsonArray().add(new JsonObject().put("sku", "SKU-PERF").put("qty", 1)))
        .put("paymentMethod", "card")
        .put("shippingAddress", new JsonObject().put("street", "1 Main St").put("city", "Springfield").put("country", "US"));
    for (int i = 0; i < count; i += 500) {
      Future<?>[] batch = new Future<?>[Math.min(500, count - i)];
      for (int j = 0; j < batch.length; j++) {
        batch[j] = bus.request(SagaAddresses.START, new JsonObject().put("type", "order").put("input", input.copy().put("orderId", "ord-" + UUID.randomUUID())), options);
      }
      await(Future.all(List.of(batch)));
    }
    double inFlight = awaitInFlight(node, count, 100);
    Map<String, Long> duringByClass = liveHeapByClass();
    long during = total(duringByClass) - total(before);
    System.out.printf(Locale.ROOT, "live heap with %.0f sagas in flight: %.1f MB more than before, %.0f bytes per in-flight saga%n",
        inFlight, during / 1e6, during / Math.max(1, inFlight));
    await(bus.request("notification.faults", new JsonObject().put("reset", true), options));
    // The held replies come back after 40 s; then the same sagas are finished, their business records (orders, books,
    // views, event history, the retained saga record) stay, and what the engine held for them in flight is gone.
    double left = awaitInFlight(node, 0, 600);
    Map<String, Long> afterByClass = liveHeapByClass();
    long after = total(afterByClass) - total(before);
    System.out.printf(Locale.ROOT, "live heap once they finished (%.0f still in flight): %.1f MB more than before; held only while in flight: %.0f bytes per saga%n",
        left, after / 1e6, (during - after) / Math.max(1, inFlight));
    printLargestGrowth("held while in flight", afterByClass, duringByClass, inFlight);
    printLargestGrowth("kept after they finished", before, afterByClass, inFlight);
  }

  private static long total(Map<String, Long> byClass) {
    return byClass.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The classes whose live bytes grew most from {@code from} to {@code to}, per saga: where the heap goes. */
  private static void printLargestGrowth(String title, Map<String, Long> from, Map<String, Long> to, double sagas) {
    System.out.printf(Locale.ROOT, "  %s, bytes per saga by class (largest 12):%n", title);
    to.entrySet().stream()
        .map(entry -> Map.entry(entry.getKey(), entry.getValue() - from.getOrDefault(entry.getKey(), 0L)))
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(12)
        .forEach(entry -> System.out.printf(Locale.ROOT, "    %8.0f  %s%n", entry.getValue() / Math.max(1, sagas), entry.getKey()));
  }

  /** Polls the in-flight gauge every 200 ms until it reaches {@code target}, at most {@code polls} times. */
  private static double awaitInFlight(RunningNode node, int target, int polls) throws InterruptedException {
    double inFlight = -1;
    for (int i = 0; i < polls && inFlight != target; i++) {
      Thread.sleep(200);
      inFlight = node.context().metrics().get("sagabus.saga.inflight").gauge().value();
      if (target > 0 && inFlight >= target) {
        break;
      }
    }
    return inFlight;
  }

  /**
   * Bytes of live objects, counted by a full-GC class histogram (what {@code jcmd GC.class_histogram} prints). The
   * heap's "used" figure after {@code System.gc()} also counts space the collector has not given back, which made
   * the per-saga figure about three times too high.
   */
  private static Map<String, Long> liveHeapByClass() throws Exception {
    String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    Map<String, Long> byClass = new HashMap<>();
    Matcher row = Pattern.compile("^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)", Pattern.MULTILINE).matcher(histogram);
    while (row.find()) {
      byClass.merge(row.group(2), Long.parseLong(row.group(1)), Long::sum);
    }
    if (byClass.isEmpty()) {
      throw new IllegalStateException("no rows in the class histogram");
    }
    return byClass;
  }

  /** Drops the tables this run created (every name starting with its prefix), and the order view over them. */
  static void dropTables(Vertx vertx, String prefix) {
    var pool = io.vertx.pgclient.PgBuilder.pool().connectingTo(io.sagabus.platform.backend.Backends.pgOptions(POSTGRES_URL)).using(vertx).build();
    await(pool.preparedQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE $1")
        .execute(io.vertx.sqlclient.Tuple.of(prefix + "%"))
        .compose(rows -> {
          List<String> tables = new ArrayList<>();
          rows.forEach(row -> tables.add(row.getString(0)));
          return tables.isEmpty() ? Future.succeededFuture() : pool.query("DROP TABLE IF EXISTS " + String.join(", ", tables) + " CASCADE").execute().mapEmpty();
        })
        .eventually(pool::close));
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
