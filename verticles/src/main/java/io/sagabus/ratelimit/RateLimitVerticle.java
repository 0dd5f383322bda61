package io.sagabus.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sagabus.platform.NodeContext;
import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.ratelimit.FailoverBackend.BackendUnavailableException;
import io.sagabus.ratelimit.RateLimitRules.Check;
import io.sagabus.ratelimit.RateLimitRules.RequestInfo;
import io.sagabus.ratelimit.contract.RateLimitAddresses;
import io.sagabus.ratelimit.contract.RateLimitFields;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a request may proceed, on whichever event loop of the node the request arrives on (the buckets and
 * the outage state are safe for that; Redis gets one connection per loop). Buckets live in Redis when one is configured (falling back to the
 * cluster-owned local buckets during an outage, or refusing, as configured), otherwise in the cluster-owned local
 * buckets. Rules can be replaced at runtime; the change reaches every rate-limit node.
 */
public final class RateLimitVerticle extends VerticleBase {

  static final String STATE_MAP = "sagabus.ratelimit";
  static final String RULES_CHANGED = "ratelimit.rules.changed";
  static final String RING_CHANGED = "ratelimit.ring.changed";
  static final String STATUS_PREFIX = "ratelimit.status.";
  static final long RING_REFRESH_MILLIS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(RateLimitVerticle.class);

  private final NodeContext node;
  private final ConfigReader section;
  private final RateLimitSettings settings;
  private final LongSupplier clock;
  private final Map<String, Counter> decisionCounters = new ConcurrentHashMap<>();
  private final List<MessageConsumer<JsonObject>> loopConsumers = new CopyOnWriteArrayList<>();
  private volatile RateLimitRules rules;
  private volatile OwnerRing ring;
  private RateLimitBackend backend;
  private FailoverBackend failover;
  private PerLoopRedisBuckets redisBuckets;
  private Timer latency;

  public RateLimitVerticle(NodeContext node) {
    this(node, System::currentTimeMillis);
  }

  RateLimitVerticle(NodeContext node, LongSupplier clockMillis) {
    this.node = node;
    this.section = node.config().section("ratelimit");
    this.settings = RateLimitSettings.from(section);
    this.rules = RateLimitRules.from(section);
    this.clock = clockMillis;
    this.ring = new OwnerRing(List.of(node.nodeId()));
  }

  public static String statusAddress(String nodeId) {
    return STATUS_PREFIX + nodeId;
  }

  @Override
  public Future<?> start() {
    String self = node.nodeId();
    LocalBuckets owned = new LocalBuckets(clock);
    LocalBuckets stray = new LocalBuckets(clock);
    ClusterOwnedBuckets clusterOwned = new ClusterOwnedBuckets(vertx.eventBus(), self, () -> ring, owned, stray, settings.forwardTimeoutMillis());
    backend = clusterOwned;
    Redis redis = node.backends().redis().orElse(null);
    if (settings.backend().equals("redis") && redis == null) {
      throw new ConfigException("ratelimit.backend", "is redis but no redis.url is configured (SAGABUS_REDIS_URL)");
    }
    if (redis != null && !settings.backend().equals("local")) {
      redisBuckets = new PerLoopRedisBuckets(() -> new RedisBuckets(vertx, redis, settings.redisKeyPrefix(), null, settings.redisTimeoutMillis()));
      failover = new FailoverBackend(redisBuckets, clusterOwned, settings.outagePolicy(), settings.redisProbeMillis(), clock, outageMetrics());
      backend = failover;
    }
    latency = Timer.builder("sagabus.ratelimit.decision.latency").description("Time to decide one request")
        .tag("backend", backend.name()).publishPercentiles(0.5, 0.99).register(node.metrics());
    vertx.setPeriodic(settings.evictIntervalMillis(), id -> {
      owned.evictIdle();
      stray.evictIdle();
    });
    vertx.setPeriodic(RING_REFRESH_MILLIS, id -> refreshRing());
    var context = vertx.getOrCreateContext();
    node.cluster().onMemberLeft(nodeId -> context.runOnContext(ignored ->
        ownersMap().compose(map -> map.remove(nodeId)).onComplete(done -> refreshRing())));

    var eb = vertx.eventBus();
    return Future.all(List.of(
            eb.<JsonObject>consumer(RateLimitAddresses.DECIDE, this::decide).completion(),
            eb.<JsonObject>consumer(RateLimitAddresses.decideOn(self), this::decide).completion(),
            eb.<JsonObject>consumer(ClusterOwnedBuckets.ownerAddress(self), clusterOwned::answerOwnerRequest).completion(),
            eb.<JsonObject>consumer(RateLimitAddresses.RULES_GET, message -> message.reply(rules.toJson())).completion(),
            eb.<JsonObject>consumer(RateLimitAddresses.RULES_PUT, this::replaceRules).completion(),
            eb.<JsonObject>consumer(RULES_CHANGED, message -> applyRules(message.body())).completion(),
            eb.<JsonObject>consumer(RING_CHANGED, message -> refreshRing()).completion(),
            eb.<JsonObject>consumer(statusAddress(self), message -> message.reply(status())).completion(),
            listenOnEveryEventLoop()))
        .compose(ignored -> loadSharedRules())
        .compose(ignored -> ownersMap().compose(map -> map.put(self, node.config().nodeName())))
        .compose(ignored -> refreshRing())
        .onSuccess(ignored -> eb.publish(RING_CHANGED, new JsonObject().put("joined", self)));
  }

