package io.sagabus.perf;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sagabus.platform.resilience.ResilienceClock;
import io.sagabus.platform.resilience.ResilienceSettings;
import io.sagabus.platform.resilience.ResilientCaller;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The CPU cost a protection layer adds to one call, with the call itself taken out: the operation returns an
 * already-completed future. Single-threaded and allocation-light, so it is far less sensitive than the end-to-end
 * benchmark to other load on the machine. Divide by the cost of a bare event-bus request to get the overhead.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class ResilienceOverheadBenchmark {

  static final Future<String> ANSWER = Future.succeededFuture("ok");

  Vertx vertx;
  ResilientCaller caller;
  CircuitBreaker r4jBreaker;
  Bulkhead r4jBulkhead;

  @Setup(Level.Trial)
  public void setUp() {
    vertx = Vertx.vertx();
    caller = ResilientCaller.create(vertx, ResilienceSettings.builtIn(), new SimpleMeterRegistry(),
        ResilienceClock.system(vertx), () -> ThreadLocalRandom.current().nextDouble());
    r4jBreaker = CircuitBreaker.of("bench", CircuitBreakerConfig.ofDefaults());
    r4jBulkhead = Bulkhead.of("bench", BulkheadConfig.custom().maxConcurrentCalls(64).maxWaitDuration(Duration.ZERO).build());
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  @Benchmark
  public void unprotected(Blackhole sink) {
    Promise<String> result = Promise.promise();
    ANSWER.onComplete(result);
    result.future().onComplete(sink::consume);
  }

  @Benchmark
  public void sagabusStack(Blackhole sink) {
    caller.call("bench", remainingMs -> ANSWER).onComplete(sink::consume);
  }

  @Benchmark
  public void resilience4jBreakerAndBulkhead(Blackhole sink) {
    if (!r4jBulkhead.tryAcquirePermission()) {
      throw new IllegalStateException("bulkhead full");
    }
    if (!r4jBreaker.tryAcquirePermission()) {
      r4jBulkhead.onComplete();
      throw new IllegalStateException("circuit open");
    }
    long start = r4jBreaker.getCurrentTimestamp();
    Promise<String> result = Promise.promise();
    ANSWER.onComplete(outcome -> {
      long duration = r4jBreaker.getCurrentTimestamp() - start;
      if (outcome.succeeded()) {
        r4jBreaker.onSuccess(duration, r4jBreaker.getTimestampUnit());
      } else {
        r4jBreaker.onError(duration, r4jBreaker.getTimestampUnit(), outcome.cause());
      }
      r4jBulkhead.onComplete();
      result.handle(outcome);
    });
    result.future().onComplete(sink::consume);
  }
}
