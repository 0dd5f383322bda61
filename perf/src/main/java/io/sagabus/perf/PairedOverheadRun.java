package io.sagabus.perf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A paired companion to {@link ResilienceBenchmark} for a shared, noisy machine. It runs the same benchmark methods
 * in one JVM, in many short rounds, each round running every variant back to back in shuffled order. It reports the
 * median over rounds of each variant's throughput <em>relative to the bare request in the same round</em>. Load that
 * drifts over seconds then hits both sides of each ratio alike.
 *
 * <p>Usage: {@code java -cp sagabus-perf.jar io.sagabus.perf.PairedOverheadRun [rounds] [batchesPerSample] [local|clustered]}
 */
public final class PairedOverheadRun {

  private PairedOverheadRun() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    int batches = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    ResilienceBenchmark bench = new ResilienceBenchmark();
    bench.topology = args.length > 2 ? args[2] : "local";
    bench.setUp();
    Map<String, Runnable> variants = new LinkedHashMap<>();
    variants.put("bareRequest", bench::bareRequest);
    variants.put("sagabusStack", bench::sagabusStack);
    variants.put("resilience4jBreakerAndBulkhead", bench::resilience4jBreakerAndBulkhead);
    variants.put("sagabusStackOpaqueSupplier", bench::sagabusStackOpaqueSupplier);
    variants.put("vertxCircuitBreakerExecute", bench::vertxCircuitBreakerExecute);
    try {
      long warmupEnd = System.nanoTime() + 15_000_000_000L;
      while (System.nanoTime() < warmupEnd) {
        variants.values().forEach(variant -> sample(variant, batches));
      }
      Map<String, List<Double>> ratios = new LinkedHashMap<>();
      Map<String, List<Double>> throughput = new LinkedHashMap<>();
      List<String> order = new ArrayList<>(variants.keySet());
      for (int round = 0; round < rounds; round++) {
        Collections.shuffle(order);
        Map<String, Double> opsPerSecond = new LinkedHashMap<>();
        for (String name : order) {
          opsPerSecond.put(name, sample(variants.get(name), batches));
        }
        double bare = opsPerSecond.get("bareRequest");
        opsPerSecond.forEach((name, ops) -> {
          ratios.computeIfAbsent(name, key -> new ArrayList<>()).add(ops / bare);
          throughput.computeIfAbsent(name, key -> new ArrayList<>()).add(ops);
        });
      }
      System.out.printf(Locale.ROOT, "%n%s requests, %d rounds of %d requests per variant; throughput relative to the bare request in the same round%n",
          bench.topology, rounds, batches * ResilienceBenchmark.BATCH);
      System.out.printf(Locale.ROOT, "%-32s %14s %10s %12s %12s%n", "variant", "median ops/s", "vs bare", "p25 vs bare", "p75 vs bare");
      for (String name : variants.keySet()) {
        List<Double> r = sorted(ratios.get(name));
        System.out.printf(Locale.ROOT, "%-32s %14.0f %+9.1f%% %+11.1f%% %+11.1f%%%n", name, percentile(sorted(throughput.get(name)), 50),
            (percentile(r, 50) - 1) * 100, (percentile(r, 25) - 1) * 100, (percentile(r, 75) - 1) * 100);
      }
    } finally {
      bench.tearDown();
    }
  }

  private static double sample(Runnable variant, int batches) {
    long start = System.nanoTime();
    for (int i = 0; i < batches; i++) {
      variant.run();
    }
    return batches * (double) ResilienceBenchmark.BATCH / ((System.nanoTime() - start) / 1e9);
  }

  private static List<Double> sorted(List<Double> values) {
    List<Double> copy = new ArrayList<>(values);
    Collections.sort(copy);
    return copy;
  }

  private static double percentile(List<Double> sortedValues, int percent) {
    return sortedValues.get(Math.min(sortedValues.size() - 1, (int) Math.round((sortedValues.size() - 1) * percent / 100.0)));
  }
}
