import { Client } from 'pg';

/**
 * A connection that holds a session advisory lock (lockClass, hash of name): the lease of a
 * singleton worker such as the relay or the stall detector. It lasts as long as the connection, so
 * it dies with the process or its connection and another instance can take over. Returns
 * undefined (connection closed) when another holds it.
 */
export async function connectWithLease(databaseUrl: string, lockClass: number, name: string, onError: (err: Error) => void): Promise<Client | undefined> {
  const client = new Client({ connectionString: databaseUrl });
  client.on('error', onError);
  await client.connect();
  try {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [lockClass, name]);
    if (rows[0].ok) return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  await client.end();
  return undefined;
}
