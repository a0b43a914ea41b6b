import type { JobStatus, TranscriptSegment } from '@ecg/contracts';
import type { Redis } from 'ioredis';
import type { JobPatch, JobRecord, JobStore } from './job-store.js';
import { PerKeyChain } from './per-key-chain.js';

const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Partial segments kept with a record, in bytes of JSON: the newest ones that
 * fit. The whole record is rewritten at every progress write (every 500 ms
 * while segments arrive) and read by every status poll (the web app polls
 * once a second per job, from every instance), so a 4 h recording's
 * thousands of segments (~150 bytes each, more with words) must not travel
 * each time. 64 KiB is the last few hundred segments, more than the
 * processing view shows; the full transcript comes with the result.
 */
export const MAX_PARTIAL_SEGMENT_BYTES = 64 * 1024;

/** The newest segments whose JSON fits in `maxBytes` (all of them when they fit). */
export function boundPartialSegments(segments: TranscriptSegment[], maxBytes = MAX_PARTIAL_SEGMENT_BYTES): TranscriptSegment[] {
  let bytes = 2;
  let from = segments.length;
  while (from > 0) {
    const size = Buffer.byteLength(JSON.stringify(segments[from - 1])) + 1;
    if (bytes + size > maxBytes) break;
    bytes += size;
    from--;
  }
  return from === 0 ? segments : segments.slice(from);
}

// Create-if-absent and its place in the index, in one step.
const CREATE = `
if redis.call('HSETNX', KEYS[1], 'json', ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], 'rev', '1')
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
  return false
end
return redis.call('HGET', KEYS[1], 'json')`;

// Compare-and-set on the record's revision: the patch was merged against revision ARGV[1].
const REPLACE = `
if redis.call('HGET', KEYS[1], 'rev') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'rev', tostring(tonumber(ARGV[1]) + 1))
return 1`;

/**
 * JobStore in Redis, shared by every ML instance on one REDIS_URL: each
 * record is a hash `<prefix>:ml:job:<id>` (its JSON and a revision number),
 * indexed by creation time in the sorted set `<prefix>:ml:jobs`. `create` is
 * one script (HSETNX), so of two instances taking the same job id exactly one
 * creates it. `update` merges the patch here and writes it back only if the
 * revision is still the one it read (a script), retrying otherwise, so
 * concurrent updates from several instances never lose one; updates from this
 * process are also chained per id, so they rarely collide at all.
 */
export class RedisJobStore implements JobStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #chain = new PerKeyChain();

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  #key(jobId: string): string {
    if (!SAFE_ID.test(jobId)) throw new Error(`unsafe job id ${JSON.stringify(jobId)}`);
    return `${this.#prefix}:ml:job:${jobId}`;
  }

  get #index(): string {
    return `${this.#prefix}:ml:jobs`;
  }

  /** Runs `fn` after every earlier operation on the same job id has finished. */
  #serial<T>(jobId: string, fn: () => Promise<T>): Promise<T> {
    return this.#chain.run(jobId, fn);
  }

  async create(record: JobRecord): Promise<{ record: JobRecord; created: boolean }> {
    const stored = (await this.#redis.eval(CREATE, 2, this.#key(record.job_id), this.#index, JSON.stringify(record), Date.parse(record.created_at), record.job_id)) as string | null;
    return stored === null ? { record, created: true } : { record: JSON.parse(stored) as JobRecord, created: false };
  }

  async get(jobId: string): Promise<JobRecord | null> {
    if (!SAFE_ID.test(jobId)) return null;
    const json = await this.#redis.hget(this.#key(jobId), 'json');
    return json === null ? null : (JSON.parse(json) as JobRecord);
  }

  update(jobId: string, patch: JobPatch): Promise<JobRecord | null> {
    return this.#serial(jobId, async () => {
      const key = this.#key(jobId);
      for (;;) {
        const [json, rev] = await this.#redis.hmget(key, 'json', 'rev');
        if (json == null || rev == null) return null;
        const next: JobRecord = { ...(JSON.parse(json) as JobRecord), ...patch, updated_at: new Date().toISOString() };
        for (const k of Object.keys(patch) as (keyof JobPatch)[]) {
          if (patch[k] === undefined) delete (next as unknown as Record<string, unknown>)[k];
        }
        if (next.partial_segments) next.partial_segments = boundPartialSegments(next.partial_segments);
        if ((await this.#redis.eval(REPLACE, 1, key, rev, JSON.stringify(next))) === 1) return next;
      }
    });
  }

  async list(filter: { status?: readonly JobStatus[] } = {}): Promise<JobRecord[]> {
    // The sorted set orders by created_at and, on a tie, by id: the order the contract asks for.
    const ids = await this.#redis.zrange(this.#index, 0, -1);
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hget(this.#key(id), 'json');
    const records: JobRecord[] = [];
    for (const [err, json] of (await pipeline.exec()) ?? []) {
      if (err || typeof json !== 'string') continue;
      const record = JSON.parse(json) as JobRecord;
      if (!filter.status || filter.status.includes(record.status)) records.push(record);
    }
    return records;
  }
}
