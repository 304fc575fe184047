import { EVENT_COLUMNS, toStoredEvent } from '@eventlog/store';
import { AppProcess } from './support/app-process';
import { appEnv } from './support/ingest-env';
import { produceLoad } from './support/produce-load';
import { outboundPositions, range, relayActive, relayCases } from './support/relay-cases';
import { waitFor } from './support/wait-for';

describe('outbound relay: every persisted event on OUTBOUND_TOPIC in position order', () => {
  const { tk, cleanup, setUp } = relayCases();

  it('publishes each event with its stored form and headers, keyed by stream, every position once', async () => {
    const { db, topics } = await setUp('relay_basic');
    // Two ingest instances writing concurrently; only one relays.
    const a = await AppProcess.start('ingest', 'relay-basic-a', appEnv(db, topics));
    cleanup.push(() => a.stop());
    const b = await AppProcess.start('ingest', 'relay-basic-b', appEnv(db, topics));
    cleanup.push(() => b.stop());
    const ids = await produceLoad(tk, topics.ingest, { count: 3000, streams: 20, prefix: 'rb', chunk: 100 });

    const records = await tk.readPositions(topics.outbound, ids.length);
    const { unique, ordered } = outboundPositions(records);
    expect(unique).toEqual(range(ids.length));
    expect(ordered).toBe(true);
    expect((await relayActive(a)) + (await relayActive(b))).toBe(1);

    const first = records.find((r) => r.headerText['eventlog-position'] === '1')!;
    const stored = JSON.parse(first.value!.toString());
    const row = (await db.pool.query('SELECT id, stream, version::int, type FROM events WHERE position = 1')).rows[0];
    expect(stored).toMatchObject({ id: row.id, stream: row.stream, version: row.version, position: 1, type: 'Load', tenant: 'default' });
    expect(stored.recordedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // The relay's JSON (built by Postgres) is exactly the stored form the query API serves.
    const served = (await db.pool.query(`SELECT ${EVENT_COLUMNS} FROM events e WHERE position = 1`)).rows.map(toStoredEvent)[0];
    expect(stored).toEqual(JSON.parse(JSON.stringify(served)));
    expect(first.key!.toString()).toBe(row.stream);
    expect(first.headerText).toMatchObject({ 'eventlog-version': String(row.version), 'eventlog-type': 'Load', 'eventlog-tenant': 'default' });
  });

  it('publishes a backlog larger than one broker record batch on one partition', async () => {
    const { db, topics } = await setUp('relay_large');
    // 40 x 60 KB on one stream, committed before the relay starts: one relay read, one partition,
    // well over the broker's 1 MB record-batch limit.
    await db.pool.query(
      `INSERT INTO events (position, tenant, id, stream, version, type, data, metadata, node_id, occurred_at)
       SELECT i, 'default', 'big-' || i, 'big', i, 'Big', jsonb_build_object('blob', repeat('z', 60000)), '{}', 'big-' || i, now()
         FROM generate_series(1, 40) AS i`,
    );
    await db.pool.query("INSERT INTO streams VALUES ('default', 'big', 40, now(), now())");
    await db.pool.query('UPDATE event_position SET last = 40');
    const ingest = await AppProcess.start('ingest', 'relay-large', appEnv(db, topics));
    cleanup.push(() => ingest.stop());
    const records = await tk.readAll(topics.outbound, 40);
    expect(outboundPositions(records).unique).toEqual(range(40));
    expect(new Set(records.map((r) => r.partition)).size).toBe(1);
  });

  it('never publishes past an uncommitted lower position; publishes both once it commits', async () => {
    const { db, topics } = await setUp('relay_gap');
    const ingest = await AppProcess.start('ingest', 'relay-gap', appEnv(db, topics));
    cleanup.push(() => ingest.stop());
    await produceLoad(tk, topics.ingest, { count: 10, streams: 2, prefix: 'g1' });
    await tk.readAll(topics.outbound, 10);

    // A writer holds position 11 in an open transaction, as a slow ingest instance would.
    const held = await db.pool.connect();
    await held.query('BEGIN');
    const { rows } = await held.query('SELECT last FROM event_position FOR UPDATE');
    const lower = Number(rows[0].last) + 1;
    await held.query(
      `INSERT INTO events (position, tenant, id, stream, version, type, data, metadata, node_id, occurred_at)
       VALUES ($1, 'default', 'held', 'held-stream', 1, 'Held', '{}', '{}', 'held', now())`,
      [lower],
    );
    // Meanwhile ingest gets a newer event; it cannot take a higher position and commit before 11.
    await tk.produce(topics.ingest, [{ key: 'later', value: JSON.stringify({ id: 'later', type: 'Later' }) }]);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await db.count("SELECT count(*)::int AS n FROM events WHERE id = 'later'")).toBe(0);
    const before = await tk.readAll(topics.outbound, 10);
    expect(outboundPositions(before).unique).toEqual(range(10));

    await held.query("INSERT INTO streams VALUES ('default', 'held-stream', 1, now(), now())");
    await held.query('UPDATE event_position SET last = $1', [lower]);
    await held.query('COMMIT');
    held.release();

    const after = await tk.readAll(topics.outbound, 12);
    expect(outboundPositions(after).unique).toEqual(range(12));
    const types = Object.fromEntries(after.map((r) => [r.headerText['eventlog-position'], r.headerText['eventlog-type']]));
    expect([types['11'], types['12']]).toEqual(['Held', 'Later']);
  });

  it('resumes from its checkpoint after kill -9 with nothing missing', async () => {
    const { db, topics } = await setUp('relay_kill');
    const ingest = await AppProcess.start('ingest', 'relay-kill', appEnv(db, topics));
    cleanup.push(() => ingest.stop());
    const producing = produceLoad(tk, topics.ingest, { count: 20000, streams: 40, prefix: 'rk', chunk: 1000, pauseMs: 50 });
    await waitFor(
      async () => Number((await db.pool.query("SELECT coalesce(max(position), 0) AS p FROM relay_checkpoint")).rows[0].p),
      (p) => p >= 2000,
      { what: 'the relay to pass position 2000' },
    );
    await ingest.kill();
    await ingest.launch();
    const ids = await producing;
    const records = await tk.readPositions(topics.outbound, ids.length, 90000);
    const { unique, ordered } = outboundPositions(records);
    expect(unique).toEqual(range(ids.length));
    expect(ordered).toBe(true);
  });

  it('runs as a process of its own when ingest is told not to relay', async () => {
    const { db, topics } = await setUp('relay_own');
    const ingest = await AppProcess.start('ingest', 'relay-own-ingest', appEnv(db, topics, { INGEST_RUNS_RELAY: 'false' }));
    cleanup.push(() => ingest.stop());
    const ids = await produceLoad(tk, topics.ingest, { count: 2000, streams: 10, prefix: 'ro', chunk: 200 });
    await waitFor(() => db.count('SELECT count(*)::int AS n FROM events'), (n) => n === ids.length, { what: 'every event persisted' });
    // No relay has run: none ever took the lease and wrote its checkpoint row.
    expect(await db.count('SELECT count(*)::int AS n FROM relay_checkpoint')).toBe(0);

    const relay = await AppProcess.start('relay', 'relay-own', appEnv(db, topics));
    cleanup.push(() => relay.stop());
    const records = await tk.readPositions(topics.outbound, ids.length);
    const { unique, ordered } = outboundPositions(records);
    expect(unique).toEqual(range(ids.length));
    expect(ordered).toBe(true);
    expect(await relayActive(relay)).toBe(1);
  });

  it('runs one active relay of two, and the other takes over when the first dies', async () => {
    const { db, topics } = await setUp('relay_failover');
    const first = await AppProcess.start('ingest', 'relay-fo-1', appEnv(db, topics));
    cleanup.push(() => first.stop());
    await waitFor(() => relayActive(first), (f) => f === 1, { what: 'the first relay active' });
    const second = await AppProcess.start('ingest', 'relay-fo-2', appEnv(db, topics));
    cleanup.push(() => second.stop());
    await produceLoad(tk, topics.ingest, { count: 500, streams: 5, prefix: 'f1' });
    await tk.readAll(topics.outbound, 500);
    expect(await relayActive(second)).toBe(0);

    await first.kill();
    await waitFor(() => relayActive(second), (f) => f === 1, { timeoutMs: 30000, what: 'the second relay to take over' });
    await produceLoad(tk, topics.ingest, { count: 500, streams: 5, prefix: 'f2' });
    // The dead member's partitions resume after the group's session timeout.
    const records = await tk.readPositions(topics.outbound, 1000, 60000);
    expect(outboundPositions(records).unique).toEqual(range(1000));
  });
});
