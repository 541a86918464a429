// Entry of the engine host worker thread: registers tsx (the engine and host run from
// TypeScript sources, as the pt2 CLI does) and starts host-worker.ts.
import { register } from 'tsx/esm/api';

register();
await import('./host-worker.ts');
