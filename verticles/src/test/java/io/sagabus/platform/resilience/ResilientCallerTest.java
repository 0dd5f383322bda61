package io.sagabus.platform.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.eventbus.FailureCodes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ResilientCallerTest {

  private static Vertx vertx;
  private final ManualClock clock = new ManualClock();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final AtomicInteger attempts = new AtomicInteger();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  private ResilientCaller caller(JsonObject paymentPolicy) {
    return ResilientCaller.create(vertx,
        ResilienceSettings.fromSection(new JsonObject().put("targets", new JsonObject().put("payment", paymentPolicy))),
        metrics, clock, () -> 0.5);
  }

  private static JsonObject policy(int windowSize, int minimumCalls, int failureRate) {
    return new JsonObject()
        .put("circuit", new JsonObject()
            .put("slidingWindowSize", windowSize).put("minimumNumberOfCalls", minimumCalls)
            .put("failureRateThreshold", failureRate).put("waitDurationInOpenStateMs", 60_000))
        .put("retry", new JsonObject().put("maxAttempts", 1));
  }

  private Future<String> succeed(ResilientCaller caller) {
    return caller.call("payment", remaining -> {
      attempts.incrementAndGet();
      return Future.succeededFuture("ok");
    });
  }

  private Future<String> fail(ResilientCaller caller, int code) {
    return caller.call("payment", remaining -> {
      attempts.incrementAndGet();
      return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, "payment failed"));
    });
  }

  private Future<String> slow(ResilientCaller caller, long ms) {
    return caller.call("payment", remaining -> {
      attempts.incrementAndGet();
      clock.advanceMs(ms);
      return Future.succeededFuture("late");
    });
  }

  @Test
  void circuitOpens_whenFailureRateReachesThreshold_onlyOnceMinimumCallsAreIn() {
    ResilientCaller caller = caller(policy(10, 10, 50));
    for (int i = 0; i < 9; i++) {
      fail(caller, FailureCodes.INTERNAL);
    }
    assertThat(caller.circuitState("payment")).as("9 failures, below the minimum of 10 calls").isEqualTo(CircuitState.CLOSED);

    fail(caller, FailureCodes.INTERNAL);
    assertThat(caller.circuitState("payment")).isEqualTo(CircuitState.OPEN);
    assertThat(caller.isOpen("payment")).isTrue();

    int before = attempts.get();
    Future<String> refused = succeed(caller);
    assertThat(refused.cause()).isInstanceOf(CircuitOpenException.class);
    assertThat(((ReplyException) refused.cause()).failureCode()).isEqualTo(FailureCodes.UNAVAILABLE);
    assertThat(attempts.get()).as("an open circuit does not call the target").isEqualTo(before);
    assertThat(metrics.get("sagabus_circuit_state").tag("target", "payment").gauge().value()).isEqualTo(1.0);
    assertThat(metrics.get("sagabus_resilience_calls").tags("target", "payment", "outcome", "circuit_open").counter().count()).isEqualTo(1.0);
  }

  @Test
  void circuitStaysClosed_whenFailureRateIsBelowThreshold() {
    ResilientCaller caller = caller(policy(10, 10, 50));
    for (int i = 0; i < 40; i++) {
      if (i % 10 < 4) {
        fail(caller, FailureCodes.UNAVAILABLE);
      } else {
        succeed(caller);
      }
    }
    assertThat(caller.circuitState("payment")).isEqualTo(CircuitState.CLOSED);
    assertThat(caller.snapshot("payment").getJsonObject("window").getDouble("failureRate")).isEqualTo(40.0);
  }

  @Test
  void businessRefusals_areNotRetried_andDoNotOpenTheCircuit() {
    ResilientCaller caller = caller(policy(10, 10, 50).put("retry", new JsonObject().put("maxAttempts", 3)));
    for (int i = 0; i < 30; i++) {
      Future<String> refused = fail(caller, FailureCodes.REJECTED);
      assertThat(((ReplyException) refused.cause()).failureCode()).isEqualTo(FailureCodes.REJECTED);
    }
    assertThat(attempts.get()).as("422 is final: one attempt per call").isEqualTo(30);
    assertThat(caller.circuitState("payment")).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void circuitOpens_whenSlowCallRateReachesThreshold() {
    ResilientCaller caller = caller(policy(4, 4, 100).put("circuit", new JsonObject()
        .put("slidingWindowSize", 4).put("minimumNumberOfCalls", 4).put("slowCallDurationMs", 100)
        .put("slowCallRateThreshold", 50).put("waitDurationInOpenStateMs", 60_000)));
    slow(caller, 150);
    succeed(caller);
    slow(caller, 100);
    assertThat(caller.circuitState("payment")).as("3 calls, below the minimum of 4").isEqualTo(CircuitState.CLOSED);
    slow(caller, 99);
    assertThat(caller.circuitState("payment")).as("2 of 4 calls took at least 100 ms").isEqualTo(CircuitState.OPEN);
    assertThat(caller.snapshot("payment").getLong("slowCalls")).isEqualTo(2);
  }

  @Test
  void circuitHalfOpensAfterWaitDuration_andClosesWhenTrialCallsSucceed() {
    ResilientCaller caller = caller(new JsonObject()
        .put("circuit", new JsonObject().put("slidingWindowSize", 2).put("minimumNumberOfCalls", 2)
            .put("waitDurationInOpenStateMs", 1_000).put("permittedCallsInHalfOpenState", 2))
        .put("retry", new JsonObject().put("maxAttempts", 1)));
    List<CircuitState> transitions = new CopyOnWriteArrayList<>();
    caller.onStateChange((target, from, to) -> transitions.add(to));
    fail(caller, 500);
    fail(caller, 500);
    assertThat(caller.circuitState("payment")).isEqualTo(CircuitState.OPEN);
    assertThat(succeed(caller).failed()).as("still open right after tripping").isTrue();

    await().atMost(Duration.ofSeconds(10)).until(() -> caller.circuitState("payment") == CircuitState.HALF_OPEN);
    Promise<String> trial1 = Promise.promise();
    Promise<String> trial2 = Promise.promise();
    Future<String> first = caller.call("payment", remaining -> trial1.future());
    Future<String> second = caller.call("payment", remaining -> trial2.future());
    Future<String> third = succeed(caller);
    assertThat(third.cause()).as("only 2 trial calls while half-open").isInstanceOf(CircuitOpenException.class);
    trial1.complete("ok");
    assertThat(caller.circuitState("payment")).as("waits for every trial").isEqualTo(CircuitState.HALF_OPEN);
    trial2.complete("ok");
    assertThat(first.succeeded() && second.succeeded()).isTrue();
    assertThat(caller.circuitState("payment")).isEqualTo(CircuitState.CLOSED);
    assertThat(transitions).containsExactly(CircuitState.OPEN, CircuitState.HALF_OPEN, CircuitState.CLOSED);
  }

  @Test
  void failedTrialCall_reopensTheCircuit() {
    ResilientCaller caller = caller(new JsonObject()
        .put("circuit", new JsonObject().put("slidingWindowSize", 2).put("minimumNumberOfCalls", 2)
            .put("waitDurationInOpenStateMs", 200).put("permittedCallsInHalfOpenState", 1))
        .put("retry", new JsonObject().put("maxAttempts", 1)));
    List<CircuitState> transitions = new CopyOnWriteArrayList<>();
    caller.onStateChange((target, from, to) -> transitions.add(to));
    fail(caller, 503);
    fail(caller, 503);
    await().atMost(Duration.ofSeconds(10)).until(() -> caller.circuitState("payment") == CircuitState.HALF_OPEN);
    fail(caller, 503);
    assertThat(caller.circuitState("payment")).isEqualTo(CircuitState.OPEN);
    await().atMost(Duration.ofSeconds(10)).until(() -> caller.circuitState("payment") == CircuitState.HALF_OPEN);
    succeed(caller);
    assertThat(caller.circuitState("payment")).isEqualTo(CircuitState.CLOSED);
    assertThat(transitions).containsExactly(CircuitState.OPEN, CircuitState.HALF_OPEN, CircuitState.OPEN, CircuitState.HALF_OPEN, CircuitState.CLOSED);
  }

  @Test
  void bulkheadRejectsBeyondConcurrencyAndQueue_atOnce_andNeverQueuesMore() {
    ResilientCaller caller = caller(new JsonObject().put("bulkhead", new JsonObject().put("maxConcurrent", 2).put("maxQueue", 3)));
    List<Promise<String>> running = new CopyOnWriteArrayList<>();
    List<Future<String>> calls = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      calls.add(caller.call("payment", remaining -> {
        Promise<String> promise = Promise.promise();
        running.add(promise);
        return promise.future();
      }));
    }
    long rejectedAtOnce = calls.stream().filter(call -> call.failed() && call.cause() instanceof BulkheadFullException).count();
    assertThat(rejectedAtOnce).isEqualTo(995);
    assertThat(running).hasSize(2);
    JsonObject snapshot = caller.snapshot("payment");
    assertThat(snapshot.getInteger("inFlight")).isEqualTo(2);
    assertThat(snapshot.getInteger("queued")).isEqualTo(3);
    assertThat(snapshot.getLong("bulkheadRejections")).isEqualTo(995);
    assertThat(metrics.get("sagabus_bulkhead_rejections").tag("target", "payment").counter().count()).isEqualTo(995);

    running.get(0).complete("done");
    running.get(1).complete("done");
    await().atMost(Duration.ofSeconds(5)).until(() -> running.size() == 4);
    running.forEach(promise -> promise.tryComplete("done"));
    await().atMost(Duration.ofSeconds(5)).until(() -> running.size() == 5);
    running.forEach(promise -> promise.tryComplete("done"));
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.stream().filter(Future::succeeded).count() == 5);
    assertThat(caller.snapshot("payment").getInteger("inFlight")).isZero();
  }

  @Test
  void bulkheadUnderConcurrentCallers_neverExceedsItsLimit_andStrandsNoQueuedCall() throws Exception {
    ResilientCaller caller = caller(new JsonObject().put("bulkhead", new JsonObject().put("maxConcurrent", 3).put("maxQueue", 5)));
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    List<Future<String>> calls = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 2_000; i++) {
          calls.add(caller.call("payment", remaining -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            Promise<String> answer = Promise.promise();
            vertx.runOnContext(ignored -> {
              running.decrementAndGet();
              answer.complete("ok");
            });
            return answer.future();
          }));
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> calls.stream().allMatch(Future::isComplete));
    assertThat(maxRunning.get()).isLessThanOrEqualTo(3);
    assertThat(calls).allMatch(call -> call.succeeded() || call.cause() instanceof BulkheadFullException);
    assertThat(calls.stream().filter(Future::succeeded).count()).isGreaterThanOrEqualTo(3);
    JsonObject snapshot = caller.snapshot("payment");
    assertThat(snapshot.getInteger("inFlight")).isZero();
    assertThat(snapshot.getInteger("queued")).isZero();
  }

  @Test
  void retryDelays_growExponentially_upToTheCap() {
    ResilientCaller caller = caller(new JsonObject()
        .put("timeoutMs", 60_000)
        .put("retry", new JsonObject().put("maxAttempts", 5).put("initialDelayMs", 100).put("multiplier", 2.0)
            .put("maxDelayMs", 350).put("jitter", 0.0)));
    Future<String> call = fail(caller, FailureCodes.UNAVAILABLE);
    assertThat(attempts.get()).isEqualTo(5);
    assertThat(clock.scheduledDelaysMs).containsExactly(100L, 200L, 350L, 350L);
    assertThat(((ReplyException) call.cause()).failureCode()).isEqualTo(FailureCodes.UNAVAILABLE);
    assertThat(caller.snapshot("payment").getLong("retries")).isEqualTo(4);
    assertThat(metrics.get("sagabus_resilience_retries").tag("target", "payment").counter().count()).isEqualTo(4);
  }

  @Test
  void retryJitter_staysWithinItsBounds() {
    TargetPolicy.Retry retry = new TargetPolicy.Retry(10, 100, 2.0, 1_000, 0.5);
    assertThat(retry.delayMs(1, 0.0)).isEqualTo(50);
    assertThat(retry.delayMs(1, 0.5)).isEqualTo(100);
    assertThat(retry.delayMs(2, 0.999_999)).isEqualTo(300);
    assertThat(retry.delayMs(5, 0.999_999)).as("capped at maxDelayMs").isEqualTo(1_000);
    for (int attempt = 1; attempt <= 6; attempt++) {
      double base = Math.min(1_000, 100 * Math.pow(2, attempt - 1));
      for (int i = 0; i < 500; i++) {
        assertThat(retry.delayMs(attempt, Math.random())).isBetween(Math.round(base * 0.5), Math.min(1_000, Math.round(base * 1.5)));
      }
    }
  }

  @Test
  void retriesStop_whenTheNextDelayWouldPassTheDeadline() {
    ResilientCaller caller = caller(new JsonObject()
        .put("timeoutMs", 250)
        .put("retry", new JsonObject().put("maxAttempts", 10).put("initialDelayMs", 100).put("multiplier", 2.0).put("jitter", 0.0)));
    Future<String> call = fail(caller, FailureCodes.INTERNAL);
    assertThat(clock.scheduledDelaysMs).as("100 ms fits in 250 ms; 100 + 200 does not").containsExactly(100L);
    assertThat(attempts.get()).isEqualTo(2);
    assertThat(call.failed()).isTrue();
  }

  @Test
  void callFailsWithTimeout_whenTheTargetNeverAnswers() {
    ResilientCaller caller = ResilientCaller.create(vertx,
        ResilienceSettings.fromSection(new JsonObject().put("defaults", new JsonObject().put("timeoutMs", 100)
            .put("retry", new JsonObject().put("maxAttempts", 1)))),
        metrics, ResilienceClock.system(vertx), Math::random);
    Future<String> call = caller.call("payment", () -> Promise.<String>promise().future());
    Throwable failure = Assertions.catchThrowable(() -> call.await());
    assertThat(failure).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) failure).failureType()).isEqualTo(ReplyFailure.TIMEOUT);
    assertThat(metrics.get("sagabus_resilience_calls").tags("target", "payment", "outcome", "timeout").counter().count()).isEqualTo(1.0);
  }

  @Test
  void attemptTimeout_leavesTimeToRetryAnAttemptThatGotNoAnswer() {
    ResilientCaller caller = ResilientCaller.create(vertx,
        ResilienceSettings.fromSection(new JsonObject().put("defaults", new JsonObject()
            .put("timeoutMs", 5_000).put("attemptTimeoutMs", 100)
            .put("retry", new JsonObject().put("maxAttempts", 3).put("initialDelayMs", 10).put("jitter", 0.0)))),
        metrics, ResilienceClock.system(vertx), Math::random);
    Future<String> call = caller.call("payment", () -> attempts.incrementAndGet() == 1
        ? Promise.<String>promise().future()
        : Future.succeededFuture("second attempt"));
    assertThat(call.await()).isEqualTo("second attempt");
    assertThat(attempts.get()).isEqualTo(2);
  }

  @Test
  void settingsChangedAtRuntime_applyToTheNextCall_withoutRestart() {
    ResilientCaller caller = caller(new JsonObject().put("bulkhead", new JsonObject().put("maxConcurrent", 1).put("maxQueue", 0)));
    Promise<String> blocking = Promise.promise();
    caller.call("payment", remaining -> blocking.future());
    assertThat(succeed(caller).cause()).isInstanceOf(BulkheadFullException.class);

    caller.update(ResilienceSettings.fromSection(new JsonObject().put("targets", new JsonObject()
        .put("payment", new JsonObject().put("bulkhead", new JsonObject().put("maxConcurrent", 2))))));
    assertThat(succeed(caller).succeeded()).isTrue();
    assertThat(caller.settings().policyFor("payment").bulkhead().maxConcurrent()).isEqualTo(2);
    blocking.complete("done");
  }

  @Test
  void invalidSettings_areRefused_namingTheKey() {
    JsonObject section = new JsonObject().put("targets", new JsonObject()
        .put("payment", new JsonObject().put("retry", new JsonObject().put("maxAttempts", 0))));
    Assertions.assertThatThrownBy(() -> ResilienceSettings.fromSection(section))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("resilience.targets.payment.retry.maxAttempts");
  }
}
