/** Who may scrape /metrics: METRICS_TOKEN, and whether the server runs in production. */
export interface MetricsAccess {
  /** undefined: no token; the endpoint is then open outside production, refused in it. */
  readonly token: string | undefined;
  readonly production: boolean;
}

export const METRICS_ACCESS = Symbol('MetricsAccess');
