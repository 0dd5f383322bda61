package io.sagabus.saga;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.ids.Ids;
import io.sagabus.saga.SagaInstance.StepRecord;
import io.sagabus.saga.contract.SagaAddresses;
import io.sagabus.saga.contract.SagaStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs sagas as state machines. Every state change is stored before the engine acts on it, so a node that takes
 * over a saga resumes from its last stored state; participants are idempotent on {@code (sagaId, step)}, so
 * re-sending the step that was in flight is safe.
 *
 * <p>Forward: each step is called with its timeout and retried per its policy. A critical step that fails makes
 * the saga compensate; a non-critical one is recorded as {@code SKIPPED}. Compensation runs in reverse over the steps
 * that succeeded, or whose outcome is unknown (their calls timed out): for those the participant is asked first,
 * and a step that never happened is not compensated. A compensation that still fails after its retries parks the
 * saga in {@code COMPENSATION_FAILED} for a person, who can retry it or mark it resolved.
 *
 * <p>Confined to one verticle's event loop.
 */
public final class SagaEngine {

  private static final Logger LOG = LoggerFactory.getLogger(SagaEngine.class);
  static final long STORE_RETRY_MS = 500;
  private static final String INVOKE = "invoke";
  private static final String COMPENSATE = "compensate";
  private static final String STATUS = "status";

  private final Vertx vertx;
  private final SagaStore store;
  private final ParticipantClient participants;
  private final Map<String, SagaDefinition> definitions = new HashMap<>();
  private final String nodeId;
  private final SagaMetrics metrics;
  private final Map<String, SagaInstance> running = new HashMap<>();
  private final Map<String, List<Promise<SagaInstance>>> waiters = new HashMap<>();
  private final Set<String> waitingForCircuit = new HashSet<>();
  private Duration maxPark = Duration.ofSeconds(60);
  private final Checkpoint checkpoint;
  private final SagaEventFeed events;

  /** When a successful step is written to the store. */
  public enum Checkpoint { EVERY_STEP, TRANSITIONS }

  /** A request the engine refuses, with a {@link FailureCodes} code. */
  public static final class SagaRequestException extends RuntimeException {
    private final int code;

    SagaRequestException(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    public int code() {
      return code;
    }
  }

  public SagaEngine(Vertx vertx, SagaStore store, ParticipantClient participants, List<SagaDefinition> definitions, String nodeId,
      MeterRegistry registry, Checkpoint checkpoint) {
    this.vertx = vertx;
    this.checkpoint = checkpoint;
    this.events = new SagaEventFeed(vertx);
    this.store = store;
    this.participants = participants;
    definitions.forEach(definition -> this.definitions.put(definition.type(), definition));
    this.nodeId = nodeId;
    this.metrics = new SagaMetrics(registry, running::size);
    Gauge.builder("sagabus.saga.parked", waitingForCircuit::size)
        .description("Sagas this node holds while a participant's circuit is open").register(registry);
  }

  /** How long a saga may wait for a participant's open circuit before the wait ends by compensating. */
  public SagaEngine maxPark(Duration maxPark) {
    this.maxPark = maxPark;
    return this;
  }

  public int inFlight() {
    return running.size();
  }

  /**
   * Starts a saga, or returns the saga that already holds {@code idempotencyKey} when it was started with the same
   * {@code requestHash}; a different hash fails with {@link FailureCodes#CONFLICT}.
   */
  public Future<SagaInstance> start(String type, JsonObject input, String idempotencyKey, String requestHash) {
    SagaDefinition definition = definitions.get(type);
    if (definition == null) {
      return Future.failedFuture(new SagaRequestException(FailureCodes.NOT_FOUND, "unknown saga type '" + type + "'"));
    }
    long now = System.currentTimeMillis();
    SagaInstance saga = SagaInstance.create(Ids.next(), definition, input, idempotencyKey, requestHash, nodeId, now);
    recordTransition(saga, SagaStatus.RUNNING, "started");
    return store.create(saga).compose(stored -> {
      if (stored != saga) {
        if (!Objects.equals(stored.requestHash(), requestHash)) {
          return Future.failedFuture(new SagaRequestException(FailureCodes.CONFLICT,
              "idempotency key '" + idempotencyKey + "' was already used with a different request"));
        }
        return Future.succeededFuture(stored);
      }
      metrics.started(type);
      publish(saga, "saga", SagaStatus.PENDING.name(), SagaStatus.RUNNING.name(), null, 0, null);
      running.put(saga.id(), saga);
      forward(saga);
      return Future.succeededFuture(saga);
    });
  }

