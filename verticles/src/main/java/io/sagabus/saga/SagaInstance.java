package io.sagabus.saga;

import io.sagabus.saga.contract.SagaStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One saga's state and full history, as the engine runs it and as the stores keep it (one JSON document).
 * {@code owner} is the node running it (null once it is finished or parked); {@code version} increases with every
 * stored change and makes each store write a compare-and-set, so two nodes can never both advance one saga.
 */
public final class SagaInstance {

  /**
   * One call to a participant. Kept as a small record while the saga runs (a saga may hold thousands of them across
   * a node), turned into JSON only when shown or stored. {@code kind} and {@code outcome} are shared constants.
   */
  record Attempt(String kind, int attempt, long startedAt, long endedAt, String outcome, String error, String state) {
    JsonObject toJson() {
      JsonObject json = new JsonObject().put("kind", kind).put("attempt", attempt).put("startedAt", startedAt).put("endedAt", endedAt)
          .put("outcome", outcome);
      if (error != null) {
        json.put("error", error);
      }
      if (state != null) {
        json.put("state", state);
      }
      return json;
    }

    static Attempt fromJson(JsonObject json) {
      return new Attempt(constant(json.getString("kind")), json.getInteger("attempt", 0), json.getLong("startedAt", 0L),
          json.getLong("endedAt", 0L), constant(json.getString("outcome")), json.getString("error"), constant(json.getString("state")));
    }
  }

  /** One saga transition; {@code from == to} records a claim by another node. */
  record Transition(SagaStatus from, SagaStatus to, long at, String reason) {
    JsonObject toJson() {
      JsonObject json = new JsonObject().put("from", from.name()).put("to", to.name()).put("at", at);
      if (reason != null) {
        json.put("reason", reason);
      }
      return json;
    }

    static Transition fromJson(JsonObject json) {
      return new Transition(SagaStatus.valueOf(json.getString("from")), SagaStatus.valueOf(json.getString("to")), json.getLong("at"),
          json.getString("reason"));
    }
  }

  /**
   * One step's state and every attempt at it. The result is kept encoded and the attempts in an array of exactly
   * their number (most steps have one): a node may hold ten thousand sagas in flight, a small JSON tree costs about
   * four times its text, and a list with its spare slots twice an array of one.
   */
  public static final class StepRecord {
    private static final Attempt[] NO_ATTEMPTS = new Attempt[0];

    final String name;
    final boolean critical;
    StepStatus status = StepStatus.PENDING;
    private String encodedResult;
    private Attempt[] attempts = NO_ATTEMPTS;

    StepRecord(String name, boolean critical) {
      this.name = name;
      this.critical = critical;
    }

    public String name() {
      return name;
    }

    public StepStatus status() {
      return status;
    }

    boolean hasResult() {
      return encodedResult != null;
    }

    /** A fresh copy of what the step produced, or null. */
    JsonObject result() {
      return encodedResult == null ? null : new JsonObject(encodedResult);
    }

    void result(JsonObject result) {
      encodedResult = result == null ? null : result.encode();
    }

    List<Attempt> attempts() {
      return Arrays.asList(attempts);
    }

    void add(Attempt attempt) {
      attempts = Arrays.copyOf(attempts, attempts.length + 1);
      attempts[attempts.length - 1] = attempt;
    }

    /** Whether the step's own call succeeded (a result learned from a status query is not the step's output). */
    boolean invoked() {
      for (Attempt attempt : attempts) {
        if ("invoke".equals(attempt.kind()) && "ok".equals(attempt.outcome())) {
          return true;
        }
      }
      return false;
    }

    int attemptsOf(String kind) {
      int count = 0;
      for (Attempt attempt : attempts) {
        if (kind.equals(attempt.kind())) {
          count++;
        }
      }
      return count;
    }

    /** Whether the step's result is part of the saga's data: it has one, and its own call produced it. */
    boolean producedOutput() {
      return encodedResult != null && invoked();
    }

    /** @param decodedResult {@link #result()}, decoded once by the caller, which may need it too */
    JsonObject toJson(JsonObject decodedResult) {
      JsonObject json = new JsonObject().put("name", name).put("status", status.name()).put("critical", critical)
          .put("attempts", new JsonArray(Arrays.stream(attempts).map(Attempt::toJson).toList()));
      if (decodedResult != null) {
        json.put("result", decodedResult);
      }
      return json;
    }

    static StepRecord fromJson(JsonObject json) {
      StepRecord step = new StepRecord(json.getString("name").intern(), json.getBoolean("critical", true));
      step.status = StepStatus.valueOf(json.getString("status"));
      step.result(json.getJsonObject("result"));
      json.getJsonArray("attempts", new JsonArray()).forEach(attempt -> step.add(Attempt.fromJson((JsonObject) attempt)));
      return step;
    }
  }

  /** The few strings attempts repeat, shared rather than one copy per attempt read from a store. */
  private static String constant(String value) {
    return value == null ? null : value.intern();
  }

  final String id;
  final String type;
  SagaStatus status = SagaStatus.PENDING;
  /** The input as received, encoded for the same reason as step results. */
  private final String encodedInput;
  int nextStep;
  boolean retrying;
  /** The service whose open circuit this saga waits for, without spending retries; null when not waiting. */
  String waitingFor;
  long waitingSince;
  final long createdAt;
  long updatedAt;
  String error;
  JsonObject resolution;
  final String idempotencyKey;
  final String requestHash;
  String owner;
  long version;
  final List<StepRecord> steps = new ArrayList<>(8);
  final List<Transition> transitions = new ArrayList<>(4);

