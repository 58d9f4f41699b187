import { z } from 'zod';
import { HandrailError, type FieldProblem } from '@handrail/errors';

/** The environment is wrong: the operator's input, so `invalid_argument`, naming every bad key. */
export class ConfigError extends HandrailError {
  override readonly name = 'ConfigError';
  /** `KEY: problem`, one line per bad key. */
  readonly problems: readonly string[];
  constructor(fields: readonly FieldProblem[]) {
    const problems = fields.map((f) => `${f.field}: ${f.problem}`);
    super('invalid_argument', `invalid configuration:\n  ${problems.join('\n  ')}`, fields);
    this.problems = problems;
  }
}

/** Settings every service shares; services extend this with their own keys. */
export const baseConfigSchema = z.object({
  HANDRAIL_SERVICE_NAME: z.string().min(1).optional(),
  NATS_URL: z.string().regex(/^(nats|tls|ws|wss):\/\/[^\s]+$/, 'must be a nats:// URL').default('nats://127.0.0.1:4222'),
  HANDRAIL_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,40}$/, 'lower-case letters, digits, _ and -')
    .default('handrail'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  SHUTDOWN_DEADLINE_MS: z.coerce.number().int().min(100).max(600_000).default(20_000),
  CONSUMER_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(64),
  MAX_DELIVER: z.coerce.number().int().min(1).max(100).default(5),
  ACK_WAIT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  EVENTS_MAX_AGE_DAYS: z.coerce.number().min(0).default(30),
  DUPLICATE_WINDOW_MINUTES: z.coerce.number().min(1).max(7 * 24 * 60).default(120),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().optional(),
  HANDRAIL_INSTANCE: z.string().optional(),
});
export type BaseConfig = z.infer<typeof baseConfigSchema>;

const required = (what: string) =>
  z.string({ error: `required: ${what} (no default: a production pod never silently runs the demo's; \`make demo\` and the tests set it)` }).min(1, `must not be empty: ${what}`);

/** The policy pack a deciding service starts from until the policy store holds an approved revision. */
export const policyFileKey = { POLICY_FILE: required('the policy pack file to start from') };
/** The approved help-centre articles a service starts from until a KB snapshot is published. */
export const kbDirKey = { KB_DIR: required('the knowledge-base directory to start from') };

/**
 * Where a process finds its identity (issue 11): `<dir>/<identity>.json` (NATS nkey seed and Ed25519
 * signing key), `<dir>/trust.json` (every identity's public keys) and the key-encryption key.
 */
export const trustConfigSchema = z.object({
  HANDRAIL_CREDENTIALS_DIR: required('the credentials directory (`handrail credentials --out DIR` writes one; `make demo` and the tests make their own)'),
  /** The local key-encryption key; default `<HANDRAIL_CREDENTIALS_DIR>/master.key`. A KMS replaces it in production. */
  HANDRAIL_MASTER_KEY_FILE: z.string().min(1).optional(),
});
export type TrustConfig = z.infer<typeof trustConfigSchema>;

/**
 * Parses the environment once, listing every problem (not only the first), and returns a frozen
 * object. This is the only place in the code base that reads `process.env`.
 */
export function loadConfig<S extends z.ZodType<object>>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.infer<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => ({ field: i.path.join('.') || '(root)', problem: i.message })));
  }
  return Object.freeze(result.data) as Readonly<z.infer<S>>;
}

export { z };
