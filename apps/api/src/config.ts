import { CredentialsConfig } from './auth/credentials';
import { SigningKey, SigningKeyError, signingKeyFromEnv } from '@partnerships/audit/digest';
import { DEFAULT_EVENT_STORE_URL } from '@partnerships/event-store/event-store-url';
import type { AuthFailureLimits } from './auth/auth-failure-limit';
import { DEFAULT_LIMITS, QueryLimits } from './graphql/query-limits';
import type { WebSocketLimits } from './graphql/websocket-door';
import { MetricsAccess } from './metrics/metrics-access';
import { DEFAULT_CACHED_EVENTS } from './commands/stream-states';
import {
  auditTreeFileOf,
  eventStoreUrlOf,
  snapshotFileOf,
  startFilesThreadBytesOf,
} from './start-file-names';

/** Request bodies and WebSocket frames over 1 MB (10^6 bytes) are refused before parsing. */
export const BODY_LIMIT_BYTES = 1_000_000;

/** Configuration from environment variables; defaults are documented in the README. */
export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly eventStoreUrl: string;
  /** NODE_ENV=production: no open access, no GraphiQL, no field suggestions. */
  readonly production: boolean;
  readonly credentials: CredentialsConfig;
  readonly limits: QueryLimits;
  /** LOG_LEVEL: trace, debug, info (default), warn, error, fatal or silent. */
  readonly logLevel: string;
  readonly audit: AuditConfig;
  readonly websocket: WebSocketLimits;
  readonly authFailures: AuthFailureLimits;
  /** Largest GraphQL answer over HTTP, in bytes (GRAPHQL_MAX_RESPONSE_BYTES). */
  readonly maxResponseBytes: number;
  /** Longest a query may run before it is stopped, in ms (GRAPHQL_MAX_REQUEST_MS). */
  readonly maxRequestMs: number;
  /** How long a graceful stop may take before the process exits anyway (STOP_DEADLINE_MS). */
  readonly stopDeadlineMs: number;
  readonly metrics: MetricsAccess;
  /** How many events the command path's cached stream states may hold (COMMAND_CACHE_EVENTS). */
  readonly commandCacheEvents: number;
  readonly snapshot: SnapshotConfig;
}

export interface SnapshotConfig {
  /** Where the read model's snapshot is kept; undefined: none (rebuilt from the log at start). */
  readonly file: string | undefined;
  /** A snapshot is written once this many events were applied since the last (SNAPSHOT_EVERY_EVENTS). */
  readonly everyEvents: number;
  /** ... or once this many minutes passed with any event applied (SNAPSHOT_EVERY_MINUTES). */
  readonly everyMinutes: number;
  /**
   * Who writes it (SNAPSHOT_WRITER): `process`, a process of its own that renews the file
   * from it and the log (the server never waits); `server`, the server itself (its event
   * loop is held while the state is taken, and no second copy of the model is made).
   */
  readonly writer: 'process' | 'server';
  /** The store the snapshot is of, for the process that writes it. */
  readonly storeUrl: string;
}

export interface AuditConfig {
  /** Where the audit tree's checkpoint is kept; undefined: rebuilt from the log at start. */
  readonly treeFile: string | undefined;
  /** Signs digests; undefined: digests are unsigned. */
  readonly signingKey: SigningKey | undefined;
}

