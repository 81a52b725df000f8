import { CredentialsConfig } from './auth/credentials';

/** Configuration from environment variables; defaults are documented in the README. */
export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly eventStoreUrl: string;
  /** NODE_ENV=production: no open access, no GraphiQL, no field suggestions. */
  readonly production: boolean;
  readonly credentials: CredentialsConfig;
  /** Whether the schema may be introspected; off by default in production. */
  readonly introspection: boolean;
}

export const DEFAULT_EVENT_STORE_URL = 'sqlite:data/events.db';

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const port = env['PORT'] === undefined || env['PORT'] === '' ? 3000 : Number(env['PORT']);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigurationError(`PORT must be an integer from 0 to 65535, not "${env['PORT']}"`);
  }
  const production = env['NODE_ENV'] === 'production';
  return {
    port,
    host: env['HOST'] || '0.0.0.0',
    eventStoreUrl: env['EVENT_STORE_URL'] || DEFAULT_EVENT_STORE_URL,
    production,
    credentials: {
      apiKeys: env['API_KEYS'],
      apiKeysFile: env['API_KEYS_FILE'],
      jwtSecret: env['JWT_SECRET'],
    },
    introspection: flag(env, 'GRAPHQL_INTROSPECTION', !production),
  };
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConfigurationError(`${name} must be true or false, not "${value}"`);
}
