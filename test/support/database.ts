import { Client, Pool } from 'pg';
import { ADMIN_DATABASE_URL, databaseUrl, templateDatabase, uniqueSuffix } from './env';

/** A migrated database of this test file's own, cloned from the template; dropped by `drop()`. */
export class TestDatabase {
  readonly pool: Pool;

  private constructor(
    readonly name: string,
    readonly url: string,
  ) {
    this.pool = new Pool({ connectionString: url, max: 4 });
    this.pool.on('error', () => undefined);
  }

  static async create(label: string): Promise<TestDatabase> {
    const name = `eventlog_test_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${uniqueSuffix()}`;
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`);
    } finally {
      await admin.end();
    }
    return new TestDatabase(name, databaseUrl(name));
  }

  async count(sql = 'SELECT count(*)::int AS n FROM events', params: unknown[] = []): Promise<number> {
    return (await this.pool.query<{ n: number }>(sql, params)).rows[0].n;
  }

  async drop(): Promise<void> {
    await this.pool.end();
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
}
