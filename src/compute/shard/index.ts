/** Sharded ranking: partition, per-shard run with its journal, merge. No scheduler-specific code here. */
export * from './partition';
export * from './inputs';
export * from './journal';
export * from './run';
export * from './merge';
export * from './outputs';
