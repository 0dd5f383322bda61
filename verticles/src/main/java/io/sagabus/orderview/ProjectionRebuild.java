package io.sagabus.orderview;

import io.sagabus.orderview.contract.OrderViewAddresses;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventLog;
import io.sagabus.platform.events.EventTopics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Lock;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the order views without downtime. A fresh generation is filled by a fresh consumer group reading every
 * topic from offset 0, while queries keep reading the active generation and the live projection keeps feeding it.
 * Once the rebuild has applied as many events as the live projection had one tick earlier (or has been idle at the
 * head of the log for {@link #IDLE_TICKS} ticks), the new generation is activated atomically, its consumer becomes
 * the live one, every other node is told to follow it, and the old generation is dropped a little later.
 *
 * <p>One rebuild runs at a time in the cluster (a cluster-wide lock held for its duration); its status is kept in a
 * cluster-wide map, so any node can report it.
 */
final class ProjectionRebuild {

  private static final Logger LOG = LoggerFactory.getLogger(ProjectionRebuild.class);
  static final long TICK_MS = 500;
  static final int IDLE_TICKS = 10;
  static final long DROP_OLD_AFTER_MS = 10_000;

  /** Takes over as the live projection: the generation and the subscription that feeds it. */
  interface Switch {
    Future<Void> to(int generation, EventLog.Subscription subscription);
  }

  private final Vertx vertx;
  private final OrderViewStore views;
  private final EventLog log;
  private final String group;
  private final Function<Integer, Function<List<DomainEvent>, Future<Void>>> projector;
  private final Switch switchTo;
  private Running running;

  /** The rebuild this node runs. */
  private final class Running {
    final int from;
    final int generation;
    final Lock lock;
    final JsonObject status;
    EventLog.Subscription subscription;
    long timer;
    long liveBefore = -1;
    long appliedBefore = -1;
    int idleTicks;

    Running(int from, int generation, Lock lock) {
      this.from = from;
      this.generation = generation;
      this.lock = lock;
      this.status = new JsonObject().put("state", "running").put("from", from).put("generation", generation)
          .put("applied", 0L).put("startedAt", Instant.now().toString());
    }
  }

  ProjectionRebuild(Vertx vertx, OrderViewStore views, EventLog log, String group,
      Function<Integer, Function<List<DomainEvent>, Future<Void>>> projector, Switch switchTo) {
    this.vertx = vertx;
    this.views = views;
    this.log = log;
    this.group = group;
    this.projector = projector;
    this.switchTo = switchTo;
  }

  static String groupOf(String group, int generation) {
    return group + "-g" + generation;
  }

  boolean owns(int generation) {
    return running != null && running.generation == generation;
  }

  void start(Message<JsonObject> message) {
    vertx.sharedData().getLockWithTimeout("orderview.rebuild." + group, 100)
        .onFailure(failure -> message.fail(FailureCodes.CONFLICT, "a rebuild of the order views is already running"))
        .onSuccess(lock -> views.activeGeneration()
            .compose(from -> views.createGeneration().map(generation -> new Running(from, generation, lock)))
            .compose(rebuild -> {
              running = rebuild;
              return save(rebuild.status)
                  .compose(ignored -> log.subscribeBatch(groupOf(group, rebuild.generation), EventTopics.ALL, EventLog.StartFrom.EARLIEST,
                      projector.apply(rebuild.generation)))
                  .map(subscription -> {
                    rebuild.subscription = subscription;
                    rebuild.timer = vertx.setPeriodic(TICK_MS, id -> tick(rebuild));
                    return rebuild.status;
                  });
            })
            .onSuccess(message::reply)
            .onFailure(failure -> {
              lock.release();
              running = null;
              message.fail(FailureCodes.UNAVAILABLE, "the rebuild could not start: " + failure.getMessage());
            }));
  }

  void status(Message<JsonObject> message) {
    statuses().compose(map -> map.get(group))
        .onSuccess(status -> message.reply(status != null ? status : new JsonObject().put("state", "idle")))
        .onFailure(failure -> message.fail(FailureCodes.UNAVAILABLE, failure.getMessage()));
  }

  Future<Void> stop() {
    Running rebuild = running;
    if (rebuild == null) {
      return Future.succeededFuture();
    }
    vertx.cancelTimer(rebuild.timer);
    rebuild.lock.release();
    running = null;
    return rebuild.subscription == null ? Future.succeededFuture() : rebuild.subscription.close();
  }

  private void tick(Running rebuild) {
    Future<Long> applied = views.appliedCount(rebuild.generation);
    Future<Long> live = views.appliedCount(rebuild.from);
    Future.all(applied, live).onSuccess(both -> {
      if (running != rebuild) {
        return;
      }
      rebuild.status.put("applied", applied.result()).put("liveApplied", live.result());
      rebuild.idleTicks = applied.result() == rebuild.appliedBefore && applied.result() > 0 ? rebuild.idleTicks + 1 : 0;
      boolean caughtUp = rebuild.liveBefore >= 0 && applied.result() >= rebuild.liveBefore;
      rebuild.liveBefore = live.result();
      rebuild.appliedBefore = applied.result();
      if (caughtUp || rebuild.idleTicks >= IDLE_TICKS) {
        vertx.cancelTimer(rebuild.timer);
        activate(rebuild);
      } else {
        save(rebuild.status);
      }
    }).onFailure(failure -> LOG.warn("rebuild progress unavailable: {}", failure.toString()));
  }

  private void activate(Running rebuild) {
    views.activate(rebuild.generation)
        .compose(ignored -> switchTo.to(rebuild.generation, rebuild.subscription))
        .onComplete(result -> {
          running = null;
          if (result.succeeded()) {
            vertx.eventBus().publish(OrderViewAddresses.GENERATION_ACTIVATED, new JsonObject().put("generation", rebuild.generation));
            rebuild.status.put("state", "switched").put("switchedAt", Instant.now().toString());
            vertx.setTimer(DROP_OLD_AFTER_MS, id -> views.drop(rebuild.from)
                .onFailure(failure -> LOG.warn("could not drop order-view generation {}: {}", rebuild.from, failure.toString())));
          } else {
            rebuild.status.put("state", "failed").put("error", result.cause().getMessage());
            rebuild.subscription.close();
          }
          save(rebuild.status).onComplete(ignored -> rebuild.lock.release());
        });
  }

  private Future<AsyncMap<String, JsonObject>> statuses() {
    return vertx.sharedData().getAsyncMap("orderview.rebuild");
  }

  private Future<Void> save(JsonObject status) {
    return statuses().compose(map -> map.put(group, status.copy()));
  }
}
