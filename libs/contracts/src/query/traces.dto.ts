import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { TenantQueryDto } from './common.dto';

export class TraceParamDto {
  @ApiProperty()
  @IsString()
  @Length(1, 128)
  requestId: string;
}

export class TraceNodeParamDto extends TraceParamDto {
  @ApiProperty()
  @IsString()
  @Length(1, 128)
  nodeId: string;
}

/** Request topic `eventlog.query.trace`. */
export class TraceRequestDto extends TenantQueryDto {
  @ApiProperty()
  @IsString()
  @Length(1, 128)
  requestId: string;
}

/** Request topic `eventlog.query.trace-node`. */
export class TraceNodeRequestDto extends TraceRequestDto {
  @ApiProperty()
  @IsString()
  @Length(1, 128)
  nodeId: string;
}
