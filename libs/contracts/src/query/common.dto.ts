import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { NO_CONTROL_CHARS } from '../event-envelope.dto';
import { QUERY_LIMITS } from './limits';
import { Omittable } from '../omittable';
import { ToInt } from './transforms';

/** Every query reads one tenant (contract 4): this one, else `default`. */
export class TenantQueryDto {
  @ApiPropertyOptional({ description: 'Tenant to read; `default` when absent', maxLength: 64 })
  @Omittable()
  @IsString()
  @Length(1, 64)
  @Matches(NO_CONTROL_CHARS, { message: 'tenant must not contain control characters' })
  tenant?: string;
}

/** page+pageSize, or offset+limit, or an opaque keyset cursor (with pageSize or limit as its size). */
export class PagingQueryDto extends TenantQueryDto {
  @ApiPropertyOptional({ description: 'Page number, from 1 (with pageSize)', minimum: 1, default: 1 })
  @Omittable()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(QUERY_LIMITS.maxOffset)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: QUERY_LIMITS.maxPageSize, default: QUERY_LIMITS.defaultPageSize })
  @Omittable()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(QUERY_LIMITS.maxPageSize)
  pageSize?: number;

  @ApiPropertyOptional({ description: 'Rows to skip (with limit)', minimum: 0, maximum: QUERY_LIMITS.maxOffset })
  @Omittable()
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(QUERY_LIMITS.maxOffset)
  offset?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: QUERY_LIMITS.maxPageSize })
  @Omittable()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(QUERY_LIMITS.maxPageSize)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque keyset cursor: the nextCursor of the previous page' })
  @Omittable()
  @IsString()
  @Length(1, QUERY_LIMITS.maxCursorLength)
  cursor?: string;
}

export const SORT_FIELDS = ['occurredAt', 'position', 'recordedAt'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export const SORT_ORDERS = ['desc', 'asc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export class SortQueryDto extends PagingQueryDto {
  @ApiPropertyOptional({ enum: SORT_FIELDS, default: 'occurredAt' })
  @Omittable()
  @IsIn(SORT_FIELDS)
  sort?: SortField;

  @ApiPropertyOptional({ enum: SORT_ORDERS, default: 'desc' })
  @Omittable()
  @IsIn(SORT_ORDERS)
  order?: SortOrder;
}
