import { StoredEvent } from '@eventlog/contracts';
import { buildNodes, buildTrace, traceStatus } from './trace-tree';

let position = 0;
function event(nodeId: string, parentNodeId: string | null, status: string | null, second: number): StoredEvent {
  position += 1;
  return {
    id: `e${position}`, tenant: 'default', stream: 's', version: position, position, type: 'Step', data: {}, metadata: {},
    source: null, status, message: null, requestId: 'r1', nodeId, parentNodeId,
    occurredAt: new Date(Date.UTC(2024, 0, 1, 0, 0, second)).toISOString(), recordedAt: new Date().toISOString(), kafka: null,
  };
}

describe('traceStatus', () => {
  it.each([
    [['success', 'fail', 'running'], 'fail'],
    [['success', 'pending'], 'running'],
    [['waiting'], 'running'],
    [['success', 'running'], 'running'],
    [['success', 'aborted', null, 'normal'], 'success'],
  ])('%j → %s', (statuses, expected) => {
    expect(traceStatus(statuses as (string | null)[])).toBe(expected);
  });
});

describe('buildNodes', () => {
  it('nests root → children → grandchild, each node with its events and its latest status and times', () => {
    const events = [
      event('root', null, 'running', 0),
      event('a', 'root', 'running', 1),
      event('b', 'root', 'success', 2),
      event('a1', 'a', 'fail', 3),
      event('a', null, 'success', 4),
      event('root', null, 'success', 5),
    ];
    const [root, ...others] = buildNodes(events);
    expect(others).toEqual([]);
    expect(root).toMatchObject({ nodeId: 'root', status: 'success', startedAt: events[0].occurredAt, endedAt: events[5].occurredAt });
    expect(root.events.map((e) => e.id)).toEqual([events[0].id, events[5].id]);
    expect(root.children.map((c) => c.nodeId)).toEqual(['a', 'b']);
    // the parent named by a node's first event holds even when a later event omits it
    const a = root.children[0];
    expect(a).toMatchObject({ parentNodeId: 'root', status: 'success' });
    expect(a.children.map((c) => [c.nodeId, c.status])).toEqual([['a1', 'fail']]);
  });

  it('makes a node whose parent is outside the events a root, keeping its parentNodeId', () => {
    const roots = buildNodes([event('x', 'elsewhere', 'success', 0), event('y', 'x', 'success', 1)]);
    expect(roots.map((n) => [n.nodeId, n.parentNodeId])).toEqual([['x', 'elsewhere']]);
    expect(roots[0].children[0].nodeId).toBe('y');
  });

  it('breaks a cycle instead of losing its nodes', () => {
    const roots = buildNodes([event('p', 'q', 'success', 0), event('q', 'p', 'success', 1)]);
    expect(roots.map((n) => n.nodeId)).toEqual(['p']);
    expect(roots[0].children.map((n) => n.nodeId)).toEqual(['q']);
  });

  it('stops nesting at the depth bound and keeps deeper nodes as roots', () => {
    const chain = Array.from({ length: 6 }, (_, i) => event(`n${i}`, i ? `n${i - 1}` : null, 'success', i));
    const roots = buildNodes(chain, 2);
    expect(roots.map((n) => n.nodeId)).toEqual(['n0', 'n3']);
    expect(roots[1].children[0].children[0].nodeId).toBe('n5');
  });

  it('handles a 10,000-deep chain without overflowing the stack', () => {
    const chain = Array.from({ length: 10000 }, (_, i) => event(`d${i}`, i ? `d${i - 1}` : null, 'success', 0));
    expect(buildNodes(chain).length).toBe(100); // one root per 101 levels (depth bound 100)
  });
});

describe('buildTrace', () => {
  it('derives status, span and duration over all nodes, and flags truncation', () => {
    const events = [event('root', null, 'success', 0), event('c', 'root', 'running', 2), event('c2', 'c', 'pending', 7)];
    const trace = buildTrace('r1', events, 3);
    expect(trace).toMatchObject({ requestId: 'r1', status: 'running', durationMs: 7000, eventCount: 3, truncated: false });
    expect(trace.startedAt).toBe('2024-01-01T00:00:00.000Z');
    expect(trace.endedAt).toBe('2024-01-01T00:00:07.000Z');
    expect(buildTrace('r1', events, 10).truncated).toBe(true);
  });
});
