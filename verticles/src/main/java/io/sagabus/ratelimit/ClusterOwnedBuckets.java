package io.sagabus.ratelimit;

import io.sagabus.platform.eventbus.FailureCodes;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;

/**
 * Local buckets made cluster-wide: each key lives on exactly one rate-limit node (see {@link OwnerRing}); other
 * nodes ask the owner over the event bus. One owner serialises every decision for its keys on its event loop, so
 * the limit is exact across the cluster with no shared store. If the owner does not answer in time the decision
 * is made here and marked degraded, as with any backend outage.
 */
public final class ClusterOwnedBuckets implements RateLimitBackend {

  /** Address prefix of the per-node bucket owner; internal to the rate-limit service. */
  static final String OWNER_PREFIX = "ratelimit.bucket.";

  private final EventBus eventBus;
  private final String selfId;
  private final Supplier<OwnerRing> ring;
  private final LocalBuckets owned;
  private final LocalBuckets strayDecisions;
  private final DeliveryOptions forward;

  public ClusterOwnedBuckets(EventBus eventBus, String selfId, Supplier<OwnerRing> ring, LocalBuckets owned,
      LocalBuckets strayDecisions, long forwardTimeoutMillis) {
    this.eventBus = eventBus;
    this.selfId = selfId;
    this.ring = ring;
    this.owned = owned;
    this.strayDecisions = strayDecisions;
    this.forward = new DeliveryOptions().setSendTimeout(forwardTimeoutMillis);
  }

  public static String ownerAddress(String nodeId) {
    return OWNER_PREFIX + nodeId;
  }

  @Override
  public Future<Decision> take(String key, BucketPolicy policy, int cost) {
    OwnerRing current = ring.get();
    String owner = current.isEmpty() ? selfId : current.ownerOf(key);
    if (owner.equals(selfId)) {
      return Future.succeededFuture(owned.decide(key, policy, cost));
    }
    JsonObject request = new JsonObject().put("key", key).put("policy", policy.name()).put("quota", policy.quota())
        .put("window", policy.windowSeconds()).put("burst", policy.burst()).put("cost", cost);
    return eventBus.<JsonObject>request(ownerAddress(owner), request, forward)
        .map(reply -> new Decision(reply.body().getBoolean("allowed"), reply.body().getDouble("tokens"), policy, cost, false))
        .recover(failure -> Future.succeededFuture(strayDecisions.decide(key, policy, cost).asDegraded()));
  }

  /** Handler of {@link #ownerAddress}: another node asks this owner for a decision. */
  public void answerOwnerRequest(Message<JsonObject> message) {
    JsonObject body = message.body();
    try {
      BucketPolicy policy = new BucketPolicy(body.getString("policy"), body.getInteger("quota"), body.getInteger("window"), body.getInteger("burst"));
      Decision decision = owned.decide(body.getString("key"), policy, body.getInteger("cost"));
      message.reply(new JsonObject().put("allowed", decision.allowed()).put("tokens", decision.tokensLeft()));
    } catch (RuntimeException e) {
      message.fail(FailureCodes.BAD_REQUEST, "bad bucket request: " + e.getMessage());
    }
  }

  @Override
  public String name() {
    return "cluster";
  }
}
