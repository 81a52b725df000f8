/**
 * Empties dist/ before a build: swc writes every module again but removes none, so a module
 * deleted or renamed in the sources (a worker's script among them) would stay in dist/ and
 * could still be found by its name. Nothing built is kept from one build to the next anyway:
 * bundle.js removes the server's code caches, which the next start writes again.
 *
 * usage: node apps/api/scripts/clean-dist.js (npm run build runs it)
 */
const { rmSync } = require('node:fs');
const { join } = require('node:path');

rmSync(join(__dirname, '..', '..', '..', 'dist'), { recursive: true, force: true });
