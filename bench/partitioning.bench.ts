import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { databaseUrl, PROJECT_ROOT } from '@eventlog/testing';
import { ScenarioResult } from './lib/scenario';

/*
 * Issue 17's "before and after partitioning": the ingest and query scenarios of the last commit
 * before the time partitions (a git worktree of it, built here) and of this checkout, alternated in
 * one run on the same generated data, and each figure of one beside the other's. Named only on
 * demand (`npm run bench -- partitioning`): it runs both scenarios twice.
 */
const BASELINE = process.env.BENCH_PARTITIONING_BASELINE ?? 'fe6c2eb^1';
const SCENARIOS = (process.env.BENCH_PARTITIONING_SCENARIOS ?? 'ingest,query').split(',');
/** Runs of each tree per scenario, in the order A B B A (…): the machine's drift falls on both alike. */
const REPEATS = Number(process.env.BENCH_PARTITIONING_REPEATS ?? 2);
/** The figures compared, per scenario: the first column names the row, these are its measures. */
const MEASURES: Record<string, string[]> = {
  ingest: ['events/s', 'of COPY ceiling', 'CPU ms/1k: all', 'ingest', 'postgres'],
  query: ['p50 ms', 'p99 ms', 'requests/s'],
};
/** Whether a larger figure is the better one (throughput), or the smaller (latency, CPU). */
const HIGHER_IS_BETTER = new Set(['events/s', 'of COPY ceiling', 'requests/s']);

interface Result {
  name: string;
  rows: Record<string, string | number>[];
}

function sh(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  execFileSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
}

