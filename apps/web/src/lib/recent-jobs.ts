import type { JobSummary } from '@ecg/contracts';

const KEY = 'ecg.recentJobs';
const MAX = 20;

export interface LocalJob {
  job_id: string;
  file_name: string;
  created_at: string;
}

/**
 * Jobs started in this browser, kept so the start page can list them even
 * against a backend without the jobs list endpoint.
 */
export function readLocalJobs(): LocalJob[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (j): j is LocalJob =>
        typeof j === 'object' && j !== null && typeof (j as LocalJob).job_id === 'string' && typeof (j as LocalJob).file_name === 'string',
    );
  } catch {
    return [];
  }
}

export function rememberJob(job: LocalJob): void {
  try {
    const rest = readLocalJobs().filter((j) => j.job_id !== job.job_id);
    localStorage.setItem(KEY, JSON.stringify([job, ...rest].slice(0, MAX)));
  } catch {
    // Storage full or disabled: the job still runs, it is just not listed here.
  }
}

export function localFileName(jobId: string): string | undefined {
  return readLocalJobs().find((j) => j.job_id === jobId)?.file_name;
}

/** Local jobs in the list's shape; their live status is unknown here. */
export function localAsSummaries(jobs: readonly LocalJob[]): Array<Pick<JobSummary, 'job_id' | 'file_name' | 'created_at'>> {
  return jobs.map((j) => ({ job_id: j.job_id, file_name: j.file_name, created_at: j.created_at }));
}
