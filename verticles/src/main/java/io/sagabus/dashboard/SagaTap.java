package io.sagabus.dashboard;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What this node's saga engine does, as told by its {@code saga.events}: totals per outcome, a bounded sample of
 * sagas with their step timelines, and the sagas that need attention. Every event costs O(1): a few counter bumps
 * and at most one map lookup; nothing is encoded until {@link #report} runs once per interval.
 *
 * <p>Sampling: at most {@code admissionsPerReport} new sagas join the sample per report interval (first come), plus
 * as many sagas that start compensating; the sample keeps the {@code sampleSize} most recently admitted. At 5,000
 * sagas/s the tap follows a handful of them from start to end rather than all of them.
 *
 * <p>Confined to the dashboard verticle's event loop.
 */
final class SagaTap {

  static final int MAX_TRIAGE = 200;
  /** A parked saga may be resolved through another node; the polled store view is authoritative after this. */
  static final long PARKED_EVENT_TTL_MS = 30_000;
  static final long COMPENSATING_EVENT_TTL_MS = 600_000;

  private final int sampleSize;
  private final int admissionsPerReport;
  private long started;
  private long completed;
  private long failed;
  private long compensated;
  private long parked;
  private long resolved;
  private long active;
  private int admitted;
  private int troubleAdmitted;
  private final Map<String, SagaTrack> sample;
  private final Map<String, TriageEntry> triage;

  SagaTap(int sampleSize, int admissionsPerReport) {
    this.sampleSize = sampleSize;
    this.admissionsPerReport = admissionsPerReport;
    this.sample = new LinkedHashMap<>(sampleSize * 2, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, SagaTrack> eldest) {
        return size() > SagaTap.this.sampleSize;
      }
    };
    this.triage = new LinkedHashMap<>(64, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, TriageEntry> eldest) {
        return size() > MAX_TRIAGE;
      }
    };
  }

  /** A batch from {@code saga.events}: {@code {events:[event]}}. */
  void onEvents(JsonObject batch) {
    JsonArray events = batch.getJsonArray("events");
    if (events == null) {
      return;
    }
    for (int i = 0; i < events.size(); i++) {
      if (events.getValue(i) instanceof JsonObject event) {
        onEvent(event);
      }
    }
  }

  void onEvent(JsonObject event) {
    String sagaId = event.getString("sagaId");
    String to = event.getString("to");
    if (sagaId == null || to == null) {
      return;
    }
    long at = event.getLong("at", System.currentTimeMillis());
    if ("step".equals(event.getString("kind"))) {
      onStep(sagaId, event, to, at);
    } else {
      onSaga(sagaId, event, to, at);
    }
  }

  private void onSaga(String sagaId, JsonObject event, String to, long at) {
    String from = event.getString("from");
    String error = event.getString("error");
    SagaTrack track = sample.get(sagaId);
    switch (to) {
      case "RUNNING" -> {
        if ("PENDING".equals(from)) {
          started++;
          active++;
          if (track == null && admitted < admissionsPerReport) {
            admitted++;
            track = new SagaTrack(sagaId, event.getString("type"), at, false);
            sample.put(sagaId, track);
          }
        }
      }
      case "COMPENSATING" -> {
        if ("RUNNING".equals(from)) {
          failed++;
        } else if ("COMPENSATION_FAILED".equals(from)) {
          active++;
        }
        if (track == null && troubleAdmitted < admissionsPerReport) {
          troubleAdmitted++;
          track = new SagaTrack(sagaId, event.getString("type"), at, true);
          sample.put(sagaId, track);
        }
        TriageEntry entry = triage.computeIfAbsent(sagaId, id -> new TriageEntry(id, event.getString("type")));
        entry.status = to;
        entry.error = error != null ? error : entry.error;
        entry.updatedAt = at;
      }
      case "COMPLETED", "FAILED", "COMPENSATION_FAILED", "RESOLVED" -> {
        switch (to) {
          case "COMPLETED" -> completed++;
          case "FAILED" -> compensated++;
          case "COMPENSATION_FAILED" -> parked++;
          default -> resolved++;
        }
        if (!"RESOLVED".equals(to)) {
          active = Math.max(0, active - 1);
        }
        if ("COMPENSATION_FAILED".equals(to)) {
          TriageEntry entry = triage.computeIfAbsent(sagaId, id -> new TriageEntry(id, event.getString("type")));
          entry.status = to;
          entry.error = error != null ? error : entry.error;
          entry.updatedAt = at;
        } else {
          triage.remove(sagaId);
        }
      }
      default -> { }
    }
    if (track != null) {
      track.status = to;
      track.updatedAt = at;
      if (error != null && !"COMPLETED".equals(to)) {
        track.error = error;
      }
    }
  }

  private void onStep(String sagaId, JsonObject event, String to, long at) {
    String stepName = event.getString("step");
    if (stepName == null) {
      return;
    }
    int attempt = event.getInteger("attempt", 0);
    String error = event.getString("error");
    TriageEntry entry = triage.get(sagaId);
    if (entry != null) {
      entry.step = stepName;
      if (attempt > 0) {
        entry.attempts = attempt;
      }
      if (error != null) {
        entry.error = error;
      }
      entry.updatedAt = at;
    }
    SagaTrack track = sample.get(sagaId);
    if (track == null) {
      return;
    }
    track.updatedAt = at;
    StepTrack step = track.steps.get(stepName);
    if (step == null) {
      step = new StepTrack(stepName, track.partial ? "UNSEEN" : "PENDING");
      track.steps.put(stepName, step);
    }
    switch (to) {
      case "RUNNING" -> step.start(at);
      case "SUCCEEDED", "FAILED", "UNKNOWN", "SKIPPED" -> step.end(to, attempt, error, at);
      case "COMPENSATING" -> step.compensation().start(at);
      case "COMPENSATED", "NOT_NEEDED", "COMPENSATION_FAILED" -> step.compensation().end(to, attempt, error, at);
      default -> step.status = to;
    }
  }

  /** The report body's saga part; starts a new admission interval. */
  JsonObject report(long now) {
    admitted = 0;
    troubleAdmitted = 0;
    expireTriage(now);
    JsonArray sagas = new JsonArray();
    List<SagaTrack> newestFirst = new ArrayList<>(sample.values());
    for (int i = newestFirst.size() - 1; i >= 0; i--) {
      sagas.add(newestFirst.get(i).toJson());
    }
    JsonArray attention = new JsonArray();
    triage.values().forEach(entry -> attention.add(entry.toJson()));
    return new JsonObject()
        .put("sagas", new JsonObject().put("started", started).put("completed", completed).put("failed", failed)
            .put("compensated", compensated).put("parked", parked).put("resolved", resolved))
        .put("active", active)
        .put("sample", sagas)
        .put("triage", attention);
  }

  private void expireTriage(long now) {
    Iterator<TriageEntry> entries = triage.values().iterator();
    while (entries.hasNext()) {
      TriageEntry entry = entries.next();
      long ttl = "COMPENSATION_FAILED".equals(entry.status) ? PARKED_EVENT_TTL_MS : COMPENSATING_EVENT_TTL_MS;
      if (now - entry.updatedAt > ttl) {
        entries.remove();
      }
    }
  }

  private static final class SagaTrack {
    final String sagaId;
    final String type;
    final long startedAt;
    /** Joined the sample when it started compensating, so its earlier steps are not known here. */
    final boolean partial;
    String status = "RUNNING";
    long updatedAt;
    String error;
    final Map<String, StepTrack> steps = new LinkedHashMap<>();

    SagaTrack(String sagaId, String type, long startedAt, boolean partial) {
      this.sagaId = sagaId;
      this.type = type;
      this.startedAt = startedAt;
      this.updatedAt = startedAt;
      this.partial = partial;
    }

    JsonObject toJson() {
      JsonArray stepArray = new JsonArray();
      steps.values().forEach(step -> stepArray.add(step.toJson()));
      JsonObject json = new JsonObject().put("sagaId", sagaId).put("type", type).put("status", status)
          .put("startedAt", startedAt).put("updatedAt", updatedAt).put("steps", stepArray);
      if (partial) {
        json.put("partial", true);
      }
      if (error != null) {
        json.put("error", error);
      }
      return json;
    }
  }

  /** One step's forward call (or its compensation, which has the same shape). */
  private static final class StepTrack {
    final String name;
    String status;
    int attempts;
    long startedAt;
    long endedAt;
    String error;
    StepTrack compensation;

    StepTrack(String name, String status) {
      this.name = name;
      this.status = status;
    }

    void start(long at) {
      status = "RUNNING";
      startedAt = at;
    }

    void end(String to, int attempt, String failure, long at) {
      status = to;
      attempts = Math.max(attempts, attempt);
      error = failure;
      endedAt = at;
    }

    StepTrack compensation() {
      if (compensation == null) {
        compensation = new StepTrack(name, "PENDING");
      }
      return compensation;
    }

    JsonObject toJson() {
      JsonObject json = new JsonObject().put("name", name).put("status", status).put("attempts", attempts);
      if (startedAt > 0) {
        json.put("startedAt", startedAt);
      }
      if (endedAt > 0) {
        json.put("endedAt", endedAt);
      }
      if (error != null) {
        json.put("error", error);
      }
      if (compensation != null) {
        JsonObject undo = compensation.toJson();
        undo.remove("name");
        json.put("compensation", undo);
      }
      return json;
    }
  }

  private static final class TriageEntry {
    final String sagaId;
    final String type;
    String status;
    String step;
    String error;
    int attempts;
    long updatedAt;

    TriageEntry(String sagaId, String type) {
      this.sagaId = sagaId;
      this.type = type;
    }

    JsonObject toJson() {
      return new JsonObject().put("sagaId", sagaId).put("type", type).put("status", status).put("step", step)
          .put("error", error).put("attempts", attempts).put("updatedAt", updatedAt);
    }
  }
}
