import { loadConfig } from '@eventlog/config';
import { logFormat, logOptions } from './log-options';

describe('log options', () => {
  it('are pretty on a terminal and JSON lines elsewhere, unless LOG_FORMAT says', () => {
    const unset = loadConfig({});
    expect(logFormat(unset, true)).toBe('pretty');
    expect(logFormat(unset, false)).toBe('json');
    expect(logFormat(loadConfig({ LOG_FORMAT: 'json' }), true)).toBe('json');
    expect(logFormat(loadConfig({ LOG_FORMAT: 'pretty' }), false)).toBe('pretty');
  });

  it('refuse any other LOG_FORMAT at start', () => {
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });

  it('print through pino-pretty only when pretty', () => {
    const transport = (format: string) => (logOptions(loadConfig({ LOG_FORMAT: format })).pinoHttp as { transport?: { target: string } }).transport;
    expect(transport('pretty')?.target).toBe('pino-pretty');
    expect(transport('json')).toBeUndefined();
  });
});
