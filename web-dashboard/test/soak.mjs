// Browser memory soak: keeps the dashboard open in headless Chromium for a while and samples, once a minute, the
// page's JS heap after a forced GC, its DOM size and the long tasks (> 50 ms) it ran. Bounded memory means the heap
// stops growing after the first minutes; a responsive page runs few long tasks.
//
//   node soak.mjs <dashboard url> <minutes>
//
// Prints one JSON line per sample and a summary line; exits 1 when the heap grew by more than 20% (and 2 MB)
// between the end of the first quarter and the end.
import { chromium } from 'playwright-core';

const [url, minutesArg] = process.argv.slice(2);
const minutes = Number(minutesArg || '60');
if (!url || !(minutes > 0)) {
  console.error('usage: node soak.mjs <dashboard url> <minutes>');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1480, height: 1400 } });
  await page.addInitScript(() => {
    window.__longTasks = { count: 0, totalMs: 0, maxMs: 0 };
    new PerformanceObserver(list => {
      for (const entry of list.getEntries()) {
        window.__longTasks.count++;
        window.__longTasks.totalMs += entry.duration;
        window.__longTasks.maxMs = Math.max(window.__longTasks.maxMs, entry.duration);
      }
    }).observe({ type: 'longtask', buffered: true });
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(url);

  const samples = [];
  for (let minute = 1; minute <= minutes; minute++) {
    await page.waitForTimeout(60_000);
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = name => metrics.find(m => m.name === name)?.value ?? 0;
    const longTasks = await page.evaluate(() => {
      const taken = { ...window.__longTasks };
      window.__longTasks = { count: 0, totalMs: 0, maxMs: 0 };
      return taken;
    });
    const sample = {
      minute,
      heapMB: +(metric('JSHeapUsedSize') / 1048576).toFixed(2),
      domNodes: metric('Nodes'),
      listeners: metric('JSEventListeners'),
      longTasks: longTasks.count,
      longTaskMaxMs: Math.round(longTasks.maxMs),
      sagaRowsShown: await page.locator('body').evaluate(() => document.querySelectorAll('[data-saga-id]').length),
    };
    samples.push(sample);
    console.log(JSON.stringify(sample));
  }
  const quarter = samples[Math.max(0, Math.floor(samples.length / 4) - 1)];
  const last = samples[samples.length - 1];
  const maxHeap = Math.max(...samples.map(s => s.heapMB));
  const grew = last.heapMB - quarter.heapMB;
  const bounded = grew <= Math.max(2, quarter.heapMB * 0.2);
  console.log(JSON.stringify({
    summary: true, minutes, bounded, heapMBAtQuarter: quarter.heapMB, heapMBAtEnd: last.heapMB, heapMBMax: maxHeap,
    domNodesMax: Math.max(...samples.map(s => s.domNodes)),
    longTasksPerMinuteMax: Math.max(...samples.map(s => s.longTasks)),
    longTaskMaxMs: Math.max(...samples.map(s => s.longTaskMaxMs)),
  }));
  process.exitCode = bounded ? 0 : 1;
} finally {
  await browser.close();
}
