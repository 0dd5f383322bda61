package io.sagabus.node;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;

@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = {
        "Publishes a message to every subscriber of an address in a running cluster, without waiting for replies.",
        "Exit codes: 0 published, 2 bad input, 3 no subscriber, 6 cannot join."})
final class PublishCommand extends ClusterClient implements Callable<Integer> {

  @Override
  public Integer call() {
    return joinAndRun("publish", session -> {
      try {
        // The write completes once the message has left this node, and fails when nobody subscribes.
        session.vertx().eventBus().publisher(address).write(session.body()).toCompletionStage().toCompletableFuture().get();
        System.out.println("published to '" + address + "' in cluster '" + session.clusterName() + "'");
        return ExitCodes.OK;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ExitCodes.FAILED;
      } catch (ExecutionException e) {
        if (e.getCause() instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS) {
          System.err.println("sagabus publish: no subscriber for address '" + address + "' in cluster '" + session.clusterName() + "'");
          return ExitCodes.NO_HANDLER;
        }
        System.err.println("sagabus publish: could not publish to '" + address + "': " + e.getCause().getMessage());
        return ExitCodes.FAILED;
      }
    });
  }
}
