package io.sagabus.platform.http;

import io.sagabus.platform.eventbus.FailureCodes;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

/** Maps event-bus failures to problem documents, so a service fault reads the same through any gateway. */
public final class ReplyProblems {

  private ReplyProblems() {}

  public static JsonObject from(Throwable failure, String service) {
    if (!(failure instanceof ReplyException reply)) {
      return Problems.problem(500, "internal", "Internal Server Error", "The request failed inside the node; it has been logged.");
    }
    return switch (reply.failureType()) {
      case NO_HANDLERS -> Problems.problem(503, "service-unavailable", "Service Unavailable",
          "No " + service + " service is running in the cluster.");
      case TIMEOUT -> Problems.problem(504, "service-timeout", "Gateway Timeout",
          "The " + service + " service did not answer in time.");
      case ERROR -> Problems.problem(502, "service-error", "Bad Gateway", "The " + service + " service could not be reached.");
      case RECIPIENT_FAILURE -> switch (reply.failureCode()) {
        case FailureCodes.BAD_REQUEST -> Problems.problem(400, "invalid-request", "Bad Request", reply.getMessage());
        case FailureCodes.NOT_FOUND -> Problems.problem(404, "not-found", "Not Found", reply.getMessage());
        case FailureCodes.CONFLICT -> Problems.problem(409, "conflict", "Conflict", reply.getMessage());
        case FailureCodes.REJECTED -> Problems.problem(422, "rejected", "Unprocessable Content", reply.getMessage());
        case FailureCodes.UNAVAILABLE -> Problems.problem(503, "service-unavailable", "Service Unavailable", reply.getMessage());
        default -> Problems.problem(502, "service-error", "Bad Gateway", "The " + service + " service failed: " + reply.getMessage());
      };
    };
  }
}
