import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

export type TfBackendName = 'tensorflow' | 'wasm';

/**
 * The backend training runs on: the native one (@tensorflow/tfjs-node) only where it is
 * installed, else WebAssembly. Backends differ in the last bits of a result, so the name goes
 * into the action key (the rule reports it as a key fact), and a cache never mixes them.
 */
export function detectTfBackend(): TfBackendName {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return 'tensorflow';
  } catch {
    return 'wasm';
  }
}

let ready: Promise<TfBackendName> | null = null;

/** Loads and selects the backend once per process (or worker thread). */
export function initTfBackend(): Promise<TfBackendName> {
  ready ??= (async () => {
    const name = detectTfBackend();
    if (name === 'tensorflow') {
      await import('@tensorflow/tfjs-node' as string);
    } else {
      setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
    }
    if (!(await tf.setBackend(name))) throw new Error(`could not start the TensorFlow.js ${name} backend`);
    await tf.ready();
    return name;
  })();
  return ready;
}

export { tf };
