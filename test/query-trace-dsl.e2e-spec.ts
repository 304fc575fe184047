import { QueryFixture } from './support/query-fixture';

describe('query app: traces and the query DSL', () => {
  let fx: QueryFixture;
  const base = Date.UTC(2024, 5, 1, 8, 0, 0);
  const at = (second: number) => new Date(base + second * 1000).toISOString();

  // A chain four levels deep: root → (a, b) → a1 → a1x. Node a fails at last; b ends in success.
  const step = (id: string, nodeId: string, parentNodeId: string | undefined, status: string, second: number, requestId = 'req-tree') => ({
    id, stream: `svc-${requestId}`, type: 'Step', requestId, nodeId, parentNodeId, status, occurredAt: at(second),
  });
  const tree = [
    step('t1', 'root', undefined, 'running', 0),
    step('t2', 'a', 'root', 'running', 1),
    step('t3', 'b', 'root', 'running', 2),
    step('t4', 'a1', 'a', 'running', 3),
    step('t5', 'a1x', 'a1', 'success', 4),
    step('t6', 'a1', 'a', 'success', 5),
    step('t7', 'b', 'root', 'success', 6),
    step('t8', 'a', 'root', 'fail', 7),
    step('t9', 'root', undefined, 'success', 9),
  ];
  const running = [step('r1', 'root', undefined, 'success', 0, 'req-run'), step('r2', 'c', 'root', 'waiting', 3, 'req-run')];
  const done = [step('d1', 'root', undefined, 'running', 0, 'req-done'), step('d2', 'root', undefined, 'success', 2, 'req-done')];

  // 36 logins over three hours: device, duration and tags in data, region in metadata.
  const DEVICES = ['ios', 'android', 'web'];
  const logins = Array.from({ length: 36 }, (_, i) => ({
    id: `login-${i}`,
    stream: `user-${i % 4}`,
    type: i % 6 === 5 ? 'logout' : 'login',
    source: 'auth',
    status: i % 9 === 0 ? 'fail' : 'success',
    message: `user ${i % 4} signed in from ${DEVICES[i % 3]}`,
    occurredAt: at(3600 + i * 300), // every 5 minutes from 09:00
    data: { device: DEVICES[i % 3], ms: 10 * i, tags: i % 2 ? ['mobile', 'beta'] : ['stable'], ...(i % 7 === 0 ? {} : { score: i / 2 }) },
    metadata: { region: i < 18 ? 'eu' : 'us' },
  }));
  type Login = (typeof logins)[number];

  const dsl = (body: object) => fx.post('/v1/query', body);
  const idsOf = (r: { body: { events: { id: string }[] } }) => r.body.events.map((e) => e.id).sort();
  const idsWhere = (pred: (l: Login) => boolean) => logins.filter(pred).map((l) => l.id).sort();

  // Tenant "counted": 400 events over three days at uneven times (some on exact minute, hour and
  // day boundaries), for counts that the rollup of migrations 005 and 008 answers. Statuses include
  // none (stored NULL) and '', which are different statuses.
  const countedBase = Date.UTC(2024, 2, 9, 22, 0, 0);
  const COUNTED_STATUSES = ['success', undefined, 'fail', '', 'success'];
  const counted = Array.from({ length: 400 }, (_, i) => ({
    id: `counted-${i}`,
    tenant: 'counted',
    stream: `meter-${i % 7}`,
    type: ['Read', 'Wrote', 'Failed'][(i * 7) % 3],
    ...(COUNTED_STATUSES[i % 5] === undefined ? {} : { status: COUNTED_STATUSES[i % 5] }),
    occurredAt: new Date(countedBase + (i % 50 === 0 ? Math.floor(i / 50) * 3_600_000 : i * 641_337 + (i % 11) * 59_999)).toISOString(),
  }));

  beforeAll(async () => {
    fx = await QueryFixture.start('query-trace');
    await fx.produce([...tree, ...running, ...done, ...logins, ...counted]);
    await fx.waitForEvents(tree.length + running.length + done.length + logins.length + counted.length);
  });
  afterAll(() => fx?.stop());

  describe('GET /v1/traces/{requestId}', () => {
    it('returns the whole chain as a tree of nodes with derived statuses and times', async () => {
      const r = await fx.get('/v1/traces/req-tree');
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        requestId: 'req-tree', status: 'fail', startedAt: at(0), endedAt: at(9), durationMs: 9000, eventCount: 9, truncated: false,
      });
      expect(r.body.events.map((e: { id: string }) => e.id)).toEqual(tree.map((e) => e.id));
      const [root] = r.body.nodes;
      expect(r.body.nodes).toHaveLength(1);
      expect(root).toMatchObject({ nodeId: 'root', parentNodeId: null, status: 'success', startedAt: at(0), endedAt: at(9) });
      expect(root.events.map((e: { id: string }) => e.id)).toEqual(['t1', 't9']);
      expect(root.children.map((n: { nodeId: string; status: string }) => [n.nodeId, n.status])).toEqual([['a', 'fail'], ['b', 'success']]);
      const a = root.children[0];
      expect(a).toMatchObject({ parentNodeId: 'root', startedAt: at(1), endedAt: at(7) });
      expect(a.children[0]).toMatchObject({ nodeId: 'a1', status: 'success', startedAt: at(3), endedAt: at(5) });
      expect(a.children[0].children[0]).toMatchObject({ nodeId: 'a1x', status: 'success', children: [] });
    });

    it('is running while a node waits, success when every node is done', async () => {
      expect((await fx.get('/v1/traces/req-run')).body.status).toBe('running');
      expect((await fx.get('/v1/traces/req-done')).body).toMatchObject({ status: 'success', durationMs: 2000 });
    });

    it('answers 404 for an unknown trace or one of another tenant', async () => {
      expect((await fx.get('/v1/traces/nope')).status).toBe(404);
      expect((await fx.get('/v1/traces/req-tree?tenant=other')).status).toBe(404);
    });
  });

  describe('GET /v1/traces/{requestId}/nodes/{nodeId}', () => {
    it('returns the node and all its descendants at any depth, nothing else', async () => {
      const r = await fx.get('/v1/traces/req-tree/nodes/a');
      expect(r.status).toBe(200);
      expect(r.body.events.map((e: { id: string }) => e.id)).toEqual(['t2', 't4', 't5', 't6', 't8']);
      expect(r.body).toMatchObject({ requestId: 'req-tree', status: 'fail', eventCount: 5, startedAt: at(1), endedAt: at(7) });
      expect(r.body.nodes).toHaveLength(1);
      expect(r.body.nodes[0]).toMatchObject({ nodeId: 'a', parentNodeId: 'root' });
      expect(r.body.nodes[0].children[0].children[0].nodeId).toBe('a1x');
    });

    it('derives the subtree status from the subtree alone', async () => {
      const r = await fx.get('/v1/traces/req-tree/nodes/a1');
      expect(r.body).toMatchObject({ status: 'success', eventCount: 3 });
      expect(r.body.nodes[0].children.map((n: { nodeId: string }) => n.nodeId)).toEqual(['a1x']);
    });

    it('answers 404 for a node not in the trace', async () => {
      expect((await fx.get('/v1/traces/req-tree/nodes/zzz')).status).toBe(404);
    });
  });

  describe('POST /v1/query: every operator', () => {
    const cases: [string, object, (l: Login) => boolean][] = [
      ['eq on a field', { field: 'type', operator: 'eq', value: 'logout' }, (l) => l.type === 'logout'],
      ['neq (missing counts as not equal)', { field: 'data.score', operator: 'neq', value: 3 }, (l) => l.data.score !== 3],
      ['gt on a data number', { field: 'data.ms', operator: 'gt', value: 300 }, (l) => l.data.ms > 300],
      ['gte on payload. (alias of data.)', { field: 'payload.ms', operator: 'gte', value: 300 }, (l) => l.data.ms >= 300],
      ['lt on occurredAt', { field: 'occurredAt', operator: 'lt', value: at(3600 + 5 * 300) }, (l) => l.occurredAt < at(3600 + 5 * 300)],
      ['lte on version', { field: 'version', operator: 'lte', value: 2 }, (l) => Number(l.id.split('-')[1]) < 8],
      ['contains on text', { field: 'message', operator: 'contains', value: 'FROM WEB' }, (l) => l.data.device === 'web'],
      ['contains an array element', { field: 'data.tags', operator: 'contains', value: 'beta' }, (l) => l.data.tags.includes('beta')],
      ['contains on a data string', { field: 'data.device', operator: 'contains', value: 'dro' }, (l) => l.data.device === 'android'],
      ['in', { field: 'data.device', operator: 'in', value: ['ios', 'web'] }, (l) => l.data.device !== 'android'],
      ['between numbers', { field: 'data.ms', operator: 'between', value: [100, 200] }, (l) => l.data.ms >= 100 && l.data.ms <= 200],
      ['between times (epoch ms)', { field: 'occurredAt', operator: 'between', value: [base + 3600000, base + 3600000 + 600000] }, (l) => l.occurredAt <= at(3600 + 600)],
      ['exists', { field: 'data.score', operator: 'exists' }, (l) => l.data.score !== undefined],
      ['exists false', { field: 'data.score', operator: 'exists', value: false }, (l) => l.data.score === undefined],
      ['metadata path', { field: 'metadata.region', operator: 'eq', value: 'us' }, (l) => l.metadata.region === 'us'],
    ];
    it.each(cases)('%s', async (_, condition, pred) => {
      const r = await dsl({ from: { streamPrefix: 'user-' }, where: [condition], limit: 1000 });
      expect(r.status).toBe(200);
      expect(idsOf(r)).toEqual(idsWhere(pred));
      expect(r.body.totalCount).toBe(idsWhere(pred).length);
    });

    it('combines conditions, selects fields, orders and pages', async () => {
      const r = await dsl({
        where: [{ field: 'type', operator: 'eq', value: 'login' }, { field: 'metadata.region', operator: 'eq', value: 'eu' }],
        select: ['id', 'data.device', 'payload.ms'],
        orderBy: { field: 'data.ms', direction: 'asc' },
        limit: 4,
        offset: 2,
      });
      const expected = logins.filter((l) => l.type === 'login' && l.metadata.region === 'eu').sort((a, b) => a.data.ms - b.data.ms);
      expect(r.body.totalCount).toBe(expected.length);
      expect(r.body.events).toEqual(expected.slice(2, 6).map((l) => ({ id: l.id, data: { device: l.data.device, ms: l.data.ms } })));
    });
  });

  describe('POST /v1/query: every reduce', () => {
    const eu = logins.filter((l) => l.metadata.region === 'eu');
    const where = [{ field: 'metadata.region', operator: 'eq', value: 'eu' }];
    const scores = (ls: Login[]) => ls.map((l) => l.data.score).filter((s): s is number => s !== undefined);
    const reducers: Record<string, (ls: Login[]) => unknown> = {
      count: (ls) => ls.length,
      sum: (ls) => scores(ls).reduce((a, b) => a + b, 0),
      avg: (ls) => scores(ls).reduce((a, b) => a + b, 0) / scores(ls).length,
      min: (ls) => Math.min(...scores(ls)),
      max: (ls) => Math.max(...scores(ls)),
      collect: (ls) => [...new Set(ls.map((l) => l.data.device))].sort(),
    };
    const fieldOf = (type: string) => (type === 'count' ? undefined : type === 'collect' ? 'data.device' : 'data.score');
    const sortCollect = (v: unknown) => (Array.isArray(v) ? [...v].sort() : v);

    it.each(Object.keys(reducers))('%s over all matching events', async (type) => {
      const r = await dsl({ where, reduce: { type, field: fieldOf(type) } });
      expect(r.status).toBe(200);
      expect(r.body.groups).toHaveLength(1);
      const value = sortCollect(r.body.groups[0].value);
      if (typeof value === 'number') expect(value).toBeCloseTo(reducers[type](eu) as number, 6);
      else expect(value).toEqual(reducers[type](eu));
      expect(r.body.groups[0].key).toEqual({});
    });

    it.each(Object.keys(reducers))('%s grouped by a field and a data path', async (type) => {
      const r = await dsl({ where, reduce: { type, field: fieldOf(type), groupBy: ['type', 'data.device'] } });
      const expected = new Map<string, Login[]>();
      for (const l of eu) expected.set(`${l.type}|${l.data.device}`, [...(expected.get(`${l.type}|${l.data.device}`) ?? []), l]);
      expect(r.body.groups).toHaveLength(expected.size);
      for (const g of r.body.groups) {
        const members = expected.get(`${g.key.type}|${g.key['data.device']}`)!;
        const want = reducers[type](members);
        if (typeof want === 'number' && Number.isFinite(want)) expect(g.value).toBeCloseTo(want, 6);
        else if (Array.isArray(want)) expect(sortCollect(g.value)).toEqual(want);
        else expect(g.value).toBeNull(); // a group with no numeric score
      }
    });

    it.each(Object.keys(reducers))('%s bucketed by hour, and by hour and device', async (type) => {
      const hourOf = (l: Login) => `${l.occurredAt.slice(0, 13)}:00:00.000Z`;
      const r = await dsl({ where, reduce: { type, field: fieldOf(type), interval: '1h' } });
      const hours = [...new Set(eu.map(hourOf))];
      expect(r.body.groups.map((g: { bucket: string }) => g.bucket)).toEqual(hours);
      for (const g of r.body.groups) {
        const want = reducers[type](eu.filter((l) => hourOf(l) === g.bucket));
        if (typeof want === 'number') expect(g.value).toBeCloseTo(want, 6);
        else expect(sortCollect(g.value)).toEqual(want);
      }
      const both = await dsl({ where, reduce: { type, field: fieldOf(type), groupBy: ['data.device'], interval: '1h' } });
      expect(both.body.groups).toHaveLength(new Set(eu.map((l) => `${hourOf(l)}|${l.data.device}`)).size);
      expect(both.body.groups.every((g: { bucket: string; key: object }) => g.bucket && 'data.device' in g.key)).toBe(true);
    });

    it('caps collect at reduce.limit distinct values', async () => {
      const r = await dsl({ reduce: { type: 'collect', field: 'id', limit: 5 } });
      expect(r.body.groups[0].value).toHaveLength(5);
    });
  });

  describe('POST /v1/query: counts by type and time bucket (served from the rollup)', () => {
    type Counted = (typeof counted)[number];
    const ORIGIN = Date.UTC(2000, 0, 1);
    const SECONDS = { '1m': 60, '15m': 900, '1h': 3600, '1d': 86400 } as const;
    const bucketOf = (e: Counted, interval: keyof typeof SECONDS) => {
      const width = SECONDS[interval] * 1000;
      return new Date(ORIGIN + Math.floor((Date.parse(e.occurredAt) - ORIGIN) / width) * width).toISOString();
    };
    type Key = 'type' | 'status';
    const valueOf = (e: Counted, key: Key) => (key === 'type' ? e.type : (e.status ?? null));
    // Postgres's order of the "C" collation: code points, NULL last.
    const compareKey = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
    /** The expected groups, computed here from the seed: sorted by bucket, then the keys in order. */
    const expected = (pred: (e: Counted) => boolean, keys: Key[], interval?: keyof typeof SECONDS) => {
      const groups = new Map<string, { key: Record<string, string | null>; bucket?: string; value: number }>();
      for (const e of counted.filter(pred)) {
        const bucket = interval ? bucketOf(e, interval) : undefined;
        const id = JSON.stringify([bucket, ...keys.map((k) => valueOf(e, k))]);
        const g = groups.get(id) ?? { key: Object.fromEntries(keys.map((k) => [k, valueOf(e, k)])), ...(bucket ? { bucket } : {}), value: 0 };
        g.value++;
        groups.set(id, g);
      }
      return [...groups.values()].sort(
        (a, b) => (a.bucket ?? '').localeCompare(b.bucket ?? '') || keys.reduce((c, k) => c || compareKey(a.key[k], b.key[k]), 0),
      );
    };
    const ms = (iso: string) => Date.parse(iso);
    const windows: [string, object[], (e: Counted) => boolean][] = [
      ['between, edges inside minutes', [{ field: 'occurredAt', operator: 'between', value: ['2024-03-09T22:17:31.250Z', '2024-03-12T03:41:07.999Z'] }],
        (e) => ms(e.occurredAt) >= ms('2024-03-09T22:17:31.250Z') && ms(e.occurredAt) <= ms('2024-03-12T03:41:07.999Z')],
      ['gte and lte on exact day and hour boundaries', [{ field: 'occurredAt', operator: 'gte', value: '2024-03-10T00:00:00Z' }, { field: 'occurredAt', operator: 'lte', value: '2024-03-11T05:00:00Z' }],
        (e) => ms(e.occurredAt) >= ms('2024-03-10T00:00:00Z') && ms(e.occurredAt) <= ms('2024-03-11T05:00:00Z')],
      ['gt and lt on exact boundaries', [{ field: 'occurredAt', operator: 'gt', value: '2024-03-10T00:00:00Z' }, { field: 'occurredAt', operator: 'lt', value: '2024-03-11T05:00:00Z' }],
        (e) => ms(e.occurredAt) > ms('2024-03-10T00:00:00Z') && ms(e.occurredAt) < ms('2024-03-11T05:00:00Z')],
      ['open ended, in epoch ms', [{ field: 'occurredAt', operator: 'gte', value: Date.UTC(2024, 2, 10, 13, 30, 0, 1) }],
        (e) => ms(e.occurredAt) >= Date.UTC(2024, 2, 10, 13, 30, 0, 1)],
      ['and one type', [{ field: 'occurredAt', operator: 'lt', value: '2024-03-11T12:00:00.001Z' }, { field: 'type', operator: 'eq', value: 'Wrote' }],
        (e) => ms(e.occurredAt) < ms('2024-03-11T12:00:00.001Z') && e.type === 'Wrote'],
      ['and types in a list', [{ field: 'type', operator: 'in', value: ['Read', 'Failed', 'Nope'] }], (e) => e.type !== 'Wrote'],
      ['and one status', [{ field: 'occurredAt', operator: 'gte', value: '2024-03-10T06:00:00.500Z' }, { field: 'status', operator: 'eq', value: 'fail' }],
        (e) => ms(e.occurredAt) >= ms('2024-03-10T06:00:00.500Z') && e.status === 'fail'],
      ["and the status ''", [{ field: 'status', operator: 'eq', value: '' }, { field: 'occurredAt', operator: 'lt', value: '2024-03-11T12:00:00.001Z' }],
        (e) => e.status === '' && ms(e.occurredAt) < ms('2024-03-11T12:00:00.001Z')],
      ["and statuses in a list (with '')", [{ field: 'status', operator: 'in', value: ['', 'success'] }, { field: 'type', operator: 'eq', value: 'Read' }],
        (e) => (e.status === '' || e.status === 'success') && e.type === 'Read'],
      ['the whole tenant', [], () => true],
    ];
    const groupings: Key[][] = [['type'], [], ['status'], ['status', 'type']];

    it.each(windows)('%s: equal to counting the events one by one', async (_name, where, pred) => {
      for (const interval of [undefined, '1m', '15m', '1h', '1d'] as const) {
        for (const keys of groupings) {
          const r = await dsl({ from: { tenant: 'counted' }, where, reduce: { type: 'count', groupBy: keys, interval }, limit: 10000 });
          expect(r.status).toBe(200);
          const want = expected(pred, keys, interval);
          // Without groups or buckets the answer is one group, also when it counts nothing.
          expect(r.body.groups).toEqual(keys.length || interval ? want : [{ key: {}, value: want[0]?.value ?? 0 }]);
        }
      }
    });

    it('keeps events without a status apart from those with the status \'\'', async () => {
      const r = await dsl({ from: { tenant: 'counted' }, reduce: { type: 'count', groupBy: ['status'] } });
      const count = (status: string | undefined) => counted.filter((e) => e.status === status).length;
      expect(r.body.groups).toEqual([
        { key: { status: '' }, value: count('') },
        { key: { status: 'fail' }, value: count('fail') },
        { key: { status: 'success' }, value: count('success') },
        { key: { status: null }, value: count(undefined) },
      ]);
    });

    // The log's totalCount is the same count when it filters on nothing but type and time.
    const logWindows: [string, string, (e: Counted) => boolean][] = [
      ['edges inside 10 s buckets', 'from=2024-03-09T22:17:31.250Z&to=2024-03-12T03:41:07.999Z',
        (e) => ms(e.occurredAt) >= ms('2024-03-09T22:17:31.250Z') && ms(e.occurredAt) <= ms('2024-03-12T03:41:07.999Z')],
      ['bounds on exact hours, an event on each (both inclusive)', 'from=2024-03-09T23:00:00Z&to=2024-03-10T05:00:00Z',
        (e) => ms(e.occurredAt) >= ms('2024-03-09T23:00:00Z') && ms(e.occurredAt) <= ms('2024-03-10T05:00:00Z')],
      ['open ended, in epoch ms, two types', `from=${Date.UTC(2024, 2, 10, 13, 30, 0, 1)}&type=Read,Failed`,
        (e) => ms(e.occurredAt) >= Date.UTC(2024, 2, 10, 13, 30, 0, 1) && e.type !== 'Wrote'],
      ['a status and a window', 'status=fail&from=2024-03-09T22:17:31.250Z&to=2024-03-12T03:41:07.999Z',
        (e) => e.status === 'fail' && ms(e.occurredAt) >= ms('2024-03-09T22:17:31.250Z') && ms(e.occurredAt) <= ms('2024-03-12T03:41:07.999Z')],
      ['a status and a type, the whole tenant', 'status=success&type=Wrote', (e) => e.status === 'success' && e.type === 'Wrote'],
      ['the whole tenant', '', () => true],
    ];
    it.each(logWindows)('GET /v1/events totalCount, %s: equal to counting the events one by one', async (_name, query, pred) => {
      const r = await fx.get(`/v1/events?tenant=counted&pageSize=5&${query}`);
      expect(r.status).toBe(200);
      expect(r.body.totalCount).toBe(counted.filter(pred).length);
      expect(r.body.count).toBe(Math.min(5, counted.filter(pred).length));
    });

    it('pages the groups like any reduce', async () => {
      const all = expected(() => true, ['type'], '1h');
      const page = await dsl({ from: { tenant: 'counted' }, reduce: { type: 'count', groupBy: ['type'], interval: '1h' }, limit: 5, offset: 3 });
      expect(page.body.groups).toEqual(all.slice(3, 8));
    });
  });
});
