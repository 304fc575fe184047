import { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { documentReadYourWrites } from '../read-your-writes/read-your-writes.openapi';
import { serveSwaggerUiAssets } from './swagger-ui-assets';

/** GET /docs: the OpenAPI document of the HTTP API and the Swagger UI. */
export function serveOpenApi(app: INestApplication, adapter: FastifyAdapter): void {
  serveSwaggerUiAssets(adapter);
  SwaggerModule.setup(
    'docs',
    app,
    documentReadYourWrites(
      SwaggerModule.createDocument(
        app,
        new DocumentBuilder()
          .setTitle('eventlog query API')
          .setDescription('Contract section 4. The same queries answer on Kafka request/reply; see docs/query-api.md.')
          .setVersion('1')
          .build(),
      ),
    ),
  );
}
