// A unit-test stand-in for a diarizer thread that crashes: it says it is
// ready, like the real entry, and ends its thread at the first request.
import { parentPort } from 'node:worker_threads';

parentPort.postMessage({ kind: 'ready' });
parentPort.on('message', () => process.exit(3));