  /** The saga once it ends, or as it stands after {@code waitMs}. */
  public Future<SagaInstance> awaitEnd(SagaInstance saga, long waitMs) {
    SagaInstance live = running.get(saga.id());
    if (live == null || waitMs <= 0) {
      return Future.succeededFuture(live != null ? live : saga);
    }
    Promise<SagaInstance> promise = Promise.promise();
    waiters.computeIfAbsent(saga.id(), id -> new ArrayList<>()).add(promise);
    long timer = vertx.setTimer(waitMs, id -> promise.tryComplete(live));
    return promise.future().andThen(ignored -> vertx.cancelTimer(timer));
  }

  /** The live copy when this node runs the saga, else the stored one (null when unknown). */
  public Future<SagaInstance> get(String sagaId) {
    SagaInstance live = running.get(sagaId);
    return live != null ? Future.succeededFuture(live) : store.get(sagaId);
  }

  /** Admin: runs the compensation of a parked saga again, from the step that failed. */
  public Future<SagaInstance> retryCompensation(String sagaId) {
    return parked(sagaId).compose(saga -> {
      saga.owner = nodeId;
      saga.retrying = false;
      recordTransition(saga, SagaStatus.COMPENSATING, "admin retried the compensation");
      return store.save(saga).recover(failure -> Future.failedFuture(conflictIfStale(failure, sagaId))).map(ignored -> {
        publish(saga, "saga", SagaStatus.COMPENSATION_FAILED.name(), SagaStatus.COMPENSATING.name(), null, 0, null);
        running.put(saga.id(), saga);
        compensate(saga);
        return saga;
      });
    });
  }

  /** Admin: a person settled a parked saga by hand; the reason is kept with it. */
  public Future<SagaInstance> resolve(String sagaId, String reason) {
    return parked(sagaId).compose(saga -> {
      saga.resolution = new JsonObject().put("reason", reason).put("at", System.currentTimeMillis()).put("node", nodeId);
      recordTransition(saga, SagaStatus.RESOLVED, reason);
      return store.save(saga).recover(failure -> Future.failedFuture(conflictIfStale(failure, sagaId))).map(ignored -> {
        publish(saga, "saga", SagaStatus.COMPENSATION_FAILED.name(), SagaStatus.RESOLVED.name(), null, 0, reason);
        return saga;
      });
    });
  }

  private Future<SagaInstance> parked(String sagaId) {
    return store.get(sagaId).compose(saga -> {
      if (saga == null) {
        return Future.failedFuture(new SagaRequestException(FailureCodes.NOT_FOUND, "unknown saga '" + sagaId + "'"));
      }
      if (saga.status() != SagaStatus.COMPENSATION_FAILED) {
        return Future.failedFuture(new SagaRequestException(FailureCodes.CONFLICT,
            "saga " + sagaId + " is " + saga.status() + "; only a COMPENSATION_FAILED saga takes admin actions"));
      }
      return Future.succeededFuture(saga);
    });
  }

  private static Throwable conflictIfStale(Throwable failure, String sagaId) {
    return failure instanceof SagaStore.StaleSagaException
        ? new SagaRequestException(FailureCodes.CONFLICT, "saga " + sagaId + " was changed concurrently; reload and try again")
        : failure;
  }

