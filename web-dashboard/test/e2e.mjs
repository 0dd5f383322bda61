// End-to-end check of the dashboard in headless Chromium (Debian's chromium, driven by playwright-core).
//
//   node e2e.mjs <node base url> <screenshot path>
//
// Environment: SAGABUS_ADMIN_TOKEN (an admin JWT for the node), E2E_MODE=single|cluster, E2E_NODES (cluster mode:
// how many nodes the page must list). Prints one JSON line per finished check and exits 0 when all pass, 1 otherwise.
import { chromium } from 'playwright-core';

const [base, screenshot] = process.argv.slice(2);
const mode = process.env.E2E_MODE || 'single';
const adminToken = process.env.SAGABUS_ADMIN_TOKEN || '';
const expectedNodes = Number(process.env.E2E_NODES || '3');
if (!base || !screenshot) {
  console.error('usage: node e2e.mjs <base url> <screenshot path>');
  process.exit(2);
}

const log = (check, detail) => console.log(JSON.stringify({ check, ok: true, ...detail }));

async function order(customerId, { qty = 1, country = 'DE', sku = 'SKU-APPLE', apiKey } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (apiKey) headers['X-API-Key'] = apiKey;
  const response = await fetch(`${base}/api/orders?wait=15000`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      customerId,
      items: [{ sku, qty }],
      paymentMethod: 'card',
      shippingAddress: { street: '1 Test Street', city: 'Testville', country },
    }),
  });
  const body = await response.json().catch(() => ({}));
  return { status: response.status, saga: body };
}

async function until(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function withBrowser(run) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1480, height: 1400 } });
    const socketFrames = { sent: 0 };
    page.on('websocket', (ws) => ws.on('framesent', () => { socketFrames.sent++; }));
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await run(page, socketFrames);
    if (pageErrors.length) throw new Error(`errors in the page: ${pageErrors.join('; ')}`);
  } finally {
    await browser.close();
  }
}

