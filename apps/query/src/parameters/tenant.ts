import { DEFAULT_TENANT } from '@eventlog/contracts';

/** Contract 4: every query reads the given tenant, else `default`. */
export const tenantOf = (dto: { tenant?: string }) => dto.tenant ?? DEFAULT_TENANT;
