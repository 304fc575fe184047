import { AppProcess } from './support/app-process';
import { TestDatabase } from './support/database';
import { appEnv } from './support/ingest-env';
import { testTopics, TestKafka } from './support/kafka';
import { migratedBefore } from './support/migrated-before';
import { appendDay, misplacedRollups, NO_DIFFERENCES, retentionCli, rollupDifferences, utcDay } from './support/partition-checks';
import { waitFor } from './support/wait-for';
import { cleanupAfterEach } from './support/case-hooks';

const snapshot = async (db: TestDatabase) => ({
  events: (await db.pool.query("SELECT position::text, md5(row_to_json(e)::text) AS row FROM events e ORDER BY position")).rows,
  // Summed per key: from 013 on, a key has a row for each partition of the log it counts.
  counts: (await db.pool.query('SELECT tenant, grain, bucket, type, status, sum(n)::int AS n FROM event_counts GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5')).rows,
  totals: (
    await db.pool.query(
      'SELECT tenant, type, status, source, sum(n)::int AS n, min(first_occurred_at) AS first, max(last_occurred_at) AS last FROM event_totals GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4',
    )
  ).rows,
  chains: (await db.pool.query('SELECT * FROM open_chains ORDER BY tenant, request_id')).rows,
  streams: (await db.pool.query('SELECT * FROM streams ORDER BY tenant, stream')).rows,
});

const partitionOf = (offset: number) => `events_${utcDay(offset).toISOString().slice(0, 10).replace(/-/g, '')}`;
const partitionNames = async (db: TestDatabase) => (await db.pool.query<{ name: string }>('SELECT name FROM event_partitions ORDER BY from_at')).rows.map((r) => r.name);

// Three runs of the retention CLI and two app starts: beyond the e2e default of 120 s on a busy machine.
jest.setTimeout(300_000);

