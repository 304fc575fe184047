/// <reference lib="dom" />
// Callbacks passed to page.evaluate run in the browser: they use the DOM's types.
import type { Browser, Page } from 'puppeteer-core';
import { AppProcess } from './support/app-process';
import { axeViolations, launchChromium, screenshot } from './support/browser';
import { QueryFixture } from './support/query-fixture';

/**
 * The console shows fire-and-forget progress (POST /v1/notify, delivered over /v1/ws) in live mode
 * and on the trace page, in a real headless Chromium against a real query app. Screenshots go to
 * test-output/console/.
 */
describe('console: progress from notifications', () => {
  let fx: QueryFixture;
  let browser: Browser;
  let page: Page;
  const now = Date.now();
  const step = (id: string, nodeId: string, parentNodeId: string | undefined, status: string, msAgo: number) => ({
    id,
    stream: 'deploy-7',
    type: `Deploy.${nodeId}`,
    status,
    source: 'deployer',
    requestId: 'deploy-7',
    nodeId,
    parentNodeId,
    message: `${nodeId} ${status}`,
    occurredAt: new Date(now - msAgo).toISOString(),
  });
  const chain = [step('d1', 'root', undefined, 'running', 60_000), step('d2', 'build', 'root', 'running', 50_000), step('d3', 'test', 'root', 'pending', 40_000)];
  const notify = async (app: AppProcess, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await fetch(`${app.url}/v1/notify`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    expect(res.status).toBe(202);
  };
  const progressText = (selector: string) => page.$eval(selector, (e) => (e.textContent ?? '').trim());
  const connected = (p: Page) => p.waitForFunction(() => document.querySelector('[data-testid="live-state"]')?.classList.contains('connected'), { timeout: 15000 });

  beforeAll(async () => {
    const launching = launchChromium().then((b) => (browser = b));
    fx = await QueryFixture.start('console-progress').finally(() => launching.catch(() => undefined));
    await launching;
    await fx.produce(chain);
    await fx.waitForEvents(chain.length);
    page = await browser.newPage();
    await page.setViewport({ width: 1360, height: 900 });
  });
  afterAll(async () => {
    await browser?.close();
    await fx?.stop();
  });

  it('live mode: a running node’s progress shows as it arrives, one line per node, updated in place', async () => {
    await page.goto(`${fx.query.url}/ui?live=1`, { waitUntil: 'domcontentloaded' });
    await connected(page);
    expect(await page.$('[data-testid="live-progress"]')).toBeNull();
    await notify(fx.query, { requestId: 'deploy-7', nodeId: 'build', progress: 42, message: 'compiling 42 of 100 modules' });
    const build = '[data-testid="live-progress"] [data-testid="progress"][data-node="build"]';
    await page.waitForSelector(build, { timeout: 5000 });
    expect(await progressText(build)).toBe('42%compiling 42 of 100 modules');
    await notify(fx.query, { requestId: 'deploy-7', nodeId: 'build', progress: 77.4, message: 'linking' });
    await page.waitForFunction((s) => document.querySelector(s)?.textContent?.startsWith('77%'), { timeout: 5000 }, build);
    await notify(fx.query, { requestId: 'deploy-7', nodeId: 'test', progress: 5, message: 'unit tests' });
    await page.waitForSelector('[data-testid="live-progress"] [data-testid="progress"][data-node="test"]', { timeout: 5000 });
    expect(await page.$$eval('[data-testid="live-progress"] li', (lis) => lis.length)).toBe(2);
    expect(await page.$eval(`${build} [role="progressbar"]`, (e) => e.getAttribute('aria-valuenow'))).toBe('77');
    // Notifications are not events: the table has not grown.
    expect(await page.$$eval('table.events tbody tr', (rows) => rows.length)).toBe(chain.length);
    await screenshot(page, 'log-live-progress', false);
    const violations = await axeViolations(page);
    expect(violations.filter((v) => v.impact === 'critical')).toEqual([]);
  });

  it('trace page: progress shows on its node’s row; another chain’s does not; a new event of the chain updates the tree', async () => {
    await page.goto(`${fx.query.url}/ui/traces/deploy-7`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('table.trace tbody tr');
    await connected(page);
    await notify(fx.query, { requestId: 'other-chain', nodeId: 'build', progress: 99, message: 'not this one' });
    await notify(fx.query, { requestId: 'deploy-7', nodeId: 'build', progress: 63, message: 'linking' });
    const row = 'tr[data-node="build"] [data-testid="progress"]';
    await page.waitForSelector(row, { timeout: 5000 });
    expect(await progressText(row)).toBe('63%linking');
    // A node the tree does not hold yet is listed above it.
    await notify(fx.query, { requestId: 'deploy-7', nodeId: 'publish', progress: 10, message: 'uploading' });
    await page.waitForSelector('[data-testid="live-progress"] [data-node="publish"]', { timeout: 5000 });
    expect(await page.evaluate(() => document.body.innerText)).not.toContain('not this one');
    await screenshot(page, 'trace-progress');

    // The node finishes (a stored event): the tree reloads, the node is a success and its bar goes.
    await fx.produce([step('d4', 'build', 'root', 'success', 0)]);
    await page.waitForFunction(() => document.querySelector('tr[data-node="build"]')?.getAttribute('data-status') === 'success', { timeout: 15000 });
    expect(await page.$(row)).toBeNull();
  });

  it('with AUTH_TOKENS set, the console’s socket carries the session token and reads only its tenant', async () => {
    const tokens = { 'console-progress-token': { tenants: ['default'], scopes: ['read', 'publish'] }, 'console-progress-other': { tenants: ['t2'], scopes: ['read', 'publish'] } };
    const secured = await AppProcess.start('query', 'console-progress-secured', fx.queryEnv({ AUTH_TOKENS: JSON.stringify(tokens), QUERY_GROUP_ID: `${fx.groupId}.secured` }));
    const context = await browser.createBrowserContext();
    try {
      const p = await context.newPage();
      await p.evaluateOnNewDocument(() => sessionStorage.setItem('eventlog.token', 'console-progress-token'));
      await p.goto(`${secured.url}/ui?live=1`, { waitUntil: 'domcontentloaded' });
      await connected(p);
      await notify(secured, { nodeId: 'secret', progress: 50, message: 'tenant two only' }, { 'x-auth-token': 'console-progress-other' });
      await notify(secured, { requestId: 'deploy-7', nodeId: 'build', progress: 88, message: 'secured' }, { 'x-auth-token': 'console-progress-token' });
      await p.waitForSelector('[data-testid="live-progress"] [data-node="build"]', { timeout: 5000 });
      expect(await p.evaluate(() => document.body.innerText)).not.toContain('tenant two only');
    } finally {
      await context.close();
      await secured.stop();
    }
  });
});
