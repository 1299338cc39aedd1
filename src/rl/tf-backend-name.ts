import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export type TfBackendName = 'tensorflow' | 'wasm';

/** Where the native package is installed, looked up from this module and from the working directory. */
export function nativePackagePath(): string | null {
  for (const base of [import.meta.url, pathToFileURL(join(process.cwd(), 'package.json')).href]) {
    try {
      return createRequire(base).resolve('@tensorflow/tfjs-node');
    } catch {
      // not installed where this base looks
    }
  }
  return null;
}

/**
 * The backend training runs on: the native one (@tensorflow/tfjs-node) only where it is
 * installed, else WebAssembly. Backends differ in the last bits of a result, so the name goes
 * into the action key (the rule reports it as a key fact), and a cache never mixes them.
 */
export function detectTfBackend(): TfBackendName {
  return nativePackagePath() === null ? 'wasm' : 'tensorflow';
}
