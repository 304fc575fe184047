/// <reference lib="dom" />
// Callbacks passed to page.evaluate run in the browser: they use the DOM's types.
import type { Browser, HTTPResponse, Page } from 'puppeteer-core';
import { launchChromium, screenshot } from './support/browser';
import { uniqueSuffix } from './support/env';
import { QueryFixture } from './support/query-fixture';

/**
 * The console's manual trigger (issue 17, item 5) in a real headless Chromium: an event published
 * from the log page is in the log the page reads next, because that read carries the event's
 * coordinates as after=. Ingest is stopped while the event is published, so the read can only
 * show it by waiting for ingest.
 */
describe('console: publishing an event and reading it at once', () => {
  let fx: QueryFixture;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const launching = launchChromium().then((b) => (browser = b));
    fx = await QueryFixture.start('ryw-console', { READ_WAIT_MS: '30000' }).finally(() => launching.catch(() => undefined));
    await launching;
    await fx.produce([{ id: 'older', stream: 'order-1', type: 'OrderPlaced', status: 'success', message: 'an older event' }]);
    await fx.waitForEvents(1);
    page = await browser.newPage();
    await page.setViewport({ width: 1360, height: 900 });
  });
  afterAll(async () => {
    await browser?.close();
    await fx?.stop();
  });

  it('after Publish, the log read waits for ingest (after=the 202’s coordinates) and its first answer holds the event', async () => {
    await page.goto(`${fx.query.url}/ui`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('table.events tbody tr[data-id="older"]');

    await fx.ingest.stop();
    const stream = `order-${uniqueSuffix()}`;
    const published: { id?: string; topic?: string; partition?: number; offset?: number } = {};
    const reads: { url: URL; ids: Promise<string[]> }[] = [];
    const onResponse = (res: HTTPResponse) => {
      const url = new URL(res.url());
      if (res.request().method() === 'POST' && url.pathname === '/v1/events') void res.json().then((b) => Object.assign(published, b));
      if (res.request().method() === 'GET' && url.pathname === '/v1/events') reads.push({ url, ids: res.json().then((b) => b.events.map((e: { id: string }) => e.id)) });
    };
    page.on('response', onResponse);

    await page.click('details.publish summary');
    await page.type('form[aria-label="Publish an event"] input[name="stream"]', stream);
    await page.type('form[aria-label="Publish an event"] input[name="type"]', 'OrderRefunded');
    await page.select('form[aria-label="Publish an event"] select[name="status"]', 'running');
    await page.type('form[aria-label="Publish an event"] input[name="message"]', 'refund triggered by hand');
    await page.type('form[aria-label="Publish an event"] textarea[name="data"]', '{"amount": 42}');
    await page.click('form[aria-label="Publish an event"] button[type="submit"]');
    await page.waitForSelector('[data-testid="published"]');
    expect(published).toMatchObject({ topic: fx.topics.ingest, partition: expect.any(Number) });

    // Ingest is down: the log's read is held, the event not shown.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await page.$(`table.events tbody tr[data-id="${published.id}"]`)).toBeNull();
    expect(reads).toEqual([]);

    await fx.ingest.launch();
    await page.waitForSelector(`table.events tbody tr[data-id="${published.id}"]`, { timeout: 30000 });
    page.off('response', onResponse);
    expect(reads[0].url.searchParams.getAll('after')).toEqual([`${published.topic}:${published.partition}:${published.offset}`]);
    expect((await reads[0].ids)[0]).toBe(published.id);
    const row = await page.$eval(`table.events tbody tr[data-id="${published.id}"]`, (tr) => tr.textContent);
    expect(row).toContain(stream);
    expect(row).toContain('refund triggered by hand');
    await screenshot(page, 'log-published');

    // Once a read has come back with it, later reads no longer carry it.
    const next = page.waitForResponse((res) => new URL(res.url()).pathname === '/v1/events' && res.request().method() === 'GET');
    await page.click('form[aria-label="Log filters"] button[type="submit"]');
    expect(new URL((await next).url()).searchParams.getAll('after')).toEqual([]);
  });

  it('a refusal is shown with the field it names, and nothing is published', async () => {
    await page.goto(`${fx.query.url}/ui`, { waitUntil: 'networkidle0' });
    await page.click('details.publish summary');
    await page.type('form[aria-label="Publish an event"] input[name="stream"]', 'order-x');
    await page.type('form[aria-label="Publish an event"] input[name="type"]', 'Bad');
    await page.type('form[aria-label="Publish an event"] textarea[name="data"]', '[1, 2]');
    await page.click('form[aria-label="Publish an event"] button[type="submit"]');
    await page.waitForSelector('details.publish .error');
    expect(await page.$eval('details.publish .error', (e) => e.textContent)).toContain('data');
    expect(await page.$('[data-testid="published"]')).toBeNull();
  });
});
