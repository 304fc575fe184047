// Two small SVG charts (no chart library: see docs/decisions/027-console-stack.md).
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { fmtNum, STATUS_CLASSES } from './ui';

export interface Bucket {
  start: number;
  end: number;
  values: Record<string, number>;
}

const PALETTE = ['#2f6fde', '#d9822b', '#2a9d8f', '#9b5de5', '#e76f51', '#577590', '#c9184a', '#6a994e'];
/** Status keys get the status colours (fail red, success green …), others a palette colour. */
export function seriesClass(key: string, i: number): { cls?: string; color?: string } {
  const s = STATUS_CLASSES[key];
  return s ? { cls: `s-${s}` } : key === '(none)' ? { cls: 's-none' } : { color: PALETTE[i % PALETTE.length] };
}

/**
 * The width of the element `ref` is put on, measured before the browser paints (and again when it
 * resizes), so a chart is not drawn at a guessed width first and then again.
 */
export function useWidth(): [preact.RefObject<HTMLDivElement>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.max(200, el.clientWidth)));
    ro.observe(el);
    setWidth(Math.max(200, el.clientWidth));
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

const tick = (t: number, span: number) => {
  const d = new Date(t).toISOString();
  return span > 2 * 86400_000 ? d.slice(5, 10) + ' ' + d.slice(11, 16) : span > 600_000 ? d.slice(11, 16) : d.slice(11, 19);
};

/**
 * Buckets over time: stacked bars (one colour per key) or one line per key. Dragging across bars
 * (or clicking one) calls onSelect with the time range they cover.
 */
