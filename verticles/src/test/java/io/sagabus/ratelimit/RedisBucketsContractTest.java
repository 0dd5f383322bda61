package io.sagabus.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Runs the contract against the shared Redis on 127.0.0.1:6379, under a key prefix of its own. */
class RedisBucketsContractTest extends RateLimitBackendContract {

  static final String REDIS_URL = System.getProperty("sagabus.test.redis", "redis://127.0.0.1:6379");
  private Redis client;

  @Override
  protected RateLimitBackend create(Vertx vertx, AtomicLong now) {
    client = Redis.createClient(vertx, REDIS_URL);
    return new RedisBuckets(vertx, client, "sagabus-test:", now::get, 2_000);
  }

  @Test
  void bucket_expiresOnceItWouldBeFullAgain() {
    take(key("ttl"), new BucketPolicy("free", 60, 60, 10), 4);
    long ttl = onContext(() -> client.send(Request.cmd(Command.PTTL).arg("sagabus-test:" + key("ttl")))).toLong();
    assertThat(ttl).as("4 s to refill 4 tokens, plus 1 s slack").isBetween(4_000L, 5_000L);
  }

  @Test
  void serverTime_isUsedWhenNoClockIsInjected() {
    RedisBuckets serverClock = new RedisBuckets(vertx, client, "sagabus-test:", null, 2_000);
    BucketPolicy slow = new BucketPolicy("slow", 1, 3_600, 2);
    String key = key("server-time");
    assertThat(onContext(() -> serverClock.take(key, slow, 1)).allowed()).isTrue();
    assertThat(onContext(() -> serverClock.take(key, slow, 1)).allowed()).isTrue();
    assertThat(onContext(() -> serverClock.take(key, slow, 1)).allowed()).isFalse();
  }
}
