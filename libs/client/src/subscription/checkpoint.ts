/**
 * The parts of node-postgres the checkpoint uses, written out so that the package's types need
 * neither pg nor @types/pg: a pg Pool and its clients fit them.
 */
export interface PgClient {
  query<R = any>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}
export interface PgPool extends PgClient {
  connect(): Promise<PgClient & { release(err?: Error | boolean): void }>;
  end(): Promise<void>;
}

/** What a batch's handlers run with: the store's transaction, if any, and how to record progress. */
export interface BatchScope {
  tx?: PgClient;
  /** Records that the event at `position` has been handled (its handler returned). */
  handled(position: number): Promise<void>;
}

/** Where a partition of the outbound topic was handled up to. */
export interface CheckpointStore {
  /** Runs one batch of a partition: `run` gets the partition's checkpoint (0 when none) and a scope. */
  inBatch(partition: number, run: (checkpoint: number, scope: BatchScope) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** The caller keeps the checkpoint: load() is asked at each batch, save() after every handled event. */
export interface CheckpointFunctions {
  load(partition: number): Promise<number | undefined> | number | undefined;
  save(partition: number, position: number): Promise<void> | void;
}

/** The checkpoint in a table of the caller's Postgres, created if absent. */
export interface PostgresCheckpoint {
  postgres: { pool: PgPool } | { connectionString: string };
  /** Table name (default `eventlog_checkpoints`), optionally schema-qualified. */
  table?: string;
}

export type CheckpointOption = CheckpointFunctions | PostgresCheckpoint;

/** A store over the caller's functions: each event's position is saved as soon as its handler returns. */
export function functionStore(fns: CheckpointFunctions): CheckpointStore {
  return {
    inBatch: async (partition, run) => {
      const checkpoint = Number((await fns.load(partition)) ?? 0);
      await run(checkpoint, { handled: async (position) => fns.save(partition, position) });
    },
    close: async () => undefined,
  };
}

const TABLE_NAME = /^([a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$/;

/**
 * One row per (subscription, topic, partition). Each batch is one transaction: the row is locked
 * (so two instances of a subscription never handle a partition at once during a rebalance), the
 * handlers run on the same connection, and the new position is written before COMMIT. A handler's
 * writes through `tx` and the checkpoint therefore commit together or not at all.
 */
export class PostgresCheckpointStore implements CheckpointStore {
  private readonly table: string;
  private ready?: Promise<unknown>;

  constructor(
    private readonly pool: PgPool,
    private readonly ownsPool: boolean,
    table: string,
    private readonly subscription: string,
    private readonly topic: string,
  ) {
    // An identifier cannot be a parameter: only names of this shape are accepted, then quoted.
    if (!TABLE_NAME.test(table)) throw new Error(`EventLogClient: checkpoint table "${table}" must match ${TABLE_NAME.source}`);
    this.table = table.split('.').map((part) => `"${part}"`).join('.');
  }

  static async create(option: PostgresCheckpoint, subscription: string, topic: string): Promise<PostgresCheckpointStore> {
    // pg is loaded here only: a caller who keeps checkpoints elsewhere does not need it installed.
    const given = 'pool' in option.postgres ? option.postgres.pool : undefined;
    const pool: PgPool = given ?? new (require('pg') as typeof import('pg')).Pool({ connectionString: (option.postgres as { connectionString: string }).connectionString });
    const store = new PostgresCheckpointStore(pool, !given, option.table ?? 'eventlog_checkpoints', subscription, topic);
    await store.createTable();
    return store;
  }

  private createTable() {
    this.ready ??= this.pool.query(
      `CREATE TABLE IF NOT EXISTS ${this.table} (
         subscription text NOT NULL,
         topic text NOT NULL,
         partition integer NOT NULL,
         position bigint NOT NULL,
         updated_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (subscription, topic, partition))`,
    );
    return this.ready;
  }

  async inBatch(partition: number, run: (checkpoint: number, scope: BatchScope) => Promise<void>): Promise<void> {
    const key = [this.subscription, this.topic, partition];
    const tx = await this.pool.connect();
    try {
      await tx.query('BEGIN');
      await tx.query(`INSERT INTO ${this.table} (subscription, topic, partition, position) VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING`, key);
      const { rows } = await tx.query<{ position: string }>(
        `SELECT position FROM ${this.table} WHERE subscription = $1 AND topic = $2 AND partition = $3 FOR UPDATE`,
        key,
      );
      const before = Number(rows[0].position);
      let after = before;
      await run(before, { tx, handled: async (position) => void (after = position) });
      if (after !== before) {
        await tx.query(`UPDATE ${this.table} SET position = $4, updated_at = now() WHERE subscription = $1 AND topic = $2 AND partition = $3`, [...key, after]);
      }
      await tx.query('COMMIT');
    } catch (err) {
      await tx.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      tx.release();
    }
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
