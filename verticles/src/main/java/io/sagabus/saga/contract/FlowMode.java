package io.sagabus.saga.contract;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How an order flow runs: {@code orchestration}, where the saga orchestrator calls each participant and owns timeouts,
 * retries and compensation, or {@code choreography}, where the services react to each other's domain events. Chosen
 * per request ({@code POST /api/orders?mode=...}) or by default in config ({@code saga.mode}).
 */
public enum FlowMode {
  ORCHESTRATION, CHOREOGRAPHY;

  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode named {@code value} (lower case), or empty. */
  public static Optional<FlowMode> parse(String value) {
    return Arrays.stream(values()).filter(mode -> mode.value().equals(value)).findFirst();
  }

  public static String choices() {
    return String.join("|", Arrays.stream(values()).map(FlowMode::value).toList());
  }
}
