package io.sagabus.platform.participant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Step commands and answers reach a consumer on the same node as the very object sent, and cross nodes as plain
 * JSON does. Commands crossing a real cluster are covered by the saga recovery scenarios, whose saga node and
 * participants run on different nodes.
 */
class HandedOverJsonTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void locallyDeliveredCommand_isTheSentObject_whileAPlainJsonBodyArrivesAsACopy() throws Exception {
    HandedOverJson.registerOn(vertx);
    JsonObject command = new JsonObject().put("sagaId", "s-1").put("step", "charge-payment");

    Object handedOver = received(HandedOverJson.options(), command);
    Object copied = received(new DeliveryOptions(), command);

    assertThat(handedOver).isSameAs(command);
    assertThat(copied).isNotSameAs(command).isEqualTo(command);
  }

  @Test
  void wireForm_readsBackTheSameDocument_fromAnyPositionInTheBuffer() {
    JsonObject command = new JsonObject().put("sagaId", "s-1").put("amount", 250)
        .put("items", new JsonArray().add(new JsonObject().put("sku", "SKU-1").put("qty", 2)));
    HandedOverJson codec = new HandedOverJson();
    Buffer frame = Buffer.buffer().appendString("header");

    codec.encodeToWire(frame, command);

    assertThat(codec.decodeFromWire("header".length(), frame)).isEqualTo(command);
  }

  @Test
  void registeringTwice_onOneNode_isHarmless() {
    HandedOverJson.registerOn(vertx);

    assertThatCode(() -> HandedOverJson.registerOn(vertx)).doesNotThrowAnyException();
  }

  private Object received(DeliveryOptions options, JsonObject command) throws Exception {
    CompletableFuture<Object> body = new CompletableFuture<>();
    MessageConsumer<Object> consumer = vertx.eventBus().consumer("t.step", message -> body.complete(message.body()));
    consumer.completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      vertx.eventBus().send("t.step", command, options);
      return body.get(10, TimeUnit.SECONDS);
    } finally {
      consumer.unregister();
    }
  }
}
