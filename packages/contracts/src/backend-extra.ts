import { z } from 'zod';

/** Path params of `GET /api/upload-video/status/{job_id}` (the ML service's spelling, kept on the backend). */
export const JobIdSnakeParams = z.object({ job_id: z.string() }).meta({ id: 'JobIdSnakeParams' });
export type JobIdSnakeParams = z.infer<typeof JobIdSnakeParams>;
