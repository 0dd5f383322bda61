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
}
