package io.sagabus.dashboard;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Turns a saga view from {@code saga.list} into a triage entry: where it is stuck, its last error and attempts. */
final class TriageViews {

  private TriageViews() {}

  static JsonObject fromSagaView(JsonObject saga) {
    boolean retrying = saga.getBoolean("retrying", false);
    String status = retrying ? "RETRYING" : saga.getString("status");
    JsonObject stuck = stuckStep(saga.getJsonArray("steps", new JsonArray()));
    String error = saga.getString("error");
    int attempts = 0;
    String step = saga.getString("currentStep");
    if (stuck != null) {
      step = stuck.getString("name");
      // Attempts of the phase it is stuck in: undoing the step, or doing it.
      String kind = stuck.getString("status", "").startsWith("COMPENSAT") ? "compensate" : "invoke";
      JsonArray tries = stuck.getJsonArray("attempts", new JsonArray());
      for (int i = 0; i < tries.size(); i++) {
        JsonObject attempt = tries.getJsonObject(i);
        if (kind.equals(attempt.getString("kind"))) {
          attempts++;
        }
        if (attempt.getString("error") != null) {
          error = attempt.getString("error");
        }
      }
    }
    return new JsonObject().put("sagaId", saga.getString("sagaId")).put("type", saga.getString("type"))
        .put("status", status).put("step", step).put("error", error).put("attempts", attempts)
        .put("updatedAt", saga.getLong("updatedAt", 0L));
  }

  /** The step that is running, compensating or whose compensation failed; the last such one wins. */
  private static JsonObject stuckStep(JsonArray steps) {
    JsonObject stuck = null;
    for (int i = 0; i < steps.size(); i++) {
      JsonObject step = steps.getJsonObject(i);
      switch (step.getString("status", "")) {
        case "RUNNING", "COMPENSATING", "COMPENSATION_FAILED", "UNKNOWN" -> stuck = step;
        default -> { }
      }
    }
    return stuck;
  }
}
