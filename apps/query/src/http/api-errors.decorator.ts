import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ApiErrorBody } from '@eventlog/contracts';

/** Documents the error answers every query route may give, in the contract's error shape. */
export const ApiErrors = () =>
  applyDecorators(
    ApiResponse({ status: 400, description: 'Invalid input; details name the fields', type: ApiErrorBody }),
    ApiResponse({ status: 404, description: 'Unknown event, stream or trace', type: ApiErrorBody }),
    ApiResponse({ status: 503, description: 'Postgres unavailable', type: ApiErrorBody }),
  );
