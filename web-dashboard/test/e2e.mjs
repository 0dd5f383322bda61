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

  // Fault injection through the page, with the admin JWT pasted into it.
  if (!adminToken) throw new Error('SAGABUS_ADMIN_TOKEN is not set');
  await page.fill('#token', adminToken);
  await page.click('#token-save');
  await page.waitForSelector('#admin-state[data-state="set"]');
  await page.selectOption('#chaos-service', 'payment');
  await page.fill('#chaos-failure', '100');
  await page.click('#chaos-inject');
  await page.waitForSelector('#faults li[data-fault-service="payment"]', { timeout: 10000 });
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
  await page.screenshot({ path: screenshot, fullPage: true });
  log('screenshot', { path: screenshot });

  await page.click('#faults li[data-fault-service="payment"] button');
  await page.waitForSelector('#faults-empty:not([hidden])', { timeout: 10000 });
  log('fault-cleared-through-page', {});
  if (socketFrames.sent !== 0) throw new Error(`the page wrote ${socketFrames.sent} frames to its socket`);
  log('socket-read-only', { framesSent: socketFrames.sent });
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
