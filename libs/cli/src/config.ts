import { baseConfigSchema, loadConfig, z } from '@handrail/config';

export const cliConfigSchema = baseConfigSchema.extend({
  INTAKE_ADDR: z.string().min(1).default('127.0.0.1:50051'),
  /** Where policy changes go: the console's API, which verifies the caller's token and role. */
  CONSOLE_URL: z.string().url().default('http://127.0.0.1:8088'),
  /** The caller's access token (or a file holding it): policy changes act as its subject. */
  HANDRAIL_TOKEN: z.string().min(1).optional(),
  HANDRAIL_TOKEN_FILE: z.string().min(1).optional(),
  /** The identity provider a privileged command (privacy erase) verifies the caller's token against. */
  AUTH_ISSUER: z.string().url().optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  AUTH_ROLES_CLAIM: z.string().min(1).default('roles'),
  AUTH_GROUPS_CLAIM: z.string().min(1).default('groups'),
  /** The pack the services fall back to until a revision is approved; `policy docs` does the same. */
  POLICY_FILE: z.string().min(1).optional(),
  /** The help centre the services fall back to until a KB snapshot is published; `explain --rederive` does the same. */
  KB_DIR: z.string().min(1).optional(),
  /** Issue 11: with it, the CLI connects as its identity (its own NATS user) and can open sealed text. */
  HANDRAIL_CREDENTIALS_DIR: z.string().min(1).optional(),
  HANDRAIL_MASTER_KEY_FILE: z.string().min(1).optional(),
  /** Overrides the identity a command uses (default: provisioner for provision, privacy for erase, else operator). */
  HANDRAIL_IDENTITY: z.string().min(1).optional(),
  /** Where the pack's example vectors are kept on disk, as the classifier service's ENCODER_STORE_DIR: re-derivations read them instead of embedding them again. */
  ENCODER_STORE_DIR: z.string().min(1).optional(),
});
export type CliConfig = z.infer<typeof cliConfigSchema>;

export function cliConfig(): Readonly<CliConfig> {
  return loadConfig(cliConfigSchema);
}
