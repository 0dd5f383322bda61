package io.sagabus.saga;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;

/**
 * One step of a saga: the participant address it calls, the address that undoes it (null when nothing needs
 * undoing), where to ask about an unknown outcome, its timeout and retry policies, whether its failure fails
 * the saga ({@code critical}) or is only recorded, and which fields of the saga's input and results its commands
 * carry ({@code sends}; null for all of them).
 */
public record StepDefinition(
    String name,
    String address,
    String compensationAddress,
    String statusAddress,
    Duration timeout,
    RetryPolicy retry,
    RetryPolicy compensationRetry,
    boolean critical,
    List<String> sends) {

  public boolean compensable() {
    return compensationAddress != null;
  }

  /** The step's share of the saga's input and results: all of it, or only the fields the step sends. */
  public JsonObject commandFields(JsonObject inputAndResults) {
    if (sends == null) {
      return inputAndResults;
    }
    JsonObject fields = new JsonObject();
    for (String field : sends) {
      if (inputAndResults.containsKey(field)) {
        fields.put(field, inputAndResults.getValue(field));
      }
    }
    return fields;
  }
}
