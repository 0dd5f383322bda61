package io.sagabus.platform.choreography;

import java.util.List;

/**
 * What a service does when one of {@code triggers} arrives: run its own step {@code step} at {@code address}
 * (or, when {@code compensation}, undo that step), then announce the outcome: {@code emits} on success,
 * {@code emitsOnRejection} when a business rule refused the step (null: nothing follows, for a step with nothing to
 * undo). A non-critical step's failure of any kind is only counted, and the flow goes on without it.
 */
public record Reaction(
    List<String> triggers,
    String step,
    String address,
    boolean compensation,
    String emits,
    String emitsOnRejection,
    boolean critical) {}
