import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';

/**
 * An API token or webhook secret. It prints as `[secret]` however it is logged, serialised or
 * inspected, so a careless `log.info({ config })` cannot leak it; `reveal()` is the only way in.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return '[secret]';
  }
}

export const SECRET_ENV_PREFIX = 'HANDRAIL_SECRET_';

/**
 * Resolves a reference from the connectors file: `env:HANDRAIL_SECRET_X` (from the environment
 * parsed at start-up) or `file:/run/secrets/x` (a mounted file; surrounding whitespace trimmed).
 * Returns a problem instead of the secret when it cannot, naming the reference, never the value.
 */
export function resolveSecret(ref: string, env: ReadonlyMap<string, Secret>, readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): Secret | string {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    if (!name.startsWith(SECRET_ENV_PREFIX)) return `${ref}: environment secrets must be named ${SECRET_ENV_PREFIX}*`;
    return env.get(name) ?? `${ref}: ${name} is not set`;
  }
  if (ref.startsWith('file:')) {
    const path = ref.slice(5);
    try {
      const v = readFile(path).trim();
      return v ? new Secret(v) : `${ref}: the file is empty`;
    } catch (err) {
      return `${ref}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
    }
  }
  return `${JSON.stringify(ref.length > 12 ? `${ref.slice(0, 4)}…` : '…')}: a secret must be a reference (env:${SECRET_ENV_PREFIX}NAME or file:/path), never the value itself`;
}
