import { baseConfigSchema, z } from '@handrail/config';

export const projectorConfigSchema = baseConfigSchema.extend({
  /** A PostgreSQL server (`postgres://user@host:5432/db`); unset: embedded PGlite, so the demo needs nothing installed. */
  DATABASE_URL: z.string().url().optional(),
  /** Where the embedded database keeps its files; unset: in memory (rebuilt by replay at every start). */
  PROJECTOR_DATA_DIR: z.string().min(1).optional(),
});
export type ProjectorConfig = z.infer<typeof projectorConfigSchema>;
