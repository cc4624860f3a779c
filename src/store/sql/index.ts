export * from './template.js';
export * from './dialect.js';
