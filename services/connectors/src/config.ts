import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { baseConfigSchema, ConfigError, z } from '@handrail/config';
import type { FieldProblem } from '@handrail/errors';
import { customerMappingSchema, type CustomerMapping } from './domain/index.js';
import { resolveSecret, Secret, SECRET_ENV_PREFIX } from './secret.js';

export const connectorsEnvSchema = baseConfigSchema
  .extend({
    /** The connectors file: accounts, secret references, queue → group maps, customer field maps. */
    CONNECTORS_CONFIG: z.string({ error: 'required: the connectors file (YAML) naming each helpdesk account' }).min(1),
    CONNECTORS_HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    /** `0` picks a free port (tests). */
    CONNECTORS_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8090),
  })
  .catchall(z.string().optional())
  .transform((env) => {
    const secrets = new Map<string, Secret>();
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(env)) {
      if (k.startsWith(SECRET_ENV_PREFIX)) {
        if (typeof v === 'string' && v) secrets.set(k, new Secret(v));
      } else if (Object.hasOwn(connectorsEnvKeys, k) || Object.hasOwn(baseConfigSchema.shape, k)) rest[k] = v;
    }
    return { ...(rest as z.infer<typeof baseConfigSchema> & { CONNECTORS_CONFIG: string; CONNECTORS_HTTP_HOST: string; CONNECTORS_HTTP_PORT: number }), secrets };
  });
const connectorsEnvKeys = { CONNECTORS_CONFIG: 1, CONNECTORS_HTTP_HOST: 1, CONNECTORS_HTTP_PORT: 1 };
export type ConnectorsEnv = z.infer<typeof connectorsEnvSchema>;

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const secretRef = z.string().min(1);
const idMap = z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).refine((m) => 'default' in m, 'needs a `default` entry: every escalation is assigned somewhere, never a silent handoff');

const common = {
  account: z.string().regex(TOKEN, 'letters, digits, _ or - (the Zendesk subdomain, the Chatwoot account id)'),
  base_url: z.string().url().optional(),
  api_token: secretRef,
  /** Every secret valid now: list the new one beside the old during a rotation. */
  webhook_secrets: z.array(secretRef).min(1, 'at least one webhook secret: unsigned webhooks are refused'),
  customer: customerMappingSchema,
};

