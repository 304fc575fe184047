import { EventPartition } from '../partitions/event-partitions';

/** How long each tenant's events are kept, in ms; a tenant neither named nor covered by otherMs keeps everything. */
export interface RetentionPolicy {
  byTenant: ReadonlyMap<string, number>;
  otherMs?: number;
}

/** A partition with the tenants that have rows in it. */
export interface PartitionTenants extends EventPartition {
  tenants: string[];
}

export interface PartitionVerdict {
  partition: PartitionTenants;
  drop: boolean;
  /** Why it is kept or dropped, for the job's output. */
  reason: string;
}

/** The retention of one tenant in ms; undefined when it keeps everything. */
export function retentionOf(policy: RetentionPolicy, tenant: string): number | undefined {
  return policy.byTenant.get(tenant) ?? policy.otherMs;
}

/**
 * Decides, for each partition, whether it goes: only when every tenant with rows in it has
 * expired it (its newest possible row is older than the tenant's retention), so a tenant that
 * keeps longer keeps the whole partition. A partition without rows goes once the shortest
 * retention has passed it (none configured: it stays). Pure: the caller reads the partitions.
 */
export function planRetention(partitions: PartitionTenants[], policy: RetentionPolicy, now: Date): PartitionVerdict[] {
  const configured = [...policy.byTenant.values(), ...(policy.otherMs === undefined ? [] : [policy.otherMs])];
  const expiredFor = (ms: number | undefined, p: EventPartition) => ms !== undefined && p.toAt.getTime() <= now.getTime() - ms;
  return partitions.map((partition) => {
    if (partition.tenants.length === 0) {
      const shortest = configured.length ? Math.min(...configured) : undefined;
      return expiredFor(shortest, partition)
        ? { partition, drop: true, reason: 'no events, older than the shortest retention' }
        : { partition, drop: false, reason: 'no events, within every retention' };
    }
    const keeping = partition.tenants.filter((t) => !expiredFor(retentionOf(policy, t), partition));
    return keeping.length === 0
      ? { partition, drop: true, reason: `expired for ${partition.tenants.join(', ')}` }
      : { partition, drop: false, reason: `kept for ${keeping.join(', ')}` };
  });
}
