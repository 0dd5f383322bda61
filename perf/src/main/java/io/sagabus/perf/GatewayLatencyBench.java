package io.sagabus.perf;

import io.sagabus.node.NodeLauncher;
import io.sagabus.node.RunningNode;
import io.sagabus.platform.config.NodeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import org.HdrHistogram.Histogram;

/**
 * The latency the rate-limit filter adds to a gateway request. Three standalone nodes in this JVM serve
 * {@code GET /api/inventory/SKU-APPLE}: one without rate limiting (baseline), one with local buckets, one with
 * Redis buckets. For each limiter: a closed loop finds its maximum throughput, then an open loop at half of it
 * sends requests alternately to the limiter node and the baseline node, so the machine runs at half load and both
 * sides share its noise; latency counts from the intended send time (no coordinated omission). The added p99 is
 * printed for the whole run and as the median over its one-second pairs, which a single stall cannot move. The limiter's own decision-latency timer is printed too. Usage:
 * {@code GatewayLatencyBench <redisUrl> <secondsPerPhase> [fixed req/s instead of half of max]}; {@code -DhttpInstances=N}
 * sets the gateway instances of every node (default: one per event loop, as a node runs).
 */
public final class GatewayLatencyBench {

  private static final String PATH = "/api/inventory/SKU-APPLE";
  private static final int CLOSED_LOOP_CONNECTIONS = 32;

  public static void main(String[] args) throws Exception {
    String redisUrl = args[0];
    int seconds = Integer.parseInt(args[1]);
    RunningNode baseline = start(null, null);
    RunningNode local = start("local", null);
    RunningNode redis = start("redis", redisUrl);
    Vertx clientVertx = Vertx.vertx();
    HttpClient http = clientVertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(64));
    HttpLoad load = new HttpLoad(clientVertx.getOrCreateContext());
    try {
      for (RunningNode node : List.of(baseline, local, redis)) {
        closedLoop(load, http, node, 3);
      }
      for (RunningNode limiter : List.of(local, redis)) {
        String name = limiter == local ? "local" : "redis";
        double max = closedLoop(load, http, limiter, 3);
        int halfLoad = args.length > 2 ? Integer.parseInt(args[2]) : (int) (max / 2);
        // Request by request, alternating between the limiter node and the baseline node: both sides see the
        // same GC pauses and scheduler delays, so the percentile difference is what the limiter adds.
        Histogram base = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        Histogram limited = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        List<Double> addedP99PerSecond = new ArrayList<>();
        for (int second = 0; second < seconds; second++) {
          List<HttpLoad.Result> pair = load.openLoop(halfLoad, 1_000, List.of(call(http, baseline), call(http, limiter)), status -> status == 200);
          warnOnFailures(pair);
          base.add(pair.get(0).latencyMicros());
          limited.add(pair.get(1).latencyMicros());
          addedP99PerSecond.add(pair.get(1).ms(99) - pair.get(0).ms(99));
        }
        Collections.sort(addedP99PerSecond);
        double medianAddedP99 = addedP99PerSecond.get(addedP99PerSecond.size() / 2);
        Timer decisions = limiter.context().metrics().find("sagabus.ratelimit.decision.latency").timer();
        double decisionP99 = Double.NaN;
        for (ValueAtPercentile value : decisions.takeSnapshot().percentileValues()) {
          if (value.percentile() == 0.99) {
            decisionP99 = value.value(TimeUnit.MILLISECONDS);
          }
        }
        double addedP99 = (limited.getValueAtPercentile(99) - base.getValueAtPercentile(99)) / 1000.0;
        double addedP50 = (limited.getValueAtPercentile(50) - base.getValueAtPercentile(50)) / 1000.0;
        System.out.printf("RESULT gateway-%s max=%.0f req/s halfLoad=%d req/s baseline p50=%.3f p99=%.3f p99.9=%.3f ms | with limiter p50=%.3f p99=%.3f p99.9=%.3f ms | added p50=%.3f p99=%.3f ms (median of %d one-second pairs: %.3f ms) | decision p99=%.3f ms%n",
            name, max, halfLoad, ms(base, 50), ms(base, 99), ms(base, 99.9), ms(limited, 50), ms(limited, 99), ms(limited, 99.9), addedP50, addedP99,
            seconds, medianAddedP99, decisionP99);
      }
    } finally {
      clientVertx.close().await(10, TimeUnit.SECONDS);
      for (RunningNode node : List.of(baseline, local, redis)) {
        node.vertx().close().await(10, TimeUnit.SECONDS);
      }
    }
    System.exit(0);
  }

  private static double ms(Histogram histogram, double percentile) {
    return histogram.getValueAtPercentile(percentile) / 1000.0;
  }

  private static RunningNode start(String backend, String redisUrl) throws Exception {
    JsonObject json = new JsonObject()
        .put("nodeName", "bench-" + (backend == null ? "baseline" : backend))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", HttpLoad.freePort())
            .put("instances", Integer.getInteger("httpInstances", VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE)))
        .put("roles", new JsonArray().add("inventory").add("ratelimit").add("gateway"))
        .put("ratelimit", new JsonObject()
            .put("enabled", backend != null)
            .put("backend", backend == null ? "local" : backend)
            .put("redis", new JsonObject().put("keyPrefix", "sagabus-bench-" + UUID.randomUUID().toString().substring(0, 8) + ":"))
            .put("tiers", new JsonObject().put("bench", new JsonObject().put("quota", 100_000_000).put("windowSeconds", 1).put("burst", 100_000_000)))
            .put("apiKeys", new JsonObject().put("bench-key", "bench")));
    if (redisUrl != null) {
      json.put("redis", new JsonObject().put("url", redisUrl));
    }
    return NodeLauncher.start(NodeConfig.from("bench", json), false).get(60, TimeUnit.SECONDS);
  }

  /** As many requests as CLOSED_LOOP_CONNECTIONS loops can complete; returns requests per second. */
  private static double closedLoop(HttpLoad load, HttpClient http, RunningNode node, int seconds) throws Exception {
    URI target = URI.create(node.httpUrl());
    return load.closedLoop(CLOSED_LOOP_CONNECTIONS, seconds, () -> get(http, target), status -> true).perSecond();
  }

  private static Supplier<Future<Integer>> call(HttpClient http, RunningNode node) {
    URI target = URI.create(node.httpUrl());
    return () -> get(http, target);
  }

  private static void warnOnFailures(List<HttpLoad.Result> results) {
    for (HttpLoad.Result result : results) {
      if (result.failures() > 0) {
        System.out.printf("WARN %d requests failed or were not 200, first: %s%n", result.failures(), result.firstFailure());
      }
    }
  }

  private static Future<Integer> get(HttpClient http, URI target) {
    return http.request(HttpMethod.GET, target.getPort(), target.getHost(), PATH)
        .compose(request -> request.putHeader("X-API-Key", "bench-key").send())
        .compose(response -> response.body().map(ignored -> response.statusCode()));
  }

  private GatewayLatencyBench() {}
}
