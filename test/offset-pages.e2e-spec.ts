import { QueryFixture } from './support/query-fixture';
import { waitFor } from './support/wait-for';

/*
 * Deep offset pages of a whole tenant in occurredAt order skip most of their offset with the
 * event_counts rollup (libs/store/src/read/offset-skip.ts, decision 047). Every page must be the
 * one the plain order gives: read here from the table itself, sorted by (occurred_at, position).
 */
describe('offset pages deep in a tenant', () => {
  let fx: QueryFixture;
  const EVENTS = 60_000;
  const BASE = '2026-02-27T22:59:55Z';

  /** The tenant's ids in the log's order, from the table. */
  const truth = async (order: 'asc' | 'desc') =>
    (
      await fx.db.pool.query<{ id: string }>(
        `SELECT e.id FROM events e WHERE e.tenant = 'deep'
            AND NOT EXISTS (SELECT 1 FROM stream_tombstones t WHERE t.tenant = e.tenant AND t.stream = e.stream AND e.version < t.hidden_below)
          ORDER BY e.occurred_at ${order}, e.position ${order}`,
      )
    ).rows.map((r) => r.id);
  const page = async (offset: number, order: 'asc' | 'desc', limit = 25) => {
    const r = await fx.get(`/v1/events?tenant=deep&offset=${offset}&limit=${limit}&order=${order}&includeTotal=false`);
    expect(r.status).toBe(200);
    return (r.body.events as { id: string }[]).map((e) => e.id);
  };
  // Around the rollup threshold, inside 10 s buckets and on their edges, the last rows, past the end.
  const OFFSETS = [49_999, 50_000, 50_001, 51_234, 53_333, 57_000, 59_990, 59_999, 60_000, 75_000];

  beforeAll(async () => {
    fx = await QueryFixture.start('offset-pages');
    // Written by SQL, as a long-running log would hold them: spread over three days and both sides
    // of midnight and of the hour, two events sharing many an instant, occurredAt out of
    // position order, some recorded in the default partition; and another tenant interleaved.
    await fx.db.pool.query(
      `INSERT INTO events (position, tenant, id, stream, version, type, data, metadata, status, node_id, occurred_at, recorded_at)
       SELECT g, CASE WHEN g % 11 = 0 THEN 'other' ELSE 'deep' END, 'e-' || g, 's-' || (g % 13), g, 'T' || (g % 4), '{}', '{}',
              (ARRAY['success', 'fail', NULL])[1 + g % 3], 'n', $1::timestamptz + ((g * 7919) % 40000) * interval '6.5 seconds',
              CASE WHEN g % 5 = 0 THEN '2001-01-01' ELSE now() END
         FROM generate_series(1, $2::int) g`,
      [BASE, Math.ceil(EVENTS * 1.1)],
    );
    await fx.db.pool.query(`INSERT INTO streams (tenant, stream, version, first_occurred_at, last_occurred_at)
      SELECT tenant, stream, max(version), min(occurred_at), max(occurred_at) FROM events GROUP BY 1, 2`);
    await fx.db.pool.query('UPDATE event_position SET last = (SELECT max(position) FROM events), recorded_at = now()');
  });
  afterAll(() => fx?.stop());

  it('gives every page the plain order gives, newest and oldest first, with instants shared by two events', async () => {
    const expected = { desc: await truth('desc'), asc: await truth('asc') };
    expect(expected.desc.length).toBeGreaterThan(EVENTS - 1000);
    const sharedInstants = await fx.db.count(
      "SELECT count(*)::int AS n FROM (SELECT occurred_at FROM events WHERE tenant = 'deep' GROUP BY 1 HAVING count(*) > 1) x",
    );
    expect(sharedInstants).toBeGreaterThan(1000);
    for (const order of ['desc', 'asc'] as const)
      for (const offset of OFFSETS) expect({ order, offset, ids: await page(offset, order) }).toEqual({ order, offset, ids: expected[order].slice(offset, offset + 25) });
  });

  it('after a stream of the tenant is deleted, still gives the pages of what remains', async () => {
    const res = await fetch(`${fx.query.url}/v1/streams/s-3?tenant=deep`, { method: 'DELETE' });
    expect(res.status).toBeLessThan(300);
    await waitFor(() => fx.db.count("SELECT count(*)::int AS n FROM stream_tombstones WHERE tenant = 'deep'"), (n) => n === 1, { what: 'the tombstone' });
    const expected = await truth('desc');
    for (const offset of [50_000, 53_333]) expect(await page(offset, 'desc')).toEqual(expected.slice(offset, offset + 25));
  });
});
