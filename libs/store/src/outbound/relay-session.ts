import { Client } from 'pg';
import { connectWithLease } from '../lease/advisory-lease';
import { APPENDED_CHANNEL } from '../notifications/appended-channel';
import { STORED_EVENT_JSON } from '../read/event-row';

/** What the relay publishes of one event: the stored form as JSON text, and the fields of its key and headers. */
export interface OutboundRow {
  position: string;
  version: string;
  type: string;
  tenant: string;
  stream: string;
  json: string;
}

// Session-level advisory lock key space of the relay: one lock per relay name.
const RELAY_LOCK_CLASS = 4_242_002;

/** The relay's own connection; holding it open holds the relay's lease (connectWithLease). */
export class RelaySession {
  /** The connection, and with it the lease, is gone (or going): nothing may be published on its word. */
  private lost = false;

  private constructor(
    private readonly client: Client,
    readonly name: string,
  ) {
    client.on('end', () => (this.lost = true));
    client.on('error', () => (this.lost = true));
  }

  /**
   * Connects and tries to take the lease; returns undefined when another holds it. `onAppended`
   * gets the last position of each append notified (Infinity when a notification names none).
   */
  static async tryAcquire(databaseUrl: string, name: string, onAppended: (lastPosition: number) => void, onError: (err: Error) => void) {
    const client = await connectWithLease(databaseUrl, RELAY_LOCK_CLASS, name, onError);
    if (!client) return undefined;
    try {
      // The checkpoint is saved once a round, after the broker acknowledged it. Not waiting for its
      // WAL flush takes a disk sync off every round; a Postgres crash (not the relay's) can then
      // lose the last few hundred ms of progress, which are published again (at least once).
      await client.query('SET synchronous_commit = off');
      client.on('notification', (n) => onAppended(n.payload && /^\d+$/.test(n.payload) ? Number(n.payload) : Infinity));
      await client.query(`LISTEN ${APPENDED_CHANNEL}`);
      await client.query('INSERT INTO relay_checkpoint (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING', [name]);
      return new RelaySession(client, name);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  /** False once the connection has ended or failed: the lease may be another's by now. */
  get holding(): boolean {
    return !this.lost;
  }

  async checkpoint(): Promise<number> {
    const { rows } = await this.client.query<{ position: string }>('SELECT position FROM relay_checkpoint WHERE name = $1', [this.name]);
    return Number(rows[0].position);
  }

  /**
   * The next events after `position`, in position order. Appends commit in position order
   * (decision 002), so nothing can later appear below what this returns.
   */
  async readAfter(position: number, limit: number): Promise<OutboundRow[]> {
    const { rows } = await this.client.query<OutboundRow>(
      `SELECT e.position::text AS position, e.version::text AS version, e.type, e.tenant, e.stream,
              ${STORED_EVENT_JSON} AS json
         FROM events e WHERE e.position > $1 ORDER BY e.position LIMIT $2`,
      [position, limit],
    );
    return rows;
  }

  /** Never moves backwards, even if a former lease holder writes late. */
  async saveCheckpoint(position: number): Promise<void> {
    await this.client.query('UPDATE relay_checkpoint SET position = GREATEST(position, $2) WHERE name = $1', [this.name, position]);
  }

  /** The newest position and the age in seconds of the oldest event not yet relayed. */
  async lag(checkpoint: number): Promise<{ last: number; oldestUnpublishedSeconds: number }> {
    const { rows } = await this.client.query<{ last: string; age: number | null }>(
      `SELECT (SELECT last FROM event_position) AS last,
              (SELECT extract(epoch FROM now() - recorded_at)::float8 FROM events WHERE position = $1 + 1) AS age`,
      [checkpoint],
    );
    return { last: Number(rows[0].last), oldestUnpublishedSeconds: rows[0].age ?? 0 };
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
