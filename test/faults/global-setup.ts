import { buildAndMigrateTemplate } from '../support/global-setup';
import { faultsEnv, faultsInfra } from './faults-infra';

/**
 * The faults project starts its own broker and Postgres cluster (fresh each run) and points every
 * test and app process at them; jest's own pid owns them, so a watchdog stops them should jest die
 * before its teardown.
 */
export default async function faultsGlobalSetup() {
  const env = faultsEnv();
  Object.assign(process.env, env);
  try {
    faultsInfra('up', String(process.pid));
    await buildAndMigrateTemplate(env.TEST_ADMIN_DATABASE_URL);
  } catch (err) {
    // jest runs no teardown when the setup throws.
    faultsInfra('down');
    throw err;
  }
}
