// The diarizer thread's first module, in plain JavaScript: Node 20 does not
// carry the parent's tsx loader (`--import tsx`) into worker threads, so the
// thread registers tsx itself before it loads the TypeScript entry.
import { register } from 'tsx/esm/api';
import { URL } from 'node:url';

register();
await import(new URL('./diarizer-thread-entry.ts', import.meta.url).href);