  /**
   * A decision consumer on each event loop of this node ({@link RateLimitAddresses#decideOnCallersLoop}), so a
   * gateway's decision runs on the gateway's own loop: no second thread to wake, which on a busy host is where the
   * filter's tail latency went. Vert.x has no public way to pick a loop, hence the internal context builder.
   */
  private Future<Void> listenOnEveryEventLoop() {
    VertxInternal internal = (VertxInternal) vertx;
    List<Future<Void>> registered = new ArrayList<>();
    for (EventExecutor loop : internal.nettyEventLoopGroup()) {
      ContextInternal context = internal.contextBuilder().withEventLoop((EventLoop) loop).build();
      Promise<Void> listening = context.promise();
      context.runOnContext(ignored -> {
        MessageConsumer<JsonObject> consumer = vertx.eventBus().localConsumer(RateLimitAddresses.decideOnCallersLoop(node.nodeId()), this::decide);
        loopConsumers.add(consumer);
        consumer.completion().onComplete(listening);
      });
      registered.add(listening.future());
    }
    return Future.all(registered).mapEmpty();
  }

  @Override
  public Future<?> stop() {
    String self = node.nodeId();
    loopConsumers.forEach(MessageConsumer::unregister);
    return ownersMap().compose(map -> map.remove(self))
        .onComplete(ignored -> vertx.eventBus().publish(RING_CHANGED, new JsonObject().put("left", self)))
        .recover(ignored -> Future.succeededFuture())
        .compose(ignored -> redisBuckets == null ? Future.succeededFuture() : redisBuckets.close());
  }

  private void decide(Message<JsonObject> message) {
    JsonObject body = message.body();
    if (body == null || body.getString(RateLimitFields.PATH) == null || body.getString(RateLimitFields.METHOD) == null) {
      message.fail(FailureCodes.BAD_REQUEST, "a decision needs method and path");
      return;
    }
    Check check = rules.resolve(new RequestInfo(body.getString(RateLimitFields.METHOD), body.getString(RateLimitFields.PATH),
        body.getString(RateLimitFields.API_KEY), body.getString(RateLimitFields.USER),
        body.getString(RateLimitFields.CLIENT_IP), body.getString(RateLimitFields.ACCOUNT)));
    long started = System.nanoTime();
    backend.take(check.bucketKey(), check.policy(), check.cost()).onComplete(result -> {
      latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      if (result.succeeded()) {
        Decision decision = result.result();
        counter(decision.allowed() ? "allowed" : "rejected", check).increment();
        message.reply(decision.toJson());
      } else if (result.cause() instanceof BackendUnavailableException unavailable) {
        counter("unavailable", check).increment();
        message.fail(FailureCodes.UNAVAILABLE, unavailable.getMessage());
      } else {
        LOG.warn("rate-limit decision failed: {}", result.cause().toString());
        message.fail(FailureCodes.INTERNAL, "rate-limit decision failed");
      }
    });
  }