  /**
   * Claims the active sagas of {@code formerOwner} (a node that left or whose lease lapsed) and resumes each from its
   * last stored state. Claiming is a compare-and-set per saga, so of several nodes adopting at once exactly one
   * wins each saga. Completes with the number this node claimed.
   */
  public Future<Integer> adopt(String formerOwner) {
    if (formerOwner.equals(nodeId)) {
      return Future.succeededFuture(0);
    }
    return store.ownedBy(formerOwner).compose(orphans -> {
      List<Future<Boolean>> claims = new ArrayList<>();
      for (SagaInstance saga : orphans) {
        saga.owner = nodeId;
        saga.transitions.add(new SagaInstance.Transition(saga.status(), saga.status(), System.currentTimeMillis(),
            "claimed by node " + nodeId + " from " + formerOwner));
        claims.add(store.save(saga).map(ignored -> {
          running.put(saga.id(), saga);
          resume(saga);
          return true;
        }).otherwise(false));
      }
      return Future.all(claims).map(all -> (int) all.<Boolean>list().stream().filter(Boolean::booleanValue).count());
    });
  }

  private void resume(SagaInstance saga) {
    LOG.info("resuming saga {} ({}) at {}", saga.id(), saga.status(), saga.nextStep < saga.steps.size() ? saga.steps.get(saga.nextStep).name : "end");
    if (saga.status() == SagaStatus.COMPENSATING) {
      compensate(saga);
    } else {
      forward(saga);
    }
  }

  // ---- forward ----

  private void forward(SagaInstance saga) {
    SagaDefinition definition = definitions.get(saga.type());
    if (saga.nextStep >= definition.steps().size()) {
      end(saga, SagaStatus.COMPLETED, "all steps succeeded");
      return;
    }
    StepDefinition step = definition.step(saga.nextStep);
    StepRecord record = saga.steps.get(saga.nextStep);
    setStep(saga, record, StepStatus.RUNNING, 0, null);
    invoke(saga, step, record, record.attemptsOf(INVOKE) + 1, 1);
  }

  private void invoke(SagaInstance saga, StepDefinition step, StepRecord record, int attempt, int roundAttempt) {
    long started = System.currentTimeMillis();
    participants.call(step.address(), command(saga, step, attempt), step.timeout()).onComplete(result -> {
      if (!stillMine(saga)) {
        return;
      }
      if (result.failed() && participants.refusedByOpenCircuit(result.cause())) {
        waitForCircuit(saga, step, record, attempt, roundAttempt, result.cause());
        return;
      }
      recordAttempt(saga, record, INVOKE, attempt, started, result.succeeded() ? null : result.cause());
      stopWaiting(saga);
      if (result.succeeded()) {
        record.result(result.result() == null ? new JsonObject() : result.result());
        saga.retrying = false;
        saga.nextStep++;
        setStep(saga, record, StepStatus.SUCCEEDED, attempt, null);
        checkpoint(saga).onSuccess(ignored -> forward(saga));
        return;
      }
      Throwable failure = result.cause();
      if (step.retry().shouldRetry(roundAttempt, failure)) {
        saga.retrying = true;
        persist(saga).onSuccess(ignored -> vertx.setTimer(step.retry().backoffMs(roundAttempt), id -> {
          if (stillMine(saga)) {
            invoke(saga, step, record, attempt + 1, roundAttempt + 1);
          }
        }));
        return;
      }
      failStep(saga, step, record, attempt, failure);
    });
  }

