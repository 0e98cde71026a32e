export * from './shared.js';
export * from './ctx.js';
