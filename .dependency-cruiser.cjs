/**
 * The arrows point inward: apps -> libs/projections, libs/event-store -> libs/domain.
 * libs/domain imports nothing of ours but itself, and no framework or I/O.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain may import only itself: no NestJS, no adapter, no app, no I/O.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { pathNot: '^libs/domain/' },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'libs-never-import-nest',
      comment: 'The libraries are plain TypeScript; NestJS wiring lives in apps/.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: 'node_modules/@nestjs/' },
    },
    {
      name: 'event-store-knows-no-projections',
      severity: 'error',
      from: { path: '^libs/event-store/' },
      to: { path: '^libs/projections/' },
    },
    {
      name: 'dashboard-talks-graphql-only',
      comment: 'The page reaches the system only through the public GraphQL API.',
      severity: 'error',
      from: { path: '^apps/dashboard/' },
      to: { path: '^(libs|apps/(?!dashboard/))' },
    },
    {
      name: 'no-circular-between-libs',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { circular: true, pathNot: '^libs/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^dist/' },
  },
};