export function TimeChart(props: { buckets: Bucket[]; keys: string[]; mode?: 'bar' | 'line'; height?: number; onSelect?: (from: number, to: number) => void; label: string; width?: number }) {
  const { buckets, keys, mode = 'bar', height = 140, onSelect } = props;
  const [ref, measured] = useWidth();
  // A width measured by the caller before the data came (the log's histogram) is drawn at once.
  const width = props.width ?? measured;
  const [drag, setDrag] = useState<{ a: number; b: number } | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  const padL = 44, padB = 20, padT = 6;
  const w = width - padL - 4, h = height - padB - padT;
  const n = buckets.length;
  const totals = buckets.map((b) => (mode === 'bar' ? keys.reduce((s, k) => s + (b.values[k] ?? 0), 0) : Math.max(0, ...keys.map((k) => b.values[k] ?? 0))));
  const max = Math.max(1, ...totals);
  const bw = n ? w / n : w;
  const y = (v: number) => padT + h - (v / max) * h;
  const indexAt = (clientX: number, svg: SVGSVGElement) => {
    const x = clientX - svg.getBoundingClientRect().left - padL;
    return Math.min(n - 1, Math.max(0, Math.floor(x / bw)));
  };
  const span = n ? buckets[n - 1].end - buckets[0].start : 0;
  const ticks = n ? Array.from({ length: Math.min(6, n) }, (_, i) => Math.round((i * (n - 1)) / Math.max(1, Math.min(6, n) - 1))) : [];
  const sel = drag ? [Math.min(drag.a, drag.b), Math.max(drag.a, drag.b)] : null;
  const summary = `${props.label}: ${fmtNum(totals.reduce((a, b) => a + b, 0))} in ${n} buckets`;
  return (
    <div class="chart" ref={ref}>
      <svg
        width={width}
        height={height}
        role="img"
        aria-label={summary}
        class={onSelect ? 'selectable' : ''}
        onPointerDown={(e) => {
          if (!onSelect || !n) return;
          const i = indexAt(e.clientX, e.currentTarget);
          (e.currentTarget as Element).setPointerCapture(e.pointerId);
          setDrag({ a: i, b: i });
        }}
        onPointerMove={(e) => {
          if (!n) return;
          const i = indexAt(e.clientX, e.currentTarget);
          setHover(i);
          if (drag) setDrag({ ...drag, b: i });
        }}
        onPointerLeave={() => setHover(null)}
        onPointerUp={() => {
          if (drag && onSelect) onSelect(buckets[Math.min(drag.a, drag.b)].start, buckets[Math.max(drag.a, drag.b)].end - 1);
          setDrag(null);
        }}
      >
        <text x={padL - 6} y={padT + 8} class="axis" text-anchor="end">{fmtNum(max)}</text>
        <text x={padL - 6} y={padT + h} class="axis" text-anchor="end">0</text>
        <line x1={padL} x2={padL + w} y1={padT + h + 0.5} y2={padT + h + 0.5} class="axis-line" />
        {ticks.map((i) => (
          <text x={Math.min(padL + w, Math.max(padL, padL + i * bw + bw / 2))} y={height - 5} class="axis" text-anchor={i === 0 && n > 1 ? 'start' : i === n - 1 && n > 1 ? 'end' : 'middle'}>{tick(buckets[i].start, span)}</text>
        ))}
        {sel && <rect x={padL + sel[0] * bw} y={padT} width={(sel[1] - sel[0] + 1) * bw} height={h} class="selection" />}
        {mode === 'bar'
          ? buckets.map((b, i) => {
              let acc = 0;
              return (
                <g>
                  {keys.map((k, ki) => {
                    const v = b.values[k] ?? 0;
                    if (!v) return null;
                    const top = y(acc + v), bottom = y(acc);
                    acc += v;
                    const s = seriesClass(k, ki);
                    return <rect x={padL + i * bw + (bw > 4 ? 1 : 0)} y={top} width={Math.max(1, bw - (bw > 4 ? 2 : 0))} height={Math.max(0.5, bottom - top)} class={`bar ${s.cls ?? ''}`} fill={s.color} />;
                  })}
                </g>
              );
            })
          : keys.map((k, ki) => {
              const s = seriesClass(k, ki);
              const pts = buckets.map((b, i) => `${padL + i * bw + bw / 2},${y(b.values[k] ?? 0)}`).join(' ');
              return <polyline points={pts} class={`line ${s.cls ?? ''}`} stroke={s.color} />;
            })}
        {hover !== null && !drag && n > 0 && <rect x={padL + hover * bw} y={padT} width={bw} height={h} class="hover" />}
      </svg>
      <div class="chart-legend">
        {keys.map((k, ki) => {
          const s = seriesClass(k, ki);
          return (
            <span>
              <i class={`swatch ${s.cls ?? ''}`} style={s.color ? { background: s.color } : undefined} /> {k}
            </span>
          );
        })}
        {hover !== null && buckets[hover] && (
          <span class="chart-hover">
            {new Date(buckets[hover].start).toISOString().replace('T', ' ').slice(0, 19)}: {keys.map((k) => `${k} ${fmtNum(buckets[hover].values[k] ?? 0)}`).join(', ')}
          </span>
        )}
        {onSelect && <span class="hint">drag across bars to narrow the window</span>}
      </div>
    </div>
  );
}

/** One bar per group (no time bucket). */
export function CategoryChart({ items, label, byStatus = false }: { items: { label: string; value: number }[]; label: string; byStatus?: boolean }) {
  const max = Math.max(1, ...items.map((i) => i.value));
  return (
    <div class="cat-chart" role="img" aria-label={`${label}: ${items.length} groups`}>
      {items.slice(0, 50).map((it, i) => (
        <div class="cat-row">
          <span class="cat-label" title={it.label}>{it.label}</span>
          <span class="cat-bar-wrap">
            <span class={`cat-bar ${byStatus ? seriesClass(it.label, i).cls ?? '' : ''}`} style={{ width: `${(it.value / max) * 100}%`, background: byStatus && seriesClass(it.label, i).cls ? undefined : PALETTE[i % PALETTE.length] }} />
          </span>
          <span class="cat-value">{fmtNum(it.value)}</span>
        </div>
      ))}
    </div>
  );
}
