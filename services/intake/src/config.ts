import { baseConfigSchema, z } from '@handrail/config';

export const intakeConfigSchema = baseConfigSchema.extend({
  GRPC_HOST: z.string().default('0.0.0.0'),
  /** 0 picks a free port (tests); the chosen port is logged. */
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50051),
  /** PEM certificate chain and key: with both, gRPC is TLS only (issue 11). */
  GRPC_TLS_CERT_FILE: z.string().min(1).optional(),
  GRPC_TLS_KEY_FILE: z.string().min(1).optional(),
  /** A file holding the connector token; callers send `authorization: Bearer <token>`. */
  INTAKE_TOKEN_FILE: z.string().min(1).optional(),
}).refine((c) => !c.GRPC_TLS_CERT_FILE === !c.GRPC_TLS_KEY_FILE, { message: 'set both GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE, or neither', path: ['GRPC_TLS_KEY_FILE'] });
export type IntakeConfig = z.infer<typeof intakeConfigSchema>;
