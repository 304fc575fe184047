import { runMigrations } from '@eventlog/store';
import { TestDatabase } from './support/database';
import { MIGRATIONS, migratedBefore, migrationFiles } from './support/migrated-before';

describe('schema: migrations and the append-only log', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await TestDatabase.create('schema');
    await db.pool.query(
      `INSERT INTO events (position, tenant, id, stream, version, type, data, metadata, node_id, occurred_at)
       VALUES (1, 'default', 'e-1', 's', 1, 'T', '{}', '{}', 'e-1', now())`,
    );
  });
  afterAll(() => db.drop());

  it.each([
    ['UPDATE', "UPDATE events SET type = 'X'"],
    ['DELETE', 'DELETE FROM events'],
    ['TRUNCATE', 'TRUNCATE events'],
  ])('refuses %s on events', async (op, sql) => {
    await expect(db.pool.query(sql)).rejects.toThrow(`events is append-only: ${op} refused`);
    expect(await db.count()).toBe(1);
  });

  it('refuses a second event with the same (tenant, id) or (tenant, stream, version)', async () => {
    const insert = (position: number, id: string, version: number) =>
      db.pool.query(
        `INSERT INTO events (position, tenant, id, stream, version, type, data, metadata, node_id, occurred_at)
         VALUES ($1, 'default', $2, 's', $3, 'T', '{}', '{}', $2, now())`,
        [position, id, version],
      );
    await expect(insert(2, 'e-1', 2)).rejects.toThrow(/events_tenant_id_key/);
    await expect(insert(2, 'e-2', 1)).rejects.toThrow(/events_stream_version_key/);
  });

  it('applies nothing when run again, and serialises concurrent runs', async () => {
    const runs = await Promise.all([runMigrations(db.url, MIGRATIONS), runMigrations(db.url, MIGRATIONS)]);
    expect(runs).toEqual([[], []]);
    const fresh = await TestDatabase.create('schema_fresh_empty');
    try {
      await fresh.pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      const [a, b] = await Promise.all([runMigrations(fresh.url, MIGRATIONS), runMigrations(fresh.url, MIGRATIONS)]);
      // Each file applied once, by one of the two runs.
      expect([...a, ...b].sort()).toEqual(migrationFiles().sort());
    } finally {
      await fresh.drop();
    }
  });

  it('keeps event_totals equal to counting the events: backfilled by its migration, then by the trigger', async () => {
    const { fresh, migrateRest, rest, drop } = await migratedBefore('schema_totals', '007');
    try {
      // Positions from, a statement each: tenants, types, statuses and sources with and without values.
      const insert = (from: number, count: number) =>
        fresh.pool.query(
          `INSERT INTO events (position, tenant, id, stream, version, type, data, metadata, node_id, occurred_at, status, source)
           SELECT p, 't' || (p % 2), 'e-' || p, 's-' || p, 1, 'T' || (p % 3), '{}', '{}', 'n', TIMESTAMPTZ '2024-01-01Z' + p * INTERVAL '1 minute',
                  CASE WHEN p % 4 = 0 THEN NULL ELSE 'st' || (p % 4) END, CASE WHEN p % 5 = 0 THEN NULL ELSE 'src' || (p % 2) END
             FROM generate_series($1::int, $1::int + $2::int - 1) AS p`,
          [from, count],
        );
      await insert(1, 40);
      expect(await migrateRest()).toEqual(rest);
      await insert(41, 25);
      await insert(66, 1);
      await insert(67, 30);
      const totals = await fresh.pool.query(
        `SELECT tenant, type, status, source, n::int, first_occurred_at, last_occurred_at FROM event_totals ORDER BY 1, 2, 3, 4`,
      );
      const counted = await fresh.pool.query(
        `SELECT tenant, type, coalesce(status, '') AS status, coalesce(source, '') AS source, count(*)::int AS n,
                min(occurred_at) AS first_occurred_at, max(occurred_at) AS last_occurred_at
           FROM events GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
      );
      expect(counted.rows.length).toBeGreaterThan(10);
      expect(totals.rows).toEqual(counted.rows);
    } finally {
      await drop();
    }
  });

  it("keeps event_counts equal to counting the events by status too (NULL and '' apart): rebuilt by migration 008, then by the trigger", async () => {
    const { fresh, migrateRest, rest, drop } = await migratedBefore('schema_counts', '008');
    try {
      // A statement each; later ones land in buckets of earlier ones (every 7 s from an offset),
      // so the trigger adds to rows the migration made, NULL statuses included.
      const insert = (from: number, count: number, offsetSeconds: number) =>
        fresh.pool.query(
          `INSERT INTO events (position, tenant, id, stream, version, type, data, metadata, node_id, occurred_at, status)
           SELECT p, 't' || (p % 2), 'e-' || p, 's-' || p, 1, 'T' || (p % 3), '{}', '{}', 'n',
                  TIMESTAMPTZ '2024-01-01T23:58:00Z' + ($3::int + p * 7) * INTERVAL '1 second',
                  CASE p % 4 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE 'st' || (p % 4) END
             FROM generate_series($1::int, $1::int + $2::int - 1) AS p`,
          [from, count, offsetSeconds],
        );
      await insert(1, 400, 0);
      expect(await migrateRest()).toEqual(rest);
      await insert(401, 150, -2800);
      await insert(551, 1, -3850);
      await insert(552, 60, -3700);
      const kept = await fresh.pool.query(
        `SELECT tenant, grain, bucket, type, status, n::int FROM event_counts ORDER BY 1, 2, 3, 4, 5`,
      );
      const counted = await fresh.pool.query(
        `SELECT e.tenant, g.grain, date_bin(g.width, e.occurred_at, TIMESTAMPTZ '2000-01-01Z') AS bucket, e.type, e.status, count(*)::int AS n
           FROM events e
          CROSS JOIN (VALUES (10, INTERVAL '10 seconds'), (60, INTERVAL '1 minute'), (3600, INTERVAL '1 hour'), (86400, INTERVAL '1 day')) AS g(grain, width)
          GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
      );
      expect(counted.rows.filter((r) => r.status === null).length).toBeGreaterThan(10);
      expect(counted.rows.filter((r) => r.status === '').length).toBeGreaterThan(10);
      expect(kept.rows).toEqual(counted.rows);
    } finally {
      await drop();
    }
  });
});
