package io.sagabus.ratelimit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Buckets in Redis, one atomic Lua script per decision. All commands go over one held connection, so concurrent
 * decisions are pipelined by the connection rather than waiting for each other's round trip. Not thread-safe: one
 * verticle's event loop uses an instance. A broken connection
 * is dropped and the next decision reconnects, so the backend heals by itself when Redis returns.
 */
public final class RedisBuckets implements RateLimitBackend {

  /**
   * KEYS[1] bucket hash; ARGV burst, tokens per ms, cost, now in ms (negative: use the server's TIME, one clock for
   * every node). Returns {allowed, tokens left}. Time never runs backwards for a bucket: an earlier now is clamped.
   */
  public static final String SCRIPT = """
      local burst = tonumber(ARGV[1])
      local rate = tonumber(ARGV[2])
      local cost = tonumber(ARGV[3])
      local now = tonumber(ARGV[4])
      if now < 0 then
        local t = redis.call('TIME')
        now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      end
      local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
      local tokens = tonumber(state[1])
      local ts = tonumber(state[2])
      if tokens == nil or ts == nil then
        tokens = burst
        ts = now
      end
      if now < ts then
        now = ts
      end
      tokens = math.min(burst, tokens + (now - ts) * rate)
      local allowed = 0
      if tokens + 1e-9 >= cost then
        tokens = math.max(0, tokens - cost)
        allowed = 1
      end
      redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
      redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 1000)
      return {allowed, tostring(tokens)}
      """;

  public static final String SCRIPT_SHA = sha1(SCRIPT);

  private final Redis client;
  private final String keyPrefix;
  private final LongSupplier clockOrNull;
  private final long timeoutNanos;
  private final Vertx vertx;
  private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
  private Future<RedisConnection> connection;
  private long watchdog = -1;

  private record Pending(Promise<Response> reply, long deadline) {}

  /**
   * @param clockOrNull null to use Redis server time (production); a clock only for deterministic tests
   */
  public RedisBuckets(Vertx vertx, Redis client, String keyPrefix, LongSupplier clockOrNull, long timeoutMillis) {
    this.vertx = vertx;
    this.client = client;
    this.keyPrefix = keyPrefix;
    this.clockOrNull = clockOrNull;
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
  }

  @Override
  public Future<Decision> take(String key, BucketPolicy policy, int cost) {
    String now = clockOrNull == null ? "-1" : Long.toString(clockOrNull.getAsLong());
    String redisKey = keyPrefix + key;
    String rate = Double.toString(policy.tokensPerMilli());
    Promise<Response> reply = Promise.promise();
    inFlight.addLast(new Pending(reply, System.nanoTime() + timeoutNanos));
    startWatchdog();
    connection()
        .compose(conn -> conn.send(Request.cmd(Command.EVALSHA).arg(SCRIPT_SHA).arg(1).arg(redisKey)
                .arg(policy.burst()).arg(rate).arg(cost).arg(now))
            .recover(failure -> isNoScript(failure)
                ? conn.send(Request.cmd(Command.EVAL).arg(SCRIPT).arg(1).arg(redisKey).arg(policy.burst()).arg(rate).arg(cost).arg(now))
                : Future.failedFuture(failure)))
        .onComplete(result -> {
          if (result.succeeded()) {
            reply.tryComplete(result.result());
          } else {
            reply.tryFail(result.cause());
          }
          while (!inFlight.isEmpty() && inFlight.peekFirst().reply.future().isComplete()) {
            inFlight.pollFirst();
          }
        });
    return reply.future()
        .onFailure(failure -> dropConnection())
        .map(response -> decision(response, policy, cost));
  }

  /**
   * One timer for all requests instead of one each: replies on a pipelined connection come back in order, so
   * the oldest pending request is the only one that can be overdue first.
   */
  private void startWatchdog() {
    if (watchdog < 0) {
      long period = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos) / 4);
      watchdog = vertx.setPeriodic(period, id -> expireOverdue());
    }
  }

  private void expireOverdue() {
    long now = System.nanoTime();
    while (!inFlight.isEmpty()) {
      Pending oldest = inFlight.peekFirst();
      if (oldest.reply.future().isComplete()) {
        inFlight.pollFirst();
      } else if (now - oldest.deadline >= 0) {
        inFlight.pollFirst();
        oldest.reply.tryFail(new TimeoutException("no reply from Redis within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"));
      } else {
        break;
      }
    }
  }

  @Override
  public String name() {
    return "redis";
  }

  public Future<Void> close() {
    if (watchdog >= 0) {
      vertx.cancelTimer(watchdog);
      watchdog = -1;
    }
    Future<RedisConnection> held = connection;
    connection = null;
    return held == null ? Future.succeededFuture() : held.compose(RedisConnection::close).recover(ignored -> Future.succeededFuture());
  }

  private Future<RedisConnection> connection() {
    if (connection == null) {
      Future<RedisConnection> connecting = client.connect();
      connection = connecting;
      connecting.onSuccess(conn -> {
        conn.exceptionHandler(failure -> forget(connecting));
        conn.endHandler(ignored -> forget(connecting));
      }).onFailure(failure -> forget(connecting));
    }
    return connection;
  }

  private void forget(Future<RedisConnection> broken) {
    if (connection == broken) {
      connection = null;
    }
  }

  /** A command that failed or timed out may have left the connection unusable; the next decision opens a fresh one. */
  private void dropConnection() {
    Future<RedisConnection> held = connection;
    connection = null;
    if (held != null) {
      held.onSuccess(conn -> conn.close());
    }
  }

  private static Decision decision(Response reply, BucketPolicy policy, int cost) {
    boolean allowed = reply.get(0).toInteger() == 1;
    double tokens = Double.parseDouble(reply.get(1).toString());
    return new Decision(allowed, tokens, policy, cost, false);
  }

  private static boolean isNoScript(Throwable failure) {
    return failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT");
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
