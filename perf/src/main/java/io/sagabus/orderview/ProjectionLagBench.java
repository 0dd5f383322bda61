package io.sagabus.orderview;

import io.sagabus.platform.backend.Backends;
import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventLog;
import io.sagabus.platform.events.EventLogSettings;
import io.sagabus.platform.events.EventTopics;
import io.sagabus.platform.events.KafkaEventLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Projection lag on a real broker and PostgreSQL: orders at a fixed rate, each with its realistic event sequence
 * (90% completed: created, inventory reserved, payment processed, inventory confirmed, shipment created, completed;
 * 10% cancelled: created, reserved, released, cancelled), published to Kafka through {@link KafkaEventLog}. Two
 * consumer groups read the same topics in the same run: a bare consumer that only records now - occurredAt (the
 * baseline: what the broker and the event log cost), and the order-view projection as the service runs it (a batch
 * subscription, each poll applied in one PostgreSQL transaction: inbox dedupe, lock, fold, update), which records the
 * same lag for every event of a batch once its transaction has committed.
 *
 * <p>It lives in the order-view package to drive the projection's own store adapter, which is package-private.
 *
 * <p>{@code java -cp perf/target/sagabus-perf.jar io.sagabus.orderview.ProjectionLagBench <bootstrap> <postgresUrl>
 * <ordersPerSecond> <seconds> [partitions per topic, 6]}; the first 15 s are warm-up and not measured.
 */
public final class ProjectionLagBench {

  /**
   * Steady state is what is measured: from a cold JVM the projection starts a few seconds behind (JIT, first plans)
   * and needs 4 to 9 s at full load to catch up, which a 5 s warm-up left inside the measured window.
   */
  private static final int WARMUP_SECONDS = 15;
  private static final long TICK_MS = 10;

  private ProjectionLagBench() {}