  /**
   * A call refused by an open circuit never reached the participant: it is not an attempt and spends no retry. The
   * saga waits, recorded as parked, until the circuit lets calls through again, or until {@code maxPark} ends the
   * wait as a failure of the step.
   */
  private void waitForCircuit(SagaInstance saga, StepDefinition step, StepRecord record, int attempt, int roundAttempt, Throwable refusal) {
    long now = System.currentTimeMillis();
    boolean newlyParked = saga.waitingFor == null;
    if (newlyParked) {
      saga.waitingFor = ParticipantClient.serviceOf(step.address());
      saga.waitingSince = now;
      waitingForCircuit.add(saga.id());
      publish(saga, "step", record.status.name(), record.status.name(), record.name, attempt, "waiting for " + saga.waitingFor);
    }
    long remainingMs = saga.waitingSince + maxPark.toMillis() - now;
    if (remainingMs <= 0) {
      String waitedFor = saga.waitingFor;
      recordAttempt(saga, record, INVOKE, attempt, now, refusal);
      stopWaiting(saga);
      failStep(saga, step, record, attempt, new IllegalStateException("gave up waiting for " + waitedFor + " after " + maxPark.toMillis() + " ms"));
      return;
    }
    Future<Void> stored = newlyParked ? persist(saga) : Future.succeededFuture();
    stored.onSuccess(ignored -> participants.whenAvailable(step.address(), Duration.ofMillis(remainingMs)).onComplete(ready -> {
      if (stillMine(saga)) {
        invoke(saga, step, record, attempt, roundAttempt);
      }
    }));
  }

  private void stopWaiting(SagaInstance saga) {
    saga.waitingFor = null;
    waitingForCircuit.remove(saga.id());
  }

  /** The step failed for good: skip it when it is not critical, otherwise compensate the saga. */
  private void failStep(SagaInstance saga, StepDefinition step, StepRecord record, int attempt, Throwable failure) {
    saga.retrying = false;
    String error = step.name() + ": " + describe(failure);
    if (!step.critical()) {
      saga.nextStep++;
      setStep(saga, record, StepStatus.SKIPPED, attempt, error);
      persist(saga).onSuccess(ignored -> forward(saga));
      return;
    }
    setStep(saga, record, outcomeUnknown(record) ? StepStatus.UNKNOWN : StepStatus.FAILED, attempt, error);
    saga.error = error;
    transition(saga, SagaStatus.COMPENSATING, error);
    persist(saga).onSuccess(ignored -> compensate(saga));
  }

  /** Any call that timed out or got lost may have done the work without telling us. */
  private static boolean outcomeUnknown(StepRecord record) {
    return record.attempts().stream().anyMatch(attempt -> INVOKE.equals(attempt.kind()) && "unknown".equals(attempt.outcome()));
  }

  // ---- compensation ----

  private void compensate(SagaInstance saga) {
    SagaDefinition definition = definitions.get(saga.type());
    for (int i = saga.steps.size() - 1; i >= 0; i--) {
      StepRecord record = saga.steps.get(i);
      StepDefinition step = definition.step(i);
      if (step.compensable() && needsCompensation(record)) {
        compensateStep(saga, step, record);
        return;
      }
    }
    end(saga, SagaStatus.FAILED, "compensated");
  }

  private static boolean needsCompensation(StepRecord record) {
    return switch (record.status) {
      case SUCCEEDED, UNKNOWN, COMPENSATING, COMPENSATION_FAILED -> true;
      default -> false;
    };
  }

  private void compensateStep(SagaInstance saga, StepDefinition step, StepRecord record) {
    setStep(saga, record, StepStatus.COMPENSATING, 0, null);
    // No result means the step's outcome was never learned: ask the participant before undoing anything.
    Future<Boolean> happened = record.hasResult() ? Future.succeededFuture(true) : askStatus(saga, step, record, 1);
    happened.onComplete(answer -> {
      if (!stillMine(saga)) {
        return;
      }
      if (answer.failed()) {
        park(saga, record, "status of " + step.name() + ": " + describe(answer.cause()));
        return;
      }
      if (!answer.result()) {
        setStep(saga, record, StepStatus.NOT_NEEDED, 0, null);
        persist(saga).onSuccess(ignored -> compensate(saga));
        return;
      }
      callCompensation(saga, step, record, record.attemptsOf(COMPENSATE) + 1, 1);
    });
  }

