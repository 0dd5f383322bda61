package io.sagabus.platform.resilience;

/** A circuit's state; {@link #gaugeValue()} is what the {@code sagabus_circuit_state} gauge reports. */
public enum CircuitState {
  CLOSED(0),
  OPEN(1),
  HALF_OPEN(2);

  private final int gaugeValue;

  CircuitState(int gaugeValue) {
    this.gaugeValue = gaugeValue;
  }

  public int gaugeValue() {
    return gaugeValue;
  }

  /** Of two reported state names, the worse: OPEN beats HALF_OPEN beats CLOSED (a service is as bad as its worst node). */
  public static String worse(String a, String b) {
    return severity(b) > severity(a) ? b : a;
  }

  private static int severity(String state) {
    return switch (state) {
      case "OPEN" -> 2;
      case "HALF_OPEN" -> 1;
      default -> 0;
    };
  }
}
