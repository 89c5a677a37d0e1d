export * from './crd.js';
export * from './kinds.js';
export * from './meta.js';
export * from './quantity.js';
export * from './registry.js';
export * from './crd-yaml.js';
export * from './tunnel-protocol.js';
export * from './agent-manifest.js';
export type * from './quota-view.js';
