package io.sagabus.dashboard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sagabus.chaos.contract.ChaosAddresses;
import io.sagabus.dashboard.contract.DashboardAddresses;
import io.sagabus.orderview.contract.OrderViewAddresses;
import io.sagabus.platform.NodeContext;
import io.sagabus.platform.cluster.NodeDirectory;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.resilience.contract.ResilienceAddresses;
import io.sagabus.saga.contract.SagaAddresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard of one node. It taps this node's saga events (a local consumer, so events never cross the network
 * for the dashboard's sake), publishes a small report of them to every dashboard node, and merges every node's
 * report with circuit reports, chaos settings, rate-limit counters and the node directory into one frame. The frame
 * is encoded once per interval and handed to this node's browser sockets as a string, whatever their number.
 *
 * <p>Config section {@code dashboard}: {@code reportIntervalMs} (500), {@code sampleSize} (sagas in a frame, 50),
 * {@code admissionsPerSecond} (new sagas the tap starts following per second, 20), {@code triagePollMs} (how often
 * retrying and parked sagas are read from the saga store, 5000; 0 turns it off).
 */
public final class DashboardVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(DashboardVerticle.class);
  static final long REQUEST_TIMEOUT_MS = 3_000;
  static final long NODES_REFRESH_MS = 2_000;
  static final long REPORT_STALE_MS = 10_000;
  static final int MAX_TRIAGE = 100;
  static final int TRIAGE_POLL_LIMIT = 50;
  private static final DeliveryOptions LOCAL_ONLY = new DeliveryOptions().setLocalOnly(true);

  private final NodeContext node;
  private final long reportIntervalMs;
  private final int sampleSize;
  private final long triagePollMs;
  private final SagaTap tap;
  private final CircuitBoard circuits = new CircuitBoard();
  private final Map<String, NodeState> reports = new HashMap<>();
  private ThroughputSeries series;
  private JsonArray nodes = new JsonArray();
  private JsonArray faults = new JsonArray();
  private List<JsonObject> polledTriage = List.of();
  private JsonObject orderStream;
  private long orderStreamAt;

  /** What the dashboard last heard from one node, and the totals already counted into the series. */
  private static final class NodeState {
    JsonObject report;
    long receivedAt;
    final long[] counted = new long[ThroughputSeries.OUTCOMES.length];
    final Map<String, long[]> limitsBefore = new HashMap<>();
    long limitsAt;
    final Map<String, double[]> limitRates = new HashMap<>();
  }

  public DashboardVerticle(NodeContext node) {
    this.node = node;
    ConfigReader config = node.config().section(DashboardAddresses.ROLE);
    this.reportIntervalMs = config.longValue("reportIntervalMs", 500, 100, 10_000);
    this.sampleSize = config.integer("sampleSize", 50, 1, 500);
    this.triagePollMs = config.longValue("triagePollMs", 5_000, 0, 600_000);
    int admissionsPerSecond = config.integer("admissionsPerSecond", 20, 1, 1_000);
    this.tap = new SagaTap(Math.max(1, sampleSize / 2), (int) Math.max(1, admissionsPerSecond * reportIntervalMs / 1000));
  }

  @Override
  public Future<?> start() {
    series = new ThroughputSeries(System.currentTimeMillis());
    var bus = vertx.eventBus();
    Context context = vertx.getOrCreateContext();
    node.cluster().onMemberJoined(id -> context.runOnContext(ignored -> refreshNodes()));
    node.cluster().onMemberLeft(id -> context.runOnContext(ignored -> refreshNodes()));
    return Future.all(List.of(
            // A joining member has no card until it registers, so its join alone would show it without a name.
            bus.<String>consumer(NodeDirectory.CHANGED, message -> refreshNodes()).completion(),
            bus.<JsonObject>localConsumer(SagaAddresses.EVENTS, message -> tap.onEvents(message.body())).completion(),
            bus.<JsonObject>consumer(DashboardAddresses.NODE_REPORT, message -> {
              if (!node.nodeId().equals(message.body().getString("nodeId"))) {
                onNodeReport(message.body());
              }
            }).completion(),
            bus.<JsonObject>consumer(ResilienceAddresses.CIRCUITS, message -> circuits.onReport(message.body(), System.currentTimeMillis())).completion(),
            bus.<JsonObject>consumer(ChaosAddresses.CHANGED, message -> onFaults(message.body())).completion(),
            bus.<JsonObject>consumer(OrderViewAddresses.STATS, message -> onOrderStream(message.body())).completion()))
        .onSuccess(ignored -> {
          refreshNodes();
          loadFaults();
          vertx.setPeriodic(reportIntervalMs, id -> tick());
          vertx.setPeriodic(NODES_REFRESH_MS, id -> refreshNodes());
          vertx.setPeriodic(10_000, id -> loadFaults());
          if (triagePollMs > 0) {
            pollTriage();
            vertx.setPeriodic(triagePollMs, id -> pollTriage());
          }
        });
  }

  private void tick() {
    long now = System.currentTimeMillis();
    JsonObject report = tap.report(now)
        .put("nodeId", node.nodeId())
        .put("nodeName", node.config().nodeName())
        .put("at", now)
        .put("rateLimits", rateLimitTotals(node.metrics()));
    inFlight(node.metrics()).ifPresent(count -> report.put("active", count));
    // This node's own report goes into its frame at once; other nodes' arrive within one interval.
    onNodeReport(report);
    vertx.eventBus().publish(DashboardAddresses.NODE_REPORT, report);
    vertx.eventBus().publish(DashboardAddresses.FRAMES, frame(now).encode(), LOCAL_ONLY);
  }

  // ---- inputs ----

  private void onNodeReport(JsonObject report) {
    String nodeId = report.getString("nodeId");
    JsonObject sagas = report.getJsonObject("sagas");
    if (nodeId == null || sagas == null) {
      return;
    }
    long now = System.currentTimeMillis();
    NodeState state = reports.computeIfAbsent(nodeId, id -> new NodeState());
    long[] delta = new long[ThroughputSeries.OUTCOMES.length];
    for (int i = 0; i < delta.length; i++) {
      long total = sagas.getLong(ThroughputSeries.OUTCOMES[i], 0L);
      // A restarted node starts from zero again: count its new total, never a negative delta.
      delta[i] = total >= state.counted[i] ? total - state.counted[i] : total;
      state.counted[i] = total;
    }
    series.add(now, delta);
    trackLimitRates(state, report.getJsonObject("rateLimits", new JsonObject()), report.getLong("at", now));
    String nodeName = report.getString("nodeName", nodeId);
    JsonArray sample = report.getJsonArray("sample", new JsonArray());
    for (int i = 0; i < sample.size(); i++) {
      sample.getJsonObject(i).put("node", nodeName);
    }
    state.report = report;
    state.receivedAt = now;
  }

  private static void trackLimitRates(NodeState state, JsonObject totals, long at) {
    double seconds = state.limitsAt > 0 ? Math.max(0.001, (at - state.limitsAt) / 1000.0) : 0;
    state.limitRates.clear();
    for (String tier : totals.fieldNames()) {
      JsonObject counts = totals.getJsonObject(tier);
      long[] now = {counts.getLong("allowed", 0L), counts.getLong("rejected", 0L)};
      long[] before = state.limitsBefore.get(tier);
      if (seconds > 0 && before != null) {
        state.limitRates.put(tier, new double[] {Math.max(0, now[0] - before[0]) / seconds, Math.max(0, now[1] - before[1]) / seconds});
      }
      state.limitsBefore.put(tier, now);
    }
    state.limitsAt = at;
  }

  private void onFaults(JsonObject body) {
    if (body != null && body.getJsonArray("faults") != null) {
      faults = body.getJsonArray("faults");
    }
  }

  /** Every order-view node counts the whole stream, so the newest report stands for the cluster. */
  private void onOrderStream(JsonObject stats) {
    orderStream = stats;
    orderStreamAt = System.currentTimeMillis();
  }

  private void loadFaults() {
    vertx.eventBus().<JsonObject>request(ChaosAddresses.SHOW, new JsonObject(), new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS))
        .onSuccess(reply -> onFaults(reply.body()))
        .onFailure(failure -> LOG.debug("chaos settings unavailable: {}", failure.toString()));
  }

  private void refreshNodes() {
    node.directory().list()
        .onSuccess(list -> nodes = list)
        .onFailure(failure -> LOG.debug("node directory unavailable: {}", failure.toString()));
  }

  /** Retrying sagas have no event of their own, and parked ones may predate this node: read both from the store. */
  private void pollTriage() {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS);
    Future<Message<JsonObject>> retrying = vertx.eventBus().request(SagaAddresses.LIST,
        new JsonObject().put("status", "retrying").put("limit", TRIAGE_POLL_LIMIT), options);
    Future<Message<JsonObject>> parked = vertx.eventBus().request(SagaAddresses.LIST,
        new JsonObject().put("status", "parked").put("limit", TRIAGE_POLL_LIMIT), options);
    Future.all(retrying, parked)
        .onSuccess(both -> {
          List<JsonObject> entries = new ArrayList<>();
          for (Future<Message<JsonObject>> page : List.of(retrying, parked)) {
            JsonArray items = page.result().body().getJsonArray("items", new JsonArray());
            for (int i = 0; i < items.size(); i++) {
              entries.add(TriageViews.fromSagaView(items.getJsonObject(i)));
            }
          }
          polledTriage = entries;
        })
        .onFailure(failure -> LOG.debug("saga list unavailable: {}", failure.toString()));
  }

  // ---- the frame ----

  private JsonObject frame(long now) {
    reports.values().removeIf(state -> now - state.receivedAt > REPORT_STALE_MS);
    series.advance(now);
    Collection<NodeState> live = reports.values();
    long[] totals = new long[6];
    List<JsonObject> sample = new ArrayList<>();
    Map<String, JsonObject> triage = new HashMap<>();
    polledTriage.forEach(entry -> triage.put(entry.getString("sagaId"), entry));
    Map<String, double[]> limitRates = new TreeMap<>();
    Map<String, long[]> limitTotals = new TreeMap<>();
    JsonArray reporting = new JsonArray();
    for (NodeState state : live) {
      JsonObject report = state.report;
      reporting.add(report.getString("nodeId"));
      JsonObject sagas = report.getJsonObject("sagas");
      totals[0] += sagas.getLong("started", 0L);
      totals[1] += sagas.getLong("completed", 0L);
      totals[2] += sagas.getLong("failed", 0L);
      totals[3] += sagas.getLong("compensated", 0L);
      totals[4] += sagas.getLong("parked", 0L);
      totals[5] += report.getLong("active", 0L);
      report.getJsonArray("sample", new JsonArray()).forEach(saga -> sample.add((JsonObject) saga));
      report.getJsonArray("triage", new JsonArray()).forEach(item -> {
        JsonObject entry = (JsonObject) item;
        triage.merge(entry.getString("sagaId"), entry, DashboardVerticle::newerTriageEntry);
      });
      JsonObject limits = report.getJsonObject("rateLimits", new JsonObject());
      for (String tier : limits.fieldNames()) {
        long[] sum = limitTotals.computeIfAbsent(tier, t -> new long[2]);
        sum[0] += limits.getJsonObject(tier).getLong("allowed", 0L);
        sum[1] += limits.getJsonObject(tier).getLong("rejected", 0L);
      }
      state.limitRates.forEach((tier, rates) -> {
        double[] sum = limitRates.computeIfAbsent(tier, t -> new double[2]);
        sum[0] += rates[0];
        sum[1] += rates[1];
      });
    }
    sample.sort(Comparator.comparingLong((JsonObject saga) -> saga.getLong("updatedAt", 0L)).reversed());
    List<JsonObject> attention = new ArrayList<>(triage.values());
    attention.sort(Comparator.comparingLong((JsonObject entry) -> entry.getLong("updatedAt", 0L)).reversed());
    JsonObject rateLimits = new JsonObject();
    limitTotals.forEach((tier, sum) -> {
      double[] rates = limitRates.getOrDefault(tier, new double[2]);
      rateLimits.put(tier, new JsonObject().put("allowed", sum[0]).put("rejected", sum[1])
          .put("allowedPerSec", Math.round(rates[0] * 10) / 10.0).put("rejectedPerSec", Math.round(rates[1] * 10) / 10.0));
    });
    JsonObject frame = new JsonObject()
        .put("at", now)
        .put("node", new JsonObject().put("id", node.nodeId()).put("name", node.config().nodeName()))
        .put("nodes", nodes)
        .put("reporting", reporting)
        .put("totals", new JsonObject().put("started", totals[0]).put("completed", totals[1]).put("failed", totals[2])
            .put("compensated", totals[3]).put("parked", totals[4]).put("inFlight", totals[5]))
        .put("rates", series.lastSecond())
        .put("series", series.toJson())
        .put("sample", new JsonArray(sample.subList(0, Math.min(sampleSize, sample.size()))))
        .put("triage", new JsonArray(attention.subList(0, Math.min(MAX_TRIAGE, attention.size()))))
        .put("circuits", circuits.toJson(now))
        .put("rateLimits", rateLimits)
        .put("chaos", faults);
    if (orderStream != null && now - orderStreamAt <= REPORT_STALE_MS) {
      frame.put("orderStream", orderStream);
    }
    return frame;
  }

  /** The newer entry wins, but the store's attempt count is exact where events carry none. */
  private static JsonObject newerTriageEntry(JsonObject a, JsonObject b) {
    JsonObject newer = a.getLong("updatedAt", 0L) >= b.getLong("updatedAt", 0L) ? a : b;
    int attempts = Math.max(a.getInteger("attempts", 0), b.getInteger("attempts", 0));
    return newer.getInteger("attempts", 0) == attempts ? newer : newer.copy().put("attempts", attempts);
  }

  // ---- this node's meters, read by name so the dashboard needs no other service's internals ----

  /** {@code {tier: {"allowed","rejected"}}} from the rate limiter's decision counters on this node. */
  static JsonObject rateLimitTotals(MeterRegistry registry) {
    JsonObject tiers = new JsonObject();
    for (Counter counter : registry.find("sagabus.ratelimit.decisions").counters()) {
      String tier = counter.getId().getTag("tier");
      String outcome = counter.getId().getTag("outcome");
      if (tier == null || !("allowed".equals(outcome) || "rejected".equals(outcome))) {
        continue;
      }
      JsonObject counts = tiers.getJsonObject(tier);
      if (counts == null) {
        counts = new JsonObject().put("allowed", 0L).put("rejected", 0L);
        tiers.put(tier, counts);
      }
      counts.put(outcome, counts.getLong(outcome) + (long) counter.count());
    }
    return tiers;
  }

  private static Optional<Long> inFlight(MeterRegistry registry) {
    Collection<Gauge> gauges = registry.find("sagabus.saga.inflight").gauges();
    if (gauges.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(gauges.stream().mapToLong(gauge -> (long) gauge.value()).sum());
  }
}
