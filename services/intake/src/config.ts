import { baseConfigSchema, z } from '@handrail/config';

export const intakeConfigSchema = baseConfigSchema.extend({
  GRPC_HOST: z.string().default('0.0.0.0'),
  /** 0 picks a free port (tests); the chosen port is logged. */
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50051),
});
export type IntakeConfig = z.infer<typeof intakeConfigSchema>;
