// The manual trigger: publish one event through POST /v1/events, then read with its coordinates.
import { useRef, useState } from 'preact/hooks';
import { api, ApiError, noteWritten, session } from './api';
import { KNOWN_STATUSES } from './log-query';
import { ErrorBox, eventHref, Link } from './ui';

interface Published {
  id: string;
  topic: string;
  partition: number;
  offset: number;
}

/**
 * A form that publishes an event to the ingest topic (the token needs the publish scope). The API
 * answers with the record's Kafka coordinates before ingest has stored it; the console's next reads
 * carry them as `after=`, so `onPublished`'s reload already shows the event.
 */
export function PublishForm({ onPublished }: { onPublished: () => void }) {
  const form = useRef<HTMLFormElement>(null);
  const [state, setState] = useState<{ sending?: boolean; error?: ApiError; published?: Published }>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    const fd = new FormData(form.current!);
    const text = (name: string) => String(fd.get(name) ?? '').trim() || undefined;
    let data: unknown;
    try {
      data = JSON.parse(text('data') ?? '{}');
    } catch {
      data = undefined;
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      setState({ error: new ApiError(400, 'Data must be a JSON object.', [{ field: 'data', message: 'data must be a JSON object' }]) });
      return;
    }
    const envelope = { tenant: session.tenant || undefined, stream: text('stream'), type: text('type'), status: text('status'), message: text('message'), data };
    setState({ sending: true });
    try {
      const published = await api<Published>('/v1/events', { method: 'POST', body: envelope });
      noteWritten(`${published.topic}:${published.partition}:${published.offset}`);
      setState({ published });
      onPublished();
    } catch (err) {
      setState({ error: err instanceof ApiError ? err : new ApiError(0, String((err as Error).message)) });
    }
  };
  return (
    <details class="publish">
      <summary>Publish an event</summary>
      <form ref={form} onSubmit={submit} aria-label="Publish an event" class="filters">
        <label>
          <span>Stream</span>
          <input name="stream" required placeholder="order-42" autocomplete="off" />
        </label>
        <label>
          <span>Type</span>
          <input name="type" required placeholder="OrderPlaced" autocomplete="off" />
        </label>
        <label>
          <span>Status</span>
          <select name="status">
            <option value="">none</option>
            {KNOWN_STATUSES.map((s) => <option value={s}>{s}</option>)}
          </select>
        </label>
        <label>
          <span>Message</span>
          <input name="message" autocomplete="off" />
        </label>
        <label>
          <span>Data (JSON object)</span>
          <textarea name="data" rows={1} spellcheck={false} placeholder="{}" />
        </label>
        <div class="filter-actions">
          <button type="submit" class="primary" disabled={state.sending}>
            Publish
          </button>
        </div>
      </form>
      {state.error && <ErrorBox error={state.error} what="Not published" />}
      {state.published && (
        <p class="hint" role="status" data-testid="published">
          Published <Link href={eventHref(state.published.id)}>{state.published.id}</Link> at{' '}
          <code>{`${state.published.topic}:${state.published.partition}:${state.published.offset}`}</code>; the log below waited for ingest to store it.
        </p>
      )}
    </details>
  );
}