  private Future<Boolean> askStatus(SagaInstance saga, StepDefinition step, StepRecord record, int roundAttempt) {
    long started = System.currentTimeMillis();
    int attempt = record.attemptsOf(STATUS) + 1;
    JsonObject query = new JsonObject().put("sagaId", saga.id()).put("step", step.name()).put("attempt", attempt);
    return participants.call(step.statusAddress(), query, step.timeout()).transform(result -> {
      if (!stillMine(saga)) {
        return Future.failedFuture("saga no longer owned here");
      }
      String state = result.succeeded() ? constant(result.result().getString("state")) : null;
      recordAttempt(saga, record, STATUS, attempt, started, result.succeeded() ? null : result.cause(), state);
      if (result.succeeded()) {
        if ("succeeded".equals(state)) {
          record.result(result.result().getJsonObject("result", new JsonObject()));
          return Future.succeededFuture(true);
        }
        return Future.succeededFuture(false);
      }
      if (!step.compensationRetry().shouldRetry(roundAttempt, result.cause())) {
        return Future.failedFuture(result.cause());
      }
      saga.retrying = true;
      return persist(saga)
          .compose(ignored -> vertx.timer(step.compensationRetry().backoffMs(roundAttempt)))
          .compose(ignored -> askStatus(saga, step, record, roundAttempt + 1));
    });
  }

  private void callCompensation(SagaInstance saga, StepDefinition step, StepRecord record, int attempt, int roundAttempt) {
    long started = System.currentTimeMillis();
    JsonObject command = command(saga, step, attempt).put("compensation", true);
    participants.call(step.compensationAddress(), command, step.timeout()).onComplete(result -> {
      if (!stillMine(saga)) {
        return;
      }
      recordAttempt(saga, record, COMPENSATE, attempt, started, result.succeeded() ? null : result.cause());
      if (result.succeeded()) {
        saga.retrying = false;
        setStep(saga, record, StepStatus.COMPENSATED, attempt, null);
        metrics.compensated(saga.type(), step.name());
        persist(saga).onSuccess(ignored -> compensate(saga));
        return;
      }
      if (step.compensationRetry().shouldRetry(roundAttempt, result.cause())) {
        saga.retrying = true;
        persist(saga).onSuccess(ignored -> vertx.setTimer(step.compensationRetry().backoffMs(roundAttempt), id -> {
          if (stillMine(saga)) {
            callCompensation(saga, step, record, attempt + 1, roundAttempt + 1);
          }
        }));
        return;
      }
      park(saga, record, "compensation of " + step.name() + ": " + describe(result.cause()));
    });
  }

  private void park(SagaInstance saga, StepRecord record, String error) {
    saga.retrying = false;
    saga.error = error;
    setStep(saga, record, StepStatus.COMPENSATION_FAILED, 0, error);
    end(saga, SagaStatus.COMPENSATION_FAILED, error);
  }

  // ---- bookkeeping ----

  private void end(SagaInstance saga, SagaStatus status, String reason) {
    transition(saga, status, reason);
    saga.retrying = false;
    persist(saga).onSuccess(ignored -> {
      running.remove(saga.id());
      metrics.ended(saga, System.currentTimeMillis());
      List<Promise<SagaInstance>> waiting = waiters.remove(saga.id());
      if (waiting != null) {
        waiting.forEach(promise -> promise.tryComplete(saga));
      }
    });
  }

  private void transition(SagaInstance saga, SagaStatus to, String reason) {
    SagaStatus from = saga.status();
    recordTransition(saga, to, reason);
    publish(saga, "saga", from.name(), to.name(), null, 0, to == SagaStatus.COMPLETED ? null : reason);
  }

  private static void recordTransition(SagaInstance saga, SagaStatus to, String reason) {
    saga.transitions.add(new SagaInstance.Transition(saga.status(), to, System.currentTimeMillis(), reason));
    saga.status = to;
  }

  private void setStep(SagaInstance saga, StepRecord record, StepStatus to, int attempt, String error) {
    if (record.status == to) {
      return;
    }
    StepStatus from = record.status;
    record.status = to;
    publish(saga, "step", from.name(), to.name(), record.name, attempt, error);
  }

