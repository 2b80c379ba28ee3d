type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Fields of a log line. `runId`, `nodeId` and `attempt` go on every line about one. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose every line carries `fields` too. */
  child(fields: LogFields): Logger;
}

/**
 * A logger writing one JSON object per line to stderr: `{time, level, service, msg, ...fields}`.
 * Errors are written with their message and code, never with request bodies or secrets.
 */
export function createLogger(
  service: string,
  options: { level?: Level; base?: LogFields; write?: (line: string) => void } = {},
): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const base = { service, ...options.base };
  const log = (level: Level, msg: string, fields?: LogFields) => {
    if (RANK[level] < threshold) return;
    const line: LogFields = { time: new Date().toISOString(), level, ...base, msg };
    for (const [key, value] of Object.entries(fields ?? {})) {
      line[key] = value instanceof Error ? { message: value.message, name: value.name } : value;
    }
    write(JSON.stringify(line) + '\n');
  };
  return {
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    child: (fields) => createLogger(service, { ...options, base: { ...options.base, ...fields } }),
  };
}
