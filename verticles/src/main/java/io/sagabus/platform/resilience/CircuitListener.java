package io.sagabus.platform.resilience;

/**
 * Told when a target's circuit changes state, for example so the saga engine can park sagas while a participant's
 * circuit is open. Called on the thread that caused the change: hand real work to the event loop.
 */
@FunctionalInterface
public interface CircuitListener {

  void stateChanged(String target, CircuitState from, CircuitState to);
}
