import { baseConfigSchema, loadConfig, z } from '@handrail/config';

/** The subject prefix `make demo` runs under unless HANDRAIL_PREFIX says otherwise. */
export const DEMO_PREFIX = 'handrail-demo';

const demoCleanSchema = z.object({
  NATS_URL: baseConfigSchema.shape.NATS_URL,
  HANDRAIL_PREFIX: baseConfigSchema.shape.HANDRAIL_PREFIX.removeDefault().default(DEMO_PREFIX),
});

/** What `make demo-clean` needs: the server and the prefix the demo used. */
export function demoCleanConfig(env: Record<string, string | undefined> = process.env): Readonly<z.infer<typeof demoCleanSchema>> {
  return loadConfig(demoCleanSchema, env);
}

const demoRunSchema = z.object({
  /** Unset: 127.0.0.1:4222, else a nats-server the demo starts itself. */
  NATS_URL: z.string().regex(/^(nats|tls):\/\/[^\s]+$/, 'must be a nats:// URL').optional(),
  HANDRAIL_PREFIX: baseConfigSchema.shape.HANDRAIL_PREFIX.removeDefault().default(DEMO_PREFIX),
  LOG_LEVEL: baseConfigSchema.shape.LOG_LEVEL,
  /** Keep the console up after the run until Ctrl-C: `auto` does when run from a terminal. */
  DEMO_HOLD: z.enum(['auto', 'true', 'false']).default('auto'),
  /** `fake`: the tickets enter through a local Zendesk and Chatwoot and the connectors service (issue 14). */
  CONNECTORS: z.enum(['off', 'fake'], { error: 'must be off or fake' }).default('off'),
  /** A PostgreSQL server for the SQL projection (projector writes, console reads); unset: embedded PGlite. */
  DATABASE_URL: z.string().url('must be a postgres:// URL').optional(),
});

/** What `make demo` reads from its environment, parsed once. */
export function demoRunConfig(env: Record<string, string | undefined> = process.env): Readonly<z.infer<typeof demoRunSchema>> {
  return loadConfig(demoRunSchema, env);
}
