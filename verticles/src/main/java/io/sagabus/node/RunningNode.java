package io.sagabus.node;

import io.sagabus.platform.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;

/** A started node: what it runs and how to reach it. */
public record RunningNode(Vertx vertx, NodeContext context, List<String> roles, String httpUrl) {

  public String nodeId() {
    return context.nodeId();
  }

  /** Stops the verticles, drops this node's card and leaves the cluster. */
  public Future<Void> close() {
    // Not composed: a composed future would report on an event loop that vertx.close() has just shut down, and never
    // complete. The close future itself is context-free.
    Promise<Void> closed = Promise.promise();
    context.directory().unregister()
        .recover(ignored -> Future.succeededFuture())
        .compose(ignored -> context.backends().close())
        .onComplete(ignored -> vertx.close().onComplete(closed));
    return closed.future();
  }
}
