// Builds the dashboard (and the offline GraphiQL page) into dist/dashboard with esbuild:
// every asset bundled, nothing fetched from elsewhere. Prints the gzipped size of the
// JavaScript a first visit loads, and fails when it is over the budget.
const { copyFileSync, mkdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { gzipSync } = require('node:zlib');
const esbuild = require('esbuild');

const FIRST_LOAD_BUDGET_BYTES = 250 * 1024;
const source = join(__dirname, '..', 'src');
const out = join(__dirname, '..', '..', '..', 'dist', 'dashboard');

async function main() {
  rmSync(out, { recursive: true, force: true });
  const common = {
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    sourcemap: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  };
  await esbuild.build({
    ...common,
    entryPoints: { app: join(source, 'main.tsx') },
    outdir: join(out, 'assets'),
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(__dirname, '..', 'tsconfig.json'),
  });
  await esbuild.build({
    ...common,
    entryPoints: { graphiql: join(source, 'graphiql', 'graphiql.ts') },
    outdir: join(out, 'graphiql', 'assets'),
    // GraphiQL's own bundle names optional modules it never loads in a browser.
    external: [],
    loader: { '.woff2': 'dataurl', '.woff': 'dataurl', '.ttf': 'dataurl' },
  });
  copyFileSync(join(source, 'index.html'), join(out, 'index.html'));
  mkdirSync(join(out, 'graphiql'), { recursive: true });
  copyFileSync(join(source, 'graphiql', 'index.html'), join(out, 'graphiql', 'index.html'));

  const gzipped = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
  const firstLoad = gzipped(join(out, 'assets', 'app.js'));
  const css = gzipped(join(out, 'assets', 'app.css'));
  const graphiql = gzipped(join(out, 'graphiql', 'assets', 'graphiql.js'));
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(
    `dashboard: first-load JavaScript ${kb(firstLoad)} gzipped (budget ${kb(FIRST_LOAD_BUDGET_BYTES)}), ` +
      `CSS ${kb(css)}; GraphiQL page (loaded only at /graphiql) ${kb(graphiql)} gzipped`,
  );
  if (firstLoad > FIRST_LOAD_BUDGET_BYTES) {
    console.error(
      `dashboard: first-load JavaScript is over its budget of ${kb(FIRST_LOAD_BUDGET_BYTES)}`,
    );
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(
    `dashboard build failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
