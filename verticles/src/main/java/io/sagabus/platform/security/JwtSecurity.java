package io.sagabus.platform.security;

import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.config.NodeConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HS256 JWTs signed with {@code security.jwtSecret} (env {@code SAGABUS_JWT_SECRET}). A profile without a key gets
 * a built-in development key, with a warning, unless it sets {@code security.required}; production does. Neither
 * the key nor any token is ever logged.
 */
public final class JwtSecurity {

  public static final String SECTION = "security";
  public static final String ROLES_CLAIM = "roles";
  public static final String ADMIN_ROLE = "admin";
  static final int MIN_SECRET_LENGTH = 32;
  private static final String DEV_SECRET = "sagabus-development-key-not-secret-0123456789";
  private static final Logger LOG = LoggerFactory.getLogger(JwtSecurity.class);

  private JwtSecurity() {}

  /** The signing key from config, validated; the development key when none is set and the profile allows it. */
  public static String secret(NodeConfig config) {
    ConfigReader section = config.section(SECTION);
    String secret = section.string("jwtSecret", null);
    if (secret == null) {
      if (section.bool("required", false)) {
        throw new ConfigException(section.key("jwtSecret"), "is required by this profile (set SAGABUS_JWT_SECRET)");
      }
      return DEV_SECRET;
    }
    if (secret.length() < MIN_SECRET_LENGTH) {
      throw new ConfigException(section.key("jwtSecret"), "must be at least " + MIN_SECRET_LENGTH + " characters for HS256 (value not shown)");
    }
    return secret;
  }

  /**
   * Warns when admin tokens would be signed with the development key. Called once by whoever starts the signing (a
   * node's gateway, the token command), not by {@link #secret}, which every gateway instance calls.
   */
  public static void warnIfDevelopmentKey(NodeConfig config) {
    if (config.section(SECTION).string("jwtSecret", null) == null) {
      LOG.warn("security.jwtSecret is not set: admin tokens are signed with the built-in DEVELOPMENT key, which is "
          + "public. Set SAGABUS_JWT_SECRET (at least {} characters) before exposing this node.", MIN_SECRET_LENGTH);
    }
  }

  public static JWTAuth provider(Vertx vertx, NodeConfig config) {
    return provider(vertx, secret(config));
  }

  public static JWTAuth provider(Vertx vertx, String secret) {
    return JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  /** A signed token for {@code subject} carrying {@code roles}, valid for {@code ttl}. */
  public static String mint(JWTAuth provider, String subject, List<String> roles, Duration ttl) {
    return provider.generateToken(
        new JsonObject().put(ROLES_CLAIM, new JsonArray(List.copyOf(roles))),
        new JWTOptions().setAlgorithm("HS256").setSubject(subject).setExpiresInSeconds((int) Math.min(Integer.MAX_VALUE, ttl.toSeconds())));
  }
}
