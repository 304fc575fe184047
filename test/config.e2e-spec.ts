import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('configuration at start', () => {
  it.each(['ingest', 'query'])('%s stops with one clear line per bad variable', (app) => {
    const run = spawnSync(process.execPath, [join(__dirname, '..', `dist/apps/${app}/src/main.js`)], {
      env: { PATH: process.env.PATH, KAFKA_BROKERS: 'not a broker', INGEST_HTTP_PORT: '70000', QUERY_HTTP_PORT: 'x', INGEST_TOPIC_PATTERN: '(' },
      encoding: 'utf8',
      timeout: 20000,
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines.some((l) => /^invalid configuration: KAFKA_BROKERS: .*host:port/.test(l))).toBe(true);
    expect(lines.some((l) => /^invalid configuration: INGEST_TOPIC_PATTERN: not a valid regular expression/.test(l))).toBe(true);
    expect(lines.some((l) => /^invalid configuration: (INGEST|QUERY)_HTTP_PORT/.test(l))).toBe(true);
  });
});
