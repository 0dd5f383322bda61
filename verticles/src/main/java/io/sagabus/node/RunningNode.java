package io.sagabus.node;

import io.sagabus.platform.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A started node: what it runs and how to reach it. */
public record RunningNode(Vertx vertx, NodeContext context, List<String> roles, String httpUrl) {

  public String nodeId() {
    return context.nodeId();
  }

  /**
   * Drops this node's card, closes its backends, then stops the verticles and leaves the cluster. Vert.x is closed
   * from a pool thread: a close started on one of its own event loops would never see its completion.
   */
  public CompletableFuture<Void> close() {
    return context.directory().unregister()
        .recover(ignored -> Future.succeededFuture())
        .compose(ignored -> context.backends().close())
        .recover(ignored -> Future.succeededFuture())
        .toCompletionStage()
        .thenComposeAsync(ignored -> vertx.close().toCompletionStage())
        .toCompletableFuture();
  }
}
