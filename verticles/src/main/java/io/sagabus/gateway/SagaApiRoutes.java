package io.sagabus.gateway;

import io.sagabus.inventory.contract.InventoryAddresses;
import io.sagabus.order.contract.OrderAddresses;
import io.sagabus.payment.contract.PaymentAddresses;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.http.Problems;
import io.sagabus.platform.http.ReplyProblems;
import io.sagabus.platform.ids.Ids;
import io.sagabus.saga.contract.FlowMode;
import io.sagabus.saga.contract.SagaAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * The order and saga API: place orders (each runs an order saga), follow sagas, check the books (stock, accounts),
 * and act on parked sagas. Every order response carries {@code sagaId} and {@code orderId}.
 */
public final class SagaApiRoutes {

  static final long SERVICE_TIMEOUT_MS = 5_000;
  static final long MAX_WAIT_MS = 25_000;
  static final int MAX_QTY = 10_000;
  static final int MAX_ITEMS = 100;
  static final int MAX_KEY_LENGTH = 200;
  private static final Set<String> FINAL = Set.of("COMPLETED", "FAILED", "COMPENSATION_FAILED", "RESOLVED");

  private final Vertx vertx;
  private final FlowMode defaultMode;
  private final ChoreographedOrders choreographed;

  private SagaApiRoutes(Vertx vertx, FlowMode defaultMode) {
    this.vertx = vertx;
    this.defaultMode = defaultMode;
    this.choreographed = new ChoreographedOrders(vertx);
  }

  /**
   * Mounts every route. Orders run in {@code defaultMode} unless the request asks for another with {@code ?mode=}.
   * The admin routes rely on the gateway's AdminAuth, mounted on /api/admin/* before them.
   */
  public static void mount(Vertx vertx, Router router, FlowMode defaultMode) {
    SagaApiRoutes routes = new SagaApiRoutes(vertx, defaultMode);
    router.post("/api/orders").handler(routes::placeOrder);
    router.get("/api/orders/:orderId").handler(ctx ->
        routes.ask(ctx, "order", OrderAddresses.GET, new JsonObject().put("orderId", ctx.pathParam("orderId"))));
    router.get("/api/sagas").handler(routes::listSagas);
    router.get("/api/sagas/:sagaId").handler(ctx ->
        routes.ask(ctx, "saga", SagaAddresses.GET, new JsonObject().put("sagaId", ctx.pathParam("sagaId")), SagaApiRoutes::withOrderId));
    router.get("/api/inventory").handler(ctx -> routes.ask(ctx, "inventory", InventoryAddresses.STOCK, new JsonObject()));
    router.get("/api/inventory/:sku").handler(ctx ->
        routes.ask(ctx, "inventory", InventoryAddresses.STOCK, new JsonObject().put("sku", ctx.pathParam("sku"))));
    router.get("/api/customers").handler(ctx -> routes.ask(ctx, "payment", PaymentAddresses.CUSTOMERS, new JsonObject()));
    router.get("/api/customers/:customerId/account").handler(ctx ->
        routes.ask(ctx, "payment", PaymentAddresses.ACCOUNT, new JsonObject().put("customerId", ctx.pathParam("customerId"))));
    router.post("/api/admin/sagas/:sagaId/retry").handler(ctx ->
        routes.ask(ctx, "saga", SagaAddresses.RETRY_COMPENSATION, new JsonObject().put("sagaId", ctx.pathParam("sagaId")), SagaApiRoutes::withOrderId));
    router.post("/api/admin/sagas/:sagaId/resolve").handler(routes::resolve);
  }

