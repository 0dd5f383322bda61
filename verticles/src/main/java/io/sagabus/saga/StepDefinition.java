package io.sagabus.saga;

import java.time.Duration;

/**
 * One step of a saga: the participant address it calls, the address that undoes it (null when nothing needs
 * undoing), where to ask about an unknown outcome, its timeout and retry policies, and whether its failure fails
 * the saga ({@code critical}) or is only recorded.
 */
public record StepDefinition(
    String name,
    String address,
    String compensationAddress,
    String statusAddress,
    Duration timeout,
    RetryPolicy retry,
    RetryPolicy compensationRetry,
    boolean critical) {

  public boolean compensable() {
    return compensationAddress != null;
  }
}
