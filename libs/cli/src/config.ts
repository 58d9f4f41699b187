import { baseConfigSchema, loadConfig, z } from '@handrail/config';

export const cliConfigSchema = baseConfigSchema.extend({
  INTAKE_ADDR: z.string().min(1).default('127.0.0.1:50051'),
  /** Who is acting (policy changes are attributed to them); `--as` overrides it. */
  HANDRAIL_USER: z.string().min(1).optional(),
  USER: z.string().optional(),
  /** The pack the services fall back to until a revision is approved; `policy docs` does the same. */
  POLICY_FILE: z.string().min(1).optional(),
  /** The help centre the services fall back to until a KB snapshot is published; `explain --rederive` does the same. */
  KB_DIR: z.string().min(1).optional(),
});
export type CliConfig = z.infer<typeof cliConfigSchema>;

export function cliConfig(): Readonly<CliConfig> {
  return loadConfig(cliConfigSchema);
}
