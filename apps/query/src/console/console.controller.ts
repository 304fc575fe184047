import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ConsoleAsset, ConsoleAssets } from './console-assets';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The web console (contract 4b): static files only; every page is a client of the public /v1 API.
 * Page paths (/ui/traces/…, /ui/explore, …) all answer index.html, whose script routes in the browser.
 */
@ApiExcludeController()
@Controller()
export class ConsoleController {
  constructor(private readonly assets: ConsoleAssets) {}

  @Get()
  root(@Res() reply: FastifyReply) {
    return reply.code(302).header('location', '/ui').send();
  }

  @Get('ui/assets/:file')
  asset(@Param('file') file: string, @Headers('accept-encoding') encodings: string | undefined, @Headers('if-none-match') etag: string | undefined, @Res() reply: FastifyReply) {
    const asset = file === 'index.html' ? undefined : this.assets.get(file);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    return send(reply, asset, IMMUTABLE, encodings, etag);
  }

  @Get(['ui', 'ui/*'])
  page(@Headers('accept-encoding') encodings: string | undefined, @Headers('if-none-match') etag: string | undefined, @Res() reply: FastifyReply) {
    const index = this.assets.get('index.html');
    if (!index) return reply.code(503).type('text/plain; charset=utf-8').send('the console is not built: run npm run build');
    // Revalidated on every load, so a new build's hashed asset names are picked up at once.
    return send(reply, index, 'no-cache', encodings, etag);
  }
}

function send(reply: FastifyReply, asset: ConsoleAsset, cacheControl: string, encodings: string | undefined, ifNoneMatch: string | undefined) {
  reply.header('cache-control', cacheControl).header('etag', asset.etag).header('vary', 'accept-encoding').header('x-content-type-options', 'nosniff');
  if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === asset.etag)) return reply.code(304).send();
  const accepted = (encodings ?? '').toLowerCase();
  const [encoding, body] = /\bbr\b/.test(accepted) ? ['br', asset.br] : /\bgzip\b/.test(accepted) ? ['gzip', asset.gzip] : [undefined, asset.identity];
  if (encoding) reply.header('content-encoding', encoding);
  return reply.code(200).type(asset.type).send(body);
}
