import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KAFKA_BROKERS, PROJECT_ROOT, uniqueSuffix } from './support/env';
import { TestDatabase } from './support/database';
import { QueryFixture } from './support/query-fixture';
import { waitFor } from './support/wait-for';

const TOKEN = 'client-package-token';
const TENANT = 'acme';
const AUTH_TOKENS = JSON.stringify({ [TOKEN]: { tenants: [TENANT], scopes: ['read', 'publish', 'delete'] } });
const PACKAGE_DIR = join(PROJECT_ROOT, 'dist', 'packages', 'client');
/** What the scratch app takes from this repository's node_modules besides the tarball: its own dependencies. */
const LINKED = ['@nestjs/common', '@nestjs/core', '@nestjs/microservices', 'kafkajs', 'pg', 'rxjs', 'reflect-metadata', '@types/node'];

/**
 * @eventlog/client as another service gets it: packed, installed from the tarball into a scratch
 * NestJS app outside the repository, compiled there against the package's own declarations, and run
 * against real ingest and query processes that require a token.
 */
describe('@eventlog/client as an installed package', () => {
  let fx: QueryFixture;
  let caller: TestDatabase;
  let scratch: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    fx = await QueryFixture.start('client-pkg', { AUTH_TOKENS });
    caller = await TestDatabase.create('client-caller');
    scratch = mkdtempSync(join(tmpdir(), 'eventlog-client-scratch-'));
    installScratchApp(scratch);
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await caller?.drop();
    await fx?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('packs into a tarball with its README and no reference to this repository', () => {
    const listed = execFileSync('tar', ['tzf', join(scratch, 'eventlog-client.tgz')], { encoding: 'utf8' }).split('\n');
    expect(listed).toEqual(expect.arrayContaining(['package/package.json', 'package/README.md', 'package/index.js', 'package/index.d.ts']));
    const installed = join(scratch, 'app', 'node_modules', '@eventlog', 'client');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: '@eventlog/client', main: 'index.js', types: 'index.d.ts' });
    expect(manifest.dependencies).toBeUndefined();
    expect(Object.values(manifest.peerDependenciesMeta).every((m) => (m as { optional: boolean }).optional)).toBe(true);
    const pointing = execFileSync('bash', ['-c', `grep -rlE '@eventlog/(contracts|store|kafka|config|auth)|${PROJECT_ROOT}' "${installed}" || true`], { encoding: 'utf8' });
    expect(pointing).toBe('');
  });

  it.each(['http', 'kafka'] as const)('over %s: every method (queries, publish, publishAndWait, after/minPosition, enroll, deleteStream, dead letters), with the token; refused without it', async (transport) => {
    const stream = `pkg-${transport}-${uniqueSuffix()}`;
    const out = await runScratch('calls.js', {
      TRANSPORT: transport,
      STREAM: stream,
      GROUP: `${fx.topics.group}.pkg.${transport}`,
      TOKEN,
      TENANT,
    });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    const get = (path: string) => authorised(`${fx.query.url}${path}`);

    expect(r.first).toMatchObject({ tenant: TENANT, stream, version: 1, type: 'Created', position: expect.any(Number) });
    expect(r.published).toEqual({ id: expect.any(String), topic: fx.topics.ingest, partition: expect.any(Number), offset: expect.any(Number) });
    expect(r.last).toMatchObject({ stream, version: 3, type: 'Closed' });
    expect(r.rejected).toEqual({ statusCode: 409, code: 'WRONG_EXPECTED_VERSION' });
    expect(r.withoutToken).toEqual({ statusCode: 401, code: null });

    expect(r.events.events.map((e: { type: string }) => e.type)).toEqual(['Created', 'Updated', 'Closed']);
    expect(r.events).toEqual(await get(`/v1/events?stream=${stream}&sort=position&order=asc`));
    expect(r.event).toEqual(await get(`/v1/events/${r.published.id}`));
    expect(r.event).toMatchObject({ kafka: { topic: fx.topics.ingest, partition: r.published.partition, offset: r.published.offset } });
    expect(r.stream).toEqual(await get(`/v1/streams/${stream}/events`));
    expect(r.trace).toEqual(await get(`/v1/traces/req-${stream}`));
    expect(r.trace.eventCount).toBe(3);
    expect(r.traceNode).toEqual(await get(`/v1/traces/req-${stream}/nodes/root`));
    expect(r.dsl.events.map((e: { type: string }) => e.type)).toEqual(['Created', 'Closed']);
    expect(r.stats).toMatchObject({ tenant: TENANT, totalCount: 3, byType: { Created: 1, Updated: 1, Closed: 1 } });

    // Read-your-writes: the record produced without waiting is in the read that named it.
    expect(r.readAfter.events.map((e: { type: string }) => e.type)).toEqual(['Created', 'Noted']);
    expect(r.readMinPosition).toMatchObject({ stream: `${stream}-more`, count: 0 });
    expect(r.readMinPosition.version).toBeGreaterThanOrEqual(1);
    expect(r.enrolled).toMatchObject({ tenant: TENANT, type: 'Job', status: 'running', requestId: `req-${stream}-more`, parentNodeId: 'root', data: { source: { id: r.source.id } } });
    expect(r.enrolledAgain).toBeNull();
    expect(r.deleted).toMatchObject({ stream: `${stream}-deleted`, hard: false, version: 2, deletedEvents: 1 });
    expect(r.deletedRead).toMatchObject({ version: 2, eventCount: 1 });
    expect(r.deletedRead.events.map((e: { type: string }) => e.type)).toEqual(['StreamDeleted']);
    expect(r.deleteWithoutToken).toEqual({ statusCode: 401, code: null });
    // Dead letters: the first replayed with a corrected value (it lands), the second by the bulk form.
    const [a, b] = r.letterIds;
    expect(r.replayed).toEqual({ id: a, to: { topic: fx.topics.ingest, partition: expect.any(Number), offset: expect.any(String) } });
    expect(r.replayedAll.replayed.map((x: { id: number }) => x.id)).toContain(b);
    await waitFor(() => fx.db.count('SELECT count(*)::int AS n FROM events WHERE tenant = $1 AND id = $2', [TENANT, `late-a-${stream}`]), (n) => n === 1, { timeoutMs: 30000, what: 'the corrected replay stored' });
  });

  describe('subscribe()', () => {
    const outboundOf = async () => (await fx.db.pool.query<{ position: string; stream: string; tenant: string }>('SELECT position, stream, tenant FROM events ORDER BY position')).rows;

    it('in a child process killed mid-stream and restarted, hands every event once, in position order per partition (Postgres checkpoint)', async () => {
      await caller.pool.query('CREATE TABLE handled (seq bigserial PRIMARY KEY, position bigint NOT NULL, partition int NOT NULL, stream text NOT NULL, version int NOT NULL, id text NOT NULL)');
      const run = uniqueSuffix();
      const events = Array.from({ length: 600 }, (_, i) => ({ id: `s-${run}-${i}`, tenant: i % 50 === 7 ? 'other' : TENANT, stream: `sub-${run}-${i % 12}`, type: 'Tick', data: { i } }));
      await fx.produce(events);
      const before = (await outboundOf()).length;
      await fx.waitForEvents(before >= events.length ? before : events.length);
      const expected = (await outboundOf()).filter((e) => e.tenant === TENANT);
      const handled = () => caller.count('SELECT count(*)::int AS n FROM handled');
      const subscriberEnv = { CHECKPOINT: 'postgres', CALLER_DATABASE_URL: caller.url, SUBSCRIPTION: `${fx.topics.group}.sub.pg`, HANDLER_DELAY_MS: '3' };

      const first = startScratch('subscriber.js', subscriberEnv);
      await waitFor(handled, (n) => n >= 100, { timeoutMs: 60000, what: 'the subscriber to handle 100 events' });
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('close', resolve));
      const atKill = await handled();
      expect(atKill).toBeLessThan(expected.length); // killed mid-stream

      startScratch('subscriber.js', subscriberEnv);
      await waitFor(handled, (n) => n >= expected.length, { timeoutMs: 90000, what: `${expected.length} handled events` });

      // Redeliveries: records already handled, produced again to the outbound topic (as a relay
      // restarted before its checkpoint would), then one new event behind them.
      const outbound = await fx.kafka.readPositions(fx.topics.outbound, 5);
      await fx.kafka.producer.send({ topic: fx.topics.outbound, acks: -1, messages: outbound.slice(0, 5).map((m) => ({ key: m.key, value: m.value, headers: m.headers, partition: m.partition })) });
      await fx.produce([{ id: `s-${run}-sentinel`, tenant: TENANT, stream: `sub-${run}-0`, type: 'Sentinel' }]);
      await waitFor(() => caller.count("SELECT count(*)::int AS n FROM handled WHERE id = $1", [`s-${run}-sentinel`]), (n) => n === 1, { timeoutMs: 60000, what: 'the sentinel handled' });

      const rows = (await caller.pool.query<{ position: string; partition: number; stream: string; version: number }>('SELECT position, partition, stream, version FROM handled ORDER BY seq')).rows;
      const positions = rows.map((r) => Number(r.position));
      expect(new Set(positions).size).toBe(positions.length); // no repeat
      expect([...positions].sort((a, b) => a - b)).toEqual([...expected.map((e) => Number(e.position)), Math.max(...positions)].sort((a, b) => a - b)); // no skip, no other tenant
      for (const partition of new Set(rows.map((r) => r.partition))) {
        const inPartition = positions.filter((_, i) => rows[i].partition === partition);
        expect(inPartition).toEqual([...inPartition].sort((a, b) => a - b));
      }
      for (const stream of new Set(rows.map((r) => r.stream))) {
        const versions = rows.filter((r) => r.stream === stream).map((r) => r.version);
        expect(versions).toEqual(versions.map((_, i) => i + 1));
      }
      const checkpoints = await caller.pool.query<{ partition: number; position: string }>('SELECT partition, position FROM pkg_checkpoints WHERE subscription = $1', [subscriberEnv.SUBSCRIPTION]);
      expect(Math.max(...checkpoints.rows.map((c) => Number(c.position)))).toBe(Math.max(...positions));
    });

    it('with the caller’s checkpoint functions, a new group that reads the topic again hands over nothing already checkpointed', async () => {
      const files = { CHECKPOINT_FILE: join(scratch, 'checkpoint.json'), HANDLED_FILE: join(scratch, 'handled.jsonl') };
      const lines = () => (existsSync(files.HANDLED_FILE) ? readFileSync(files.HANDLED_FILE, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
      const total = (await outboundOf()).filter((e) => e.tenant === TENANT).length;

      const first = startScratch('subscriber.js', { CHECKPOINT: 'file', ...files, SUBSCRIPTION: `${fx.topics.group}.sub.fn-1` });
      await waitFor(async () => lines().length, (n) => n >= total, { timeoutMs: 90000, what: `${total} lines` });
      first.kill('SIGTERM');
      await new Promise((resolve) => first.once('close', resolve));
      expect(lines().length).toBe(total);

      // Another group starts at the beginning of the topic: every record is a redelivery to this checkpoint.
      startScratch('subscriber.js', { CHECKPOINT: 'file', ...files, SUBSCRIPTION: `${fx.topics.group}.sub.fn-2` });
      await fx.produce([{ id: `fn-${uniqueSuffix()}`, tenant: TENANT, stream: 'fn-after', type: 'After' }]);
      await waitFor(async () => lines().length, (n) => n >= total + 1, { timeoutMs: 60000, what: 'the new event handled' });
      const seen = lines();
      expect(seen.length).toBe(total + 1);
      expect(seen[total]).toMatchObject({ stream: 'fn-after', version: 1 });
      expect(new Set(seen.map((l) => l.position)).size).toBe(total + 1);
    });
  });

  /** Packs the built package, installs the tarball offline into a scratch app and compiles the app there. */
  function installScratchApp(dir: string) {
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: PACKAGE_DIR, encoding: 'utf8' }).trim().split('\n').pop()!;
    copyFileSync(join(dir, tarball), join(dir, 'eventlog-client.tgz'));
    const app = join(dir, 'app');
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-service', private: true, dependencies: { '@eventlog/client': 'file:../eventlog-client.tgz' } }));
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app, stdio: 'pipe' });
    for (const dep of LINKED) {
      mkdirSync(join(app, 'node_modules', dep, '..'), { recursive: true });
      symlinkSync(join(PROJECT_ROOT, 'node_modules', dep), join(app, 'node_modules', dep), 'dir');
    }
    copyFileSync(join(__dirname, 'client-package', 'scratch-calls.ts'), join(app, 'src', 'calls.ts'));
    copyFileSync(join(__dirname, 'client-package', 'scratch-subscriber.ts'), join(app, 'src', 'subscriber.ts'));
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'commonjs', target: 'ES2022', strict: true, skipLibCheck: false, experimentalDecorators: true, emitDecoratorMetadata: true, outDir: 'dist', rootDir: 'src', types: ['node'] },
        include: ['src'],
      }),
    );
    // Types from the package's own declarations: a strict compile of the service, library files included.
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', app], { cwd: app, stdio: 'pipe' });
  }

  function scratchEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      BASE_URL: fx.query.url,
      BROKERS: KAFKA_BROKERS,
      TOPIC_PREFIX: fx.topicPrefix,
      INGEST_TOPIC: fx.topics.ingest,
      DLQ_TOPIC: fx.topics.dlq,
      OUTBOUND_TOPIC: fx.topics.outbound,
      TOKEN,
      TENANT,
      ...extra,
    };
  }

  function startScratch(script: string, extra: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, [join(scratch, 'app', 'dist', script)], { cwd: join(scratch, 'app'), env: scratchEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (chunk) => process.stderr.write(`[${script}] ${chunk}`));
    children.push(child);
    return child;
  }

  function runScratch(script: string, extra: Record<string, string>): Promise<string> {
    const child = startScratch(script, extra);
    let out = '';
    child.stdout!.on('data', (chunk) => (out += chunk));
    return new Promise((resolve, reject) => child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} exited with ${code}: ${out}`)))));
  }
});

async function authorised(url: string): Promise<unknown> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return res.json();
}
