import { Client } from 'pg';
import { connectWithLease } from '../lease/advisory-lease';

// Session-level advisory lock key space of the retention job (the relay's is 4_242_002).
const RETENTION_LOCK_CLASS = 4_242_039;

/**
 * A connection holding the retention job's lease for one run, so that the job in ingest and
 * `npm run retention` never drop or create partitions at the same time. Undefined when another
 * run holds it.
 */
export async function acquireRetentionLease(databaseUrl: string, onError: (err: Error) => void): Promise<Client | undefined> {
  return connectWithLease(databaseUrl, RETENTION_LOCK_CLASS, 'retention', onError);
}
