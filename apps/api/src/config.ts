/** Configuration from environment variables; defaults are documented in the README. */
export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly eventStoreUrl: string;
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
  return {
    port,
    host: env['HOST'] || '0.0.0.0',
    eventStoreUrl: env['EVENT_STORE_URL'] || DEFAULT_EVENT_STORE_URL,
  };
}
