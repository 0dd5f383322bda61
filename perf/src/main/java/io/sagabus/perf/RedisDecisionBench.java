package io.sagabus.perf;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.sagabus.ratelimit.BucketPolicy;
import io.sagabus.ratelimit.RedisBuckets;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Redis-backed decisions per second with a fixed number in flight, spread over many keys: sagabus's Lua script
 * over one pipelined Vert.x connection, or Bucket4j's Lettuce proxy (compare-and-swap). Usage:
 * {@code RedisDecisionBench sagabus|bucket4j|print-script <host> <port> <seconds> <inFlight> <keys>}.
 */
public final class RedisDecisionBench {

  static final int QUOTA = 1_000;

  public static void main(String[] args) throws Exception {
    if (args[0].equals("print-script")) {
      System.out.print(RedisBuckets.SCRIPT);
      return;
    }
    String host = args[1];
    int port = Integer.parseInt(args[2]);
    int seconds = Integer.parseInt(args[3]);
    int inFlight = Integer.parseInt(args[4]);
    int keys = Integer.parseInt(args[5]);
    String prefix = "sagabus-bench-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    double perSecond = switch (args[0]) {
      case "sagabus" -> sagabus(host, port, seconds, inFlight, keys, prefix);
      case "bucket4j" -> bucket4j(host, port, seconds, inFlight, keys, prefix);
      case "vertx-evalsha" -> vertxEvalsha(host, port, seconds, inFlight, keys, prefix);
      default -> throw new IllegalArgumentException("sagabus, bucket4j or print-script");
    };
    System.out.printf("RESULT %s decisions/s=%.0f inFlight=%d keys=%d seconds=%d%n", args[0], perSecond, inFlight, keys, seconds);
    System.exit(0);
  }

  private static double sagabus(String host, int port, int seconds, int inFlight, int keys, String prefix) throws Exception {
    Vertx vertx = Vertx.vertx();
    Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://" + host + ":" + port).setMaxPoolWaiting(4096));
    Context context = vertx.getOrCreateContext();
    BucketPolicy policy = new BucketPolicy("bench", QUOTA, 1, QUOTA);
    AtomicLong done = new AtomicLong();
    RedisBuckets[] buckets = new RedisBuckets[1];
    context.runOnContext(ignored -> buckets[0] = new RedisBuckets(vertx, client, prefix, null, 10_000));
    Thread.sleep(100);
    long[] deadline = {System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 2)};
    CountDownLatch finished = new CountDownLatch(inFlight);
    Runnable[] loop = new Runnable[1];
    loop[0] = () -> {
      if (System.nanoTime() > deadline[0]) {
        finished.countDown();
        return;
      }
      buckets[0].take("k" + ThreadLocalRandom.current().nextInt(keys), policy, 1).onComplete(result -> {
        if (result.failed()) {
          throw new IllegalStateException(result.cause());
        }
        done.incrementAndGet();
        loop[0].run();
      });
    };
    context.runOnContext(ignored -> {
      for (int i = 0; i < inFlight; i++) {
        loop[0].run();
      }
    });
    double rate = measure(done, seconds);
    finished.await(30, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
    return rate;
  }

  /** The same script through the bare Vert.x client on one connection: the ceiling our adapter sits on. */
  private static double vertxEvalsha(String host, int port, int seconds, int inFlight, int keys, String prefix) throws Exception {
    Vertx vertx = Vertx.vertx();
    Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://" + host + ":" + port).setMaxPoolWaiting(4096));
    client.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.SCRIPT).arg("LOAD").arg(RedisBuckets.SCRIPT)).await(10, TimeUnit.SECONDS);
    io.vertx.redis.client.RedisConnection connection = client.connect().await(10, TimeUnit.SECONDS);
    AtomicLong done = new AtomicLong();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 2);
    CountDownLatch finished = new CountDownLatch(inFlight);
    Runnable[] loop = new Runnable[1];
    loop[0] = () -> {
      if (System.nanoTime() > deadline) {
        finished.countDown();
        return;
      }
      connection.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.EVALSHA).arg(RedisBuckets.SCRIPT_SHA).arg(1)
              .arg(prefix + "k" + ThreadLocalRandom.current().nextInt(keys)).arg(QUOTA).arg("1.0").arg(1).arg("-1"))
          .onComplete(result -> {
            if (result.failed()) {
              throw new IllegalStateException(result.cause());
            }
            done.incrementAndGet();
            loop[0].run();
          });
    };
    vertx.runOnContext(ignored -> {
      for (int i = 0; i < inFlight; i++) {
        loop[0].run();
      }
    });
    double rate = measure(done, seconds);
    finished.await(30, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
    return rate;
  }

  private static double bucket4j(String host, int port, int seconds, int inFlight, int keys, String prefix) throws Exception {
    RedisClient client = RedisClient.create("redis://" + host + ":" + port);
    StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
    var proxyManager = Bucket4jLettuce.casBasedBuilder(connection)
        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
        .build();
    BucketConfiguration configuration = BucketConfiguration.builder()
        .addLimit(Bandwidth.builder().capacity(QUOTA).refillGreedy(QUOTA, Duration.ofSeconds(1)).build())
        .build();
    AsyncBucketProxy[] proxies = new AsyncBucketProxy[keys];
    for (int i = 0; i < keys; i++) {
      proxies[i] = proxyManager.asAsync().builder().build((prefix + "k" + i).getBytes(StandardCharsets.UTF_8), configuration);
    }
    AtomicLong done = new AtomicLong();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 2);
    CountDownLatch finished = new CountDownLatch(inFlight);
    Runnable[] loop = new Runnable[1];
    loop[0] = () -> {
      if (System.nanoTime() > deadline) {
        finished.countDown();
        return;
      }
      proxies[ThreadLocalRandom.current().nextInt(keys)].tryConsume(1).whenComplete((allowed, failure) -> {
        if (failure != null) {
          failure.printStackTrace();
          finished.countDown();
          return;
        }
        done.incrementAndGet();
        loop[0].run();
      });
    };
    for (int i = 0; i < inFlight; i++) {
      loop[0].run();
    }
    double rate = measure(done, seconds);
    finished.await(30, TimeUnit.SECONDS);
    connection.close();
    client.shutdown();
    return rate;
  }

  /** Two seconds of warm-up, then the count over {@code seconds}. */
  private static double measure(AtomicLong done, int seconds) throws InterruptedException {
    Thread.sleep(2_000);
    long startCount = done.get();
    long start = System.nanoTime();
    Thread.sleep(seconds * 1_000L);
    long count = done.get() - startCount;
    return count / ((System.nanoTime() - start) / 1e9);
  }

  private RedisDecisionBench() {}
}
