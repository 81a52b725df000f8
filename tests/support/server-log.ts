/**
 * The lines of a server's output that report a failure of its own: JSON log lines at level
 * error or fatal (pino: 50, 60), and lines in Nest's text format at level ERROR (written
 * before the JSON logger is up).
 */
export function loggedFailures(output: string): string[] {
  return output.split('\n').filter((line) => {
    if (line.startsWith('{')) {
      try {
        const level = (JSON.parse(line) as { level?: unknown }).level;
        return typeof level === 'number' ? level >= 50 : level === 'error' || level === 'fatal';
      } catch {
        return false;
      }
    }
    return /\bERROR\b/.test(line);
  });
}
