import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printTable, Scenario, ScenarioResult } from './lib/scenario';

/**
 * `npm run bench [-- name ...]`: runs the named scenarios (all by default) against the local Kafka
 * and Postgres, prints a table each and writes bench/results/<time>.json.
 */
const scenarios: Record<string, () => Promise<Scenario>> = {
  ingest: async () => (await import('./ingest.bench')).run,
  query: async () => (await import('./query.bench')).run,
  relay: async () => (await import('./relay.bench')).run,
  // After query: it reads the dataset the query scenario loads.
  console: async () => (await import('./console.bench')).run,
  stalled: async () => (await import('./stalled.bench')).run,
  ryw: async () => (await import('./read-your-writes.bench')).run,
  ws: async () => (await import('./ws.bench')).run,
  graphql: async () => (await import('./graphql.bench')).run,
  enroll: async () => (await import('./enroll.bench')).run,
  retention: async () => (await import('./retention.bench')).run,
};
/** Run only when named: it runs other scenarios' benches, of this checkout and of an older commit. */
const onDemand: Record<string, () => Promise<Scenario>> = {
  partitioning: async () => (await import('./partitioning.bench')).run,
};

async function main() {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length ? wanted : Object.keys(scenarios);
  const all = { ...scenarios, ...onDemand };
  const unknown = names.filter((n) => !all[n]);
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${Object.keys(all).join(', ')}`);
  const results: ScenarioResult[] = [];
  for (const name of names) {
    const result = await (await all[name]())();
    printTable(result);
    results.push(result);
  }
  const dir = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
  console.log(`\nresults written to ${file}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
