import { StalledChain } from '@eventlog/store';
import { decodeRecord } from '../decoding/record-decoder';
import { chainStalledEnvelope, chainStalledId } from './chain-stalled-event';

const chain: StalledChain = {
  tenant: 'acme',
  requestId: 'req-1',
  nodeId: 'deploy',
  lastEventId: 'e-9',
  lastType: 'DeployStarted',
  lastStatus: 'running',
  lastRecordedAt: '2026-12-05T07:00:00.000Z',
  idleMs: 301_500,
  stallAfterMs: 300_000,
};

describe('chainStalledId', () => {
  it('is the same for the same stalled node and latest event, and differs for another latest event', () => {
    expect(chainStalledId(chain)).toBe(chainStalledId({ ...chain }));
    expect(chainStalledId({ ...chain, lastEventId: 'e-10' })).not.toBe(chainStalledId(chain));
    expect(chainStalledId({ ...chain, nodeId: 'other' })).not.toBe(chainStalledId(chain));
  });

  it('is a valid event id', () => {
    expect(chainStalledId({ ...chain, requestId: 'r'.repeat(128), nodeId: '\u0000 any', lastEventId: 'x'.repeat(128) })).toMatch(/^[A-Za-z0-9._:@-]{1,128}$/);
  });
});

describe('chainStalledEnvelope', () => {
  it('is a failed node under the stalled one, in the chain, carrying the idle time', () => {
    const envelope = chainStalledEnvelope(chain, new Date('2026-12-05T07:05:01.500Z'));
    expect(envelope).toMatchObject({
      id: chainStalledId(chain),
      tenant: 'acme',
      stream: 'eventlog.stalled-chains',
      type: 'eventlog.ChainStalled',
      status: 'fail',
      requestId: 'req-1',
      nodeId: chainStalledId(chain),
      parentNodeId: 'deploy',
      occurredAt: '2026-12-05T07:05:01.500Z',
      data: { idleMs: 301_500, stallAfterMs: 300_000, stalledNodeId: 'deploy', lastEventId: 'e-9', lastType: 'DeployStarted', lastStatus: 'running' },
    });
    expect(envelope.message).toBe('no event for 5m1s500ms (timeout 5m) since node deploy reported running');
  });

  it('is an envelope ingest accepts as it is, whatever the chain\'s ids hold', () => {
    const odd = { ...chain, requestId: 'r\u0001'.repeat(64), nodeId: 'n\u007f'.repeat(64), lastType: 't'.repeat(200) };
    const envelope = chainStalledEnvelope(odd, new Date());
    const decoded = decodeRecord(
      { topic: 't', partition: 0, offset: '1', key: Buffer.from(envelope.stream), value: Buffer.from(JSON.stringify(envelope)), timestamp: String(Date.now()) },
      1024 * 1024,
    );
    expect(decoded).toMatchObject({ ok: true, event: { id: envelope.id, requestId: odd.requestId, parentNodeId: odd.nodeId, status: 'fail' } });
  });
});
