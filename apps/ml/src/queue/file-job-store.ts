import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobStatus } from '@ecg/contracts';
import { createFileExclusive, readJsonFile, writeFileAtomic } from './atomic-file.js';
import type { JobPatch, JobRecord, JobStore } from './job-store.js';
import { PerKeyChain } from './per-key-chain.js';

const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * JobStore on local disk: one JSON file per job, `<dir>/<job_id>.json`,
 * replaced atomically on each update. Records this process wrote are cached in
 * memory so the browser's status polling does not read the disk each time;
 * the files stay the truth (a new process starts from them).
 */
export class FileJobStore implements JobStore {
  readonly #dir: string;
  readonly #cache = new Map<string, JobRecord>();
  readonly #chain = new PerKeyChain();

  constructor(dir: string) {
    this.#dir = dir;
  }

  async init(): Promise<this> {
    await mkdir(this.#dir, { recursive: true });
    return this;
  }

  #path(jobId: string): string {
    // Ids come from the URL; a "../x" id must never become a path.
    if (!SAFE_ID.test(jobId)) throw new Error(`unsafe job id ${JSON.stringify(jobId)}`);
    return join(this.#dir, `${jobId}.json`);
  }

  /** Runs `fn` after every earlier operation on the same job id has finished. */
  #serial<T>(jobId: string, fn: () => Promise<T>): Promise<T> {
    return this.#chain.run(jobId, fn);
  }

  create(record: JobRecord): Promise<{ record: JobRecord; created: boolean }> {
    return this.#serial(record.job_id, async () => {
      const created = await createFileExclusive(this.#path(record.job_id), JSON.stringify(record));
      if (created) {
        this.#cache.set(record.job_id, record);
        return { record, created };
      }
      return { record: (await this.#read(record.job_id)) ?? record, created };
    });
  }

  async get(jobId: string): Promise<JobRecord | null> {
    if (!SAFE_ID.test(jobId)) return null;
    return this.#cache.get(jobId) ?? this.#read(jobId);
  }

  async #read(jobId: string): Promise<JobRecord | null> {
    const record = await readJsonFile<JobRecord>(this.#path(jobId));
    if (record) this.#cache.set(jobId, record);
    return record;
  }

  update(jobId: string, patch: JobPatch): Promise<JobRecord | null> {
    return this.#serial(jobId, async () => {
      const current = this.#cache.get(jobId) ?? (await this.#read(jobId));
      if (!current) return null;
      const next: JobRecord = { ...current, ...patch, updated_at: new Date().toISOString() };
      for (const key of Object.keys(patch) as (keyof JobPatch)[]) {
        // undefined in a patch means "remove the field", which JSON cannot say by itself.
        if (patch[key] === undefined) delete (next as unknown as Record<string, unknown>)[key];
      }
      await writeFileAtomic(this.#path(jobId), JSON.stringify(next));
      this.#cache.set(jobId, next);
      return next;
    });
  }

  async list(filter: { status?: readonly JobStatus[] } = {}): Promise<JobRecord[]> {
    const names = (await readdir(this.#dir)).filter((n) => n.endsWith('.json'));
    const records: JobRecord[] = [];
    for (const name of names) {
      const record = await this.get(name.slice(0, -'.json'.length));
      if (record && (!filter.status || filter.status.includes(record.status))) records.push(record);
    }
    return records.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.job_id.localeCompare(b.job_id));
  }
}
