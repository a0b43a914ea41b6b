export * from './service-error.js';
export * from './error-handler.js';
export * from './request-id.js';
export * from './shutdown.js';
export * from './backoff.js';
