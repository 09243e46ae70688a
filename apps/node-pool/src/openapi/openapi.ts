import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export const OPENAPI_PATH = 'api/docs';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('HiveMind node pool')
    .setDescription(
      'REST API of the HiveMind node pool: accounts and the CPT wallet, tasks, nodes, files and VPN peers. ' +
        'The same operations are available over gRPC (package `nodepool`, port 50051).',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at /api/docs and the JSON document at /api/docs/openapi.json. */
export function serveOpenApi(app: INestApplication): void {
  SwaggerModule.setup(OPENAPI_PATH, app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: `${OPENAPI_PATH}/openapi.json`,
    yamlDocumentUrl: `${OPENAPI_PATH}/openapi.yaml`,
    customSiteTitle: 'HiveMind API',
  });
}
