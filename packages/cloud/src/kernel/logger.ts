/** Structured JSON lines. Callers pass fields, never secrets (keys, tokens, passwords, signatures). */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
  /** Whether lines of this level are written (lets hot paths skip building their fields). */
  enabled(level: Level): boolean;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

/** `new Date().toISOString()`, made once per millisecond: a busy cloud writes many lines within one. */
let isoMs = -1;
let iso = '';
function isoNow(): string {
  const ms = Date.now();
  if (ms !== isoMs) {
    isoMs = ms;
    iso = new Date(ms).toISOString();
  }
  return iso;
}

export function createLogger(options: { write: (line: string) => void; level?: Level; base?: Record<string, unknown> }): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const base = options.base ?? {};
  const baseHasObjects = hasObjects(base);
  /** `base` as JSON members (`,"k":v...`), for lines whose fields neither hold objects nor repeat a name. */
  const baseMembers = Object.keys(base).length > 0 ? `,${JSON.stringify(base).slice(1, -1)}` : '';
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[level] < min) return;
    if (!baseHasObjects && !hasObjects(fields) && !repeatsName(base, fields)) {
      // The common line (one per request): the fields serialised as they are, without a merged copy.
      const members = fields ? JSON.stringify(fields) : '{}';
      options.write(
        `{"time":"${isoNow()}","level":"${level}","msg":${JSON.stringify(msg)}${baseMembers}${members.length > 2 ? `,${members.slice(1)}` : '}'}\n`,
      );
      return;
    }
    const line = { time: isoNow(), level, msg, ...base, ...fields };
    // A replacer takes JSON.stringify off its fast path: only lines that may hold an Error need it.
    options.write(`${baseHasObjects || hasObjects(fields) ? JSON.stringify(line, errorReplacer) : JSON.stringify(line)}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
    enabled: (level) => LEVELS[level] >= min,
  };
}

/** Whether `fields` names a member that the line already has (time, level, msg or one of `base`). */
function repeatsName(base: Record<string, unknown>, fields: Record<string, unknown> | undefined): boolean {
  for (const key in fields) if (key === 'time' || key === 'level' || key === 'msg' || Object.hasOwn(base, key)) return true;
  return false;
}

function hasObjects(fields: Record<string, unknown> | undefined): boolean {
  for (const key in fields) {
    const value = fields[key];
    if (typeof value === 'object' && value !== null) return true;
  }
  return false;
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack, cause: value.cause };
  return value;
}
