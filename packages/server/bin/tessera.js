#!/usr/bin/env node
// The `tessera` command. The server is TypeScript with no build step: source-bundle.js runs it.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { importSource } from './source-bundle.js';

// argon2 hashing runs on libuv's threadpool (4 threads by default): size it to the cores
// before anything uses it. An explicit UV_THREADPOOL_SIZE wins.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));

await importSource(
  fileURLToPath(new URL('../src/cli/main.ts', import.meta.url)),
  fileURLToPath(new URL('../node_modules/.cache/tessera/', import.meta.url)),
);
