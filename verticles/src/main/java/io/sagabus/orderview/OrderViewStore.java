package io.sagabus.orderview;

import io.sagabus.orderview.contract.ViewCursor;
import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * The order read model, kept in generations: each generation is a fresh table of views plus its own inbox of applied
 * event ids. Queries read the active generation; a rebuild fills a new generation from offset 0 and then
 * {@link #activate activates} it in one atomic step, so readers see either the old views or the new, never a mix.
 */
interface OrderViewStore {

  /** A page of views, newest order first, and the cursor of the next page (null on the last). */
  record Page(List<JsonObject> items, ViewCursor next) {}

  /** Creates the schema and generation 1 when missing. Safe to run on every node start. */
  Future<Void> start();

  Future<Integer> activeGeneration();

  /** A new, empty generation that nobody reads yet. */
  Future<Integer> createGeneration();

  /**
   * Folds {@code events} into their orders' views in {@code generation}, in list order per order, and records their
   * ids in that generation's inbox, all in one transaction: when it fails, nothing of the batch was applied. Answers
   * the ids applied now; an event applied before, or earlier in the list, changes nothing.
   */
  Future<Set<String>> applyBatch(int generation, List<DomainEvent> events);

  /** {@link #applyBatch} of one event: false, changing nothing, when it was applied before. */
  default Future<Boolean> apply(int generation, DomainEvent event) {
    return applyBatch(generation, List.of(event)).map(applied -> !applied.isEmpty());
  }

  /** How many distinct events {@code generation} has applied. */
  Future<Long> appliedCount(int generation);

  /** Makes {@code generation} the one queries read, atomically for every reader. */
  Future<Void> activate(int generation);

  /** Drops a generation that is not active. */
  Future<Void> drop(int generation);

  /** The view of one order in the active generation, or null. */
  Future<JsonObject> get(String orderId);

  /** Views of the active generation, filtered by customer and status when given. */
  Future<Page> query(ViewQuery query);
}
