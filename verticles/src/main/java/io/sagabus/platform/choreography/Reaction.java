package io.sagabus.platform.choreography;

import java.util.List;

/**
 * What a service does when one of {@code triggers} arrives: run its own step {@code step} at {@code address} (or,
 * when {@code compensation}, undo that step). Success is announced by the participant itself, from its outbox with
 * the change; a refusal by a business rule is announced here as {@code announcedOnRefusal} (null: nothing follows,
 * for a step with nothing to undo). A non-critical step's failure of any kind is only counted, and the flow goes on.
 */
public record Reaction(
    List<String> triggers,
    String step,
    String address,
    boolean compensation,
    String announcedOnRefusal,
    boolean critical) {}
