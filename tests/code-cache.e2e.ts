import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { startServer, temporaryDirectory } from './support/test-server';

const ROOT = join(__dirname, '..');
const CODE_CACHE = join(ROOT, 'dist', 'apps', 'api', 'src', 'code-cache.js');

/** What a child process saw loading `file` through the built code-cache module. */
interface Load {
  readonly value: string;
  readonly dirname: string;
  readonly saved: { kind: string; file?: string; why?: string };
}

/** Loads `file` in a fresh node process (its own require cache, its own flags). */
function loadInChild(file: string, flags: string[] = []): Load {
  const script =
    `const { requireWithCodeCache } = require(${JSON.stringify(CODE_CACHE)});` +
    `const loaded = requireWithCodeCache(${JSON.stringify(file)}, module);` +
    'const saved = loaded.saveCodeCache();' +
    'console.log(JSON.stringify({ value: loaded.exports.value(), dirname: loaded.exports.dirname, saved }));';
  const output = execFileSync(process.execPath, [...flags, '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(output) as Load;
}

/** A module whose source has the same length whatever three-letter word it returns. */
function moduleSource(word: string): string {
  return `module.exports = { value: () => '${word}', dirname: __dirname };\n`;
}

function caches(directory: string): string[] {
  return readdirSync(directory).filter((name) => name.endsWith('.code-cache'));
}

describe("the server's code loaded with V8's code cache", () => {
  const directory = temporaryDirectory();
  afterAll(() => directory.remove());

  /** A folder of its own with a bundle in it, returning 'one'. */
  function bundleIn(name: string): { folder: string; file: string } {
    const folder = join(directory.path, name);
    mkdirSync(folder);
    const file = join(folder, 'bundle.js');
    writeFileSync(file, moduleSource('one'));
    return { folder, file };
  }

  it('writes a cache once, then loads from it; the module runs as an ordinary require would', () => {
    const { folder, file } = bundleIn('once');

    const first = loadInChild(file);
    expect(first.value).toBe('one');
    expect(first.dirname).toBe(folder);
    expect(first.saved.kind).toBe('written');
    expect(first.saved.file).toMatch(/bundle\.js\.[0-9a-f]{16}\.code-cache$/);
    expect(caches(folder)).toHaveLength(1);

    const second = loadInChild(file);
    expect(second).toEqual({ value: 'one', dirname: folder, saved: { kind: 'not needed' } });
    expect(caches(folder)).toHaveLength(1);
  });

  it('never runs the code of another bundle, even one of the same length', () => {
    const { folder, file } = bundleIn('rebuilt');
    expect(loadInChild(file).saved.kind).toBe('written');

    // V8 itself checks only the source's length: this bundle would pass its check.
    writeFileSync(file, moduleSource('two'));
    const rebuilt = loadInChild(file);
    expect(rebuilt.value).toBe('two');
    expect(rebuilt.saved.kind).toBe('written');
    expect(caches(folder)).toHaveLength(2);
    expect(loadInChild(file)).toMatchObject({ value: 'two', saved: { kind: 'not needed' } });
  });

  it('keeps a cache per set of flags (V8 refuses one made under other flags)', () => {
    const { folder, file } = bundleIn('flags');
    expect(loadInChild(file).saved.kind).toBe('written');
    const small = ['--max-semi-space-size=16'];
    expect(loadInChild(file, small).saved.kind).toBe('written');
    expect(loadInChild(file, small).saved.kind).toBe('not needed');
    expect(loadInChild(file).saved.kind).toBe('not needed');
    expect(caches(folder)).toHaveLength(2);
  });

  it('compiles as usual from a torn cache file, and replaces it', () => {
    const { file } = bundleIn('torn');
    const cache = loadInChild(file).saved.file as string;
    const bytes = readFileSync(cache);
    writeFileSync(cache, bytes.subarray(0, bytes.length >> 1));

    const torn = loadInChild(file);
    expect(torn.value).toBe('one');
    expect(torn.saved).toEqual({ kind: 'written', file: cache });
    expect(loadInChild(file).saved.kind).toBe('not needed');
  });

  it('says why it cannot write a cache, leaves no temporary file, and the module still runs', () => {
    const { folder, file } = bundleIn('unwritable');
    const cache = loadInChild(file).saved.file as string;
    // Where the cache would go stands a folder that is not empty: the rename fails.
    rmSync(cache);
    mkdirSync(join(cache, 'taken'), { recursive: true });

    const refused = loadInChild(file);
    expect(refused.value).toBe('one');
    expect(refused.saved.kind).toBe('failed');
    expect(refused.saved.why).toMatch(
      /^cannot write .*bundle\.js\.[0-9a-f]{16}\.code-cache \(E[A-Z]+\)$/,
    );
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('serves from the second start of a build on with the cache its first start wrote', async () => {
    // A copy of the built server, so that no other test's start has written its cache yet.
    const copy = join(directory.path, 'server');
    cpSync(join(ROOT, 'dist'), join(copy, 'dist'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    const source = join(copy, 'dist', 'apps', 'api', 'src');
    for (const name of caches(source)) rmSync(join(source, name));
    const entry = join(source, 'main.js');
    const store = join(directory.path, 'server.db');

    const first = await startServer(store, {}, entry);
    try {
      await waitFor(() => /compiled code cached for the next start in /.test(first.output()));
      const typename = await first.gql('{ __typename }');
      expect(typename.data).toEqual({ __typename: 'Query' });
    } finally {
      await first.close();
    }
    const written = caches(source);
    expect(written).toHaveLength(1);
    expect(first.output()).toContain(join(source, written[0]!));

    const second = await startServer(store, {}, entry);
    try {
      const typename = await second.gql('{ __typename }');
      expect(typename.data).toEqual({ __typename: 'Query' });
      // Nothing more to write: the start used the cache.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(second.output()).not.toMatch(/code cache/);
    } finally {
      await second.close();
    }
    expect(caches(source)).toEqual(written);
    expect(existsSync(join(source, written[0]!))).toBe(true);
  });
});

describe("the code cache written ahead of a start (the Docker image's build)", () => {
  const script = join(ROOT, 'apps', 'api', 'scripts', 'warm-code-cache.js');
  // Flags of this test's own: no other start writes a cache under them.
  const flags = ['--max-semi-space-size=64', '--min-semi-space-size=64', '--stack-size=983'];
  const source = join(ROOT, 'dist', 'apps', 'api', 'src');
  const written: string[] = [];
  afterAll(() => written.forEach((file) => rmSync(file, { force: true })));

  it('starts the built server once with the given flags, and says where the cache went', () => {
    const first = execFileSync(process.execPath, [script, ...flags], { encoding: 'utf8' });
    const match = /^warm-code-cache: wrote (.*\.code-cache)\n$/.exec(first);
    expect(match).not.toBeNull();
    written.push(match![1]!);
    // (Other tests' servers may write caches of their own meanwhile, under other flags.)
    expect(caches(source)).toContain(basename(match![1]!));
    const second = execFileSync(process.execPath, [script, ...flags], { encoding: 'utf8' });
    expect(second).toBe('warm-code-cache: the cache is there already\n');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
