package io.sagabus.platform.participant;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * A JSON body handed over to a consumer on the same node as it is, without the defensive copy Vert.x makes of every
 * {@link JsonObject} delivered locally; across nodes it travels exactly as a plain JSON body does. Only for bodies
 * built fresh for one message that the sender never touches again: saga step commands and participants' answers.
 * The copy was about a twentieth of a node's CPU under saga load, and a slow participant holding a command held it
 * twice (the sender's and its own), the largest part of the heap an in-flight saga costs.
 *
 * <p>Both ends need the codec: {@link #registerOn} registers it once per Vert.x instance, and every node registers
 * it at start.
 */
public final class HandedOverJson implements MessageCodec<JsonObject, JsonObject> {

  public static final String NAME = "sagabus-handed-over-json";

  HandedOverJson() {}

  /** Registers the codec on {@code vertx}'s event bus unless it is there already. */
  public static void registerOn(Vertx vertx) {
    synchronized (HandedOverJson.class) {
      try {
        vertx.eventBus().registerCodec(new HandedOverJson());
      } catch (IllegalStateException alreadyRegistered) {
        // Another verticle of this node registered it first.
      }
    }
  }

  /** Delivery options naming this codec; the codec must be registered on both ends. */
  public static DeliveryOptions options() {
    return new DeliveryOptions().setCodecName(NAME);
  }

  @Override
  public void encodeToWire(Buffer buffer, JsonObject json) {
    Buffer encoded = json.toBuffer();
    buffer.appendInt(encoded.length());
    buffer.appendBuffer(encoded);
  }

  @Override
  public JsonObject decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return new JsonObject(buffer.slice(pos + 4, pos + 4 + length));
  }

  @Override
  public JsonObject transform(JsonObject json) {
    return json;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
