import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface ConsoleAsset {
  type: string;
  etag: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

/** Where `npm run build` writes the console's files (build-console.js): beside this module in dist. */
export const CONSOLE_PUBLIC_DIR = join(__dirname, 'public');

/**
 * The console's built files, read once at start and kept in memory with their gzip and brotli
 * forms, so a request costs a map lookup. Asset names carry a content hash (served immutable);
 * index.html is revalidated by its ETag. Decision: docs/decisions/027-console-stack.md.
 */
@Injectable()
export class ConsoleAssets implements OnModuleInit {
  private readonly files = new Map<string, ConsoleAsset>();

  onModuleInit() {
    if (!existsSync(CONSOLE_PUBLIC_DIR)) {
      new Logger(ConsoleAssets.name).warn(`console not built (${CONSOLE_PUBLIC_DIR} missing): run npm run build`);
      return;
    }
    for (const name of readdirSync(CONSOLE_PUBLIC_DIR)) {
      const type = TYPES[extname(name)];
      if (!type) continue;
      const identity = readFileSync(join(CONSOLE_PUBLIC_DIR, name));
      this.files.set(name, {
        type,
        etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}"`,
        identity,
        gzip: gzipSync(identity, { level: 9 }),
        br: brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
      });
    }
  }

  get(name: string): ConsoleAsset | undefined {
    return this.files.get(name);
  }
}
