import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The part of s3rver's API the tests use (the package ships no types). */
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

/** s3rver's built-in account; it refuses other access key ids. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface RunningS3rver {
  endpoint: string;
  bucket: string;
  close(): Promise<void>;
}

/**
 * A real S3 protocol server on 127.0.0.1 with a random port and a temp dir.
 * It does not verify SigV4 signatures (only expiry and the access key id), so
 * tests that depend on a signature recompute it themselves.
 */
export async function startS3rver(bucket: string): Promise<RunningS3rver> {
  const directory = await mkdtemp(join(tmpdir(), 'ecg-s3rver-'));
  // s3rver is CommonJS without type declarations; require keeps its constructor typed here.
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
