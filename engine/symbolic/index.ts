// Public surface of the symbolic layer.
export * from './expr';
export * from './value-ranges';
export * from './shape-env';
export * from './sym';
export * from './dim';
