package io.sagabus.orderview;

import io.sagabus.orderview.contract.OrderViewAddresses;
import io.sagabus.orderview.contract.ViewCursor;
import io.sagabus.platform.NodeContext;
import io.sagabus.platform.backend.StoreChoice;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventLog;
import io.sagabus.platform.events.EventTopics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order read side. It projects the domain-event topics into denormalized order views (consumer group
 * {@code <group>-g<generation>}), appends every event to its order's event-sourced history ({@code <group>-history}),
 * keeps stream statistics over a sliding window ({@code <group>-stats-<nodeName>}, from the newest events) and
 * publishes them, and rebuilds the views from offset 0 on request.
 *
 * <p>Config section {@code orderview}: {@code store} (auto|memory|postgres), {@code tablePrefix} ({@code sagabus_}),
 * {@code group} ({@code orderview}), {@code statsWindowSeconds} (60), {@code statsIntervalMs} (1000).
 */
public final class OrderViewVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OrderViewVerticle.class);
  /**
   * How often PostgreSQL views and history are written at most: a saga's events then fold into its view in one or two
   * row versions instead of one each. In memory a rewrite costs only CPU, and larger, rarer writes gave no clear gain
   * there but longer event-loop turns, so memory stores write at once unless configured.
   */
  static final long DEFAULT_POSTGRES_WRITE_INTERVAL_MS = 50;

  private final NodeContext node;
  private final ConfigReader config;
  private final String group;
  private final int statsWindowSeconds;
  private final long statsIntervalMs;
  private long writeIntervalMs;
  private OrderViewStore views;
  private OrderHistory history;
  private EventLog log;
  private ProjectionLag liveLag;
  private ProjectionLag rebuildLag;
  private ProjectionLag historyLag;
  private StreamStats stats;
  private ProjectionRebuild rebuild;
  private EventLog.Subscription live;
  private int liveGeneration;
  private final List<EventLog.Subscription> others = new ArrayList<>();

  public OrderViewVerticle(NodeContext node) {
    this.node = node;
    this.config = node.config().section(OrderViewAddresses.ROLE);
    this.group = config.string("group", "orderview");
    this.statsWindowSeconds = config.integer("statsWindowSeconds", 60, 1, 3_600);
    this.statsIntervalMs = config.longValue("statsIntervalMs", 1_000, 100, 60_000);
  }

  @Override
  public Future<?> start() {
    OrderEventStore eventStore;
    boolean postgres = StoreChoice.postgres(config, node.backends());
    writeIntervalMs = config.longValue("writeIntervalMs", postgres ? DEFAULT_POSTGRES_WRITE_INTERVAL_MS : 0, 0, 10_000);
    if (postgres) {
      Pool pool = node.backends().postgres().orElseThrow();
      String prefix = config.string("tablePrefix", "sagabus_");
      views = new PostgresOrderViews(pool, prefix);
      eventStore = new PostgresOrderEvents(pool, prefix);
    } else {
      views = new MemoryOrderViews();
      eventStore = new MemoryOrderEvents();
    }
    history = new OrderHistory(vertx, eventStore, writeIntervalMs);
    log = node.backends().events();
    liveLag = new ProjectionLag(node.metrics(), "orderview");
    rebuildLag = new ProjectionLag(node.metrics(), "orderview-rebuild");
    historyLag = new ProjectionLag(node.metrics(), "order-history");
    stats = new StreamStats(statsWindowSeconds);
    rebuild = new ProjectionRebuild(vertx, views, log, group, this::projector, this::switchTo);
    var bus = vertx.eventBus();
    return Future.all(views.start(), eventStore.start())
        .compose(ignored -> Future.all(List.of(
            bus.<JsonObject>consumer(OrderViewAddresses.QUERY, this::query).completion(),
            bus.<JsonObject>consumer(OrderViewAddresses.HISTORY, this::history).completion(),
            bus.<JsonObject>consumer(OrderViewAddresses.REBUILD, rebuild::start).completion(),
            bus.<JsonObject>consumer(OrderViewAddresses.REBUILD_STATUS, rebuild::status).completion(),
            bus.<JsonObject>consumer(OrderViewAddresses.GENERATION_ACTIVATED, this::onGenerationActivated).completion())))
        .compose(ignored -> views.activeGeneration())
        .compose(generation -> Future.all(
            follow(generation),
            log.subscribeBatch(group + "-history", EventTopics.ALL, EventLog.StartFrom.EARLIEST, this::recordHistory).map(others::add),
            log.subscribeBatch(group + "-stats-" + node.config().nodeName(), StreamStats.TOPICS, EventLog.StartFrom.LATEST, this::count).map(others::add)))
        .onSuccess(ignored -> vertx.setPeriodic(statsIntervalMs, id -> publishStats()));
  }

  @Override
  public Future<?> stop() {
    List<Future<Void>> closing = new ArrayList<>();
    if (live != null) {
      closing.add(live.close());
    }
    others.forEach(subscription -> closing.add(subscription.close()));
    closing.add(rebuild.stop());
    return Future.join(closing);
  }

  // ---- the projections ----

  /**
   * Applies the events of {@link MergedDeliveries merged deliveries} to {@code generation} in one transaction, then
   * records each event's lag: it counts as live once that generation is the one being served.
   */
  private Function<List<DomainEvent>, Future<Void>> projector(int generation) {
    MergedDeliveries deliveries = new MergedDeliveries(vertx, writeIntervalMs, batch -> {
      List<DomainEvent> events = MergedDeliveries.eventsOf(batch);
      return views.applyBatch(generation, events).andThen(done -> {
        if (done.succeeded()) {
          ProjectionLag lag = generation == liveGeneration ? liveLag : rebuildLag;
          // An event twice in one write was applied once: only its first sight counts as applied.
          Set<String> unrecorded = new HashSet<>(done.result());
          events.forEach(event -> lag.applied(event, unrecorded.remove(event.eventId())));
        }
        batch.forEach(delivery -> delivery.written().handle(done.mapEmpty()));
      });
    });
    return deliveries::write;
  }

  private Future<Void> follow(int generation) {
    return log.subscribeBatch(ProjectionRebuild.groupOf(group, generation), EventTopics.ALL, EventLog.StartFrom.EARLIEST, projector(generation))
        .compose(subscription -> switchTo(generation, subscription));
  }

  /** Serves {@code generation} from now on, fed by {@code subscription}; the previous live subscription is closed. */
  private Future<Void> switchTo(int generation, EventLog.Subscription subscription) {
    EventLog.Subscription previous = live;
    live = subscription;
    liveGeneration = generation;
    return previous == null ? Future.succeededFuture() : previous.close();
  }

  /** Another node activated a rebuilt generation: follow it with its consumer group, which already holds the offsets. */
  private void onGenerationActivated(Message<JsonObject> message) {
    int generation = message.body().getInteger("generation", 0);
    if (generation > liveGeneration && !rebuild.owns(generation)) {
      follow(generation).onFailure(failure -> LOG.warn("could not move the order view to generation {}: {}", generation, failure.toString()));
    }
  }

  private Future<Void> recordHistory(List<DomainEvent> events) {
    return history.recordAll(events).onSuccess(ignored -> events.forEach(event -> historyLag.applied(event, true)));
  }

  private Future<Void> count(List<DomainEvent> events) {
    long now = System.currentTimeMillis();
    events.forEach(event -> stats.onEvent(event, now));
    return Future.succeededFuture();
  }

  private void publishStats() {
    long now = System.currentTimeMillis();
    vertx.eventBus().publish(OrderViewAddresses.STATS, stats.snapshot(now).put("at", now).put("node", node.config().nodeName()));
  }

  // ---- queries ----

  private void query(Message<JsonObject> message) {
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    ViewQuery query;
    try {
      query = parse(body);
    } catch (IllegalArgumentException e) {
      message.fail(FailureCodes.BAD_REQUEST, e.getMessage());
      return;
    }
    views.query(query).onSuccess(page -> {
      JsonObject reply = new JsonObject().put("items", new JsonArray(page.items()));
      if (page.next() != null) {
        reply.put("nextCursor", page.next().encode());
      }
      message.reply(reply);
    }).onFailure(failure -> message.fail(FailureCodes.UNAVAILABLE, failure.getMessage()));
  }

  static ViewQuery parse(JsonObject body) {
    String customerId = body.getValue("customerId") instanceof String text ? text : null;
    if (body.getValue("customerId") != null && (customerId == null || customerId.isBlank() || customerId.length() > OrderViewAddresses.MAX_CUSTOMER_ID)) {
      throw new IllegalArgumentException("customerId must be a non-blank string of at most " + OrderViewAddresses.MAX_CUSTOMER_ID + " characters");
    }
    Object status = body.getValue("status");
    if (status != null && !OrderViewAddresses.STATUSES.contains(status)) {
      throw new IllegalArgumentException("status must be one of " + String.join(", ", OrderViewAddresses.STATUSES));
    }
    Object limit = body.getValue("limit", OrderViewAddresses.DEFAULT_LIMIT);
    if (!(limit instanceof Integer number) || number < 1 || number > OrderViewAddresses.MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be an integer from 1 to " + OrderViewAddresses.MAX_LIMIT);
    }
    ViewCursor after = null;
    if (body.getValue("cursor") != null) {
      try {
        after = ViewCursor.decode(String.valueOf(body.getValue("cursor")));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("cursor is not one this API returned");
      }
    }
    return new ViewQuery(customerId, (String) status, number, after);
  }

  private void history(Message<JsonObject> message) {
    String orderId = message.body() == null ? null : message.body().getString("orderId");
    if (orderId == null || orderId.isBlank()) {
      message.fail(FailureCodes.BAD_REQUEST, "orderId is required");
      return;
    }
    history.history(orderId).onSuccess(rebuilt -> {
      if (rebuilt == null) {
        message.fail(FailureCodes.NOT_FOUND, "no events for order '" + orderId + "'");
      } else {
        message.reply(rebuilt);
      }
    }).onFailure(failure -> message.fail(FailureCodes.UNAVAILABLE, failure.getMessage()));
  }
}
