package io.sagabus.platform.eventbus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * The documented {@link ReplyException} failure codes every service replies with. Codes below 500 mirror the HTTP
 * meaning, so the gateway maps them one to one.
 */
public final class FailureCodes {

  /** The request was malformed; do not retry. */
  public static final int BAD_REQUEST = 400;
  /** The addressed entity does not exist. */
  public static final int NOT_FOUND = 404;
  /** The request conflicts with current state, such as an idempotency key reused with another body. */
  public static final int CONFLICT = 409;
  /** A business rule refused the request: out of stock, declined payment, undeliverable address. Not retryable. */
  public static final int REJECTED = 422;
  /** The service is overloaded or shedding load; retryable. */
  public static final int UNAVAILABLE = 503;
  /** An unexpected fault inside the service; retryable. */
  public static final int INTERNAL = 500;

  private FailureCodes() {}

  /** Timeouts, missing handlers and the service's own transient faults are worth another try; business refusals are not. */
  public static boolean retryable(Throwable failure) {
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        return reply.failureCode() >= 500;
      }
      return true;
    }
    return true;
  }
}
