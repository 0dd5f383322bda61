package io.sagabus.saga;

import io.vertx.core.Future;
import java.util.List;

/**
 * Where sagas live. Every {@link #save} is a compare-and-set on {@link SagaInstance#version()}: it fails with
 * {@link StaleSagaException} when someone else changed the saga since it was read, which is how a node learns
 * that another node claimed its saga and how two claimers are kept from both running it.
 */
public interface SagaStore {

  /** Creates or migrates what the store needs. */
  Future<Void> start();

  /**
   * Stores a new saga. When its idempotency key already belongs to a stored saga, nothing is stored and that saga
   * is returned instead; otherwise the saga itself is returned.
   */
  Future<SagaInstance> create(SagaInstance saga);

  /** Writes the saga if its stored version is still {@code saga.version()}, then increments the version. */
  Future<Void> save(SagaInstance saga);

  /** The saga, or null. */
  Future<SagaInstance> get(String sagaId);

  /** Newest first; {@code filter} is a status name, {@code retrying}, {@code parked} or null. */
  Future<SagaPage> list(String filter, int limit, String cursor);

  /** The sagas {@code owner} is running: active ones it owns. */
  Future<List<SagaInstance>> ownedBy(String owner);

  /** Records that {@code owner} is alive until {@code untilMillis}. */
  Future<Void> renewLease(String owner, long untilMillis);

  /** Owners of active sagas whose lease ended before {@code nowMillis} (or who never took one). */
  Future<List<String>> lapsedOwners(long nowMillis);

  /** A page of sagas and the cursor of the next page (null on the last). */
  record SagaPage(List<SagaInstance> items, String nextCursor) {}

  /** The saga changed in the store since it was read: another node owns it now. */
  final class StaleSagaException extends RuntimeException {
    public StaleSagaException(String sagaId) {
      super("saga " + sagaId + " was changed by another node", null, false, false);
    }
  }

  /** Cursor for paging newest first: the createdAt and id of the last item. */
  static String cursorOf(SagaInstance saga) {
    return saga.createdAt() + "_" + saga.id();
  }
}
