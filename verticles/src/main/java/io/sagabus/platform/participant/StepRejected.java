package io.sagabus.platform.participant;

import io.sagabus.platform.eventbus.FailureCodes;

/** A participant's refusal of a saga command: a business rule (422) or bad input (400). It is recorded as the outcome. */
public final class StepRejected extends RuntimeException {

  private final int code;

  public StepRejected(int code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public static StepRejected rejected(String message) {
    return new StepRejected(FailureCodes.REJECTED, message);
  }

  public static StepRejected badRequest(String message) {
    return new StepRejected(FailureCodes.BAD_REQUEST, message);
  }

  public int code() {
    return code;
  }
}
