package io.sagabus.platform.resilience;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Limits concurrent calls to a target. A call beyond the limit waits in a bounded FIFO queue; beyond the queue it is
 * refused at once, so a slow target can never pile up unbounded work. Limits can change while calls run.
 *
 * <p>While there is room, entering and leaving are one atomic operation each; the lock is taken only to queue. A
 * call that finds room may overtake queued ones in the instant a permit frees.
 */
final class Bulkhead {

  enum Admission { NOW, QUEUED, REJECTED }

  private final AtomicInteger active = new AtomicInteger();
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private volatile int queued;
  private volatile int maxConcurrent;
  private volatile int maxQueue;

  Bulkhead(TargetPolicy.Bulkhead limits) {
    this.maxConcurrent = limits.maxConcurrent();
    this.maxQueue = limits.maxQueue();
  }

  /** NOW: the caller holds a permit and starts; QUEUED: {@code start} runs when a permit frees; REJECTED: full. */
  Admission enter(Runnable start) {
    if (tryTakePermit()) {
      return Admission.NOW;
    }
    synchronized (this) {
      if (waiting.size() >= maxQueue) {
        return Admission.REJECTED;
      }
      waiting.addLast(start);
      queued = waiting.size();
    }
    // A permit may have been returned between the failed attempt and queueing; its holder may not have seen us.
    drain();
    return Admission.QUEUED;
  }

  /** Gives the permit back; the longest-waiting call, if any, takes it. */
  void exit() {
    active.decrementAndGet();
    if (queued > 0) {
      drain();
    }
  }

  void resize(TargetPolicy.Bulkhead limits) {
    maxConcurrent = limits.maxConcurrent();
    maxQueue = limits.maxQueue();
    drain();
  }

  int active() {
    return active.get();
  }

  int queued() {
    return queued;
  }

  private boolean tryTakePermit() {
    for (;;) {
      int current = active.get();
      if (current >= maxConcurrent) {
        return false;
      }
      if (active.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  private void drain() {
    for (;;) {
      Runnable next;
      synchronized (this) {
        if (waiting.isEmpty() || !tryTakePermit()) {
          return;
        }
        next = waiting.pollFirst();
        queued = waiting.size();
      }
      next.run();
    }
  }
}
