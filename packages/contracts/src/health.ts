import { z } from 'zod';

export const BackendHealthResponse = z
  .object({
    status: z.enum(['ok', 'degraded']),
    checks: z.object({
      database: z.object({ ok: z.boolean(), driver: z.string(), error: z.string().optional() }),
      storage: z.object({ ok: z.boolean(), driver: z.string(), error: z.string().optional() }),
    }),
  })
  .meta({ id: 'BackendHealthResponse' });
export type BackendHealthResponse = z.infer<typeof BackendHealthResponse>;