  private void replaceRules(Message<JsonObject> message) {
    RateLimitRules replacement;
    try {
      replacement = RateLimitRules.from(new ConfigReader(message.body(), "rules"));
    } catch (ConfigException | IllegalArgumentException e) {
      message.fail(FailureCodes.BAD_REQUEST, e.getMessage());
      return;
    }
    JsonObject document = replacement.toJson();
    vertx.sharedData().<String, JsonObject>getAsyncMap(STATE_MAP)
        .compose(map -> map.put("rules", document))
        .onSuccess(ignored -> {
          // In force here before the reply: decisions run on every event loop, and the next request may be decided
          // on another one before this loop has seen its own RULES_CHANGED.
          rules = replacement;
          vertx.eventBus().publish(RULES_CHANGED, document);
          LOG.info("rate-limit rules replaced: {} tiers, {} endpoint rules", document.getJsonObject("tiers").size(), document.getJsonArray("rules").size());
          message.reply(document);
        })
        .onFailure(failure -> message.fail(FailureCodes.INTERNAL, "could not store the rules: " + failure.getMessage()));
  }

  private void applyRules(JsonObject document) {
    try {
      rules = RateLimitRules.from(new ConfigReader(document, "rules"));
    } catch (RuntimeException e) {
      LOG.warn("ignoring a rules document that does not validate here: {}", e.getMessage());
    }
  }

  /** Rules replaced at runtime outlive the node that received them: a node that starts later takes them over. */
  private Future<Void> loadSharedRules() {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(STATE_MAP)
        .compose(map -> map.get("rules"))
        .map(shared -> {
          if (shared != null) {
            applyRules(shared);
          }
          return null;
        });
  }

  private Future<AsyncMap<String, String>> ownersMap() {
    return vertx.sharedData().getAsyncMap(STATE_MAP + ".owners");
  }

  private Future<Void> refreshRing() {
    return ownersMap().compose(AsyncMap::keys).map(owners -> {
      Set<String> members = Set.copyOf(node.cluster().members());
      List<String> live = owners.stream().filter(members::contains).toList();
      OwnerRing updated = new OwnerRing(live.isEmpty() ? List.of(node.nodeId()) : live);
      if (!updated.nodes().equals(ring.nodes())) {
        LOG.info("rate-limit owners now {}", updated.nodes());
      }
      ring = updated;
      return null;
    });
  }

  private JsonObject status() {
    return new JsonObject()
        .put("backend", backend.name())
        .put("owners", new JsonArray(ring.nodes()))
        .put("down", failover != null && failover.down())
        .put("rules", rules.toJson());
  }

  private Counter counter(String outcome, Check check) {
    String id = outcome + '|' + check.tier() + '|' + check.rule();
    return decisionCounters.computeIfAbsent(id, ignored -> Counter.builder("sagabus.ratelimit.decisions")
        .description("Rate-limit decisions by outcome, tier and endpoint rule")
        .tag("outcome", outcome).tag("tier", check.tier()).tag("rule", check.rule())
        .register(node.metrics()));
  }

  private FailoverBackend.OutageListener outageMetrics() {
    MeterRegistry registry = node.metrics();
    Counter activations = Counter.builder("sagabus.ratelimit.fallback.activations")
        .description("Times the shared backend became unreachable and the outage policy took over").register(registry);
    Counter fallbackDecisions = Counter.builder("sagabus.ratelimit.fallback.decisions")
        .description("Decisions made by the local fallback (fail-open) while the shared backend was unreachable").register(registry);
    return new FailoverBackend.OutageListener() {
      @Override
      public void fallbackActivated() {
        activations.increment();
      }

      @Override
      public void fallbackDecision() {
        fallbackDecisions.increment();
      }
    };
  }
}
