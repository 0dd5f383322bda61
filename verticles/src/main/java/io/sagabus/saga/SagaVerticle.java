package io.sagabus.saga;

import io.sagabus.platform.NodeContext;
import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.resilience.ResilientCaller;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.saga.contract.SagaAddresses;
import io.sagabus.saga.contract.SagaStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The saga orchestrator of one node: serves {@link SagaAddresses}, runs the sagas it starts or claims, keeps its
 * lease alive, and adopts the sagas of nodes that left the cluster or let their lease lapse.
 *
 * <p>Config section {@code saga}: {@code store} (auto|embedded|postgres; auto picks postgres when one is configured),
 * {@code tablePrefix}, {@code mapPrefix}, {@code stepTimeoutMs}, {@code retry {maxAttempts, initialBackoffMs,
 * maxBackoffMs}}, {@code compensationRetry {...}}, {@code leaseMs}, {@code journal {maxBatch, maxInFlight}},
 * {@code checkpoint} (every-step|transitions), {@code retainFinishedMs} (embedded store: how long finished sagas stay).
 */
public final class SagaVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SagaVerticle.class);
  static final int MAX_PAGE = 500;

  private final NodeContext node;
  private final ConfigReader config;
  private final Function<Vertx, ParticipantClient> participantClient;
  private final List<SagaDefinition> extraDefinitions;
  private SagaStore store;
  private SagaEngine engine;
  private long leaseMs;

  /** Calls participants through the node's resilience stack and parks sagas while a participant's circuit is open. */
  public SagaVerticle(NodeContext node) {
    this(node, vertx -> new ResilientParticipantClient(vertx, ResilientCaller.forNode(vertx, node)), List.of());
  }

  /** With another way to call participants and saga types beyond the order saga. */
  public SagaVerticle(NodeContext node, Function<Vertx, ParticipantClient> participantClient, List<SagaDefinition> extraDefinitions) {
    this.node = node;
    this.config = node.config().section("saga");
    this.participantClient = participantClient;
    this.extraDefinitions = extraDefinitions;
  }

  @Override
  public Future<?> start() {
    store = createStore();
    leaseMs = config.longValue("leaseMs", 10_000, 1_000, 600_000);
    ConfigReader retry = config.section("retry");
    ConfigReader compensationRetry = config.section("compensationRetry");
    SagaDefinition order = OrderSaga.definition(
        Duration.ofMillis(config.longValue("stepTimeoutMs", 5_000, 10, 600_000)),
        RetryPolicy.exponential(retry.integer("maxAttempts", 3, 1, 100),
            Duration.ofMillis(retry.longValue("initialBackoffMs", 50, 1, 60_000)),
            Duration.ofMillis(retry.longValue("maxBackoffMs", 1_000, 1, 600_000))),
        RetryPolicy.exponential(compensationRetry.integer("maxAttempts", 5, 1, 100),
            Duration.ofMillis(compensationRetry.longValue("initialBackoffMs", 100, 1, 60_000)),
            Duration.ofMillis(compensationRetry.longValue("maxBackoffMs", 2_000, 1, 600_000))).retryOn(failure -> true));
    List<SagaDefinition> definitions = new ArrayList<>(List.of(order));
    definitions.addAll(extraDefinitions);
    String checkpoint = config.string("checkpoint", "transitions");
    engine = new SagaEngine(vertx, store, participantClient.apply(vertx), definitions, node.nodeId(), node.metrics(), switch (checkpoint) {
      case "every-step" -> SagaEngine.Checkpoint.EVERY_STEP;
      case "transitions" -> SagaEngine.Checkpoint.TRANSITIONS;
      default -> throw new ConfigException(config.key("checkpoint"), "must be every-step or transitions, got '" + checkpoint + "'");
    }).maxPark(Duration.ofMillis(config.longValue("maxParkMs", 60_000, 0, 86_400_000)));
    Context context = vertx.getOrCreateContext();
    node.cluster().onMemberLeft(nodeId -> context.runOnContext(ignored -> adopt(nodeId, "left the cluster")));
    var bus = vertx.eventBus();
    return store.start()
        .compose(ignored -> renewLease())
        .compose(ignored -> Future.all(List.of(
            bus.<JsonObject>consumer(SagaAddresses.START, this::start).completion(),
            bus.<JsonObject>consumer(SagaAddresses.GET, this::get).completion(),
            bus.<JsonObject>consumer(SagaAddresses.LIST, this::list).completion(),
            bus.<JsonObject>consumer(SagaAddresses.RETRY_COMPENSATION, this::retryCompensation).completion(),
            bus.<JsonObject>consumer(SagaAddresses.RESOLVE, this::resolve).completion())))
        .onSuccess(ignored -> {
          vertx.setPeriodic(leaseMs / 3, id -> renewLease().compose(v -> adoptLapsed())
              .onFailure(failure -> LOG.warn("lease upkeep failed: {}", failure.toString())));
          LOG.info("saga orchestrator up: store={} lease={}ms", store.getClass().getSimpleName(), leaseMs);
        });
  }

  private SagaStore createStore() {
    String kind = config.string("store", "auto");
    boolean postgres = switch (kind) {
      case "auto" -> node.backends().postgres().isPresent();
      case "postgres" -> {
        if (node.backends().postgres().isEmpty()) {
          throw new ConfigException(config.key("store"), "is postgres but no postgres.url is configured");
        }
        yield true;
      }
      case "embedded" -> false;
      default -> throw new ConfigException(config.key("store"), "must be auto, embedded or postgres, got '" + kind + "'");
    };
    if (postgres) {
      ConfigReader journal = config.section("journal");
      return new PostgresSagaStore(vertx, node.backends().postgres().orElseThrow(), config.string("tablePrefix", "sagabus_"),
          journal.integer("maxBatch", 500, 1, 10_000), journal.integer("maxInFlight", 4, 1, 64));
    }
    String prefix = config.string("mapPrefix", "sagabus.");
    if (!prefix.startsWith("sagabus.")) {
      throw new ConfigException(config.key("mapPrefix"), "must start with 'sagabus.' so the maps get a backup, got '" + prefix + "'");
    }
    return new EmbeddedSagaStore(vertx, prefix, config.longValue("retainFinishedMs", 86_400_000L, 1_000, Long.MAX_VALUE));
  }

  private Future<Void> renewLease() {
    return store.renewLease(node.nodeId(), System.currentTimeMillis() + leaseMs);
  }

  private Future<Void> adoptLapsed() {
    return store.lapsedOwners(System.currentTimeMillis()).compose(owners -> {
      Future<Void> chain = Future.succeededFuture();
      for (String owner : owners) {
        if (!owner.equals(node.nodeId())) {
          chain = chain.compose(ignored -> adopt(owner, "let its lease lapse"));
        }
      }
      return chain;
    });
  }

  private Future<Void> adopt(String owner, String why) {
    return engine.adopt(owner)
        .onSuccess(claimed -> {
          if (claimed > 0) {
            LOG.info("node {} {}: claimed {} of its sagas", owner, why, claimed);
          }
        })
        .onFailure(failure -> LOG.warn("could not adopt the sagas of node {}: {}", owner, failure.toString()))
        .mapEmpty();
  }

  private void start(Message<JsonObject> message) {
    JsonObject body = message.body();
    if (body == null || body.getString("type") == null || body.getJsonObject("input") == null) {
      message.fail(FailureCodes.BAD_REQUEST, "type and input are required");
      return;
    }
    long waitMs = body.getLong("waitMs", 0L);
    Future<SagaInstance> started = engine.start(body.getString("type"), body.getJsonObject("input"), body.getString("idempotencyKey"), body.getString("requestHash"))
        .compose(saga -> engine.awaitEnd(saga, waitMs));
    replyWith(message, started.map(saga -> saga.toJson().put("node", node.nodeId())));
  }

  private void get(Message<JsonObject> message) {
    String sagaId = message.body() == null ? null : message.body().getString("sagaId");
    if (sagaId == null) {
      message.fail(FailureCodes.BAD_REQUEST, "sagaId is required");
      return;
    }
    replyWith(message, engine.get(sagaId).compose(saga -> saga == null
        ? Future.failedFuture(new SagaEngine.SagaRequestException(FailureCodes.NOT_FOUND, "unknown saga '" + sagaId + "'"))
        : Future.succeededFuture(saga.toJson())));
  }

  private void list(Message<JsonObject> message) {
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    String status = body.getString("status");
    if (status != null && !status.equals("retrying") && !status.equals("parked")) {
      try {
        status = SagaStatus.valueOf(status.toUpperCase(Locale.ROOT)).name();
      } catch (IllegalArgumentException e) {
        message.fail(FailureCodes.BAD_REQUEST, "status must be a saga status, retrying or parked");
        return;
      }
    }
    int limit = Math.max(1, Math.min(MAX_PAGE, body.getInteger("limit", 50)));
    String cursor = body.getString("cursor");
    if (cursor != null && !cursor.matches("\\d+_[A-Za-z0-9-]+")) {
      message.fail(FailureCodes.BAD_REQUEST, "cursor is not one this API returned");
      return;
    }
    replyWith(message, store.list(status, limit, cursor).map(page -> new JsonObject()
        .put("items", new JsonArray(page.items().stream().map(SagaInstance::toJson).toList()))
        .put("nextCursor", page.nextCursor())));
  }

  private void retryCompensation(Message<JsonObject> message) {
    String sagaId = message.body() == null ? null : message.body().getString("sagaId");
    if (sagaId == null) {
      message.fail(FailureCodes.BAD_REQUEST, "sagaId is required");
      return;
    }
    replyWith(message, engine.retryCompensation(sagaId).map(SagaInstance::toJson));
  }

  private void resolve(Message<JsonObject> message) {
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    String sagaId = body.getString("sagaId");
    String reason = body.getString("reason");
    if (sagaId == null || reason == null || reason.isBlank()) {
      message.fail(FailureCodes.BAD_REQUEST, "sagaId and a non-blank reason are required");
      return;
    }
    replyWith(message, engine.resolve(sagaId, reason).map(SagaInstance::toJson));
  }

  private static void replyWith(Message<JsonObject> message, Future<JsonObject> result) {
    result.onComplete(done -> {
      if (done.succeeded()) {
        message.reply(done.result());
      } else if (done.cause() instanceof SagaEngine.SagaRequestException refused) {
        message.fail(refused.code(), refused.getMessage());
      } else {
        LOG.warn("saga request failed", done.cause());
        message.fail(FailureCodes.INTERNAL, String.valueOf(done.cause().getMessage()));
      }
    });
  }
}
