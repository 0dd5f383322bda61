package io.sagabus.platform.resilience;

import io.sagabus.platform.eventbus.FailureCodes;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/** The call was not made because the target's circuit is open (or half-open with every trial slot taken). */
public final class CircuitOpenException extends ReplyException {

  private final String target;

  public CircuitOpenException(String target) {
    super(ReplyFailure.RECIPIENT_FAILURE, FailureCodes.UNAVAILABLE, "circuit for '" + target + "' is open");
    this.target = target;
  }

  public String target() {
    return target;
  }
}
