package io.sagabus.platform.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sagabus.platform.NodeContext;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes every node serves, whatever its roles: health, metrics and the cluster's node list. */
public final class ManagementRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(ManagementRoutes.class);

  private ManagementRoutes() {}

  public static void mount(Vertx vertx, Router router, NodeContext node) {
    HealthChecks checks = HealthChecks.create(vertx);
    checks.register("liveness", promise -> promise.complete(Status.OK(new JsonObject().put("node", node.nodeId()))));
    checks.register("readiness/cluster", promise -> promise.complete(Status.OK(new JsonObject()
        .put("clustered", node.cluster().clustered())
        .put("members", node.cluster().members().size()))));
    node.backends().registerReadinessChecks(checks);
    router.get("/health*").handler(HealthCheckHandler.createWithHealthChecks(checks));

    if (node.metrics() instanceof PrometheusMeterRegistry prometheus) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(prometheus));
    }

    router.get("/api/cluster/nodes").handler(ctx -> node.directory().list()
        .onSuccess(nodes -> ctx.json(new JsonObject().put("self", node.nodeId()).put("nodes", nodes)))
        .onFailure(ctx::fail));
  }

  /** Unknown routes and unexpected failures become problem documents; the cause is logged, never sent. */
  public static void installErrorHandlers(Router router) {
    router.route().last().handler(ctx -> Problems.send(ctx, 404, "not-found", "Not Found", "No resource at " + ctx.request().path()));
    router.errorHandler(405, ctx -> Problems.send(ctx, 405, "method-not-allowed", "Method Not Allowed",
        ctx.request().method() + " is not supported on " + ctx.request().path()));
    router.errorHandler(500, ctx -> {
      if (ctx.failure() != null) {
        LOG.warn("request {} {} failed: {}", ctx.request().method(), ctx.request().path(), ctx.failure().toString());
      }
      if (!ctx.response().headWritten()) {
        Problems.send(ctx, 500, "internal", "Internal Server Error", "The request failed inside the node; it has been logged.");
      }
    });
  }
}