export { DEFAULT_EVENT_STORE_URL };

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const port = env['PORT'] === undefined || env['PORT'] === '' ? 3000 : Number(env['PORT']);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigurationError(`PORT must be an integer from 0 to 65535, not "${env['PORT']}"`);
  }
  const production = env['NODE_ENV'] === 'production';
  const eventStoreUrl = eventStoreUrlOf(env);
  return {
    port,
    host: env['HOST'] || '0.0.0.0',
    eventStoreUrl,
    production,
    credentials: {
      apiKeys: env['API_KEYS'],
      apiKeysFile: env['API_KEYS_FILE'],
      jwtSecret: env['JWT_SECRET'],
    },
    logLevel: logLevel(env['LOG_LEVEL']),
    audit: auditConfig(env, eventStoreUrl),
    metrics: { token: env['METRICS_TOKEN'] || undefined, production },
    limits: {
      depth: count(env, 'GRAPHQL_MAX_DEPTH', DEFAULT_LIMITS.depth),
      aliases: count(env, 'GRAPHQL_MAX_ALIASES', DEFAULT_LIMITS.aliases),
      tokens: count(env, 'GRAPHQL_MAX_TOKENS', DEFAULT_LIMITS.tokens),
      cost: count(env, 'GRAPHQL_MAX_COST', DEFAULT_LIMITS.cost),
      introspection: flag(env, 'GRAPHQL_INTROSPECTION', !production),
      fieldSuggestions: !production,
    },
    websocket: {
      subscriptionsPerConnection: count(env, 'WS_MAX_SUBSCRIPTIONS', 20),
      connectionsPerPrincipal: count(env, 'WS_MAX_CONNECTIONS_PER_PRINCIPAL', 50),
      initTimeoutMs: count(env, 'WS_INIT_TIMEOUT_MS', 5_000),
      maxBufferedBytes: count(env, 'WS_MAX_BUFFERED_BYTES', 4_000_000),
      maxFrameBytes: BODY_LIMIT_BYTES,
    },
    authFailures: {
      max: count(env, 'AUTH_FAILURES_MAX', 10),
      windowSeconds: count(env, 'AUTH_FAILURES_WINDOW_SECONDS', 60),
    },
    maxResponseBytes: count(env, 'GRAPHQL_MAX_RESPONSE_BYTES', 20_000_000),
    maxRequestMs: count(env, 'GRAPHQL_MAX_REQUEST_MS', 5_000),
    stopDeadlineMs: count(env, 'STOP_DEADLINE_MS', 10_000),
    commandCacheEvents: count(env, 'COMMAND_CACHE_EVENTS', DEFAULT_CACHED_EVENTS),
    snapshot: snapshotConfig(env, eventStoreUrl),
  };
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConfigurationError(`${name} must be true or false, not "${value}"`);
}

function count(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new ConfigurationError(`${name} must be a positive integer, not "${value}"`);
  }
  return parsed;
}

/** AUDIT_SIGNING_KEY and AUDIT_TREE_FILE (auditTreeFileOf). */
function auditConfig(env: NodeJS.ProcessEnv, eventStoreUrl: string): AuditConfig {
  let signingKey: SigningKey | undefined;
  try {
    signingKey = signingKeyFromEnv(env);
  } catch (error) {
    if (error instanceof SigningKeyError) throw new ConfigurationError(error.message);
    throw error;
  }
  return { treeFile: auditTreeFileOf(env, eventStoreUrl), signingKey };
}

/** SNAPSHOT_FILE (snapshotFileOf) and when and by what snapshots are written. */
export function snapshotConfig(env: NodeJS.ProcessEnv, eventStoreUrl: string): SnapshotConfig {
  const threadBytes = env['START_FILES_THREAD_BYTES'];
  if (
    threadBytes !== undefined &&
    threadBytes !== '' &&
    startFilesThreadBytesOf(env) === undefined
  ) {
    throw new ConfigurationError(
      `START_FILES_THREAD_BYTES must be a whole number of bytes (0 or more), not "${threadBytes}"`,
    );
  }
  const everyEvents = count(env, 'SNAPSHOT_EVERY_EVENTS', 100_000);
  const everyMinutes = count(env, 'SNAPSHOT_EVERY_MINUTES', 10);
  const writer = env['SNAPSHOT_WRITER'] || 'process';
  if (writer !== 'process' && writer !== 'server') {
    throw new ConfigurationError(`SNAPSHOT_WRITER must be process or server, not "${writer}"`);
  }
  return {
    file: snapshotFileOf(env, eventStoreUrl),
    everyEvents,
    everyMinutes,
    writer,
    storeUrl: eventStoreUrl,
  };
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function logLevel(value: string | undefined): string {
  if (value === undefined || value === '') return 'info';
  if (!LOG_LEVELS.includes(value)) {
    throw new ConfigurationError(
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${value}"`,
    );
  }
  return value;
}
