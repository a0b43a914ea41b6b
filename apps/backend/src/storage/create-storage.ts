import { LocalStorage } from './local-storage.js';
import { S3Storage } from './s3-storage.js';
import type { ObjectStorage } from './storage.js';

export type StorageConfig =
  | { driver: 'local'; dataDir: string; publicUrl: string; signingSecret: string; maxUploadBytes: number }
  | {
      driver: 's3';
      endpoint?: string;
      bucket: string;
      region: string;
      accessKeyId?: string;
      secretAccessKey?: string;
      forcePathStyle: boolean;
    };

/**
 * Builds the configured driver. With `local`, the app must also register
 * `localStorageRoutes` (check `storage instanceof LocalStorage`): those routes
 * are what the signed URLs point at.
 */
export function createStorage(config: StorageConfig): ObjectStorage {
  switch (config.driver) {
    case 'local':
      return new LocalStorage(config);
    case 's3':
      return new S3Storage(config);
  }
}
