export * from './address-policy.js';
export * from './origin-allow-list.js';
export * from './resolved-target.js';
