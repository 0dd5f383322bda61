package io.sagabus.node;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;

@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = {
        "Publishes a message to every subscriber of an address in a running cluster, without waiting for replies.",
        "Exit codes: 0 published, 2 bad input, 6 cannot join."})
final class PublishCommand extends ClusterClient implements Callable<Integer> {

  @Override
  public Integer call() {
    return joinAndRun("publish", session -> {
      try {
        // The write completes once the message is handed to every subscriber's node, so leaving after it loses nothing.
        session.vertx().eventBus().publisher(address).write(session.body()).toCompletionStage().toCompletableFuture().get();
        System.out.println("published to '" + address + "' in cluster '" + session.clusterName() + "'");
        return ExitCodes.OK;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ExitCodes.FAILED;
      } catch (ExecutionException e) {
        System.err.println("sagabus publish: could not publish to '" + address + "': " + e.getCause());
        return ExitCodes.FAILED;
      }
    });
  }
}
