package io.sagabus.gateway;

import io.sagabus.platform.NodeContext;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.http.Problems;
import io.sagabus.ratelimit.contract.RateLimitAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** The rate-limit filter on {@code /api/*} and the admin API for its rules. Mount after the body handler. */
public final class RateLimitRoutes {

  static final long ADMIN_TIMEOUT_MS = 5_000;

  private RateLimitRoutes() {}

  public static void mount(Vertx vertx, Router router, NodeContext node) {
    ConfigReader section = node.config().section("ratelimit");
    if (section.bool("enabled", false)) {
      router.route("/api/*").handler(new RateLimitFilter(vertx, nodeIdIfItDecides(node),
          section.longValue("decisionTimeoutMs", 500, 1, 60_000),
          section.string("onBackendFailure", "fail-open").equals("fail-closed")));
    }
    // Admin routes sit behind AdminAuth, which the gateway mounts on /api/admin/* before these.
    router.get("/api/admin/ratelimit/rules").handler(ctx -> forward(vertx, ctx, RateLimitAddresses.RULES_GET, new JsonObject()));
    router.put("/api/admin/ratelimit/rules").handler(ctx -> {
      JsonObject rules;
      try {
        rules = ctx.body().asJsonObject();
      } catch (RuntimeException e) {
        rules = null;
      }
      if (rules == null) {
        Problems.send(ctx, 400, "invalid-request", "Bad Request", "The body must be a JSON rules document.");
        return;
      }
      forward(vertx, ctx, RateLimitAddresses.RULES_PUT, rules);
    });
  }

  /** This node, when it runs the rate-limit service: decisions then need no network hop. */
  private static String nodeIdIfItDecides(NodeContext node) {
    JsonArray roles = node.directory().self().getJsonArray("roles", new JsonArray());
    return roles.contains(RateLimitAddresses.ROLE) ? node.nodeId() : null;
  }

  private static void forward(Vertx vertx, RoutingContext ctx, String address, JsonObject body) {
    ServiceReplies.relay(vertx, ctx, "ratelimit", address, body, ADMIN_TIMEOUT_MS);
  }
}
