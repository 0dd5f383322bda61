package io.sagabus.platform.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * RFC 9457 problem details. Every {@code type} is a stable URI that clients can switch on; the set is listed in the
 * README. No stack trace ever reaches a client.
 */
public final class Problems {

  public static final String CONTENT_TYPE = "application/problem+json";
  public static final String TYPE_BASE = "https://sagabus.io/problems/";

  private Problems() {}

  public static JsonObject problem(int status, String type, String title, String detail) {
    JsonObject body = new JsonObject()
        .put("type", TYPE_BASE + type)
        .put("title", title)
        .put("status", status);
    if (detail != null) {
      body.put("detail", detail);
    }
    return body;
  }

  public static Future<Void> send(RoutingContext ctx, int status, String type, String title, String detail) {
    return send(ctx, problem(status, type, title, detail));
  }

  public static Future<Void> send(RoutingContext ctx, JsonObject problem) {
    problem.put("instance", ctx.request().path());
    return ctx.response()
        .setStatusCode(problem.getInteger("status"))
        .putHeader("Content-Type", CONTENT_TYPE)
        .end(problem.encode());
  }
}
