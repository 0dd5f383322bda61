package io.sagabus.gateway;

import io.sagabus.orderview.contract.OrderViewAddresses;
import io.sagabus.orderview.contract.ViewCursor;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The order read side over HTTP: the order views (CQRS), an order's event-sourced history, and the admin routes
 * that rebuild the views (guarded by the AdminAuth mounted on {@code /api/admin/*}).
 */
final class OrderViewRoutes {

  static final long SERVICE_TIMEOUT_MS = 5_000;

  private final Vertx vertx;

  private OrderViewRoutes(Vertx vertx) {
    this.vertx = vertx;
  }

  static void mount(Vertx vertx, Router router) {
    OrderViewRoutes routes = new OrderViewRoutes(vertx);
    router.get("/api/order-views").handler(routes::query);
    router.get("/api/orders/:orderId/history").handler(ctx ->
        routes.ask(ctx, OrderViewAddresses.HISTORY, new JsonObject().put("orderId", ctx.pathParam("orderId"))));
    router.post("/api/admin/order-views/rebuild").handler(ctx -> routes.ask(ctx, OrderViewAddresses.REBUILD, new JsonObject()));
    router.get("/api/admin/order-views/rebuild").handler(ctx -> routes.ask(ctx, OrderViewAddresses.REBUILD_STATUS, new JsonObject()));
  }

  private void query(RoutingContext ctx) {
    JsonObject query = new JsonObject();
    String customerId = ctx.queryParams().get("customerId");
    if (customerId != null) {
      if (customerId.isBlank() || customerId.length() > OrderViewAddresses.MAX_CUSTOMER_ID) {
        invalid(ctx, "customerId", "must be a non-blank string of at most " + OrderViewAddresses.MAX_CUSTOMER_ID + " characters");
        return;
      }
      query.put("customerId", customerId);
    }
    String status = ctx.queryParams().get("status");
    if (status != null) {
      if (!OrderViewAddresses.STATUSES.contains(status)) {
        invalid(ctx, "status", "must be one of " + String.join(", ", OrderViewAddresses.STATUSES));
        return;
      }
      query.put("status", status);
    }
    String limit = ctx.queryParams().get("limit");
    if (limit != null) {
      try {
        int parsed = Integer.parseInt(limit);
        if (parsed < 1 || parsed > OrderViewAddresses.MAX_LIMIT) {
          throw new NumberFormatException();
        }
        query.put("limit", parsed);
      } catch (NumberFormatException e) {
        invalid(ctx, "limit", "must be an integer from 1 to " + OrderViewAddresses.MAX_LIMIT);
        return;
      }
    }
    String cursor = ctx.queryParams().get("cursor");
    if (cursor != null) {
      try {
        ViewCursor.decode(cursor);
      } catch (IllegalArgumentException e) {
        invalid(ctx, "cursor", "is not a cursor this API returned (use nextCursor of the previous page)");
        return;
      }
      query.put("cursor", cursor);
    }
    ask(ctx, OrderViewAddresses.QUERY, query);
  }

  private void ask(RoutingContext ctx, String address, JsonObject body) {
    ServiceReplies.relay(vertx, ctx, "orderview", address, body, SERVICE_TIMEOUT_MS);
  }

  private static void invalid(RoutingContext ctx, String field, String message) {
    SagaApiRoutes.invalid(ctx, field, message);
  }
}
