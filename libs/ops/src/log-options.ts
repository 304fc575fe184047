import { Params } from 'nestjs-pino';
import { EventlogConfig } from '@eventlog/config';

/** LOG_FORMAT, or when unset: pretty where a person reads stdout (a terminal), JSON lines otherwise. */
export function logFormat(config: EventlogConfig, stdoutIsTerminal = Boolean(process.stdout.isTTY)): 'json' | 'pretty' {
  return config.LOG_FORMAT ?? (stdoutIsTerminal ? 'pretty' : 'json');
}

/** The pino options of every app: level, format, and what is never logged. */
export function logOptions(config: EventlogConfig): Params {
  return {
    pinoHttp: {
      level: config.LOG_LEVEL,
      // Probes and scrapes are frequent and say nothing.
      autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
      redact: ['req.headers.authorization', 'req.headers["x-auth-token"]'],
      transport:
        logFormat(config) === 'pretty'
          ? { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } }
          : undefined,
    },
  };
}
