import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_DATABASE_URL, PROJECT_ROOT } from '../support/env';
import { buildAndMigrateTemplate } from '../support/global-setup';
import { faultsEnv, faultsInfra } from './faults-infra';

/**
 * The faults project starts its own broker and Postgres cluster (fresh each run) and points every
 * test and app process at them; jest's own pid owns them, so a watchdog stops them should jest die
 * before its teardown. Where no cluster of its own can be made (no server binaries, say), the
 * script says why in one line: the Postgres restart scenario is then skipped with that reason and
 * the others use the machine's Postgres, which they never restart.
 */
export default async function faultsGlobalSetup() {
  const env = faultsEnv();
  Object.assign(process.env, env);
  try {
    faultsInfra('up', String(process.pid));
    const skipped = join(PROJECT_ROOT, '.infra/faults-postgres-skipped');
    if (existsSync(skipped)) {
      process.env.FAULTS_PG_SKIP = readFileSync(skipped, 'utf8').trim();
      process.env.TEST_ADMIN_DATABASE_URL = ADMIN_DATABASE_URL;
    }
    await buildAndMigrateTemplate(process.env.TEST_ADMIN_DATABASE_URL!);
  } catch (err) {
    // jest runs no teardown when the setup throws.
    faultsInfra('down');
    throw err;
  }
}
