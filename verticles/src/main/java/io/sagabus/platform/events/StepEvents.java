package io.sagabus.platform.events;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Domain events raised by a participant while it handles a saga command ({@code sagaId, step, orderId}). */
public final class StepEvents {

  private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})");

  private StepEvents() {}

  /**
   * An event of {@code type} about the command's order, in the command's saga and trace. A command that names no
   * order (a participant called outside the order saga) is keyed by its saga id, which orders its events the same way.
   */
  public static DomainEvent of(String type, JsonObject command, JsonObject payload) {
    String sagaId = command.getString("sagaId");
    return DomainEvent.of(type, command.getString("orderId", sagaId), sagaId, traceparent(command), payload);
  }

  /**
   * A W3C traceparent for the command's step: the trace the command carries in {@code traceparent} when it has one,
   * else a trace id derived from the saga id, so every event of one saga shares a trace; the span id is derived from
   * saga id and step, so a retried step's events keep theirs.
   */
  static String traceparent(JsonObject command) {
    String sagaId = String.valueOf(command.getString("sagaId"));
    String carried = command.getString("traceparent");
    var matched = carried == null ? null : TRACEPARENT.matcher(carried);
    String traceId = matched != null && matched.matches() ? matched.group(1) : digest("trace:" + sagaId, 16);
    String flags = matched != null && matched.matches() ? matched.group(2) : "01";
    return "00-" + traceId + "-" + digest("span:" + sagaId + "/" + command.getString("step"), 8) + "-" + flags;
  }

  private static String digest(String text, int bytes) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      // An all-zero id is invalid in W3C trace context; with SHA-256 it never comes up, but keep the id valid anyway.
      hash[bytes - 1] |= 1;
      return HexFormat.of().formatHex(hash, 0, bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