const fileSchema = z
  .object({
    replay_window_seconds: z.number().int().min(30).max(3600).default(300),
    /** Webhooks are processed one at a time per partition; a ticket always lands in the same one. */
    partitions: z.number().int().min(1).max(64).default(4),
    max_body_bytes: z.number().int().min(1024).max(10 * 1024 * 1024).default(1024 * 1024),
    delivery: z
      .object({
        max_attempts: z.number().int().min(1).max(20).default(5),
        base_delay_ms: z.number().int().min(1).default(500),
        max_delay_ms: z.number().int().min(1).default(60_000),
        request_timeout_ms: z.number().int().min(100).default(10_000),
      })
      .strict()
      .default({ max_attempts: 5, base_delay_ms: 500, max_delay_ms: 60_000, request_timeout_ms: 10_000 }),
    reconcile: z
      .object({ enabled: z.boolean().default(true), interval_seconds: z.number().min(0.2).default(120), lookback_minutes: z.number().min(1).default(60) })
      .strict()
      .default({ enabled: true, interval_seconds: 120, lookback_minutes: 60 }),
    /** Post an internal note when a draft waits for approval in the Handrail console. */
    approval_notes: z.boolean().default(true),
    zendesk: z
      .array(
        z
          .object({
            ...common,
            email: z.string().min(3),
            bot_user_id: z.union([z.string(), z.number()]).transform(String),
            groups: idMap,
          })
          .strict(),
      )
      .default([]),
    chatwoot: z
      .array(
        z
          .object({
            ...common,
            base_url: z.string().url(),
            bot_user_ids: z.array(z.union([z.string(), z.number()]).transform(String)).default([]),
            require_pending: z.boolean().default(true),
            teams: idMap,
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export interface AccountConfig {
  provider: 'zendesk' | 'chatwoot';
  account: string;
  baseUrl: string;
  apiToken: Secret;
  webhookSecrets: Secret[];
  botUserIds: string[];
  /** queue → group (Zendesk) or team (Chatwoot); `default` for any other queue. */
  groups: Record<string, string>;
  customer: CustomerMapping;
  /** Zendesk: the API user's e-mail (basic auth `email/token`). */
  email: string;
  requirePending: boolean;
}

export interface ConnectorsSettings {
  replayWindowSeconds: number;
  partitions: number;
  maxBodyBytes: number;
  delivery: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number; requestTimeoutMs: number };
  reconcile: { enabled: boolean; intervalMs: number; lookbackMs: number };
  approvalNotes: boolean;
  accounts: AccountConfig[];
}

/** Parses the connectors file and resolves its secret references, listing every problem at once. */
export function parseConnectorsFile(text: string, secrets: ReadonlyMap<string, Secret>, readFile?: (p: string) => string): ConnectorsSettings {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError([{ field: 'CONNECTORS_CONFIG', problem: `not YAML: ${(err as Error).message}` }]);
  }
  const r = fileSchema.safeParse(raw ?? {});
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => ({ field: `CONNECTORS_CONFIG ${i.path.join('.') || '(root)'}`, problem: i.message })));
  const f = r.data;
  const problems: FieldProblem[] = [];
  const secret = (path: string, ref: string): Secret => {
    const s = resolveSecret(ref, secrets, readFile);
    if (typeof s === 'string') {
      problems.push({ field: `CONNECTORS_CONFIG ${path}`, problem: s });
      return new Secret('');
    }
    return s;
  };
  const accounts: AccountConfig[] = [
    ...f.zendesk.map((z, i): AccountConfig => ({
      provider: 'zendesk',
      account: z.account,
      baseUrl: (z.base_url ?? `https://${z.account}.zendesk.com`).replace(/\/$/, ''),
      apiToken: secret(`zendesk.${i}.api_token`, z.api_token),
      webhookSecrets: z.webhook_secrets.map((w, j) => secret(`zendesk.${i}.webhook_secrets.${j}`, w)),
      botUserIds: [z.bot_user_id],
      groups: z.groups,
      customer: z.customer,
      email: z.email,
      requirePending: false,
    })),
    ...f.chatwoot.map((c, i): AccountConfig => ({
      provider: 'chatwoot',
      account: c.account,
      baseUrl: c.base_url.replace(/\/$/, ''),
      apiToken: secret(`chatwoot.${i}.api_token`, c.api_token),
      webhookSecrets: c.webhook_secrets.map((w, j) => secret(`chatwoot.${i}.webhook_secrets.${j}`, w)),
      botUserIds: c.bot_user_ids,
      groups: c.teams,
      customer: c.customer,
      email: '',
      requirePending: c.require_pending,
    })),
  ];
  const seen = new Set<string>();
  for (const a of accounts) {
    const k = `${a.provider}/${a.account}`;
    if (seen.has(k)) problems.push({ field: `CONNECTORS_CONFIG ${a.provider}`, problem: `account ${a.account} is listed twice` });
    seen.add(k);
  }
  if (accounts.length === 0) problems.push({ field: 'CONNECTORS_CONFIG', problem: 'names no zendesk or chatwoot account' });
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze({
    replayWindowSeconds: f.replay_window_seconds,
    partitions: f.partitions,
    maxBodyBytes: f.max_body_bytes,
    delivery: { maxAttempts: f.delivery.max_attempts, baseDelayMs: f.delivery.base_delay_ms, maxDelayMs: f.delivery.max_delay_ms, requestTimeoutMs: f.delivery.request_timeout_ms },
    reconcile: { enabled: f.reconcile.enabled, intervalMs: Math.round(f.reconcile.interval_seconds * 1000), lookbackMs: Math.round(f.reconcile.lookback_minutes * 60_000) },
    approvalNotes: f.approval_notes,
    accounts,
  });
}

export function loadConnectorsFile(path: string, secrets: ReadonlyMap<string, Secret>): ConnectorsSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([{ field: 'CONNECTORS_CONFIG', problem: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  return parseConnectorsFile(text, secrets);
}
