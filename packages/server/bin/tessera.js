#!/usr/bin/env node
// The `tessera` command. The server is TypeScript run through tsx, so there is no build step.
import { availableParallelism } from 'node:os';

// argon2 hashing runs on libuv's threadpool (4 threads by default): size it to the cores
// before anything uses it. An explicit UV_THREADPOOL_SIZE wins.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));

const { register } = await import('tsx/esm/api');
register();
await import('../src/cli/main.ts');
