package io.sagabus.platform.participant;

import io.sagabus.platform.eventbus.FailureCodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Fault injection per operation, for tests and failure drills: fail the next N calls (a transient 500, nothing is
 * recorded), fail every call, drop calls unanswered without doing anything (the request was lost), or do the work and
 * answer late (the caller times out although the step happened). Set from the service's config section
 * {@code faults} or at run time on {@code <service>.faults} with
 * {@code {op, failNext?, failAlways?, dropAlways?, replyDelayMs?}} or {@code {reset: true}}.
 */
public final class Faults {

  private final Map<String, JsonObject> byOperation = new HashMap<>();

  public static Faults fromConfig(JsonObject faults) {
    Faults result = new Faults();
    if (faults != null) {
      faults.fieldNames().forEach(op -> result.byOperation.put(op, faults.getJsonObject(op).copy()));
    }
    return result;
  }

  public Future<Void> listen(Vertx vertx, String address) {
    return vertx.eventBus().<JsonObject>consumer(address, this::update).completion();
  }

  private void update(Message<JsonObject> message) {
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    if (body.getBoolean("reset", false)) {
      byOperation.clear();
      message.reply(new JsonObject());
      return;
    }
    String op = body.getString("op");
    if (op == null) {
      message.fail(FailureCodes.BAD_REQUEST, "op is required");
      return;
    }
    byOperation.put(op, body.copy());
    message.reply(new JsonObject());
  }

  /** True when this call of {@code op} must fail; consumes one of the {@code failNext} failures. */
  boolean failNow(String op) {
    JsonObject fault = byOperation.get(op);
    if (fault == null) {
      return false;
    }
    if (fault.getBoolean("failAlways", false)) {
      return true;
    }
    int remaining = fault.getInteger("failNext", 0);
    if (remaining > 0) {
      fault.put("failNext", remaining - 1);
      return true;
    }
    return false;
  }

  /** True when calls of {@code op} are to be lost: no work, no answer. */
  boolean dropNow(String op) {
    JsonObject fault = byOperation.get(op);
    return fault != null && fault.getBoolean("dropAlways", false);
  }

  long replyDelayMs(String op) {
    JsonObject fault = byOperation.get(op);
    return fault == null ? 0 : fault.getLong("replyDelayMs", 0L);
  }
}
