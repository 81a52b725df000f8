/**
 * Loads the server's bundle with V8's code cache: the bytecode its start compiled, kept in
 * a file beside the bundle, so that the next start deserialises it instead of parsing and
 * compiling 5.4 MB of JavaScript again. On the 2-core bench machine an empty store was
 * ready after 1.17-1.27 s instead of 1.40-1.54 s (6 starts each, alternating).
 *
 * V8 takes a cache only from the same V8 and the same flags (even a heap size), and checks
 * the source only by its length. So the file is named by a hash of the bundle's bytes, of
 * the Node version and of the process's flags, and carries a SHA-256 of its cache: a
 * rebuilt bundle, other flags or a torn file each fall back to an ordinary compile. The
 * first start of a build writes it once it is serving (temporary file, then rename; a
 * read-only folder only means no cache). The build deletes the caches of older bundles.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script, constants } from 'node:vm';

/** Names the cache files of a bundle: `<bundle>.<key>.code-cache`. */
const CODE_CACHE_SUFFIX = '.code-cache';
const HASH_BYTES = 32;

/** A module loaded; `saveCodeCache` writes its cache when the start had none to use. */
export interface CachedModule<T> {
  readonly exports: T;
  /** Writes the cache of what has been compiled so far, if it is needed; never throws. */
  saveCodeCache(): SavedCodeCache;
}

export type SavedCodeCache =
  | { readonly kind: 'written'; readonly file: string }
  | { readonly kind: 'not needed' }
  | { readonly kind: 'failed'; readonly why: string };

/**
 * Requires the CommonJS `file` (an absolute path), with its code cache when there is a
 * usable one. Anything but a bundle's .js file is required as usual.
 */
export function requireWithCodeCache<T>(file: string, parent: NodeJS.Module): CachedModule<T> {
  const loaded = require.cache[file];
  if (loaded !== undefined || !file.endsWith('.js')) {
    return {
      exports: (loaded?.exports ?? parent.require(file)) as T,
      saveCodeCache: () => NOT_NEEDED,
    };
  }
  const source = readFileSync(file);
  const cacheFile = codeCacheFileOf(file, source);
  const cachedData = readCodeCache(cacheFile);
  const script = new Script(Module.wrap(source.toString('utf8')), {
    filename: file,
    cachedData,
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const used = cachedData !== undefined && !script.cachedDataRejected;
  const module = new Module(file, parent);
  module.filename = file;
  module.paths = (
    Module as unknown as { _nodeModulePaths(from: string): string[] }
  )._nodeModulePaths(dirname(file));
  require.cache[file] = module;
  try {
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(
      module.exports,
      module.exports,
      Module.createRequire(file),
      module,
      file,
      dirname(file),
    );
  } catch (error) {
    delete require.cache[file];
    throw error;
  }
  module.loaded = true;
  return {
    exports: module.exports as T,
    saveCodeCache: used ? () => NOT_NEEDED : cacheWriter(cacheFile, script),
  };
}

/** Made apart, so that a start that used its cache does not keep the script reachable. */
function cacheWriter(file: string, script: Script): () => SavedCodeCache {
  return () => writeCodeCache(file, script.createCachedData());
}

const NOT_NEEDED: SavedCodeCache = { kind: 'not needed' };

/** The cache file for this bundle's bytes, this Node and this process's flags. */
function codeCacheFileOf(file: string, source: Buffer): string {
  const key = createHash('sha256')
    .update(source)
    .update(`\0${process.version}\0${process.arch}\0${process.execArgv.join(' ')}`)
    .update(`\0${process.env['NODE_OPTIONS'] ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  return join(dirname(file), `${basename(file)}.${key}${CODE_CACHE_SUFFIX}`);
}

/** The cache's bytes if the file is whole (its SHA-256, then the bytes); else undefined. */
function readCodeCache(file: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const data = bytes.subarray(HASH_BYTES);
  const whole = createHash('sha256').update(data).digest().equals(bytes.subarray(0, HASH_BYTES));
  return whole && data.length > 0 ? data : undefined;
}

function writeCodeCache(file: string, data: Buffer): SavedCodeCache {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, Buffer.concat([createHash('sha256').update(data).digest(), data]));
    renameSync(temporary, file);
    return { kind: 'written', file };
  } catch (error) {
    rmSync(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { kind: 'failed', why: `cannot write ${file} (${code})` };
  }
}
