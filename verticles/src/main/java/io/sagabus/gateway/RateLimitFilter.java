package io.sagabus.gateway;

import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.http.Problems;
import io.sagabus.ratelimit.contract.RateLimitFields;
import io.sagabus.ratelimit.contract.RateLimitAddresses;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the rate-limit service before any work is done on {@code /api/*}. Allowed requests carry the IETF draft
 * headers {@code RateLimit-Policy} and {@code RateLimit}; rejected ones get a 429 problem with {@code Retry-After}.
 * When the service cannot be asked (no node runs it, or it does not answer in time) the request passes unless the
 * policy is fail-closed; a service that is itself fail-closed answers 503, which is passed on.
 */
public final class RateLimitFilter implements Handler<RoutingContext> {

  public static final String API_KEY_HEADER = "X-API-Key";
  public static final String REJECTED_TYPE = "rate-limited";
  public static final String UNAVAILABLE_TYPE = "rate-limit-unavailable";
  private static final int MAX_ACCOUNT_BODY_BYTES = 4096;
  private static final Logger LOG = LoggerFactory.getLogger(RateLimitFilter.class);

  private final Vertx vertx;
  private final String localNodeId;
  private final DeliveryOptions delivery;
  private final DeliveryOptions onThisNode;
  private final boolean failClosed;

  /** @param localNodeId this node's id when it runs the rate-limit service, else null (any rate-limit node decides) */
  public RateLimitFilter(Vertx vertx, String localNodeId, long timeoutMillis, boolean failClosed) {
    this.vertx = vertx;
    this.localNodeId = localNodeId;
    this.delivery = new DeliveryOptions().setSendTimeout(timeoutMillis);
    this.onThisNode = new DeliveryOptions(delivery).setLocalOnly(true);
    this.failClosed = failClosed;
  }

  @Override
  public void handle(RoutingContext ctx) {
    JsonObject request = new JsonObject()
        .put(RateLimitFields.METHOD, ctx.request().method().name())
        .put(RateLimitFields.PATH, ctx.normalizedPath())
        .put(RateLimitFields.CLIENT_IP, ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().host());
    String apiKey = ctx.request().getHeader(API_KEY_HEADER);
    if (apiKey != null && !apiKey.isBlank()) {
      request.put(RateLimitFields.API_KEY, apiKey.trim());
    }
    if (ctx.user() != null && ctx.user().subject() != null) {
      request.put(RateLimitFields.USER, ctx.user().subject());
    }
    String account = account(ctx);
    if (account != null) {
      request.put(RateLimitFields.ACCOUNT, account);
    }
    ask(request).onComplete(result -> {
      if (result.succeeded()) {
        JsonObject verdict = result.result().body();
        putHeaders(ctx, verdict);
        if (verdict.getBoolean(RateLimitFields.ALLOWED, false)) {
          ctx.next();
        } else {
          reject(ctx, verdict);
        }
      } else if (failClosed || refusedByService(result.cause())) {
        Problems.send(ctx, 503, UNAVAILABLE_TYPE, "Service Unavailable", "Rate limiting is unavailable, so requests are refused for now.");
      } else {
        LOG.debug("rate-limit service not asked ({}); letting the request pass", result.cause().toString());
        ctx.next();
      }
    });
  }

  /**
   * On a node that runs the rate-limit service the decision is made on this request's own event loop; if nothing
   * listens there (a caller off the event loops) the node's rate-limit verticle decides. Elsewhere any rate-limit
   * node does.
   */
  private Future<Message<JsonObject>> ask(JsonObject request) {
    EventBus eventBus = vertx.eventBus();
    if (localNodeId == null) {
      return eventBus.request(RateLimitAddresses.DECIDE, request, delivery);
    }
    return eventBus.<JsonObject>request(RateLimitAddresses.decideOnCallersLoop(localNodeId), request, onThisNode)
        .recover(failure -> failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS
            ? eventBus.request(RateLimitAddresses.decideOn(localNodeId), request, delivery)
            : Future.failedFuture(failure));
  }

  /** The account a login names, for per-account rules: the {@code username} of a small JSON body. */
  private static String account(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().length() == 0 || ctx.body().length() > MAX_ACCOUNT_BODY_BYTES) {
      return null;
    }
    String contentType = ctx.request().getHeader("Content-Type");
    if (contentType == null || !contentType.contains("json")) {
      return null;
    }
    try {
      JsonObject body = ctx.body().asJsonObject();
      return body == null ? null : body.getValue("username") instanceof String name ? name : null;
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  static void putHeaders(RoutingContext ctx, JsonObject verdict) {
    String name = "\"" + verdict.getString(RateLimitFields.POLICY) + "\"";
    ctx.response()
        .putHeader("RateLimit-Policy", name + ";q=" + verdict.getInteger(RateLimitFields.QUOTA) + ";w=" + verdict.getInteger(RateLimitFields.WINDOW_SECONDS))
        .putHeader("RateLimit", name + ";r=" + verdict.getInteger(RateLimitFields.REMAINING) + ";t=" + verdict.getLong(RateLimitFields.RESET_SECONDS));
  }

  private static void reject(RoutingContext ctx, JsonObject verdict) {
    long retryAfter = verdict.getLong(RateLimitFields.RETRY_AFTER_SECONDS, 1L);
    ctx.response().putHeader("Retry-After", Long.toString(retryAfter));
    Problems.send(ctx, Problems.problem(429, REJECTED_TYPE, "Too Many Requests",
        "Rate limit '" + verdict.getString(RateLimitFields.POLICY) + "' exceeded; retry in " + retryAfter + " s.")
        .put("policy", verdict.getString(RateLimitFields.POLICY))
        .put("retryAfterSeconds", retryAfter));
  }

  private static boolean refusedByService(Throwable failure) {
    return failure instanceof ReplyException reply
        && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && reply.failureCode() == FailureCodes.UNAVAILABLE;
  }
}
