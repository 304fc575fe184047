import { createHash } from 'node:crypto';
import { CHAIN_STALLED_TYPE, formatDuration } from '@eventlog/contracts';
import { StalledChain } from '@eventlog/store';

/** The source of every ChainStalled event. */
export const STALL_DETECTOR_SOURCE = 'eventlog.stall-detector';

/**
 * The stream of every ChainStalled event of a tenant: one place to read them all, and never a
 * producer's stream, whose versions that producer may be checking with expectedVersion.
 */
export const STALLED_CHAINS_STREAM = 'eventlog.stalled-chains';

/**
 * The id of the ChainStalled event for this chain's latest event: the same whichever detector
 * computes it and however often, so the log's (tenant, id) uniqueness keeps exactly one per stall
 * (a chain that moves on and stalls again has another latest event, hence another id).
 */
export function chainStalledId(chain: Pick<StalledChain, 'requestId' | 'nodeId' | 'lastEventId'>): string {
  const digest = createHash('sha256').update(JSON.stringify([chain.requestId, chain.nodeId, chain.lastEventId])).digest('hex');
  return `${CHAIN_STALLED_TYPE}:${digest}`;
}

/** The envelope produced to the ingest topic: a failed node under the stalled one, in the chain's tenant and request. */
export function chainStalledEnvelope(chain: StalledChain, detectedAt: Date) {
  const id = chainStalledId(chain);
  return {
    id,
    tenant: chain.tenant,
    stream: STALLED_CHAINS_STREAM,
    type: CHAIN_STALLED_TYPE,
    status: 'fail',
    source: STALL_DETECTOR_SOURCE,
    message: `no event for ${formatDuration(chain.idleMs)} (timeout ${formatDuration(chain.stallAfterMs)}) since node ${chain.nodeId} reported ${chain.lastStatus}`,
    requestId: chain.requestId,
    nodeId: id,
    parentNodeId: chain.nodeId,
    occurredAt: detectedAt.toISOString(),
    data: {
      idleMs: chain.idleMs,
      stallAfterMs: chain.stallAfterMs,
      stalledNodeId: chain.nodeId,
      lastEventId: chain.lastEventId,
      lastType: chain.lastType,
      lastStatus: chain.lastStatus,
      lastRecordedAt: chain.lastRecordedAt,
    },
  };
}
