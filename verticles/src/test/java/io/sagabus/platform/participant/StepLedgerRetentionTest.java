package io.sagabus.platform.participant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The memory ledger forgets outcomes after its retention, so it stays bounded on a long-running node. */
class StepLedgerRetentionTest {

  private final Vertx vertx = Vertx.vertx();
  private final AtomicInteger runs = new AtomicInteger();

  /** A participant whose step counts how often it really ran. */
  private final class CountingParticipant extends VerticleBase {
    private final Duration retention;
    StepLedger ledger;

    CountingParticipant(Duration retention) {
      this.retention = retention;
    }

    @Override
    public Future<?> start() {
      ledger = new StepLedger(vertx, Faults.fromConfig(null), retention);
      return vertx.eventBus().<JsonObject>consumer("t.step", message -> ledger.invoke(message, "step",
          command -> Future.succeededFuture(new JsonObject().put("run", runs.incrementAndGet())))).completion();
    }

    /** Asked on the ledger's own event loop, which is the only thread that may read it. */
    boolean remembers(String sagaId, String step) throws Exception {
      Promise<Boolean> answer = Promise.promise();
      context.runOnContext(ignored -> answer.complete(ledger.outcome(sagaId, step) != null));
      return answer.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void outcomeWithinRetention_answersTheDuplicate_andIsForgottenAfterIt() throws Exception {
    CountingParticipant participant = new CountingParticipant(Duration.ofMillis(300));
    deploy(participant);
    JsonObject command = new JsonObject().put("sagaId", "saga-1").put("step", "s");

    assertThat(send(command).getInteger("run")).isEqualTo(1);
    assertThat(send(command).getInteger("run")).as("a duplicate within the retention gets the first outcome").isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> !participant.remembers("saga-1", "s"));

    assertThat(send(command).getInteger("run")).as("after the retention the step is new again").isEqualTo(2);
  }

  private void deploy(VerticleBase verticle) throws Exception {
    vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private JsonObject send(JsonObject command) throws Exception {
    return vertx.eventBus().<JsonObject>request("t.step", command).map(reply -> reply.body())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
