import { faultsInfra } from './faults-infra';

/** Stops the fault suite's broker and Postgres cluster, whether the scenarios passed or not. */
export default async function faultsGlobalTeardown() {
  faultsInfra('down');
}
