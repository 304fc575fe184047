import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createReadStream, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Lets SwaggerModule.setup serve the Swagger UI's files (GET /docs/swagger-ui.css, …) on Fastify
 * without @fastify/static, whose supported majors differ between @nestjs/swagger (8, 9) and
 * @nestjs/platform-fastify (10). Only the files of the folder Swagger names are served, by exact name.
 */
export function serveSwaggerUiAssets(adapter: FastifyAdapter): void {
  adapter.useStaticAssets = ((options: { root: string; prefix?: string }) => {
    const files = new Set(readdirSync(options.root));
    adapter.getInstance().get(`${options.prefix ?? ''}/:file`, (req, reply) => {
      const { file } = req.params as { file: string };
      if (!files.has(file)) return reply.callNotFound();
      return reply.type(TYPES[extname(file)] ?? 'application/octet-stream').send(createReadStream(join(options.root, file)));
    });
    return adapter;
  }) as FastifyAdapter['useStaticAssets'];
}