describe('time partitions and retention', () => {
  const cleanup = cleanupAfterEach();

  it('converts a populated log: every event, version, position and rollup row as before, each event in its day', async () => {
    const { fresh: db, migrateRest, drop } = await migratedBefore('partitions_convert', '013');
    cleanup.push(drop);
    await appendDay(db, -2, ['a', 'b'], 400);
    await appendDay(db, -1, ['a'], 300);
    await appendDay(db, 0, ['b', 'a'], 200);
    const before = await snapshot(db);
    expect(before.events).toHaveLength(800 + 300 + 400);
    expect(await rollupDifferences(db)).toEqual(NO_DIFFERENCES);

    expect(await migrateRest()).toContain('013_time_partitions.sql');
    expect(await snapshot(db)).toEqual(before);
    expect(await rollupDifferences(db)).toEqual(NO_DIFFERENCES);
    expect(await misplacedRollups(db)).toEqual({ event_counts: [], event_totals: [] });
    const misplaced = await db.count(
      `SELECT count(*)::int AS n FROM events WHERE tableoid::regclass::text <> events_partition_name(date_trunc('day', recorded_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`,
    );
    expect(misplaced).toBe(0);
    const misplacedCounts = await db.count(
      `SELECT count(*)::int AS n FROM event_counts WHERE tableoid::regclass::text <> 'event_counts_' || substr(events_partition_name(part_from), 8)`,
    );
    expect(misplacedCounts).toBe(0);
    expect(await partitionNames(db)).toEqual(expect.arrayContaining([partitionOf(-2), partitionOf(-1), partitionOf(0)]));
    // The empty days ahead that 013 made are gone (017): ingest makes them, of its PARTITION_INTERVAL.
    expect(await db.count('SELECT count(*)::int AS n FROM event_partitions WHERE from_at > now()')).toBe(0);
    // The ids moved to event_ids: an old id is still refused, across partitions.
    await expect(
      db.pool.query(
        `INSERT INTO events (position, tenant, id, stream, version, type, data, metadata, node_id, occurred_at)
         VALUES (10000, 'a', 'a-1', 'new', 1, 'T', '{}', '{}', 'n', now())`,
      ),
    ).rejects.toThrow(/events_tenant_id_key/);
    // Each id locates its event (019): a read by id needs no (tenant, id) index on the partitions.
    const unlocated = await db.count(
      `SELECT count(*)::int AS n FROM events e LEFT JOIN event_ids x ON x.tenant = e.tenant AND x.id = e.id
        WHERE x.position IS DISTINCT FROM e.position OR x.recorded_at IS DISTINCT FROM e.recorded_at`,
    );
    expect(unlocated).toBe(0);
    expect(await db.count("SELECT count(*)::int AS n FROM pg_indexes WHERE tablename LIKE 'events%' AND indexdef LIKE '%(tenant, id)%'")).toBe(0);
  });

  it('makes partitions ahead of the width asked for: each ends where a UTC day, ISO week or month ends, and together they cover the time without overlap', async () => {
    const db = await TestDatabase.create('partitions_width');
    cleanup.push(() => db.drop());
    const ensure = async (until: Date, width: string | null) =>
      (await db.pool.query<{ name: string }>('SELECT events_ensure_partitions($1, $2) AS name', [until, width])).rows.map((r) => r.name);
    const made = { day: await ensure(utcDay(3), 'day'), week: await ensure(utcDay(20), 'week'), month: await ensure(utcDay(80), 'month') };
    const { rows } = await db.pool.query<{ name: string; from_at: Date; to_at: Date }>('SELECT name, from_at, to_at FROM event_partitions WHERE from_at >= $1 ORDER BY from_at', [utcDay(0)]);
    const byName = new Map(rows.map((r) => [r.name, r]));
    for (let i = 1; i < rows.length; i++) expect(rows[i].from_at).toEqual(rows[i - 1].to_at);
    expect(rows[0].from_at).toEqual(utcDay(0)); // today's, from the migrations
    expect(rows[rows.length - 1].to_at.getTime()).toBeGreaterThanOrEqual(utcDay(80).getTime());
    const days = (r: { from_at: Date; to_at: Date }) => (r.to_at.getTime() - r.from_at.getTime()) / 86_400_000;
    const midnight = (d: Date) => d.getTime() % 86_400_000 === 0;
    expect(made.day.map((n) => days(byName.get(n)!))).toEqual([1, 1]);
    expect(made.week.length).toBeGreaterThanOrEqual(3);
    for (const n of made.week) expect([midnight(byName.get(n)!.to_at), byName.get(n)!.to_at.getUTCDay(), days(byName.get(n)!) <= 7]).toEqual([true, 1, true]);
    expect(made.month.length).toBeGreaterThanOrEqual(2);
    for (const n of made.month) expect([midnight(byName.get(n)!.to_at), byName.get(n)!.to_at.getUTCDate(), days(byName.get(n)!) <= 31]).toEqual([true, 1, true]);
    // Nothing to make where partitions already cover the time; a width outside the three is refused.
    expect(await ensure(utcDay(80), 'day')).toEqual([]);
    for (const bad of ['year', 'day; DROP TABLE events', null]) await expect(ensure(utcDay(200), bad)).rejects.toThrow(/partition width must be day, week or month/);
  });

  it('drops what every tenant in a partition has expired, keeps the rest, rollups and stats exact; the relay passes the gap; ingest keeps partitions ahead', async () => {
    const db = await TestDatabase.create('partitions_retention');
    cleanup.push(() => db.drop());
    for (const day of [-5, -4, -3, -1]) {
      await db.pool.query('SELECT events_create_partition($1, $2)', [utcDay(day), utcDay(day + 1)]);
    }
    await appendDay(db, -5, ['short', 'long'], 300);
    await appendDay(db, -4, ['short'], 200);
    await appendDay(db, -3, ['short', 'long'], 300);
    await appendDay(db, -1, ['short', 'long'], 100);
    // Partitions ahead are ingest's to create: a migrated database has none (migration 017).
    expect(await db.count('SELECT count(*)::int AS n FROM event_partitions WHERE from_at > now()')).toBe(0);
    const dropped = (await db.pool.query<{ position: string }>('SELECT position FROM events WHERE recorded_at < $1 ORDER BY position', [utcDay(-3)])).rows.map((r) => Number(r.position));
    const kept = (await db.pool.query<{ position: string }>('SELECT position FROM events WHERE recorded_at >= $1 ORDER BY position', [utcDay(-3)])).rows.map((r) => Number(r.position));
    expect(dropped).toHaveLength(800);
    expect(kept).toHaveLength(800);
    const streamsBefore = (await snapshot(db)).streams;
    const env = { DATABASE_URL: db.url, RETENTION: 'short=2d,long=4d' };

    const dry = await retentionCli(env, ['--dry-run']);
    expect(dry).toMatchObject({ code: 0 });
    expect(dry.out).toContain(`would drop ${partitionOf(-5)}`);
    expect(dry.out).toContain(`would drop ${partitionOf(-4)}`);
    expect(dry.out).toMatch(new RegExp(`keep ${partitionOf(-3)} .*: kept for long`));
    expect(dry.out).toMatch(new RegExp(`keep ${partitionOf(-1)} .*: kept for long, short`));
    expect(dry.out).toContain('dry run: nothing was changed');
    expect(await db.count()).toBe(1600);

    const run = await retentionCli(env);
    expect(run).toMatchObject({ code: 0 });
    expect(run.out).toMatch(new RegExp(`dropped ${partitionOf(-5)} .*600 events`));
    expect(run.out).toMatch(new RegExp(`dropped ${partitionOf(-4)} .*200 events`));
    const remaining = (await db.pool.query<{ position: string }>('SELECT position FROM events ORDER BY position')).rows.map((r) => Number(r.position));
    expect(remaining).toEqual(kept);
    expect(await partitionNames(db)).not.toContain(partitionOf(-5));
    expect(await partitionNames(db)).toContain(partitionOf(-3));
    expect(await rollupDifferences(db)).toEqual(NO_DIFFERENCES);
    expect(await misplacedRollups(db)).toEqual({ event_counts: [], event_totals: [] });
    // Stream heads stay: a stream's version never restarts.
    expect((await snapshot(db)).streams).toEqual(streamsBefore);
    // A second run finds nothing more to drop.
    expect((await retentionCli(env)).out).not.toContain('dropped');

    // Ingest (with its relay) and the query app on what is left.
    const topics = testTopics('partitions_retention');
    const tk = new TestKafka();
    await tk.connect();
    cleanup.push(() => tk.disconnect());
    await tk.createTopics([
      { topic: topics.ingest, partitions: 3 },
      { topic: topics.dlq, partitions: 1 },
      { topic: topics.outbound, partitions: 3 },
    ]);
    // No stall detector: the seeded chains left running days ago would get ChainStalled events.
    const ingest = await AppProcess.start('ingest', 'partitions-retention-ingest', appEnv(db, topics, { ...env, INGEST_RUNS_STALL_DETECTOR: 'false' }));
    cleanup.push(() => ingest.stop());
    const query = await AppProcess.start('query', 'partitions-retention-query', appEnv(db, topics, { QUERY_TOPIC_PREFIX: `${topics.group}.` }));
    cleanup.push(() => query.stop());

    const covered = await db.count("SELECT count(*)::int AS n FROM event_partitions WHERE to_at >= now() + interval '7 days'");
    expect(covered).toBe(1);

    for (const tenant of ['short', 'long']) {
      const stats = await (await fetch(`${query.url}/v1/stats?tenant=${tenant}`)).json();
      const byType = (await db.pool.query<{ type: string; n: number }>('SELECT type, count(*)::int AS n FROM events WHERE tenant = $1 GROUP BY type', [tenant])).rows;
      expect(stats.totalCount).toBe(byType.reduce((s, r) => s + r.n, 0));
      expect(stats.byType).toEqual(Object.fromEntries(byType.map((r) => [r.type, r.n])));
      const dsl = await (
        await fetch(`${query.url}/v1/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ from: { tenant }, reduce: { type: 'count', groupBy: ['type'], interval: '1d' } }),
        })
      ).json();
      const counted = (
        await db.pool.query<{ type: string; bucket: Date; n: number }>(
          `SELECT type, date_bin(interval '1 day', occurred_at, TIMESTAMPTZ '2000-01-01T00:00:00Z') AS bucket, count(*)::int AS n FROM events WHERE tenant = $1 GROUP BY 1, 2`,
          [tenant],
        )
      ).rows;
      expect(dsl.groups.map((g: any) => `${g.key.type} ${new Date(g.bucket).toISOString()} ${g.value}`).sort()).toEqual(
        counted.map((r) => `${r.type} ${r.bucket.toISOString()} ${r.n}`).sort(),
      );
    }

    // By id: read in the one partition event_ids names; an id whose day was dropped (event_ids
    // keeps it, decision 039) is gone.
    const byId = async (tenant: string, id: string) => {
      const res = await fetch(`${query.url}/v1/events/${encodeURIComponent(id)}?tenant=${tenant}`);
      return { status: res.status, body: (await res.json()) as any };
    };
    const [oldest, newest] = [kept[0], kept[kept.length - 1]];
    const idAt = async (position: number) => (await db.pool.query<{ tenant: string; id: string }>('SELECT tenant, id FROM events WHERE position = $1', [position])).rows[0];
    for (const position of [oldest, newest]) {
      const { tenant, id } = await idAt(position);
      expect(await byId(tenant, id)).toMatchObject({ status: 200, body: { id, tenant, position } });
    }
    const goneId = (await db.pool.query<{ tenant: string; id: string }>('SELECT tenant, id FROM event_ids WHERE recorded_at < $1 LIMIT 1', [utcDay(-3)])).rows[0];
    expect(goneId).toBeDefined();
    expect((await byId(goneId.tenant, goneId.id)).status).toBe(404);

    // The relay starts from checkpoint 0: it publishes what is left, never a dropped position, and goes on past the gap.
    await tk.produce(topics.ingest, [{ key: 'after', value: JSON.stringify({ id: 'after-drop', tenant: 'short', stream: 'after', type: 'T' }) }]);
    const last = kept[kept.length - 1];
    const positionsOf = (seen: { headerText: Record<string, string> }[]) => [...new Set(seen.map((r) => Number(r.headerText['eventlog-position'])))].sort((a, b) => a - b);
    const records = await tk.readUntil(topics.outbound, (seen) => positionsOf(seen).length >= kept.length + 1, 'every kept position and the one after the drop');
    expect(positionsOf(records)).toEqual([...kept, last + 1]);
    await waitFor(() => db.count("SELECT count(*)::int AS n FROM events WHERE id = 'after-drop' AND tableoid::regclass::text = $1", [partitionOf(0)]), (n) => n === 1, {
      what: 'the new event in today\'s partition',
    });

    // The log newest first, paged by cursor across days: each page is looked for in its newest
    // candidate's day first (today holds none of tenant long's, day -1 part of page 2) and read over
    // every partition when that day cannot fill it. Every event once, in position order.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await fetch(`${query.url}/v1/events?tenant=long&pageSize=70&includeTotal=false${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { events: { id: string }[]; nextCursor: string | null };
      paged.push(...body.events.map((e) => e.id));
      cursor = body.nextCursor;
    } while (cursor);
    const newestFirst = (await db.pool.query<{ id: string }>("SELECT id FROM events WHERE tenant = 'long' ORDER BY position DESC")).rows.map((r) => r.id);
    expect(newestFirst).toHaveLength(400);
    expect(paged).toEqual(newestFirst);
  });
});
