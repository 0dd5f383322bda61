package io.sagabus.node;

import io.sagabus.chaos.ChaosAgentVerticle;
import io.sagabus.platform.NodeContext;
import io.sagabus.platform.resilience.ResilienceAgentVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * What runs on every node whatever its roles, deployed before the services: fault injection (so a service never
 * sees a message the faults should have touched) and the resilience agent (circuit reports, runtime settings).
 */
final class NodeAgents {

  private NodeAgents() {}

  static Future<Void> deploy(Vertx vertx, NodeContext node) {
    return vertx.deployVerticle(new ChaosAgentVerticle(node))
        .compose(ignored -> vertx.deployVerticle(new ResilienceAgentVerticle(node)))
        .mapEmpty();
  }
}
