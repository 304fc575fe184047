// Dead letters: the records ingest rejected, newest first, each replayable as it was or corrected.
import { useState } from 'preact/hooks';
import { api, ApiError, qs, session, useLoad } from './api';
import { Empty, ErrorBox, fmtNum, fmtTime, navigate, Spinner, useRoute } from './ui';

const CODES = ['INVALID_JSON', 'VALIDATION_FAILED', 'TOO_LARGE', 'WRONG_EXPECTED_VERSION'];

interface DeadLetter {
  id: number;
  receivedAt: string;
  tenant: string | null;
  code: string;
  message: string;
  source: { topic: string; partition: number; offset: string };
  key: string | null;
  value: string | null;
  valueBytes: number | null;
  truncated: boolean;
  replay: { replayedAt: string; count: number; to: { partition: number; offset: string } } | null;
}

interface Page {
  totalCount: number;
  count: number;
  deadLetters: DeadLetter[];
  nextCursor: string | null;
}

type Outcome = { ok: true; text: string } | { ok: false; error: ApiError };

/** Replays one dead letter, as it was or with a corrected value (a JSON object). */
function ReplayControls({ letter, done }: { letter: DeadLetter; done: () => void }) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [draft, setDraft] = useState(letter.value ?? '');
  const replay = async (value?: string) => {
    setBusy(true);
    try {
      let body: unknown = {};
      if (value !== undefined) {
        try {
          body = { value: JSON.parse(value) };
        } catch (err) {
          throw new ApiError(400, `The corrected value is not JSON: ${(err as Error).message}`, [{ field: 'value', message: 'not JSON' }]);
        }
      }
      const r = await api<{ to: { partition: number; offset: string } }>(`/v1/dead-letters/${letter.id}/replay${qs({})}`, { method: 'POST', body });
      setOutcome({ ok: true, text: `Replayed to partition ${r.to.partition} at offset ${r.to.offset}.` });
      done();
    } catch (err) {
      setOutcome({ ok: false, error: err instanceof ApiError ? err : new ApiError(0, String(err)) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="replay">
      <button type="button" class="primary" disabled={busy || letter.truncated} title={letter.truncated ? 'Kept only in part: replay it with a corrected value' : undefined} onClick={() => replay()}>
        Replay
      </button>
      <details>
        <summary>Correct and replay</summary>
        <label>
          <span>Corrected value (JSON object)</span>
          <textarea rows={5} value={draft} onInput={(e) => setDraft(e.currentTarget.value)} spellcheck={false} />
        </label>
        <button type="button" disabled={busy} onClick={() => replay(draft)}>
          Replay with this value
        </button>
      </details>
      {outcome?.ok && <p class="ok-note" role="status">{outcome.text}</p>}
      {outcome && !outcome.ok && <ErrorBox error={outcome.error} what="Replay" />}
    </div>
  );
}

export function DeadLettersPage() {
  const { params } = useRoute();
  const code = params.get('code') ?? '';
  const replayed = params.get('replayed') ?? '';
  const cursor = params.get('cursor') ?? undefined;
  const list = useLoad(
    (signal) => api<Page>(`/v1/dead-letters${qs({ code, replayed, pageSize: 50, cursor })}`, { signal }),
    [code, replayed, cursor],
  );
  const filter = (next: Record<string, string>) => {
    const p = new URLSearchParams({ ...(session.tenant ? { tenant: session.tenant } : {}), ...(code ? { code } : {}), ...(replayed ? { replayed } : {}), ...next });
    for (const [k, v] of [...p]) if (!v) p.delete(k);
    navigate(`/ui/dead-letters${p.toString() ? `?${p}` : ''}`);
  };
  return (
    <section aria-labelledby="dead-letters-title">
      <h1 id="dead-letters-title">Dead letters</h1>
      <p class="hint">
        Records ingest rejected, with the reason. Replay re-publishes one to the ingest topic, as it was or corrected; a replayed record lands
        once, however often it is replayed. Tenant <code>*</code> lists every tenant's, and those that named none (a token of every tenant).
      </p>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>Code</span>
          <select name="code" value={code} onChange={(e) => filter({ code: e.currentTarget.value, cursor: '' })}>
            <option value="">any</option>
            {CODES.map((c) => <option value={c}>{c}</option>)}
          </select>
        </label>
        <label>
          <span>Replayed</span>
          <select name="replayed" value={replayed} onChange={(e) => filter({ replayed: e.currentTarget.value, cursor: '' })}>
            <option value="">either</option>
            <option value="false">not yet</option>
            <option value="true">replayed</option>
          </select>
        </label>
      </form>
      <div class="table-bar">
        <span data-testid="dead-letters-total">{list.data && `${fmtNum(list.data.totalCount)} dead letter${list.data.totalCount === 1 ? '' : 's'}`}</span>
        {list.loading && <Spinner />}
      </div>
      {list.error && <ErrorBox error={list.error} what="Dead letters" />}
      {list.data && list.data.count === 0 && <Empty>No dead letters{code || replayed ? ' match these filters' : ': every record so far was stored'}.</Empty>}
      {list.data && list.data.count > 0 && (
        <div class="table-scroll">
          <table class="events dead-letters">
            <thead>
              <tr>
                <th scope="col">Received (UTC)</th>
                <th scope="col">Code</th>
                <th scope="col">Reason</th>
                <th scope="col">Tenant</th>
                <th scope="col">Source</th>
                <th scope="col">Value</th>
                <th scope="col">Replay</th>
              </tr>
            </thead>
            <tbody>
              {list.data.deadLetters.map((l) => (
                <tr data-id={l.id} key={l.id}>
                  <td class="time">{fmtTime(l.receivedAt)}</td>
                  <td><span class="badge bad">{l.code}</span></td>
                  <td class="message">{l.message}</td>
                  <td>{l.tenant ?? <span class="muted">unknown</span>}</td>
                  <td class="mono source">
                    {l.source.topic}
                    <div class="muted" data-testid="coordinates">partition {l.source.partition}, offset {l.source.offset}</div>
                  </td>
                  <td class="message mono">
                    {l.value === null ? <span class="muted">{l.valueBytes === null ? 'no value' : `${fmtNum(l.valueBytes)} bytes, not UTF-8`}</span> : l.value.slice(0, 160)}
                    {l.truncated && <span class="muted"> (kept in part: {fmtNum(l.valueBytes)} bytes)</span>}
                  </td>
                  <td class="replay-cell">
                    {l.replay && (
                      <p class="muted" data-testid="replayed">
                        Replayed {l.replay.count}× · last {fmtTime(l.replay.replayedAt)}
                      </p>
                    )}
                    <ReplayControls letter={l} done={list.reload} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={!cursor} onClick={() => filter({ cursor: '' })}>« First</button>
        <button type="button" disabled={!list.data?.nextCursor} onClick={() => filter({ cursor: list.data!.nextCursor! })}>Next ›</button>
      </nav>
    </section>
  );
}
