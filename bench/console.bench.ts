import { cpus, loadavg } from 'node:os';
import { Client } from 'pg';
import type { CDPSession, Page } from 'puppeteer-core';
import { runMigrations } from '@eventlog/store';
import { AppProcess, databaseUrl, launchChromium, uniqueSuffix } from '@eventlog/testing';
import { quantile, Scenario } from './lib/scenario';

/*
 * Issue 14's speed figures: the console in headless Chromium against the query bench's dataset
 * (bench/query.bench.ts loads it; this scenario reuses it). Each load is a fresh navigation with the
 * browser cache off, timed from navigation start to the page rendered, 20 loads per page.
 */
const EVENTS = Number(process.env.BENCH_QUERY_EVENTS ?? 5_000_000);
const DATABASE = `eventlog_bench_query_${EVENTS}`;
const LOADS = 20;
const BASE = Date.UTC(2024, 0, 1);
const SPACING_MS = 500;
// The query bench's request r has 5 + (r·7919 mod 46) events.
const requestLength = (r: number) => 5 + ((r * 7919) % 46);

async function datasetLoaded(url: string): Promise<boolean> {
  const db = new Client({ connectionString: url });
  try {
    await db.connect();
    const { rows } = await db.query('SELECT last FROM event_position');
    return Number(rows[0]?.last) === EVENTS;
  } catch {
    return false;
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** Navigates and returns ms from navigation start until `ready` holds, and the bytes transferred. */
async function timedLoad(page: Page, cdp: CDPSession, url: string, ready: string): Promise<{ ms: number; bytes: { assets: number; api: number } }> {
  const bytes = { assets: 0, api: 0 };
  const urls = new Map<string, string>();
  const onResponse = (e: { requestId: string; response: { url: string } }) => urls.set(e.requestId, e.response.url);
  const onFinished = (e: { requestId: string; encodedDataLength: number }) => {
    const u = urls.get(e.requestId) ?? '';
    if (u.includes('/v1/')) bytes.api += e.encodedDataLength;
    else bytes.assets += e.encodedDataLength;
  };
  cdp.on('Network.responseReceived', onResponse);
  cdp.on('Network.loadingFinished', onFinished);
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  // The predicate runs on every DOM change and returns the time it first holds.
  const handle = await page.waitForFunction(`(${ready}) && performance.now()`, { polling: 'mutation', timeout: 60000 });
  const ms = Number(await handle.jsonValue());
  await page.waitForNetworkIdle({ idleTime: 100, timeout: 60000 }).catch(() => undefined);
  cdp.off('Network.responseReceived', onResponse);
  cdp.off('Network.loadingFinished', onFinished);
  return { ms, bytes };
}

export const run: Scenario = async () => {
  const url = databaseUrl(DATABASE);
  if (!(await datasetLoaded(url))) {
    throw new Error(`the console bench reads the query bench's dataset (${DATABASE}), which is not loaded: run npm run bench -- query console`);
  }
  // A dataset loaded by an older build lacks the newer migrations: apply them, as a deployment would.
  const migrating = Date.now();
  const migrated = await runMigrations(url);
  const prefix = `bench.${uniqueSuffix()}.`;
  const query = await AppProcess.start('query', 'bench-console-query', {
    DATABASE_URL: url,
    QUERY_GROUP_ID: `${prefix}query`,
    QUERY_TOPIC_PREFIX: prefix,
    INGEST_TOPICS: `${prefix}ingest`,
    DLQ_TOPIC: `${prefix}dlq`,
    INGEST_GROUP_ID: `${prefix}ingest`,
    TOPIC_PARTITIONS: '1',
    LOG_LEVEL: 'warn',
  });
  const browser = await launchChromium();
  const rows: Record<string, string | number>[] = [];
  const notes: string[] = [`load average at start ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1 / 5 / 15 min) on ${cpus().length} cores`];
  if (migrated.length) notes.push(`applied ${migrated.join(', ')} to ${DATABASE} first (${((Date.now() - migrating) / 1000).toFixed(1)} s)`);
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1360, height: 900 });
    await page.setCacheEnabled(false);
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    const newest = BASE + EVENTS * SPACING_MS;
    const window = (hours: number) => `range=custom&from=${new Date(newest - hours * 3600_000).toISOString()}&to=${new Date(newest).toISOString()}`;
    const logReady = `document.querySelector('table.events tbody tr') && document.querySelector('.histogram svg rect.bar') && !document.querySelector('.histogram .spinner, .log-table .spinner')`;
    const traces = Array.from({ length: 20_000 }, (_, r) => r).filter((r) => requestLength(r) === 30 && 30 * r < EVENTS);
    const traceReady = `document.querySelectorAll('table.trace tbody tr').length > 0`;
    const pages: [string, (i: number) => string, string, number][] = [
      ['log, last hour of the data (7,200 events)', () => `/ui?${window(1)}`, logReady, 300],
      ['log, last 24 h of the data (172,800 events)', () => `/ui?${window(24)}`, logReady, 300],
      ['trace of 30 events', (i) => `/ui/traces/req-${traces[i % traces.length]}`, traceReady, 200],
    ];
    let assetBytes = 0;
    for (const [name, path, ready, target] of pages) {
      await timedLoad(page, cdp, `${query.url}${path(0)}`, ready); // warm the query app and Postgres
      const times: number[] = [];
      let api = 0;
      for (let i = 0; i < LOADS; i++) {
        const r = await timedLoad(page, cdp, `${query.url}${path(i + 1)}`, ready);
        times.push(r.ms);
        api += r.bytes.api;
        assetBytes = r.bytes.assets;
      }
      const p95 = quantile(times, 0.95);
      rows.push({
        page: name,
        loads: LOADS,
        'p50 ms': quantile(times, 0.5).toFixed(0),
        'p95 ms': p95.toFixed(0),
        'API KiB/load': (api / LOADS / 1024).toFixed(1),
        'assets KiB': (assetBytes / 1024).toFixed(1),
        target: `p95 ≤ ${target}`,
        met: p95 <= target ? 'yes' : 'no',
      });
    }
    notes.push(
      `assets: HTML, script and stylesheet as transferred (brotli, cache off), target ≤ 150 KiB`,
      'one 2-core machine runs Postgres, Kafka, the query app and Chromium; navigation start to the table (and histogram) or tree in the DOM',
    );
  } finally {
    await browser.close();
    await query.stop();
  }
  return { name: `console: ${EVENTS.toLocaleString('en')} events, headless Chromium (ms from navigation)`, rows, notes };
};
