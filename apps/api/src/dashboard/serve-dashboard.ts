import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Where `npm run build` puts the dashboard: dist/dashboard, beside dist/apps. */
export const DASHBOARD_DIR = join(__dirname, '..', '..', '..', '..', 'dashboard');

/**
 * The dashboard at `/` and, outside production, GraphiQL at `/graphiql`, both from the
 * project's own build: nothing is fetched from another site. GraphQL stays at `/graphql`.
 */
export function serveDashboard(
  app: NestFastifyApplication,
  options: { production: boolean; directory?: string },
): void {
  const root = options.directory ?? DASHBOARD_DIR;
  if (!existsSync(join(root, 'index.html'))) {
    new Logger('Dashboard').warn(
      `no dashboard build in ${root}: run npm run build to serve it at /`,
    );
    return;
  }
  app.useStaticAssets({
    root,
    prefix: '/',
    index: ['index.html'],
    wildcard: false,
    // GraphiQL's files stay unserved in production, like GraphiQL itself.
    allowedPath: (path) => !options.production || !path.startsWith('/graphiql'),
    cacheControl: true,
    maxAge: 0,
  });
  if (!options.production) {
    const page = readFileSync(join(root, 'graphiql', 'index.html'));
    app
      .getHttpAdapter()
      .getInstance()
      .get('/graphiql', (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  }
}