  /** Exits when done: a failed run must not leave the broker's and the pool's threads holding the JVM open. */
  public static void main(String[] args) {
    try {
      run(args);
      System.exit(0);
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:19092";
    String postgresUrl = args.length > 1 ? args[1] : "postgresql://postgres@127.0.0.1:5432/test";
    int ordersPerSecond = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    int partitions = args.length > 4 ? Integer.parseInt(args[4]) : EventLogSettings.DEFAULT_PARTITIONS;
    String run = "lagbench" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);

    Vertx vertx = Vertx.vertx();
    EventLog log = new KafkaEventLog(vertx, bootstrap,
        new EventLogSettings(run + ".", partitions, (short) 1, EventLogSettings.DEFAULT_RETAIN_PER_PARTITION));
    Pool pool = PgBuilder.pool().connectingTo(Backends.pgOptions(postgresUrl)).with(new PoolOptions().setMaxSize(16)).using(vertx).build();
    PostgresOrderViews views = new PostgresOrderViews(pool, run + "_");
    await(views.start());
    int generation = await(views.activeGeneration());

    Lag baseline = new Lag();
    Lag projection = new Lag();
    await(Future.all(
        log.subscribe("baseline", EventTopics.ALL, EventLog.StartFrom.EARLIEST, event -> {
          baseline.record(event);
          return Future.succeededFuture();
        }),
        log.subscribeBatch("projection", EventTopics.ALL, EventLog.StartFrom.EARLIEST, events -> views.applyBatch(generation, events)
            .map(applied -> {
              events.forEach(projection::record);
              return null;
            }))));
    // Topics and groups are ready: warm up, then measure.
    Instant start = Instant.now();
    Instant measureStart = start.plusSeconds(WARMUP_SECONDS);
    Instant end = measureStart.plusSeconds(seconds);
    baseline.window(measureStart, end);
    projection.window(measureStart, end);
    AtomicLong ordersSent = new AtomicLong();
    AtomicLong eventsSent = new AtomicLong();
    AtomicLong publishFailures = new AtomicLong();
    long timer = vertx.setPeriodic(TICK_MS, id -> {
      Instant now = Instant.now();
      long due = Duration.between(start, now).toMillis() * ordersPerSecond / 1000 - ordersSent.get();
      List<DomainEvent> batch = new ArrayList<>();
      for (long i = 0; i < due; i++) {
        batch.addAll(order(ordersSent.incrementAndGet(), now));
      }
      eventsSent.addAndGet(batch.size());
      log.publish(batch).onFailure(failure -> publishFailures.incrementAndGet());
    });
    Thread.sleep(Duration.between(Instant.now(), end).toMillis());
    vertx.cancelTimer(timer);
    long drainDeadline = System.currentTimeMillis() + 60_000;
    while ((baseline.seen.get() < eventsSent.get() || projection.seen.get() < eventsSent.get()) && System.currentTimeMillis() < drainDeadline) {
      Thread.sleep(100);
    }
    double measured = seconds;

    System.out.printf("command: java -cp perf/target/sagabus-perf.jar io.sagabus.orderview.ProjectionLagBench %s %s %d %d %d%n",
        bootstrap, postgresUrl, ordersPerSecond, seconds, partitions);
    System.out.printf("machine: %d cores, %s, java %s, load average %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name") + " " + System.getProperty("os.arch"), System.getProperty("java.version"),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.printf("load: %d orders/s offered, %d orders and %d events published (%.0f events/s), %d publish failures; "
        + "consumed: baseline %d, projection %d%n", ordersPerSecond, ordersSent.get(), eventsSent.get(),
        eventsSent.get() / (double) (seconds + WARMUP_SECONDS), publishFailures.get(), baseline.seen.get(), projection.seen.get());
    baseline.print("baseline (bare consumer)", measured);
    projection.print("projection (postgres view)", measured);
    double p99 = projection.histogram.getValueAtPercentile(99) / 1000.0;
    System.out.printf("RESULT projection-lag p99=%.1f ms baseline p99=%.1f ms target p99 <= 1000 ms: %s%n", p99,
        baseline.histogram.getValueAtPercentile(99) / 1000.0, p99 <= 1000 && projection.seen.get() >= eventsSent.get() ? "MET" : "NOT MET");

    // Consumers first: a projection still catching up would otherwise hold locks the DROP waits on.
    await(log.close());
    await(pool.query("DROP VIEW IF EXISTS " + run + "_order_views").execute());
    await(pool.query("DROP TABLE IF EXISTS " + run + "_order_view_meta, " + run + "_order_view_1, " + run + "_order_view_inbox_1").execute());
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.deleteTopics(EventTopics.ALL.stream().map(type -> run + "." + type).toList()).all().get(30, TimeUnit.SECONDS);
    }
    await(vertx.close());
  }

  /** Lag of the events that occurred inside the measured window, in microseconds. */
  private static final class Lag {
    final Histogram histogram = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
    final AtomicLong seen = new AtomicLong();
    volatile Instant from = Instant.MAX;
    volatile Instant to = Instant.MAX;

    void window(Instant from, Instant to) {
      this.from = from;
      this.to = to;
    }

    void record(DomainEvent event) {
      seen.incrementAndGet();
      if (!event.occurredAt().isBefore(from) && event.occurredAt().isBefore(to)) {
        long micros = Math.max(0, Duration.between(event.occurredAt(), Instant.now()).toNanos() / 1000);
        histogram.recordValue(Math.min(micros, histogram.getHighestTrackableValue()));
      }
    }

    void print(String name, double seconds) {
      System.out.printf("%-28s events=%d (%.0f/s) lag p50=%.1f ms p99=%.1f ms p99.9=%.1f ms max=%.1f ms%n", name,
          histogram.getTotalCount(), histogram.getTotalCount() / seconds, histogram.getValueAtPercentile(50) / 1000.0,
          histogram.getValueAtPercentile(99) / 1000.0, histogram.getValueAtPercentile(99.9) / 1000.0, histogram.getMaxValue() / 1000.0);
    }
  }

  /** The events of order number {@code n}, all stamped {@code now}: one in ten is cancelled after its stock was reserved. */
  private static List<DomainEvent> order(long n, Instant now) {
    String orderId = "ord-" + n;
    JsonArray items = new JsonArray().add(new JsonObject().put("sku", "SKU-" + (n % 50)).put("qty", 1 + n % 3));
    JsonArray priced = new JsonArray().add(items.getJsonObject(0).copy().put("price", 100));
    long amount = 100 * (1 + n % 3);
    List<DomainEvent> events = new ArrayList<>();
    events.add(DomainEvent.of(EventTopics.ORDER_CREATED, orderId, "saga-" + n, null, new JsonObject().put("customerId", "c-" + (n % 1000))
        .put("items", items).put("paymentMethod", "card").put("shippingAddress", new JsonObject().put("city", "Lyon"))));
    events.add(DomainEvent.of(EventTopics.INVENTORY_RESERVED, orderId, "saga-" + n, null, new JsonObject().put("items", priced)));
    if (n % 10 == 0) {
      events.add(DomainEvent.of(EventTopics.INVENTORY_RELEASED, orderId, "saga-" + n, null, new JsonObject().put("items", priced)));
      events.add(DomainEvent.of(EventTopics.ORDER_CANCELLED, orderId, "saga-" + n, null, new JsonObject()));
      return events;
    }
    events.add(DomainEvent.of(EventTopics.PAYMENT_PROCESSED, orderId, "saga-" + n, null, new JsonObject().put("customerId", "c-" + (n % 1000)).put("amount", amount)));
    events.add(DomainEvent.of(EventTopics.INVENTORY_CONFIRMED, orderId, "saga-" + n, null, new JsonObject().put("items", priced)));
    events.add(DomainEvent.of(EventTopics.SHIPMENT_CREATED, orderId, "saga-" + n, null, new JsonObject().put("shipmentId", "shp-" + n)));
    events.add(DomainEvent.of(EventTopics.ORDER_COMPLETED, orderId, "saga-" + n, null, new JsonObject().put("amount", amount)));
    return events;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
