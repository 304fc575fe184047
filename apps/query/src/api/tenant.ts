import { DEFAULT_TENANT } from '../../../../libs/contracts/src';

/** Contract 4: every query reads the given tenant, else `default`. */
export const tenantOf = (dto: { tenant?: string }) => dto.tenant ?? DEFAULT_TENANT;
