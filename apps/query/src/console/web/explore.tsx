// Explore: the query DSL as JSON, validated by the API; results as a table and, when grouped or
// bucketed, as a chart.
import { useState } from 'preact/hooks';
import { api, ApiError, ApiEvent, session } from './api';
import { CategoryChart, TimeChart } from './charts';
import { EventRows, toBuckets } from './log';
import { Empty, ErrorBox, fmtNum, navigate, Spinner, useRoute } from './ui';

const EXAMPLES: [string, unknown][] = [
  ['Count by type', { reduce: { type: 'count', groupBy: ['type'] } }],
  ['Failures per hour', { where: [{ field: 'status', operator: 'eq', value: 'fail' }], reduce: { type: 'count', interval: '1h' } }],
  ['Events per hour by status', { reduce: { type: 'count', groupBy: ['status'], interval: '1h' } }],
  ['Sum of data.amount by type', { where: [{ field: 'data.amount', operator: 'exists' }], reduce: { type: 'sum', field: 'data.amount', groupBy: ['type'] } }],
  ['Latest 20 failures', { where: [{ field: 'status', operator: 'eq', value: 'fail' }], orderBy: { field: 'occurredAt', direction: 'desc' }, limit: 20 }],
];
const SECONDS: Record<string, number> = { '1m': 60, '5m': 300, '10m': 600, '15m': 900, '30m': 1800, '1h': 3600, '2h': 7200, '3h': 10800, '6h': 21600, '12h': 43200, '1d': 86400 };

type Group = { key: Record<string, unknown>; bucket?: string; value: unknown };
type Result = { groups: Group[] } | { totalCount: number | null; count: number; events: ApiEvent[] };

export function ExplorePage() {
  const { params } = useRoute();
  const initial = params.get('q') ?? JSON.stringify(EXAMPLES[0][1], null, 2);
  const [text, setText] = useState(initial);
  const [state, setState] = useState<{ loading?: boolean; error?: ApiError; result?: Result; body?: Record<string, any> }>({});
  const [mode, setMode] = useState<'bar' | 'line'>('bar');

  const run = async (source = text) => {
    let body: Record<string, any>;
    try {
      body = JSON.parse(source);
    } catch (err) {
      setState({ error: new ApiError(400, `The query is not valid JSON: ${(err as Error).message}`, [{ field: 'body', message: 'not valid JSON' }]) });
      return;
    }
    navigate(`/ui/explore?q=${encodeURIComponent(source)}`, true);
    const sent = session.tenant && typeof body === 'object' && body && !body.from?.tenant ? { ...body, from: { ...(body.from ?? {}), tenant: session.tenant } } : body;
    setState({ loading: true, body });
    try {
      setState({ result: await api<Result>('/v1/query', { method: 'POST', body: sent }), body });
    } catch (err) {
      setState({ error: err instanceof ApiError ? err : new ApiError(0, String(err)), body });
    }
  };

  return (
    <section aria-labelledby="explore-title">
      <h1 id="explore-title">Explore</h1>
      <div class="examples" role="group" aria-label="Example queries">
        <span class="muted">Examples:</span>
        {EXAMPLES.map(([label, q]) => (
          <button type="button" onClick={() => {
            const s = JSON.stringify(q, null, 2);
            setText(s);
            void run(s);
          }}>
            {label}
          </button>
        ))}
      </div>
      <label class="editor-label" for="dsl">
        Query (JSON, <a href="/docs" target="_blank" rel="noopener">the DSL</a>): <span class="muted">Ctrl+Enter runs it{session.tenant ? `; reads tenant ${session.tenant} unless from.tenant says otherwise` : ''}</span>
      </label>
      <textarea
        id="dsl"
        class="editor"
        spellcheck={false}
        value={text}
        rows={Math.min(20, Math.max(6, text.split('\n').length + 1))}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void run();
          }
        }}
      />
      <div class="filter-actions">
        <button type="button" class="primary" onClick={() => void run()}>Run</button>
        <button type="button" onClick={() => {
          try {
            setText(JSON.stringify(JSON.parse(text), null, 2));
          } catch {
            /* left as typed: running it reports the JSON error */
          }
        }}>Format</button>
        {state.loading && <Spinner label="Running" />}
      </div>
      {state.error && <ErrorBox error={state.error} what="Query refused" />}
      {state.result && <ResultView result={state.result} body={state.body ?? {}} mode={mode} setMode={setMode} />}
    </section>
  );
}

