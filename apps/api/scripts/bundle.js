/**
 * Bundles the built server (after swc) into two files, and the thread that reads a start's
 * files into a third: a start then reads and compiles a few files instead of resolving,
 * reading and wrapping about 2,000 modules one by one (on the 2-core bench machine an empty
 * store was ready after 1.38 s instead of 1.85 s, medians of 5 alternating with the
 * unbundled build).
 *
 * - dist/apps/api/src/main.js, the process's entry: only what starts that thread, and a
 *   require of the server's bundle, which it loads while the thread reads;
 * - dist/apps/api/src/server.js, the server (server.ts);
 * - dist/apps/api/src/read-model/start-files-worker.js, the thread;
 * - beside each, its source map, and the licence comments of what it holds (`.LEGAL.txt`).
 *
 * Whitespace and comments are left out and the syntax shortened (names are kept, for stack
 * traces and Nest): 8.5 MB became 5.5 MB, and an empty store was ready 0.13 s sooner
 * (1.26-1.35 s against 1.39-1.49 s, 5 starts each, alternating).
 *
 * Every module keeps its own __dirname and __filename (the server finds its schema, its
 * dashboard, its workers and its projection code's files by them), as paths relative to
 * the bundle, so that the folder may move. Packages that are not installed (the optional
 * peers Nest and its modules try to load), better-sqlite3 and the EventStoreDB client stay
 * requires, resolved at run time as before.
 *
 * The server's bundle is loaded with V8's code cache (apps/api/src/code-cache.ts), which its
 * first start writes beside it; a new bundle removes the caches of the old.
 *
 * usage: node apps/api/scripts/bundle.js (npm run build runs it)
 */
const { readFileSync, readdirSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');
const esbuild = require('esbuild');
const { NOT_ASCII, asciiRegExps } = require('./ascii-regexps');
const { inferredNamesUnwrapped } = require('./inferred-names');

const ROOT = join(__dirname, '..', '..', '..');
const ENTRIES = [
  'dist/apps/api/src/main.js',
  'dist/apps/api/src/server.js',
  'dist/apps/api/src/read-model/start-files-worker.js',
];

/**
 * Gives each module its own __dirname and __filename, relative to the bundle's, and writes
 * the characters beyond ASCII of its regular expressions as escapes (asciiRegExps).
 */
function ownDirname(bundleDirectory) {
  return {
    name: 'own-dirname',
    setup(build) {
      build.onLoad({ filter: /\.c?js$/ }, (args) => {
        const read = readFileSync(args.path, 'utf8');
        const text = NOT_ASCII.test(read) ? asciiRegExps(read) : read;
        const named = /\b__(dirname|filename)\b/.test(text);
        if (!named && text === read) return undefined;
        if (!named) return { contents: text, loader: 'js' };
        const directory = JSON.stringify(relative(bundleDirectory, dirname(args.path)));
        const file = JSON.stringify(relative(bundleDirectory, args.path));
        return {
          contents:
            `var __dirname = require("node:path").join(__bundle_dirname, ${directory}), ` +
            `__filename = require("node:path").join(__bundle_dirname, ${file});\n` +
            text.replace(/^#!.*/, ''),
          loader: 'js',
        };
      });
    },
  };
}

/** Leaves a package that is not installed as a require (Nest's optional peers). */
const notInstalled = {
  name: 'not-installed',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return undefined;
      try {
        require.resolve(args.path, { paths: [args.resolveDir] });
        return undefined;
      } catch {
        return { path: args.path, external: true };
      }
    });
  },
};

/**
 * graphql's instanceOf in its production form. Outside NODE_ENV=production (which the
 * server cannot take: it would refuse to run open) graphql checks every instanceof that
 * fails for a second copy of graphql by its class names, a cost on each input value a
 * mutation coerces. The bundle holds one copy of graphql, so the check can never fire.
 */
