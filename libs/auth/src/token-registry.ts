import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AccessGrant, AccessScope, EventlogConfig } from '@eventlog/config';

export interface Grant {
  tenants: ReadonlySet<string>;
  scopes: ReadonlySet<AccessScope>;
  /** A stable, non-secret name for the token (rate limiting, logs). */
  id: string;
}

const digest = (token: string) => createHash('sha256').update(token).digest();

/**
 * The configured access tokens, kept only as SHA-256 digests. A presented token is compared with
 * every digest in constant time, without stopping at the first match, so neither the comparison
 * nor the number of comparisons says how close a guess was.
 */
@Injectable()
export class TokenRegistry implements OnModuleInit {
  private readonly entries: { digest: Buffer; grant: Grant }[];

  constructor(config: EventlogConfig) {
    this.entries = config.accessGrants.map((g: AccessGrant) => {
      const d = digest(g.token);
      return { digest: d, grant: { tenants: new Set(g.tenants), scopes: new Set(g.scopes), id: d.toString('hex').slice(0, 12) } };
    });
  }

  onModuleInit() {
    if (!this.enabled) new Logger(TokenRegistry.name).warn('AUTH_TOKENS is not set: the API is open to anyone who can reach it (local development only)');
    else new Logger(TokenRegistry.name).log(`access tokens required: ${this.entries.length} configured`);
  }

  /** False when no token is configured: the API is open (local development). */
  get enabled(): boolean {
    return this.entries.length > 0;
  }

  authenticate(presented: string | undefined): Grant | undefined {
    if (!presented) return undefined;
    const candidate = digest(presented);
    let found: Grant | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, candidate) && !found) found = entry.grant;
    }
    return found;
  }
}

export const grants = (grant: Grant, tenant: string) => grant.tenants.has('*') || grant.tenants.has(tenant);
