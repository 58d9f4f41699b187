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