  private void recordAttempt(SagaInstance saga, StepRecord record, String kind, int attempt, long started, Throwable failure) {
    recordAttempt(saga, record, kind, attempt, started, failure, null);
  }

  private void recordAttempt(SagaInstance saga, StepRecord record, String kind, int attempt, long started, Throwable failure, String state) {
    long ended = System.currentTimeMillis();
    String outcome = failure == null ? "ok" : classify(failure);
    record.add(new SagaInstance.Attempt(kind, attempt, started, ended, outcome, failure == null ? null : describe(failure), state));
    metrics.stepCall(saga.type(), record.name, kind, outcome, ended - started);
  }

  /** "failed": the participant answered no. "unreachable": nobody got it. "unknown": it may or may not have happened. */
  /** A participant's status answer, one of a few words: shared, not kept once per attempt. */
  private static String constant(String state) {
    return state == null ? null : state.intern();
  }

  private static String classify(Throwable failure) {
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        return "failed";
      }
      if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return "unreachable";
      }
    }
    return "unknown";
  }

  private static String describe(Throwable failure) {
    if (failure instanceof ReplyException reply) {
      return switch (reply.failureType()) {
        case TIMEOUT -> "timed out";
        case NO_HANDLERS -> "no participant is listening";
        case RECIPIENT_FAILURE -> reply.getMessage() + " (" + reply.failureCode() + ")";
        case ERROR -> "delivery error: " + reply.getMessage();
      };
    }
    return String.valueOf(failure.getMessage());
  }

  /** The saga's input and what its steps produced (the part the step sends), decoded afresh for this call. */
  private static JsonObject command(SagaInstance saga, StepDefinition step, int attempt) {
    return step.commandFields(saga.input().mergeIn(saga.data()))
        .put("sagaId", saga.id()).put("step", step.name()).put("attempt", attempt);
  }

  /**
   * After a step succeeded: stored at once with {@link Checkpoint#EVERY_STEP}; with {@link Checkpoint#TRANSITIONS} only
   * at the next saga transition or failure. Either way recovery is correct, because a node that resumes from an
   * older state re-sends steps that participants answer from their ledgers; the second only loses the history of
   * steps since the last write if the node dies.
   */
  private Future<Void> checkpoint(SagaInstance saga) {
    return checkpoint == Checkpoint.EVERY_STEP ? persist(saga) : Future.succeededFuture();
  }

  /** Stores the saga; a store outage is waited out, a lost compare-and-set means another node owns it now. */
  private Future<Void> persist(SagaInstance saga) {
    saga.updatedAt = System.currentTimeMillis();
    if (!saga.status().active()) {
      saga.owner = null;
    }
    return store.save(saga).recover(failure -> {
      if (failure instanceof SagaStore.StaleSagaException) {
        LOG.warn("saga {} was claimed by another node; this node stops running it", saga.id());
        running.remove(saga.id(), saga);
        return Future.failedFuture(failure);
      }
      LOG.warn("could not store saga {}; retrying in {} ms: {}", saga.id(), STORE_RETRY_MS, failure.toString());
      return vertx.timer(STORE_RETRY_MS).compose(ignored -> stillMine(saga) ? persist(saga) : Future.failedFuture(failure));
    });
  }

  private boolean stillMine(SagaInstance saga) {
    return running.get(saga.id()) == saga;
  }

  private void publish(SagaInstance saga, String kind, String from, String to, String step, int attempt, String error) {
    JsonObject event = new JsonObject().put("sagaId", saga.id()).put("type", saga.type()).put("kind", kind)
        .put("from", from).put("to", to).put("at", System.currentTimeMillis());
    if (step != null) {
      event.put("step", step);
    }
    if (attempt > 0) {
      event.put("attempt", attempt);
    }
    if (error != null) {
      event.put("error", error);
    }
    events.add(event);
  }
}
