package io.sagabus.perf;

import com.hazelcast.config.Config;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sagabus.platform.resilience.ResilienceClock;
import io.sagabus.platform.resilience.ResilienceSettings;
import io.sagabus.platform.resilience.ResilientCaller;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Event-bus request/reply (JSON bodies), with a fixed number of requests in flight, issued from an event-loop
 * context as a service would: bare, through sagabus's resilience stack, and through Resilience4j CircuitBreaker +
 * Bulkhead (their permission API, the cheapest way to wrap an async call), all in one run. {@code topology=local}
 * answers in the same Vert.x; {@code clustered} answers from a second Hazelcast-clustered Vert.x over loopback TCP,
 * as a participant on another node does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class ResilienceBenchmark {

  static final int BATCH = 2_000;
  static final int IN_FLIGHT = 32;
  static final String ADDRESS = "bench.echo";
  static final long SEND_TIMEOUT_MS = 5_000;

  @Param({"local", "clustered"})
  String topology = "local";

  Vertx vertx;
  Vertx responder;
  Context context;
  JsonObject body;
  DeliveryOptions options;
  ResilientCaller caller;
  CircuitBreaker r4jBreaker;
  Bulkhead r4jBulkhead;
  io.vertx.circuitbreaker.CircuitBreaker vertxBreaker;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    if (topology.equals("clustered")) {
      String cluster = "bench-" + UUID.randomUUID();
      int port = 20_000 + ThreadLocalRandom.current().nextInt(20_000);
      vertx = clustered(cluster, port);
      responder = clustered(cluster, port);
    } else {
      vertx = Vertx.vertx();
      responder = vertx;
    }
    Vertx echo = responder;
    echo.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        return echo.eventBus().<JsonObject>consumer(ADDRESS, message -> message.reply(message.body())).completion();
      }
    }).toCompletionStage().toCompletableFuture().get();
    context = vertx.getOrCreateContext();
    body = new JsonObject().put("sagaId", "00000000-0000-0000-0000-000000000001").put("step", "reserve").put("sku", "SKU-APPLE").put("quantity", 2);
    options = new DeliveryOptions().setSendTimeout(SEND_TIMEOUT_MS);
    caller = ResilientCaller.create(vertx, ResilienceSettings.builtIn(), new SimpleMeterRegistry(),
        ResilienceClock.system(vertx), () -> ThreadLocalRandom.current().nextDouble());
    r4jBreaker = CircuitBreaker.of("bench", CircuitBreakerConfig.ofDefaults());
    r4jBulkhead = Bulkhead.of("bench", BulkheadConfig.custom().maxConcurrentCalls(64).maxWaitDuration(Duration.ZERO).build());
    vertxBreaker = io.vertx.circuitbreaker.CircuitBreaker.create("bench", vertx, new CircuitBreakerOptions().setTimeout(SEND_TIMEOUT_MS).setMaxFailures(50));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
    if (responder != vertx) {
      responder.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  /** A Vert.x in a private loopback Hazelcast cluster of two. */
  private static Vertx clustered(String cluster, int port) throws Exception {
    Config config = ConfigUtil.loadConfig().setClusterName(cluster);
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.logging.type", "none");
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(true);
    config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(List.of("127.0.0.1:" + port, "127.0.0.1:" + (port + 1)));
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1").setClusterPublicHost("127.0.0.1");
    return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(config)).buildClustered()
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void bareRequest() {
    drive(() -> vertx.eventBus().request(ADDRESS, body, options));
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void sagabusStack() {
    drive(() -> caller.request("bench", ADDRESS, body));
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void sagabusStackOpaqueSupplier() {
    drive(() -> caller.call("bench-supplier", () -> vertx.eventBus().request(ADDRESS, body, options)));
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void resilience4jBreakerAndBulkhead() {
    drive(this::resilience4jRequest);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void vertxCircuitBreakerExecute() {
    drive(() -> vertxBreaker.execute(() -> vertx.eventBus().request(ADDRESS, body, options)));
  }

  private Future<Message<Object>> resilience4jRequest() {
    if (!r4jBulkhead.tryAcquirePermission()) {
      return Future.failedFuture("bulkhead full");
    }
    if (!r4jBreaker.tryAcquirePermission()) {
      r4jBulkhead.onComplete();
      return Future.failedFuture("circuit open");
    }
    long start = r4jBreaker.getCurrentTimestamp();
    Promise<Message<Object>> result = Promise.promise();
    vertx.eventBus().request(ADDRESS, body, options).onComplete(outcome -> {
      long duration = r4jBreaker.getCurrentTimestamp() - start;
      if (outcome.succeeded()) {
        r4jBreaker.onSuccess(duration, r4jBreaker.getTimestampUnit());
      } else {
        r4jBreaker.onError(duration, r4jBreaker.getTimestampUnit(), outcome.cause());
      }
      r4jBulkhead.onComplete();
      result.handle(outcome);
    });
    return result.future();
  }

  /** Runs BATCH requests on the event loop, IN_FLIGHT at a time, and waits for the last reply. */
  private void drive(Supplier<Future<?>> request) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(ignored -> new Batch(request, done).start());
    done.join();
  }

  private static final class Batch {
    private final Supplier<Future<?>> request;
    private final CompletableFuture<Void> done;
    private int issued;
    private int completed;
    private int failed;

    Batch(Supplier<Future<?>> request, CompletableFuture<Void> done) {
      this.request = request;
      this.done = done;
    }

    void start() {
      for (int i = 0; i < IN_FLIGHT; i++) {
        issue();
      }
    }

    private void issue() {
      issued++;
      request.get().onComplete(outcome -> {
        completed++;
        if (outcome.failed()) {
          failed++;
        }
        if (issued < BATCH) {
          issue();
        } else if (completed == BATCH) {
          if (failed > 0) {
            done.completeExceptionally(new IllegalStateException(failed + " of " + BATCH + " requests failed"));
          } else {
            done.complete(null);
          }
        }
      });
    }
  }
}
