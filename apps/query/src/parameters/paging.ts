import { PagingQueryDto, QUERY_LIMITS, InputProblem, InvalidQueryError } from '@eventlog/contracts';

export interface Paging {
  limit: number;
  offset: number;
  cursor?: string;
}

/**
 * One of the three paging styles: page+pageSize, offset+limit, or cursor (sized by pageSize or
 * limit). Mixing styles is refused rather than guessed at.
 */
export function resolvePaging(dto: PagingQueryDto): Paging {
  const problems: InputProblem[] = [];
  const refuse = (field: string, message: string) => problems.push({ field, message: `${field}: ${message}` });
  if (dto.cursor !== undefined && (dto.page !== undefined || dto.offset !== undefined)) {
    refuse('cursor', 'a cursor cannot be combined with page or offset');
  }
  if (dto.page !== undefined && dto.offset !== undefined) refuse('offset', 'use page with pageSize, or offset with limit, not both');
  if (dto.pageSize !== undefined && dto.limit !== undefined) refuse('limit', 'use pageSize or limit, not both');
  if (dto.page !== undefined && dto.limit !== undefined) refuse('limit', 'page goes with pageSize, not limit');
  if (dto.offset !== undefined && dto.pageSize !== undefined) refuse('pageSize', 'offset goes with limit, not pageSize');
  const limit = dto.limit ?? dto.pageSize ?? QUERY_LIMITS.defaultPageSize;
  const offset = dto.offset ?? ((dto.page ?? 1) - 1) * limit;
  if (offset > QUERY_LIMITS.maxOffset) refuse('page', `page × pageSize may reach row ${QUERY_LIMITS.maxOffset} at most`);
  if (problems.length) throw new InvalidQueryError(problems);
  return { limit, offset, cursor: dto.cursor };
}
