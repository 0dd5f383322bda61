package io.sagabus.perf;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The collector's pauses while it is open, from the JVM's GC notifications: a p99 is often one collector's pause
 * length, and a stall with no pause behind it is the node's own.
 */
final class GcPauses implements AutoCloseable {

  private final List<Long> pausesMs = new ArrayList<>();
  private final List<Runnable> removals = new ArrayList<>();

  private GcPauses() {}

  static GcPauses record() {
    GcPauses pauses = new GcPauses();
    for (var collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (collector instanceof NotificationEmitter emitter) {
        NotificationListener listener = (notification, handback) -> {
          if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            pauses.onCollection(GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()));
          }
        };
        emitter.addNotificationListener(listener, null, null);
        pauses.removals.add(() -> {
          try {
            emitter.removeNotificationListener(listener);
          } catch (ListenerNotFoundException alreadyGone) {
            // Nothing left to remove.
          }
        });
      }
    }
    return pauses;
  }

  private void onCollection(GarbageCollectionNotificationInfo info) {
    // Concurrent cycles (ZGC "Cycles", G1's concurrent work) do not stop the application.
    if (!info.getGcName().contains("Cycles") && !info.getGcAction().contains("concurrent")) {
      synchronized (pausesMs) {
        pausesMs.add(info.getGcInfo().getDuration());
      }
    }
  }

  String summary() {
    synchronized (pausesMs) {
      long total = pausesMs.stream().mapToLong(Long::longValue).sum();
      long max = pausesMs.stream().mapToLong(Long::longValue).max().orElse(0);
      return String.format(Locale.ROOT, "GC pauses during it: %d, %d ms in all, longest %d ms", pausesMs.size(), total, max);
    }
  }

  @Override
  public void close() {
    removals.forEach(Runnable::run);
  }
}