  /** The form last written by or read from the store; the Hazelcast adapter compares against it. */
  String storedForm;
  /** The owner last written by or read from the store. */
  String storedOwner;
  /** The attention flags ({@link #attention()}) last written by or read from the embedded store. */
  String storedAttention;

  SagaInstance(String id, String type, JsonObject input, long createdAt, String idempotencyKey, String requestHash) {
    this.id = id;
    this.type = type;
    this.encodedInput = input.encode();
    this.createdAt = createdAt;
    this.updatedAt = createdAt;
    this.idempotencyKey = idempotencyKey;
    this.requestHash = requestHash;
  }

  static SagaInstance create(String id, SagaDefinition definition, JsonObject input, String idempotencyKey, String requestHash, String owner, long now) {
    SagaInstance saga = new SagaInstance(id, definition.type(), input, now, idempotencyKey, requestHash);
    definition.steps().forEach(step -> saga.steps.add(new StepRecord(step.name(), step.critical())));
    saga.owner = owner;
    return saga;
  }

  public String id() {
    return id;
  }

  public String type() {
    return type;
  }

  public SagaStatus status() {
    return status;
  }

  public String owner() {
    return owner;
  }

  public long version() {
    return version;
  }

  public long createdAt() {
    return createdAt;
  }

  public boolean retrying() {
    return retrying && status.active();
  }

  public String idempotencyKey() {
    return idempotencyKey;
  }

  public String requestHash() {
    return requestHash;
  }

  public List<StepRecord> steps() {
    return steps;
  }

  /** A fresh copy of the input. */
  public JsonObject input() {
    return new JsonObject(encodedInput);
  }

  public StepRecord step(String name) {
    return steps.stream().filter(step -> step.name.equals(name)).findFirst().orElse(null);
  }

  /**
   * What the steps produced so far: the results of the steps whose call succeeded, merged in step order. Computed,
   * not kept, since the step records hold the same results.
   */
  public JsonObject data() {
    JsonObject data = new JsonObject();
    for (StepRecord step : steps) {
      if (step.producedOutput()) {
        data.mergeIn(step.result());
      }
    }
    return data;
  }

  /** Parked: waiting for a person (compensation failed) or for a participant's circuit to close. */
  public boolean parked() {
    return status == SagaStatus.COMPENSATION_FAILED || (waitingFor != null && status.active());
  }

  /**
   * What a person watching sagas should know: {@code r} retrying, {@code p} parked, both, or null for neither
   * (nearly every saga). The embedded store indexes these so that listing them does not read every saga.
   */
  String attention() {
    boolean retrying = retrying();
    boolean parked = parked();
    return retrying && parked ? "rp" : retrying ? "r" : parked ? "p" : null;
  }

  /** Whether this saga matches a list filter: a status name, {@code retrying} or {@code parked}. */
  public boolean matches(String filter) {
    if (filter == null) {
      return true;
    }
    return switch (filter) {
      case "retrying" -> retrying();
      case "parked" -> parked();
      default -> status.name().equalsIgnoreCase(filter);
    };
  }

  /** The full document: what stores keep and what the API shows. */
  public JsonObject toJson() {
    // Each result decoded once, for its step and for the data.
    JsonArray stepsJson = new JsonArray(new ArrayList<>(steps.size()));
    JsonObject data = new JsonObject();
    for (StepRecord step : steps) {
      JsonObject result = step.result();
      stepsJson.add(step.toJson(result));
      if (step.producedOutput()) {
        data.mergeIn(result);
      }
    }
    JsonObject json = new JsonObject()
        .put("sagaId", id)
        .put("type", type)
        .put("status", status.name())
        .put("input", input())
        .put("data", data)
        .put("nextStep", nextStep)
        .put("currentStep", nextStep < steps.size() ? steps.get(nextStep).name : null)
        .put("retrying", retrying())
        .put("parked", parked())
        .put("createdAt", createdAt)
        .put("updatedAt", updatedAt)
        .put("owner", owner)
        .put("version", version)
        .put("steps", stepsJson)
        .put("transitions", new JsonArray(transitions.stream().map(Transition::toJson).toList()));
    if (error != null) {
      json.put("error", error);
    }
    if (resolution != null) {
      json.put("resolution", resolution);
    }
    if (waitingFor != null) {
      json.put("waitingFor", waitingFor).put("waitingSince", waitingSince).put("parkedReason", "waiting for " + waitingFor);
    }
    if (idempotencyKey != null) {
      json.put("idempotencyKey", idempotencyKey).put("requestHash", requestHash);
    }
    return json;
  }

  public static SagaInstance fromJson(JsonObject json) {
    SagaInstance saga = new SagaInstance(json.getString("sagaId"), json.getString("type").intern(), json.getJsonObject("input"),
        json.getLong("createdAt"), json.getString("idempotencyKey"), json.getString("requestHash"));
    saga.status = SagaStatus.valueOf(json.getString("status"));
    saga.nextStep = json.getInteger("nextStep");
    saga.retrying = json.getBoolean("retrying", false);
    saga.updatedAt = json.getLong("updatedAt");
    saga.owner = json.getString("owner");
    saga.version = json.getLong("version", 0L);
    saga.error = json.getString("error");
    saga.resolution = json.getJsonObject("resolution");
    saga.waitingFor = json.getString("waitingFor");
    saga.waitingSince = json.getLong("waitingSince", 0L);
    json.getJsonArray("steps").forEach(step -> saga.steps.add(StepRecord.fromJson((JsonObject) step)));
    json.getJsonArray("transitions", new JsonArray()).forEach(transition -> saga.transitions.add(Transition.fromJson((JsonObject) transition)));
    return saga;
  }
}
