package io.sagabus.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.RoutingContext;

/** Admins present an HS256 bearer token signed with {@code security.jwtSecret} whose {@code roles} claim holds {@code admin}. */
public final class JwtAdminGuard implements AdminGuard {

  public static final String ADMIN_ROLE = "admin";

  private final JWTAuth jwt;

  public JwtAdminGuard(Vertx vertx, String secret) {
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  @Override
  public Future<Void> authorize(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
      return Future.failedFuture(new Denied(401, "A bearer token is required."));
    }
    return jwt.authenticate(new TokenCredentials(header.substring(7).trim()))
        .recover(failure -> Future.failedFuture(new Denied(401, "The bearer token is not valid.")))
        .compose(user -> {
          Object roles = user.principal().getValue("roles");
          boolean admin = roles instanceof JsonArray list ? list.contains(ADMIN_ROLE) : ADMIN_ROLE.equals(roles);
          return admin ? Future.<Void>succeededFuture() : Future.failedFuture(new Denied(403, "The token lacks the admin role."));
        });
  }
}
