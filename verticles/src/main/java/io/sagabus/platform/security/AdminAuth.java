package io.sagabus.platform.security;

import io.sagabus.platform.config.NodeConfig;
import io.sagabus.platform.http.Problems;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;

/**
 * Guards admin routes: a valid bearer JWT whose {@code roles} claim holds {@code admin}. Without a token, or with
 * an invalid or expired one, the answer is a 401 problem; with a valid token lacking the role, a 403 problem.
 * Mount it before the routes it guards: {@code router.route("/api/admin/*").handler(AdminAuth.create(vertx, config))}.
 */
public final class AdminAuth implements Handler<RoutingContext> {

  /** Routing-context key under which the admin's subject is left for the handlers behind this one (audit logs). */
  public static final String SUBJECT_KEY = "sagabus.admin.subject";
  private static final String BEARER = "Bearer ";

  private final JWTAuth provider;

  private AdminAuth(JWTAuth provider) {
    this.provider = provider;
  }

  public static AdminAuth create(Vertx vertx, NodeConfig config) {
    return new AdminAuth(JwtSecurity.provider(vertx, config));
  }

  public static AdminAuth create(JWTAuth provider) {
    return new AdminAuth(provider);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length()) || header.length() == BEARER.length()) {
      unauthorized(ctx, "This endpoint needs a bearer token with the admin role (sagabus token --subject NAME --role admin).");
      return;
    }
    provider.authenticate(new TokenCredentials(header.substring(BEARER.length()).trim()))
        .onSuccess(user -> {
          if (roles(user).contains(JwtSecurity.ADMIN_ROLE)) {
            ctx.put(SUBJECT_KEY, user.subject());
            ctx.next();
          } else {
            Problems.send(ctx, 403, "forbidden", "Forbidden", "The token's subject lacks the admin role.");
          }
        })
        .onFailure(failure -> unauthorized(ctx, "The bearer token is invalid or expired."));
  }

  private static JsonArray roles(User user) {
    JsonObject principal = user.principal();
    Object roles = principal == null ? null : principal.getValue(JwtSecurity.ROLES_CLAIM);
    if (roles == null) {
      JsonObject token = user.attributes() == null ? null : user.attributes().getJsonObject("accessToken");
      roles = token == null ? null : token.getValue(JwtSecurity.ROLES_CLAIM);
    }
    return roles instanceof JsonArray array ? array : new JsonArray();
  }

  private static void unauthorized(RoutingContext ctx, String detail) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"sagabus-admin\"");
    Problems.send(ctx, 401, "unauthorized", "Unauthorized", detail);
  }
}
