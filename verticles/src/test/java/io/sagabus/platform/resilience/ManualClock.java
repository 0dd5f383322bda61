package io.sagabus.platform.resilience;

import java.util.ArrayList;
import java.util.List;

/** A clock that moves only when told: a scheduled retry records its delay, jumps the clock forward and runs at once. */
final class ManualClock implements ResilienceClock {

  private long nanos = 1_000_000_000L;
  final List<Long> scheduledDelaysMs = new ArrayList<>();

  @Override
  public synchronized long nanoTime() {
    return nanos;
  }

  @Override
  public void schedule(long delayMs, Runnable task) {
    synchronized (this) {
      scheduledDelaysMs.add(delayMs);
      nanos += delayMs * 1_000_000L;
    }
    task.run();
  }

  synchronized void advanceMs(long ms) {
    nanos += ms * 1_000_000L;
  }
}
