import { baseConfigSchema, z } from '@handrail/config';

export const consoleConfigSchema = baseConfigSchema.extend({
  /** `0` picks a free port (tests). */
  CONSOLE_PORT: z.coerce.number().int().min(0).max(65535).default(8088),
  // Loopback by default: the acting person is taken from a header that only the auth proxy may set.
  CONSOLE_HOST: z.string().min(1).default('127.0.0.1'),
});
export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;
