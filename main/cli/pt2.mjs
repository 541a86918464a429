#!/usr/bin/env node
// `pt2` launcher: registers tsx so the TypeScript CLI (pt2.ts) and the engine run from
// source without a build step, then hands over argv and exits with the CLI's code.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./pt2.ts');
process.exitCode = await main(process.argv.slice(2));
