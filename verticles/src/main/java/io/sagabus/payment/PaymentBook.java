package io.sagabus.payment;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Where payment keeps accounts, charges, refunds and its step ledger; saga commands are handled whole. */
interface PaymentBook {

  /** A customer at first start; an adapter that already holds the customer keeps what it has. */
  record SeedCustomer(String customerId, String name, long balance) {}

  Future<Void> start(List<SeedCustomer> seed);

  void charge(Message<JsonObject> message);

  void refund(Message<JsonObject> message);

  void status(Message<JsonObject> message);

  Future<JsonArray> customers();

  /** The account with its charges and refunds, or null when unknown. */
  Future<JsonObject> account(String customerId);
}
