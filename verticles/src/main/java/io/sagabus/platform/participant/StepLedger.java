package io.sagabus.platform.participant;

import io.sagabus.platform.eventbus.FailureCodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What makes a participant safe to call from a saga: every command is keyed by {@code (sagaId, step)} and its first
 * outcome is kept, so a re-delivered or retried command gets that outcome again without doing the work twice.
 * A compensation of a step that never ran succeeds as a no-op and fences the step, so a late original command is
 * refused instead of acting after its compensation. A status query fences a step never seen in the same way, which
 * is what lets the orchestrator trust an "aborted" answer for a step whose outcome it did not learn.
 *
 * <p>Outcomes are kept for {@link #DEFAULT_RETENTION} (24 h, like finished sagas in the embedded saga store), then
 * forgotten, so the ledger does not grow for as long as the node runs. A duplicate, status query or compensation
 * that arrives later is treated as one for a step never seen: keep the retention longer than any saga may stay
 * parked before a person retries its compensation.
 *
 * <p>Not thread-safe: one instance belongs to one verticle and is used on its event loop.
 */
public final class StepLedger {

  /**
   * The recorded outcome of one step, and when it was recorded. The result is kept as its JSON text: a ledger holds
   * seven of these per order for a day, and a map costs about four times its text.
   */
  public record Outcome(String state, String result, int code, String error, long recordedAt) {
    static final String SUCCEEDED = "succeeded";
    static final String FAILED = "failed";
    static final String ABORTED = "aborted";
    private static final String NOOP = new JsonObject().put("noop", true).encode();

    static Outcome succeeded(JsonObject result) {
      return new Outcome(SUCCEEDED, result == null ? "{}" : result.encode(), 0, null, System.currentTimeMillis());
    }

    static Outcome noop() {
      return new Outcome(SUCCEEDED, NOOP, 0, null, System.currentTimeMillis());
    }

    static Outcome failed(int code, String error) {
      return new Outcome(FAILED, null, code, error, System.currentTimeMillis());
    }

    static Outcome aborted() {
      return new Outcome(ABORTED, null, 0, null, System.currentTimeMillis());
    }

    /** The step's result, decoded afresh: the caller may change it. */
    JsonObject resultJson() {
      return result == null ? null : new JsonObject(result);
    }

    JsonObject toJson() {
      JsonObject json = new JsonObject().put("state", state);
      if (result != null) {
        json.put("result", resultJson());
      }
      if (error != null) {
        json.put("error", error).put("code", code);
      }
      return json;
    }
  }

  public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
  private static final long MAX_SWEEP_INTERVAL_MS = 60_000;

  private final Vertx vertx;
  private final Faults faults;
  /** In the order outcomes were first recorded, so the oldest are at the head. */
  private final Map<String, Outcome> outcomes = new LinkedHashMap<>();
  private final Map<String, Future<Outcome>> inFlight = new HashMap<>();
  private final long retentionMs;

  public StepLedger(Vertx vertx, Faults faults) {
    this(vertx, faults, DEFAULT_RETENTION);
  }

  /** Call on the owning verticle's event loop: the sweep of old outcomes runs there and ends with the verticle. */
  public StepLedger(Vertx vertx, Faults faults, Duration retention) {
    this.vertx = vertx;
    this.faults = faults;
    this.retentionMs = retention.toMillis();
    HandedOverJson.registerOn(vertx);
    vertx.setPeriodic(Math.max(1, Math.min(MAX_SWEEP_INTERVAL_MS, retentionMs)), id -> forgetOlderThan(System.currentTimeMillis() - retentionMs));
  }

  /** The outcome recorded for {@code (sagaId, step)}, or null. */
  public Outcome outcome(String sagaId, String step) {
    return outcomes.get(key(sagaId, step));
  }

  private void forgetOlderThan(long cutoff) {
    var oldest = outcomes.keySet().iterator();
    while (oldest.hasNext()) {
      if (outcomes.get(oldest.next()).recordedAt() >= cutoff) {
        return;
      }
      oldest.remove();
    }
  }

  /** Runs a saga step once per {@code (sagaId, step)}; {@code action} may throw {@link StepRejected}. */
  public void invoke(Message<JsonObject> message, String op, Function<JsonObject, Future<JsonObject>> action) {
    JsonObject command = message.body();
    if (!validCommand(message, command)) {
      return;
    }
    if (faults.dropNow(op)) {
      return;
    }
    String key = key(command.getString("sagaId"), command.getString("step"));
    Outcome known = outcomes.get(key);
    if (known != null) {
      if (Outcome.ABORTED.equals(known.state())) {
        reply(message, op, Outcome.failed(FailureCodes.REJECTED, "step was aborted or compensated before it ran"));
      } else {
        reply(message, op, known);
      }
      return;
    }
    if (faults.failNow(op)) {
      message.fail(FailureCodes.INTERNAL, "injected fault in " + op);
      return;
    }
    run(key, () -> action.apply(command)).onComplete(ar -> {
      if (ar.succeeded()) {
        reply(message, op, ar.result());
      } else {
        message.fail(FailureCodes.INTERNAL, String.valueOf(ar.cause().getMessage()));
      }
    });
  }

  /**
   * Compensates the step {@code command.step} once. When that step never succeeded the compensation is a no-op
   * success and the step is fenced. {@code action} gets the command and the step's recorded result.
   */
  public void compensate(Message<JsonObject> message, String op, BiFunction<JsonObject, JsonObject, Future<JsonObject>> action) {
    JsonObject command = message.body();
    if (!validCommand(message, command)) {
      return;
    }
    String sagaId = command.getString("sagaId");
    String step = command.getString("step");
    String key = key(sagaId, step + "#compensate");
    Outcome known = outcomes.get(key);
    if (known != null) {
      reply(message, op, known);
      return;
    }
    if (faults.failNow(op)) {
      message.fail(FailureCodes.INTERNAL, "injected fault in " + op);
      return;
    }
    String stepKey = key(sagaId, step);
    if (inFlight.containsKey(stepKey)) {
      message.fail(FailureCodes.UNAVAILABLE, "the step is still running; retry the compensation");
      return;
    }
    Outcome original = outcomes.get(stepKey);
    if (original == null || !Outcome.SUCCEEDED.equals(original.state())) {
      if (original == null) {
        outcomes.put(stepKey, Outcome.aborted());
      }
      Outcome noop = Outcome.noop();
      outcomes.put(key, noop);
      reply(message, op, noop);
      return;
    }
    run(key, () -> action.apply(command, original.resultJson())).onComplete(ar -> {
      if (ar.succeeded()) {
        reply(message, op, ar.result());
      } else {
        message.fail(FailureCodes.INTERNAL, String.valueOf(ar.cause().getMessage()));
      }
    });
  }

  /** Answers what happened to {@code (sagaId, step)}; a step never seen is fenced and reported aborted. */
  public void status(Message<JsonObject> message) {
    JsonObject query = message.body();
    if (!validCommand(message, query)) {
      return;
    }
    String key = key(query.getString("sagaId"), query.getString("step"));
    if (inFlight.containsKey(key)) {
      message.fail(FailureCodes.UNAVAILABLE, "the step is still running; ask again");
      return;
    }
    Outcome known = outcomes.get(key);
    if (known == null) {
      known = Outcome.aborted();
      outcomes.put(key, known);
    }
    message.reply(known.toJson(), HandedOverJson.options());
  }

  private Future<Outcome> run(String key, Supplier<Future<JsonObject>> work) {
    Future<Outcome> running = inFlight.get(key);
    if (running != null) {
      return running;
    }
    Future<JsonObject> result;
    try {
      result = work.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    Future<Outcome> outcome = result.transform(ar -> {
      if (ar.succeeded()) {
        return Future.succeededFuture(Outcome.succeeded(ar.result()));
      }
      if (ar.cause() instanceof StepRejected rejected) {
        return Future.succeededFuture(Outcome.failed(rejected.code(), rejected.getMessage()));
      }
      return Future.failedFuture(ar.cause());
    });
    if (!outcome.isComplete()) {
      inFlight.put(key, outcome);
    }
    return outcome.andThen(ar -> {
      inFlight.remove(key);
      if (ar.succeeded()) {
        outcomes.put(key, ar.result());
      }
    });
  }

  private void reply(Message<JsonObject> message, String op, Outcome outcome) {
    long delay = faults.replyDelayMs(op);
    Runnable send = () -> {
      if (Outcome.SUCCEEDED.equals(outcome.state())) {
        message.reply(outcome.resultJson(), HandedOverJson.options());
      } else {
        message.fail(outcome.code(), outcome.error());
      }
    };
    if (delay > 0) {
      vertx.setTimer(delay, id -> send.run());
    } else {
      send.run();
    }
  }

  private static boolean validCommand(Message<JsonObject> message, JsonObject command) {
    if (command == null || command.getString("sagaId") == null || command.getString("step") == null) {
      message.fail(FailureCodes.BAD_REQUEST, "saga commands need sagaId and step");
      return false;
    }
    return true;
  }

  private static String key(String sagaId, String step) {
    return sagaId + '\u0000' + step;
  }
}