  private void placeOrder(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      invalid(ctx, "body", "must be a JSON object");
      return;
    }
    if (body == null) {
      invalid(ctx, "body", "must be a JSON object");
      return;
    }
    JsonObject input;
    try {
      input = OrderRequest.validate(body);
    } catch (OrderRequest.InvalidField e) {
      invalid(ctx, e.field, e.getMessage());
      return;
    }
    Long waitMs = waitParam(ctx);
    if (waitMs == null) {
      return;
    }
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key != null && (key.isBlank() || key.length() > MAX_KEY_LENGTH)) {
      invalid(ctx, "Idempotency-Key", "must be 1 to " + MAX_KEY_LENGTH + " characters");
      return;
    }
    String modeParam = ctx.queryParams().get("mode");
    FlowMode mode = modeParam == null ? defaultMode : FlowMode.parse(modeParam).orElse(null);
    if (mode == null) {
      invalid(ctx, "mode", "must be " + FlowMode.choices());
      return;
    }
    // The caller's trace goes with the flow, so its domain events join it; it is not part of the request's identity.
    Optional<String> traceparent = TraceparentHeader.parse(ctx.request().getHeader(TraceparentHeader.NAME));
    if (mode == FlowMode.CHOREOGRAPHY) {
      choreographed.place(ctx, input, waitMs, key, traceparent);
      return;
    }
    JsonObject sagaInput = input.copy().put("orderId", "ord-" + Ids.next());
    traceparent.ifPresent(trace -> sagaInput.put(TraceparentHeader.NAME, trace));
    JsonObject start = new JsonObject().put("type", "order").put("input", sagaInput).put("waitMs", waitMs);
    if (key != null) {
      start.put("idempotencyKey", key).put("requestHash", sha256(input.encode()));
    }
    vertx.eventBus().<JsonObject>request(SagaAddresses.START, start, new DeliveryOptions().setSendTimeout(waitMs + SERVICE_TIMEOUT_MS))
        .onSuccess(reply -> {
          JsonObject saga = withOrderId(reply.body());
          boolean ended = FINAL.contains(saga.getString("status"));
          ctx.response()
              .setStatusCode(ended && waitMs > 0 ? 200 : 202)
              .putHeader("Location", "/api/sagas/" + saga.getString("sagaId"))
              .putHeader("Content-Type", "application/json")
              .end(saga.encode());
        })
        .onFailure(failure -> placementFailed(ctx, failure, "saga"));
  }

  /** A refused order placement as a problem; a conflict means the Idempotency-Key came with another body. */
  static void placementFailed(RoutingContext ctx, Throwable failure, String service) {
    if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && reply.failureCode() == FailureCodes.CONFLICT) {
      Problems.send(ctx, Problems.problem(422, "idempotency-key-reused", "Idempotency-Key reused", reply.getMessage()));
    } else {
      Problems.send(ctx, ReplyProblems.from(failure, service));
    }
  }

  private void listSagas(RoutingContext ctx) {
    JsonObject query = new JsonObject();
    String status = ctx.queryParams().get("status");
    if (status != null) {
      query.put("status", status);
    }
    String limit = ctx.queryParams().get("limit");
    if (limit != null) {
      try {
        int parsed = Integer.parseInt(limit);
        if (parsed < 1 || parsed > 500) {
          throw new NumberFormatException();
        }
        query.put("limit", parsed);
      } catch (NumberFormatException e) {
        invalid(ctx, "limit", "must be an integer from 1 to 500");
        return;
      }
    }
    String cursor = ctx.queryParams().get("cursor");
    if (cursor != null) {
      query.put("cursor", cursor);
    }
    ask(ctx, "saga", SagaAddresses.LIST, query, page -> {
      JsonArray items = page.getJsonArray("items");
      for (int i = 0; i < items.size(); i++) {
        withOrderId(items.getJsonObject(i));
      }
      return page;
    });
  }

  private void resolve(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      body = null;
    }
    String reason = body == null ? null : body.getValue("reason") instanceof String text ? text : null;
    if (reason == null || reason.isBlank() || reason.length() > 2_000) {
      invalid(ctx, "reason", "is required: a non-blank string of at most 2000 characters");
      return;
    }
    ask(ctx, "saga", SagaAddresses.RESOLVE, new JsonObject().put("sagaId", ctx.pathParam("sagaId")).put("reason", reason), SagaApiRoutes::withOrderId);
  }

  private Long waitParam(RoutingContext ctx) {
    String wait = ctx.queryParams().get("wait");
    if (wait == null) {
      return 0L;
    }
    try {
      long parsed = Long.parseLong(wait);
      if (parsed < 0 || parsed > MAX_WAIT_MS) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      invalid(ctx, "wait", "must be milliseconds from 0 to " + MAX_WAIT_MS);
      return null;
    }
  }

  private void ask(RoutingContext ctx, String service, String address, JsonObject body) {
    ask(ctx, service, address, body, reply -> reply);
  }

  private void ask(RoutingContext ctx, String service, String address, JsonObject body, java.util.function.UnaryOperator<JsonObject> shape) {
    ServiceReplies.relay(vertx, ctx, service, address, body, SERVICE_TIMEOUT_MS, shape);
  }

  /** Order sagas answer with their order id at the top, next to the saga id. */
  private static JsonObject withOrderId(JsonObject saga) {
    JsonObject input = saga.getJsonObject("input");
    if (input != null && input.getString("orderId") != null) {
      saga.put("orderId", input.getString("orderId"));
    }
    return saga;
  }

  static Future<Void> invalid(RoutingContext ctx, String field, String message) {
    return Problems.send(ctx, Problems.problem(400, "invalid-request", "Bad Request", field + " " + message).put("field", field));
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
