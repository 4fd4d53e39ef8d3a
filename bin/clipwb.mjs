#!/usr/bin/env node
// The clipwb command line. Runs the TypeScript sources through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

register();
const here = path.dirname(fileURLToPath(import.meta.url));
const { main } = await import(pathToFileURL(path.join(here, '..', 'src-main', 'cli', 'main.ts')).href);
process.exitCode = await main(process.argv.slice(2));
