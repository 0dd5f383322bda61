package io.sagabus.gateway;

import io.sagabus.chaos.contract.ChaosAddresses;
import io.sagabus.platform.http.Problems;
import io.sagabus.platform.resilience.contract.ResilienceAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Circuits, runtime resilience settings and fault injection over HTTP. The {@code /api/admin/*} routes rely on the
 * admin guard mounted before them. Control-plane calls bypass the resilience stack on purpose: an operator must be
 * able to reach chaos control while circuits are open.
 */
final class ResilienceRoutes {

  static final long CONTROL_TIMEOUT_MS = 5_000;

  private final Vertx vertx;

  private ResilienceRoutes(Vertx vertx) {
    this.vertx = vertx;
  }

  static void mount(Vertx vertx, Router router) {
    ResilienceRoutes routes = new ResilienceRoutes(vertx);
    router.get("/api/circuits").handler(ctx -> routes.ask(ctx, "circuits", ResilienceAddresses.VIEW, new JsonObject()));
    router.get("/api/admin/resilience").handler(ctx -> routes.ask(ctx, "resilience", ResilienceAddresses.CONFIG_GET, new JsonObject()));
    router.put("/api/admin/resilience").handler(ctx -> routes.withJsonBody(ctx, body -> routes.ask(ctx, "resilience", ResilienceAddresses.CONFIG_SET, body)));
    router.get("/api/chaos").handler(ctx -> routes.ask(ctx, "chaos", ChaosAddresses.SHOW, new JsonObject()));
    router.post("/api/admin/chaos").handler(ctx -> routes.withJsonBody(ctx, body -> routes.ask(ctx, "chaos", ChaosAddresses.SET, body)));
    router.delete("/api/admin/chaos").handler(ctx -> routes.ask(ctx, "chaos", ChaosAddresses.CLEAR, new JsonObject()));
    router.delete("/api/admin/chaos/:service").handler(ctx ->
        routes.ask(ctx, "chaos", ChaosAddresses.CLEAR, new JsonObject().put("service", ctx.pathParam("service"))));
  }

  private void withJsonBody(RoutingContext ctx, java.util.function.Consumer<JsonObject> handler) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      Problems.send(ctx, 400, "invalid-request", "Bad Request", "The body must be a JSON object.");
      return;
    }
    if (body == null) {
      Problems.send(ctx, 400, "invalid-request", "Bad Request", "The body must be a JSON object.");
      return;
    }
    handler.accept(body);
  }

  private void ask(RoutingContext ctx, String service, String address, JsonObject body) {
    ServiceReplies.relay(vertx, ctx, service, address, body, CONTROL_TIMEOUT_MS);
  }
}