function ResultView({ result, body, mode, setMode }: { result: Result; body: Record<string, any>; mode: 'bar' | 'line'; setMode: (m: 'bar' | 'line') => void }) {
  if (!('groups' in result)) {
    if (!result.events.length) return <Empty>No events match; loosen a condition in <code>where</code>.</Empty>;
    const whole = result.events.every((e) => e && typeof e === 'object' && 'id' in e && 'occurredAt' in e && 'type' in e);
    return (
      <div class="result" data-testid="dsl-result">
        <p>{fmtNum(result.totalCount)} events, {result.count} shown</p>
        {whole ? <EventRows rows={result.events} /> : <PlainTable rows={result.events as unknown as Record<string, unknown>[]} />}
      </div>
    );
  }
  const groups = result.groups;
  if (!groups.length) return <Empty>No groups: nothing matches the <code>where</code> conditions.</Empty>;
  const keyNames = Object.keys(groups[0].key ?? {});
  const label = (k: Record<string, unknown>) => (keyNames.length ? keyNames.map((n) => String(k[n] ?? '(none)')).join(' · ') : 'value');
  const numeric = groups.every((g) => typeof g.value === 'number' || (typeof g.value === 'string' && g.value !== '' && !Number.isNaN(Number(g.value))));
  const bucketed = groups.some((g) => g.bucket);
  let chart = null;
  if (numeric && bucketed) {
    const step = (SECONDS[body.reduce?.interval] ?? 3600) * 1000;
    const times = groups.map((g) => Date.parse(g.bucket!));
    const buckets = toBuckets(groups as { key: Record<string, unknown>; bucket: string; value: number }[], Math.min(...times), Math.max(...times), step, label);
    const keys = [...new Set(groups.map((g) => label(g.key)))];
    chart = (
      <>
        <div class="filter-actions" role="group" aria-label="Chart type">
          <button type="button" aria-pressed={mode === 'bar'} onClick={() => setMode('bar')}>Bars</button>
          <button type="button" aria-pressed={mode === 'line'} onClick={() => setMode('line')}>Lines</button>
        </div>
        <TimeChart buckets={buckets} keys={keys} mode={mode} label={`${body.reduce?.type ?? 'value'} per ${body.reduce?.interval}`} />
      </>
    );
  } else if (numeric && keyNames.length) {
    chart = <CategoryChart items={groups.map((g) => ({ label: label(g.key), value: Number(g.value) }))} label={`${body.reduce?.type ?? 'value'} by ${keyNames.join(', ')}`} />;
  }
  return (
    <div class="result" data-testid="dsl-result">
      <p>{groups.length} groups</p>
      {chart && <div data-testid="dsl-chart">{chart}</div>}
      <PlainTable rows={groups.map((g) => ({ ...g.key, ...(g.bucket ? { bucket: g.bucket } : {}), value: g.value }))} />
    </div>
  );
}

function PlainTable({ rows }: { rows: Record<string, unknown>[] }) {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <div class="table-scroll">
      <table class="events">
        <thead>
          <tr>{cols.map((c) => <th scope="col">{c}</th>)}</tr>
        </thead>
        <tbody>
          {rows.slice(0, 1000).map((r) => (
            <tr>{cols.map((c) => <td>{r[c] === null || r[c] === undefined ? '—' : typeof r[c] === 'object' ? JSON.stringify(r[c]) : String(r[c])}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
