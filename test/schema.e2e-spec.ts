import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runMigrations } from '../libs/store/src/migrate';
import { TestDatabase } from './support/database';

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
    const migrations = join(__dirname, '..', 'libs', 'store', 'migrations');
    const runs = await Promise.all([runMigrations(db.url, migrations), runMigrations(db.url, migrations)]);
    expect(runs).toEqual([[], []]);
    const fresh = await TestDatabase.create('schema_fresh_empty');
    try {
      await fresh.pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      const [a, b] = await Promise.all([runMigrations(fresh.url, migrations), runMigrations(fresh.url, migrations)]);
      // Each file applied once, by one of the two runs.
      expect([...a, ...b].sort()).toEqual(readdirSync(migrations).filter((f) => f.endsWith('.sql')).sort());
    } finally {
      await fresh.drop();
    }
  });
});