const GRAPHQL_INSTANCE_OF = /[\\/]node_modules[\\/]graphql[\\/]jsutils[\\/]instanceOf\.js$/;
const DEVELOPMENT_CHECK =
  /const isProduction =\s*globalThis\.process &&[^\n]*\n\s*process\.env\.NODE_ENV === 'production';/;
const graphqlProduction = {
  name: 'graphql-production',
  setup(build) {
    build.onLoad({ filter: GRAPHQL_INSTANCE_OF }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!DEVELOPMENT_CHECK.test(text)) {
        throw new Error(`${args.path} no longer reads NODE_ENV as this build expects`);
      }
      return {
        contents: text.replace(DEVELOPMENT_CHECK, 'const isProduction = true;'),
        loader: 'js',
      };
    });
  },
};

/** main.ts's require of the server (server.ts) stays a require: its bundle is another file. */
const serverApart = {
  name: 'server-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/server$/ }, (args) =>
      args.importer.endsWith(join('apps', 'api', 'src', 'main.js'))
        ? { path: args.path, external: true }
        : undefined,
    );
  },
};

/**
 * esbuild's helper for keepNames, made to leave a function whose name is already the one
 * it is given. esbuild calls it each time such a function is made, closures included, and
 * its redefinition of `name` took 7-10 % of the server's thread under load (Fastify's and
 * Mercurius' closures made per request, and the server's own). Only a function esbuild
 * renamed (two modules' names that collide in the bundle) needs it. Of the same length, so
 * that the source map still holds for the rest of its line.
 */
const NAME_HELPER = 'var __name=(target,value)=>__defProp(target,"name",{value,configurable:!0});';
const NAME_HELPER_WHEN_OTHER =
  'var __name=(t,v)=>t.name===v?t:__defProp(t,"name",{value:v,configurable:1});';

if (NAME_HELPER_WHEN_OTHER.length !== NAME_HELPER.length) {
  throw new Error("the __name helper's replacement must keep its length (the source map)");
}

function nameOnlyWhenOther(path, text) {
  const at = text.indexOf(NAME_HELPER);
  if (at === -1 || text.indexOf(NAME_HELPER, at + 1) !== -1) {
    throw new Error(`${path} does not define esbuild's __name helper once, as this build expects`);
  }
  return text.slice(0, at) + NAME_HELPER_WHEN_OTHER + text.slice(at + NAME_HELPER.length);
}

/** The entry's file replaced by the bundle (and its source map), each whole or not at all. */
async function bundle(entry) {
  const input = join(ROOT, entry);
  const { outputFiles } = await esbuild.build({
    entryPoints: [input],
    outfile: input,
    allowOverwrite: true,
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    keepNames: true,
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    // Licence comments go to <bundle>.LEGAL.txt, as they were written (some are not ASCII).
    legalComments: 'external',
    logLevel: 'error',
    banner: { js: 'const __bundle_dirname = __dirname;' },
    // A native addon; and the EventStoreDB client (a fifth of the bundle, with gRPC), which
    // only an esdb:// store loads.
    external: ['better-sqlite3', '@eventstore/db-client'],
    plugins: [serverApart, notInstalled, graphqlProduction, ownDirname(dirname(input))],
  });
  for (const { path, contents, text } of outputFiles) {
    writeFileSync(
      `${path}.partial`,
      path.endsWith('.js') ? inferredNamesUnwrapped(path, nameOnlyWhenOther(path, text)) : contents,
    );
    renameSync(`${path}.partial`, path);
  }
}

/** The code caches of earlier bundles (apps/api/src/code-cache.ts): never used again. */
function removeCodeCaches() {
  const directory = join(ROOT, 'dist', 'apps', 'api', 'src');
  for (const name of readdirSync(directory)) {
    if (/^server\.js\..*\.code-cache(\..*\.tmp)?$/.test(name)) rmSync(join(directory, name));
  }
}

Promise.all(ENTRIES.map(bundle))
  .then(removeCodeCaches)
  .catch((error) => {
    console.error(`bundling the server failed: ${error.message}`);
    process.exit(1);
  });
