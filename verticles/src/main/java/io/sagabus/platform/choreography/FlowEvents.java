package io.sagabus.platform.choreography;

import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * How a choreographed order flow rides on the domain-event envelope. The envelope's {@code sagaId} is the flow id
 * (the key every participant's step ledger dedupes on), its {@code key} the orderId, and the payload carries the
 * whole flow context forward (the order, then what each step added: amount, chargeId, shipmentId), so no service
 * needs a copy of another's data. Only events marked {@code "mode": "choreography"} drive reactions: the same
 * topics also carry events about orchestrated sagas, which no reactor may act on.
 *
 * <p>A reactor's command to its participant carries the flow and the mark, so the events the participant writes to
 * its outbox with the change ({@link #announced}) carry both on to the next service.
 */
public final class FlowEvents {

  public static final String MODE_FIELD = "mode";
  public static final String CHOREOGRAPHY = "choreography";
  /** Added by a failure event and carried through the compensations: the step that was refused, and why. */
  public static final String FAILED_STEP = "failedStep";
  public static final String REASON = "reason";

  private FlowEvents() {}

  /** Fields of a step command that are about the step, not the flow. */
  private static final List<String> STEP_FIELDS = List.of("sagaId", "step", "attempt", "compensation", "traceparent");

  /** Whether the event belongs to a choreographed flow. */
  public static boolean choreographed(DomainEvent event) {
    return event.sagaId() != null && CHOREOGRAPHY.equals(event.payload().getString(MODE_FIELD));
  }

  /** Whether a participant's step command was sent by a reactor of a choreographed flow. */
  public static boolean choreographed(JsonObject command) {
    return command.getString("sagaId") != null && CHOREOGRAPHY.equals(command.getString(MODE_FIELD));
  }

  /**
   * The event a participant raises for a step of a choreographed flow: the flow the command carried, with what the
   * step adds ({@code payload}) on top.
   */
  public static DomainEvent announced(String type, JsonObject command, JsonObject payload, String traceparent) {
    JsonObject flow = command.copy();
    STEP_FIELDS.forEach(flow::remove);
    return event(command.getString("sagaId"), type, command.getString("orderId"), traceparent, flow.mergeIn(payload));
  }

  /**
   * The flow's event of {@code type}. Its id depends only on the flow and the type (each happens at most once per
   * flow), so publishing it again after a crash or a redelivery yields the same event, which consumers dedupe.
   */
  public static DomainEvent event(String flowId, String type, String orderId, String traceparent, JsonObject flow) {
    return new DomainEvent(eventId(flowId, type), type, DomainEvent.SCHEMA_VERSION, Instant.now(), orderId, flowId, traceparent,
        flow.copy().put(MODE_FIELD, CHOREOGRAPHY));
  }

  public static String eventId(String flowId, String type) {
    return UUID.nameUUIDFromBytes((flowId + '\u0000' + type).getBytes(StandardCharsets.UTF_8)).toString();
  }
}
