package io.sagabus.perf;

import io.sagabus.node.NodeLauncher;
import io.sagabus.node.RunningNode;
import io.sagabus.platform.config.NodeConfig;
import io.sagabus.saga.contract.SagaAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the dashboard costs at a given saga rate. A node runs a synthetic saga-event publisher (the events a saga
 * engine emits: 16 per completed saga, 14 per compensated one; one saga in ten is compensated) and, in mode
 * {@code dashboard}, the dashboard role plus browser sockets. Run once per mode and compare process CPU:
 *
 * <pre>
 *   java -cp perf/target/sagabus-perf.jar io.sagabus.perf.DashboardLoad baseline  5000 30
 *   java -cp perf/target/sagabus-perf.jar io.sagabus.perf.DashboardLoad dashboard 5000 30 [sockets]
 * </pre>
 *
 * The difference is the dashboard's cost, since a real engine publishes these events whether or not anyone listens.
 * Mode {@code noop-consumer} listens with a handler that does nothing, in a verticle of its own: the floor of any
 * design that hears every event. {@code plain-noop-consumer} does the same on a bare Vert.x without the node's
 * Micrometer event-bus metrics.
 */
public final class DashboardLoad {

  private static final String[] STEPS = {"create-order", "reserve-inventory", "charge-payment", "confirm-inventory",
      "create-shipment", "send-notification", "complete-order"};

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "dashboard";
    int sagasPerSecond = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    int sockets = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    boolean dashboard = mode.equals("dashboard");
    JsonArray roles = dashboard ? new JsonArray().add("dashboard").add("gateway") : new JsonArray().add("gateway");
    int port = 20_000 + (int) (ProcessHandle.current().pid() % 20_000);
    NodeConfig config = NodeConfig.from("perf", new JsonObject().put("nodeName", "perf")
        .put("roles", roles).put("http", new JsonObject().put("host", "127.0.0.1").put("port", port))
        .put("dashboard", new JsonObject().put("triagePollMs", 0)));
    if (mode.equals("plain-noop-consumer")) {
      plainVertx(sagasPerSecond, seconds);
      return;
    }
    RunningNode node = NodeLauncher.start(config, false).get(60, TimeUnit.SECONDS);

    AtomicLong framesReceived = new AtomicLong();
    AtomicLong frameBytes = new AtomicLong();
    if (dashboard) {
      var client = node.vertx().createWebSocketClient();
      for (int i = 0; i < sockets; i++) {
        client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/dashboard/ws"))
            .onSuccess(socket -> socket.textMessageHandler(text -> {
              framesReceived.incrementAndGet();
              frameBytes.addAndGet(text.length());
            }))
            .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
    if (mode.equals("noop-consumer")) {
      // The floor of any design that listens to every event: local delivery (body copy, metrics, dispatch) only.
      // In a verticle of its own, like the dashboard, so events cross event loops as they do for the dashboard.
      node.vertx().deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          return vertx.eventBus().<JsonObject>localConsumer(SagaAddresses.EVENTS, message -> message.body()).completion();
        }
      }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    Publisher publisher = new Publisher(sagasPerSecond);
    node.vertx().deployVerticle(publisher).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    System.out.printf("dashboard at http://127.0.0.1:%d/ (publishing %d sagas/s for %d s after a 10 s warm-up)%n",
        port, sagasPerSecond, seconds);

    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Thread.sleep(10_000); // warm-up: JIT, and the dashboard's 300-point series filling in
    long cpuBefore = os.getProcessCpuTime();
    long eventsBefore = publisher.events.get();
    long sagasBefore = publisher.sagas.get();
    long framesBefore = framesReceived.get();
    long wallBefore = System.nanoTime();
    Thread.sleep(seconds * 1_000L);
    long wall = System.nanoTime() - wallBefore;
    long cpu = os.getProcessCpuTime() - cpuBefore;
    long events = publisher.events.get() - eventsBefore;
    long sagas = publisher.sagas.get() - sagasBefore;
    long frames = framesReceived.get() - framesBefore;
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf("mode=%s sagas/s=%.0f events/s=%.0f cpu=%.1f%% of one core (%.1f%% of %d cores) frames/s/socket=%.2f avgFrame=%d B%n",
        mode, sagas * 1e9 / wall, events * 1e9 / wall, 100.0 * cpu / wall, 100.0 * cpu / wall / cores, cores,
        sockets > 0 && dashboard ? frames * 1e9 / wall / sockets : 0.0,
        framesReceived.get() == 0 ? 0 : frameBytes.get() / framesReceived.get());
    node.vertx().close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    System.exit(0);
  }