async function single(page, socketFrames) {
  await page.goto(base, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
  await page.waitForSelector('#nodes tbody tr[data-up="true"]', { timeout: 15000 });
  log('page-live', { nodes: await page.locator('#nodes tbody tr').count() });

  // Orders: three that complete, one declined for funds, one the carrier cannot deliver.
  const placed = await Promise.all([
    order('c-alice'), order('c-alice', { sku: 'SKU-BANANA', qty: 2 }), order('c-bob'),
    order('c-carol', { qty: 10 }), order('c-alice', { country: 'XX' }),
  ]);
  const statuses = placed.map((p) => `${p.status}:${p.saga.status}`);
  const completed = placed.filter((p) => p.saga.status === 'COMPLETED').map((p) => p.saga.sagaId);
  const compensated = placed.filter((p) => p.saga.status === 'FAILED').map((p) => p.saga.sagaId);
  if (completed.length !== 3 || compensated.length !== 2) throw new Error(`unexpected order outcomes ${statuses}`);
  log('orders-placed', { statuses });

  for (const id of completed) {
    const row = page.locator(`.saga[data-saga-id="${id}"][data-saga-status="COMPLETED"]`);
    await row.waitFor({ timeout: 10000 });
    await page.waitForFunction((sagaId) => document.querySelectorAll(
      `.saga[data-saga-id="${sagaId}"] .step[data-step-status="SUCCEEDED"]`).length >= 7, id, { timeout: 10000 });
  }
  log('completed-sagas-with-timelines', { completed });
  for (const id of compensated) {
    await page.locator(`.saga[data-saga-id="${id}"][data-saga-status="FAILED"]`).waitFor({ timeout: 10000 });
    await page.waitForFunction((sagaId) => {
      const row = document.querySelector(`.saga[data-saga-id="${sagaId}"]`);
      return row && row.querySelector('.step[data-step-status="FAILED"]')
        && row.querySelector('.step .comp[data-comp-status="COMPENSATED"]');
    }, id, { timeout: 10000 });
  }
  const failedStepError = await page.locator(`.saga[data-saga-id="${compensated[0]}"] .step[data-step-status="FAILED"] .err`).first().textContent();
  log('compensated-sagas-with-timelines', { compensated, failedStepError });
  await page.waitForFunction(() => Number(document.querySelector('.kpi[data-kpi="completed"] .kpi-sub').textContent.replace(/[^0-9]/g, '')) >= 3, null, { timeout: 10000 });

  // Admin actions through the page, with the admin JWT pasted into it.
  if (!adminToken) throw new Error('SAGABUS_ADMIN_TOKEN is not set');
  await page.fill('#token', adminToken);
  await page.click('#token-save');
  await page.waitForSelector('#admin-state[data-state="set"]');
  await triage(page);

  await inject(page, 'payment', { failure: '100' });
  log('fault-injected-through-page', {});

  const failing = await Promise.all(Array.from({ length: 8 }, () => order('c-alice')));
  log('orders-under-fault', { statuses: failing.map((p) => `${p.status}:${p.saga.status}`) });
  await page.waitForSelector('#circuits tbody tr[data-service="payment"][data-state="OPEN"]', { timeout: 20000 });
  const circuit = await page.locator('#circuits tbody tr[data-service="payment"][data-state="OPEN"]').first().innerText();
  log('circuit-open-shown', { circuit: circuit.replace(/\s+/g, ' ') });

  await page.waitForSelector('.saga[data-saga-status="FAILED"] .step[data-step="charge-payment"][data-step-status="FAILED"]', { timeout: 10000 });

  // Rate limits: a trial-tier key runs out of tokens; the page shows the tier's rejections.
  const limited = [];
  for (let i = 0; i < 15; i++) {
    limited.push((await fetch(`${base}/api/inventory`, { headers: { 'X-API-Key': 'e2e-trial-key' } })).status);
  }
  if (!limited.includes(429)) throw new Error(`the trial tier never rejected: ${limited}`);
  await page.locator('#ratelimits [data-tier="trial"] .tier-total').filter({ hasText: /[1-9][0-9]* rejected/ }).waitFor({ timeout: 10000 });
  log('rate-limit-rejections-shown', { statuses: limited.join(',') });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForSelector('#toast:not(.show)', { state: 'attached', timeout: 10000 });
  await page.screenshot({ path: screenshot, fullPage: true });
  log('screenshot', { path: screenshot });

  await clearFault(page, 'payment');
  await page.waitForSelector('#faults-empty:not([hidden])', { timeout: 10000 });
  log('fault-cleared-through-page', {});
  const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  if (domNodes > 6000) throw new Error(`the page holds ${domNodes} elements`);
  log('dom-bounded', { domNodes });
  if (socketFrames.sent !== 0) throw new Error(`the page wrote ${socketFrames.sent} frames to its socket`);
  log('socket-read-only', { framesSent: socketFrames.sent });
}

async function inject(page, service, { failure = '0', latency = '0' }) {
  await page.selectOption('#chaos-service', service);
  await page.fill('#chaos-failure', failure);
  await page.fill('#chaos-latency', latency);
  await page.fill('#chaos-noreply', '0');
  await page.click('#chaos-inject');
  await page.waitForSelector(`#faults li[data-fault-service="${service}"]`, { timeout: 10000 });
}

async function clearFault(page, service) {
  await page.click(`#faults li[data-fault-service="${service}"] button`);
  await page.waitForSelector(`#faults li[data-fault-service="${service}"]`, { state: 'detached', timeout: 10000 });
}

// Two sagas park: their shipment is refused (country XX) while refunds fail. The page lists them under triage; one
// is retried and compensates, the other is resolved with a reason, both through the page's buttons.
async function triage(page) {
  await inject(page, 'shipping', { latency: '1500' });
  const parking = [order('c-alice', { country: 'XX' }), order('c-bob', { country: 'XX' })];
  await page.waitForTimeout(500);
  await inject(page, 'payment', { failure: '100' });
  const parked = (await Promise.all(parking)).map((p) => p.saga);
  if (parked.some((saga) => saga.status !== 'COMPENSATION_FAILED')) throw new Error(`sagas did not park: ${parked.map((p) => p.status)}`);
  await clearFault(page, 'payment');
  await clearFault(page, 'shipping');
  for (const saga of parked) {
    await page.locator(`#triage tr[data-saga-id="${saga.sagaId}"][data-status="COMPENSATION_FAILED"]`).waitFor({ timeout: 15000 });
  }
  await page.click('#triage-filters .chip[data-filter="PARKED"]');
  const row = await page.locator(`#triage tr[data-saga-id="${parked[0].sagaId}"]`).innerText();
  log('parked-sagas-in-triage', { row: row.replace(/\s+/g, ' ') });

  // The refunds opened the payment circuit; retry once it lets a trial call through.
  await page.waitForSelector('#circuits tbody tr[data-service="payment"]:not([data-state="OPEN"])', { timeout: 20000 });
  await page.click(`#triage tr[data-saga-id="${parked[0].sagaId}"] button[data-action="retry"]`);
  await page.locator(`.saga[data-saga-id="${parked[0].sagaId}"][data-saga-status="FAILED"]`).waitFor({ timeout: 15000 });
  await page.locator(`.saga[data-saga-id="${parked[0].sagaId}"] .step[data-step="charge-payment"] .comp[data-comp-status="COMPENSATED"]`).waitFor({ timeout: 5000 });
  log('retried-through-page', { sagaId: parked[0].sagaId });

  await page.click(`#triage tr[data-saga-id="${parked[1].sagaId}"] button[data-action="resolve"]`);
  await page.fill('#resolve-reason', 'refunded by hand in the PSP console, ticket E2E-1');
  await page.click('#resolve-confirm');
  await until(async () => (await (await fetch(`${base}/api/sagas/${parked[1].sagaId}`)).json()).status === 'RESOLVED', 10000);
  for (const saga of parked) {
    await page.locator(`#triage tr[data-saga-id="${saga.sagaId}"]`).waitFor({ state: 'detached', timeout: 15000 });
  }
  log('resolved-through-page', { sagaId: parked[1].sagaId });
  await page.click('#triage-filters .chip[data-filter="ALL"]');
  // Let the payment circuit close again before the next phase counts on a fresh window.
  await Promise.all(Array.from({ length: 5 }, () => order('c-alice')));
}

async function cluster(page) {
  await page.goto(base, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
  await page.waitForFunction((n) => document.querySelectorAll('#nodes tbody tr[data-up="true"]').length === n, expectedNodes, { timeout: 30000 });
  const names = await page.locator('#nodes tbody tr[data-up="true"] td:first-child .node-name').allInnerTexts();
  log('cluster-nodes-shown', { names });
  const placed = await Promise.all(Array.from({ length: 6 }, (_, i) => order(i % 2 ? 'c-alice' : 'c-bob')));
  const ids = placed.filter((p) => p.saga.status === 'COMPLETED').map((p) => p.saga.sagaId);
  if (ids.length !== placed.length) throw new Error(`orders did not complete: ${placed.map((p) => `${p.status}:${p.saga.status}:${p.saga.error || ''}`)}`);
  for (const id of ids) {
    await page.locator(`.saga[data-saga-id="${id}"][data-saga-status="COMPLETED"]`).waitFor({ timeout: 10000 });
  }
  const sagaNodes = await page.evaluate((sagaIds) => sagaIds.map((id) =>
    document.querySelector(`.saga[data-saga-id="${id}"] .meta`).textContent.split(' · ')[1]), ids);
  log('cluster-sagas-shown', { sagas: ids.length, ranOn: [...new Set(sagaNodes)].sort() });
  await page.screenshot({ path: screenshot, fullPage: true });
  log('screenshot', { path: screenshot });
}

try {
  await withBrowser(mode === 'cluster' ? cluster : single);
  console.log(JSON.stringify({ result: 'PASS' }));
  process.exit(0);
} catch (error) {
  console.log(JSON.stringify({ result: 'FAIL', error: String(error && error.stack || error) }));
  process.exit(1);
}
