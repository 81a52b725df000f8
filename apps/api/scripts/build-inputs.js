/**
 * What a build of dist/ was made from: a SHA-256 of every file the build reads (apps/,
 * libs/, the package files and the compiler's settings), written to dist/.build-inputs as
 * the build's last step.
 *
 * `npm start` and every command-line tool build only when that differs: `npm run backup`
 * beside a running server (as Operations in the README says to do) must not empty the
 * dist/ the server runs from, and a tool should not spend ten seconds compiling what was
 * already compiled. `npm run build` always builds from an empty dist/.
 *
 * usage: node apps/api/scripts/build-inputs.js write|ensure
 *   write   records the inputs of the dist/ just built (npm run build runs it last)
 *   ensure  builds (npm run build) unless dist/ was built from the inputs there are now
 */
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, readdirSync, writeFileSync } = require('node:fs');
const { join, relative, sep } = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = join(__dirname, '..', '..', '..');
/** Folders whose every file is an input, and single files at the root. */
const FOLDERS = ['apps', 'libs'];
const FILES = ['package.json', 'package-lock.json', '.swcrc', 'tsconfig.json'];
/** Never inputs, wherever they are: what a build or an install writes. */
const SKIPPED = new Set(['node_modules', 'dist']);
const STAMP = join('dist', '.build-inputs');

/** The files under `folder`, as paths relative to `root` with `/`, in a stable order. */
function filesUnder(root, folder) {
  const found = [];
  const walk = (directory) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (SKIPPED.has(entry.name)) continue;
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) found.push(relative(root, path).split(sep).join('/'));
    }
  };
  if (existsSync(join(root, folder))) walk(join(root, folder));
  return found;
}

/** The SHA-256 of every input's path and bytes, in hex. */
function inputsHash(root = ROOT) {
  const files = FOLDERS.flatMap((folder) => filesUnder(root, folder))
    .concat(FILES.filter((file) => existsSync(join(root, file))))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    const bytes = readFileSync(join(root, file));
    hash.update(`${file}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

/** Whether dist/ under `root` was built from the inputs there are now. */
function isCurrent(root = ROOT) {
  const stamp = join(root, STAMP);
  return existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === inputsHash(root);
}

function write(root = ROOT) {
  writeFileSync(join(root, STAMP), `${inputsHash(root)}\n`);
}

function main(argv) {
  const [verb, ...rest] = argv;
  if (rest.length > 0 || (verb !== 'write' && verb !== 'ensure')) {
    process.stderr.write('usage: node apps/api/scripts/build-inputs.js write|ensure\n');
    return 2;
  }
  if (verb === 'write') {
    write();
    return 0;
  }
  if (isCurrent()) return 0;
  const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  return built.status ?? 1;
}

module.exports = { inputsHash, isCurrent, write };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
