package io.sagabus.platform.resilience;

import io.sagabus.platform.eventbus.FailureCodes;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/** The call was refused at once because the target's bulkhead and its queue are full. */
public final class BulkheadFullException extends ReplyException {

  private final String target;

  public BulkheadFullException(String target) {
    super(ReplyFailure.RECIPIENT_FAILURE, FailureCodes.UNAVAILABLE, "bulkhead for '" + target + "' is full");
    this.target = target;
  }

  public String target() {
    return target;
  }
}
