/** What every benchmark scenario returns: one table, plus notes on where the time went. */
export interface ScenarioResult {
  name: string;
  rows: Record<string, string | number>[];
  notes?: string[];
}

export type Scenario = () => Promise<ScenarioResult>;

/** p-quantile (0..1) of a list of numbers, by nearest rank. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function printTable(result: ScenarioResult): void {
  console.log(`\n## ${result.name}`);
  if (result.rows.length) {
    const columns = Object.keys(result.rows[0]);
    const width = columns.map((c) => Math.max(c.length, ...result.rows.map((r) => String(r[c] ?? '').length)));
    const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(width[i])).join(' | ') + ' |';
    console.log(line(columns));
    console.log(line(width.map((w) => '-'.repeat(w))));
    for (const row of result.rows) console.log(line(columns.map((c) => String(row[c] ?? ''))));
  }
  for (const note of result.notes ?? []) console.log(`- ${note}`);
}