/** A built worktree of the baseline commit, kept under .bench/ between runs; it shares node_modules when the lock file is the same. */
function baselineTree(): { dir: string; commit: string } {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${BASELINE}^{commit}`], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
  const dir = join(PROJECT_ROOT, '.bench', `baseline-${commit.slice(0, 12)}`);
  if (!existsSync(dir)) sh(PROJECT_ROOT, 'git', ['worktree', 'add', '--detach', dir, commit]);
  if (!existsSync(join(dir, 'node_modules'))) {
    const sameLock = readFileSync(join(dir, 'package-lock.json'), 'utf8') === readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8');
    if (sameLock) symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    else sh(dir, 'npm', ['ci', '--ignore-scripts']);
  }
  sh(dir, 'npm', ['run', 'build']);
  sh(dir, 'npx', ['nest', 'build', 'bench']);
  return { dir, commit };
}

const QUERY_EVENTS = process.env.BENCH_QUERY_EVENTS ?? 5_000_000;
/**
 * Each tree's query database: this checkout's under a name of its own, the baseline's bench (which
 * knows no such setting) keeps the usual one, so alternating the trees does not reload 5M events each time.
 */
const queryDatabaseOf = (dir: string) => (dir === PROJECT_ROOT ? `eventlog_bench_query_${QUERY_EVENTS}_partitioned` : `eventlog_bench_query_${QUERY_EVENTS}`);

/** Runs one scenario in a tree (its own built bench) and returns the result it wrote. */
function runIn(dir: string, scenario: string, env: NodeJS.ProcessEnv = {}): Result {
  const resultsDir = join(dir, 'bench', 'results');
  const before = new Set(existsSync(resultsDir) ? readdirSync(resultsDir) : []);
  // The naive peer is not what partitioning changes: shortened in both runs.
  const ownDatabase = dir === PROJECT_ROOT ? { BENCH_QUERY_DATABASE: queryDatabaseOf(dir) } : {};
  sh(dir, 'node', ['dist/bench/run.js', scenario], { BENCH_NAIVE_SECONDS: '5', ...ownDatabase, ...env });
  const written = readdirSync(resultsDir).filter((f) => f.endsWith('.json') && !before.has(f));
  if (written.length !== 1) throw new Error(`expected one new result in ${resultsDir}, found ${written.length}`);
  const { results } = JSON.parse(readFileSync(join(resultsDir, written[0]), 'utf8')) as { results: Result[] };
  return results[0];
}

const numberOf = (cell: string | number | undefined) => (cell === undefined || cell === '' ? NaN : parseFloat(String(cell)));
const labelOf = (row: Record<string, string | number>) => `${String(row[Object.keys(row)[0]])}${row.clients === undefined ? '' : ` (${row.clients} clients)`}`;

/** The mean of each measure per row label over several runs of one tree. */
function meanFigures(runs: Result[], measures: string[]): Map<string, Map<string, number>> {
  const sums = new Map<string, Map<string, number[]>>();
  for (const result of runs)
    for (const row of result.rows) {
      const byMeasure = sums.get(labelOf(row)) ?? new Map<string, number[]>();
      sums.set(labelOf(row), byMeasure);
      for (const m of measures) if (Number.isFinite(numberOf(row[m]))) byMeasure.set(m, [...(byMeasure.get(m) ?? []), numberOf(row[m])]);
    }
  return new Map([...sums].map(([label, byMeasure]) => [label, new Map([...byMeasure].map(([m, xs]) => [m, xs.reduce((a, b) => a + b, 0) / xs.length]))]));
}

/**
 * Both trees' query data loaded (each by its own bench, measuring nothing), then every table of
 * both analysed, as a deployment's autovacuum would have them: this machine's Postgres runs with it
 * off, and the baseline's loader never analysed the rollup its trigger filled, so its plans were not
 * the ones a deployment gets (decision 047).
 */
async function loadAndAnalyse(dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    runIn(dir, 'query', { BENCH_QUERY_ONLY: '^$' });
    const db = new Client({ connectionString: databaseUrl(queryDatabaseOf(dir)) });
    await db.connect();
    try {
      await db.query('ANALYZE');
    } finally {
      await db.end();
    }
  }
}

export async function run(): Promise<ScenarioResult> {
  const { dir, commit } = baselineTree();
  const rows: Record<string, string | number>[] = [];
  const worse: string[] = [];
  for (const scenario of SCENARIOS) {
    const baseline: Result[] = [];
    const current: Result[] = [];
    if (scenario === 'query') await loadAndAnalyse([dir, PROJECT_ROOT]);
    for (let i = 0; i < REPEATS; i++) {
      const order = i % 2 === 0 ? [baseline, current] : [current, baseline];
      for (const runs of order) runs.push(runIn(runs === baseline ? dir : PROJECT_ROOT, scenario));
    }
    const before = meanFigures(baseline, MEASURES[scenario]);
    const after = meanFigures(current, MEASURES[scenario]);
    for (const [label, figures] of after) {
      const old = before.get(label);
      if (!old) continue;
      for (const [measure, b] of figures) {
        const a = old.get(measure);
        if (a === undefined || a === 0) continue;
        // Positive when the figure got worse.
        const worseBy = HIGHER_IS_BETTER.has(measure) ? (a - b) / a : (b - a) / a;
        rows.push({ figure: `${scenario}: ${label}`, measure, before: +a.toFixed(2), after: +b.toFixed(2), 'worse by': `${(100 * worseBy).toFixed(1)}%` });
        if (worseBy > 0.1) worse.push(`${scenario}: ${label} ${measure}`);
      }
    }
  }
  return {
    name: `partitioning: ${BASELINE} (${commit.slice(0, 12)}, before time partitions) against this checkout, same data, one run`,
    rows,
    notes: [
      `each scenario run ${REPEATS} times by the baseline's own bench and ${REPEATS} times by this checkout's, alternated (A B B A); figures are the means; "worse by" is positive when the figure got worse (lower throughput, higher latency or CPU)`,
      'issue 17 target: no figure worse by more than 10%',
      worse.length ? `worse by more than 10%: ${worse.join('; ')}` : 'no figure worse by more than 10%',
    ],
  };
}
