import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { defineRule } from '../rule-api.js';

/**
 * The simplest real rule: `digest` holds the SHA-256 of every input file and source, in
 * name order, plus an optional salt. Used by the engine benchmark and handy for checksums.
 */
export default defineRule({
  name: 'hash_inputs',
  version: 1,
  description: 'SHA-256 over all inputs and sources, written to the output `digest`',
  config: z.object({ salt: z.string().default('') }).strict(),
  outputs: ['digest'],
  run(ctx) {
    const hash = createHash('sha256');
    hash.update(ctx.config.salt);
    for (const label of Object.keys(ctx.inputs).sort()) {
      const files = ctx.inputs[label]!.files;
      for (const name of Object.keys(files).sort())
        hash.update(`${label}/${name}\n`).update(readFileSync(files[name]!));
    }
    for (const path of Object.keys(ctx.srcs).sort()) hash.update(`${path}\n`).update(readFileSync(ctx.srcs[path]!));
    writeFileSync(join(ctx.outDir, 'digest'), `${hash.digest('hex')}\n`);
  },
});
