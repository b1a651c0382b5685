/**
 * The provider's log: JSON lines on stderr in the hclog format go-plugin
 * parses (`@level`, `@message`, `@module`, `@timestamp`), so Terraform shows
 * them with its own log (`TF_LOG=DEBUG terraform plan`) at the right level,
 * under the provider's name. The level comes from `TF_LOG_PROVIDER`, else
 * `TF_LOG` (TRACE, DEBUG, INFO, WARN, ERROR, JSON = TRACE, OFF); unset, the
 * provider logs nothing. stdout is never used: it carries the handshake.
 */

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

/** A log level, least to most severe. */
export type LogLevel = (typeof LEVELS)[number];

/** The least severe level that is written, or `off`, from the environment. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv): LogLevel | 'off' {
  const raw = (env.TF_LOG_PROVIDER || env.TF_LOG || '').trim().toLowerCase();
  if (raw === '' || raw === 'off') return 'off';
  if (raw === 'json' || raw === '1' || raw === 'true') return 'trace';
  return (LEVELS as readonly string[]).includes(raw) ? (raw as LogLevel) : 'trace';
}

/** A logger that writes hclog JSON lines. Fields must never hold secrets. */
export class Logger {
  private readonly min: number;

  constructor(
    private readonly module: string,
    level: LogLevel | 'off',
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
  ) {
    this.min = level === 'off' ? Infinity : LEVELS.indexOf(level);
  }

  /** True when a message at `level` would be written. */
  enabled(level: LogLevel): boolean {
    return LEVELS.indexOf(level) >= this.min;
  }

  /** Writes one line at `level` with extra `fields` (names and counts, never values from configuration). */
  log(
    level: LogLevel,
    message: string,
    fields: Record<string, string | number | boolean> = {},
  ): void {
    if (!this.enabled(level)) return;
    const line = {
      '@level': level,
      '@message': message,
      '@module': this.module,
      '@timestamp': hclogTimestamp(new Date()),
      ...fields,
    };
    this.write(`${JSON.stringify(line)}\n`);
  }

  trace(message: string, fields?: Record<string, string | number | boolean>): void {
    this.log('trace', message, fields);
  }
  debug(message: string, fields?: Record<string, string | number | boolean>): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: Record<string, string | number | boolean>): void {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: Record<string, string | number | boolean>): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: Record<string, string | number | boolean>): void {
    this.log('error', message, fields);
  }
}

/**
 * A timestamp as go-plugin parses hclog's (`2006-01-02T15:04:05.000000Z07:00`:
 * exactly six fractional digits); a line whose timestamp does not parse is
 * shown raw, at DEBUG, whatever its level.
 */
export function hclogTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
