export * from './callback-signature.js';
export * from './secrets.js';
