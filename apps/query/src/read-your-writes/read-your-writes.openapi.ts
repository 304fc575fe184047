import { OpenAPIObject } from '@nestjs/swagger';
import { QUERY_LIMITS } from '@eventlog/contracts';
import { AFTER, MIN_POSITION } from './read-conditions';

const PARAMETERS = [
  {
    name: AFTER,
    in: 'query' as const,
    required: false,
    description:
      `Answer only once ingest has made this record's outcome durable (persisted, duplicate or dead-lettered): ` +
      `<topic>:<partition>:<offset>, as a produce returned it. Repeatable, at most ${QUERY_LIMITS.maxAfter}.`,
    schema: { type: 'array' as const, items: { type: 'string' as const, example: 'eventlog.ingest:3:41' } },
    style: 'form' as const,
    explode: true,
  },
  {
    name: MIN_POSITION,
    in: 'query' as const,
    required: false,
    description: 'Answer only once this position is visible here (a position the reader holds, e.g. from the outbound topic).',
    schema: { type: 'integer' as const, minimum: 0 },
  },
];

/**
 * Documents after= and minPosition on the reads the interceptor serves: every GET under /v1 and
 * POST /v1/query (the one read sent as a POST), with the 504 it may answer.
 */
export function documentReadYourWrites(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    const reads = [path.startsWith('/v1/') ? item.get : undefined, path === '/v1/query' ? item.post : undefined];
    for (const operation of reads) {
      if (!operation) continue;
      operation.parameters = [...(operation.parameters ?? []), ...PARAMETERS];
      operation.responses['504'] = { description: 'What after= or minPosition named was not durable within READ_WAIT_MS' };
    }
  }
  return document;
}
