package io.sagabus.node;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    description = {
        "Sends a request into a running cluster and prints the reply JSON.",
        "Exit codes: 0 reply printed, 2 bad input, 3 no handler, 4 timeout, 5 handler failed, 6 cannot join."})
final class SendCommand extends ClusterClient implements Callable<Integer> {

  @Option(names = "--timeout", paramLabel = "MS", defaultValue = "5000", description = "How long to wait for the reply. Default 5000.")
  long timeoutMs;

  @Override
  public Integer call() {
    if (timeoutMs <= 0) {
      System.err.println("sagabus send: --timeout must be a positive number of milliseconds");
      return ExitCodes.BAD_INPUT;
    }
    return joinAndRun("send", session -> {
      try {
        Message<Object> reply = session.vertx().eventBus()
            .request(address, session.body(), new DeliveryOptions().setSendTimeout(timeoutMs))
            .toCompletionStage().toCompletableFuture().get();
        Object body = reply.body();
        System.out.println(body instanceof JsonObject object ? object.encodePrettily() : String.valueOf(body));
        return ExitCodes.OK;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ExitCodes.FAILED;
      } catch (ExecutionException e) {
        return explain(e.getCause(), session.clusterName());
      }
    });
  }

  private int explain(Throwable failure, String cluster) {
    if (failure instanceof ReplyException reply) {
      switch (reply.failureType()) {
        case NO_HANDLERS -> {
          System.err.println("sagabus send: no handler for address '" + address + "' in cluster '" + cluster + "'");
          return ExitCodes.NO_HANDLER;
        }
        case TIMEOUT -> {
          System.err.println("sagabus send: no reply from '" + address + "' within " + timeoutMs + " ms");
          return ExitCodes.TIMEOUT;
        }
        case RECIPIENT_FAILURE -> {
          System.err.println("sagabus send: '" + address + "' failed with code " + reply.failureCode() + ": " + reply.getMessage());
          return ExitCodes.REPLIED_FAILURE;
        }
        default -> {
          System.err.println("sagabus send: could not deliver to '" + address + "': " + reply.getMessage());
          return ExitCodes.FAILED;
        }
      }
    }
    System.err.println("sagabus send: " + failure);
    return ExitCodes.FAILED;
  }
}