  /** The same do-nothing listener on a bare Vert.x without the node's Micrometer metrics: what the metrics add. */
  private static void plainVertx(int sagasPerSecond, int seconds) throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        return vertx.eventBus().<JsonObject>localConsumer(SagaAddresses.EVENTS, message -> message.body()).completion();
      }
    }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Publisher publisher = new Publisher(sagasPerSecond);
    vertx.deployVerticle(publisher).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Thread.sleep(10_000);
    long cpuBefore = os.getProcessCpuTime();
    long wallBefore = System.nanoTime();
    long sagasBefore = publisher.sagas.get();
    Thread.sleep(seconds * 1_000L);
    long wall = System.nanoTime() - wallBefore;
    long cpu = os.getProcessCpuTime() - cpuBefore;
    System.out.printf("mode=plain-noop-consumer sagas/s=%.0f cpu=%.1f%% of one core%n",
        (publisher.sagas.get() - sagasBefore) * 1e9 / wall, 100.0 * cpu / wall);
    System.exit(0);
  }

  /**
   * Publishes on {@code saga.events} what an engine running {@code sagasPerSecond} would, the way the engine does:
   * in batches of up to 1,000 events, at least every 100 ms.
   */
  static final class Publisher extends VerticleBase {
    private static final int MAX_BATCH = 1_000;
    private static final long FLUSH_MS = 100;
    final AtomicLong events = new AtomicLong();
    final AtomicLong sagas = new AtomicLong();
    private final int sagasPerTick;
    private long count;
    private JsonArray pending = new JsonArray();
    private long lastFlush = System.currentTimeMillis();

    Publisher(int sagasPerSecond) {
      this.sagasPerTick = Math.max(1, sagasPerSecond / 100);
    }

    @Override
    public Future<?> start() {
      vertx.setPeriodic(10, id -> {
        EventBus bus = vertx.eventBus();
        for (int i = 0; i < sagasPerTick; i++) {
          publishSaga(bus, UUID.randomUUID().toString(), ++count % 10 == 0);
        }
        if (System.currentTimeMillis() - lastFlush >= FLUSH_MS) {
          flush(bus);
        }
        sagas.addAndGet(sagasPerTick);
      });
      return Future.succeededFuture();
    }

    private void publishSaga(EventBus bus, String id, boolean compensated) {
      long at = System.currentTimeMillis();
      saga(bus, id, "PENDING", "RUNNING", at, null);
      int last = compensated ? 2 : STEPS.length - 1;
      for (int s = 0; s <= last; s++) {
        step(bus, id, STEPS[s], "PENDING", "RUNNING", 0, null, at);
        boolean fails = compensated && s == last;
        step(bus, id, STEPS[s], "RUNNING", fails ? "FAILED" : "SUCCEEDED", 1, fails ? "charge-payment: declined (422)" : null, at);
      }
      if (compensated) {
        saga(bus, id, "RUNNING", "COMPENSATING", at, "charge-payment: declined (422)");
        for (int s = 1; s >= 0; s--) {
          step(bus, id, STEPS[s], "SUCCEEDED", "COMPENSATING", 0, null, at);
          step(bus, id, STEPS[s], "COMPENSATING", "COMPENSATED", 1, null, at);
        }
        saga(bus, id, "COMPENSATING", "FAILED", at, "compensated");
      } else {
        saga(bus, id, "RUNNING", "COMPLETED", at, null);
      }
    }

    private void saga(EventBus bus, String id, String from, String to, long at, String error) {
      JsonObject event = new JsonObject().put("sagaId", id).put("type", "order").put("kind", "saga").put("from", from).put("to", to).put("at", at);
      if (error != null) {
        event.put("error", error);
      }
      add(bus, event);
    }

    private void step(EventBus bus, String id, String step, String from, String to, int attempt, String error, long at) {
      JsonObject event = new JsonObject().put("sagaId", id).put("type", "order").put("kind", "step").put("step", step)
          .put("from", from).put("to", to).put("at", at);
      if (attempt > 0) {
        event.put("attempt", attempt);
      }
      if (error != null) {
        event.put("error", error);
      }
      add(bus, event);
    }

    private void add(EventBus bus, JsonObject event) {
      pending.add(event);
      events.incrementAndGet();
      if (pending.size() >= MAX_BATCH) {
        flush(bus);
      }
    }

    private void flush(EventBus bus) {
      lastFlush = System.currentTimeMillis();
      if (!pending.isEmpty()) {
        bus.publish(SagaAddresses.EVENTS, new JsonObject().put("events", pending));
        pending = new JsonArray();
      }
    }
  }
}
