import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/env';

/*
 * The fault suite's own broker and Postgres cluster (scripts/faults-infra.sh, decision 022): the
 * scenarios stop the one and restart the other, so they must never be the broker on 9092 or the
 * machine's Postgres that a developer's `npm start` and the other tests use.
 */
export const FAULTS_KAFKA_PORT = process.env.FAULTS_KAFKA_PORT ?? '19092';
export const FAULTS_CONTROLLER_PORT = process.env.FAULTS_CONTROLLER_PORT ?? '19093';
export const FAULTS_PG_PORT = process.env.FAULTS_PG_PORT ?? '15432';

/** What the suite's processes (tests and the apps they start) are pointed at. */
export const faultsEnv = () => ({
  FAULTS_KAFKA_PORT,
  FAULTS_CONTROLLER_PORT,
  FAULTS_PG_PORT,
  KAFKA_BROKERS: `127.0.0.1:${FAULTS_KAFKA_PORT}`,
  TEST_ADMIN_DATABASE_URL: `postgres://postgres@127.0.0.1:${FAULTS_PG_PORT}/postgres`,
});

export type FaultsInfraAction = 'up' | 'down' | 'kafka-up' | 'kafka-down' | 'pg-restart';

export function faultsInfra(action: FaultsInfraAction, ...args: string[]) {
  execFileSync('bash', [join(PROJECT_ROOT, 'scripts/faults-infra.sh'), action, ...args], {
    stdio: 'inherit',
    env: { ...process.env, ...faultsEnv() },
  });
}
