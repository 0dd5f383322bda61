package io.sagabus.node;

import io.sagabus.platform.NodeContext;
import io.sagabus.platform.http.ManagementRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;

/** HTTP for a node without the gateway role: health, metrics and the node list, so every node can be probed. */
final class ManagementVerticle extends VerticleBase {

  private final NodeContext node;

  ManagementVerticle(NodeContext node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    ManagementRoutes.mount(vertx, router, node);
    ManagementRoutes.installErrorHandlers(router);
    return vertx.createHttpServer().requestHandler(router).listen(node.config().http().port(), node.config().http().host());
  }
}
