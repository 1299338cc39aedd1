import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
// Registers the WebAssembly backend; in Node it finds its .wasm files beside its own code.
import '@tensorflow/tfjs-backend-wasm';
import { nativePackagePath, type TfBackendName } from './tf-backend-name.js';

export { detectTfBackend, type TfBackendName } from './tf-backend-name.js';

let ready: Promise<TfBackendName> | null = null;

/** Loads and selects the backend once per process (or worker thread). */
export function initTfBackend(): Promise<TfBackendName> {
  ready ??= (async () => {
    const native = nativePackagePath();
    const name: TfBackendName = native === null ? 'wasm' : 'tensorflow';
    if (native !== null) await import(pathToFileURL(native).href);
    if (!(await tf.setBackend(name))) throw new Error(`could not start the TensorFlow.js ${name} backend`);
    await tf.ready();
    return name;
  })();
  return ready;
}

export { tf };
