// Types of the ESM entry: the same declarations as the CommonJS one.
export * from './index.js';
