package io.sagabus.platform.resilience;

import java.util.ArrayDeque;

/**
 * Limits concurrent calls to a target. A call beyond the limit waits in a bounded FIFO queue; beyond the queue it is
 * refused at once, so a slow target can never pile up unbounded work. Limits can change while calls run.
 */
final class Bulkhead {

  enum Admission { NOW, QUEUED, REJECTED }

  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int active;
  private int maxConcurrent;
  private int maxQueue;

  Bulkhead(TargetPolicy.Bulkhead limits) {
    this.maxConcurrent = limits.maxConcurrent();
    this.maxQueue = limits.maxQueue();
  }

  /** NOW: the caller holds a permit and starts; QUEUED: {@code start} runs when a permit frees; REJECTED: full. */
  synchronized Admission enter(Runnable start) {
    if (active < maxConcurrent) {
      active++;
      return Admission.NOW;
    }
    if (waiting.size() < maxQueue) {
      waiting.addLast(start);
      return Admission.QUEUED;
    }
    return Admission.REJECTED;
  }

  /** Gives the permit back, or hands it straight to the longest-waiting call. */
  void exit() {
    Runnable next = null;
    synchronized (this) {
      if (active <= maxConcurrent && !waiting.isEmpty()) {
        next = waiting.pollFirst();
      } else {
        active--;
      }
    }
    if (next != null) {
      next.run();
    }
  }

  void resize(TargetPolicy.Bulkhead limits) {
    ArrayDeque<Runnable> toStart = new ArrayDeque<>();
    synchronized (this) {
      maxConcurrent = limits.maxConcurrent();
      maxQueue = limits.maxQueue();
      while (active < maxConcurrent && !waiting.isEmpty()) {
        active++;
        toStart.add(waiting.pollFirst());
      }
    }
    toStart.forEach(Runnable::run);
  }

  synchronized int active() {
    return active;
  }

  synchronized int queued() {
    return waiting.size();
  }
}
