import { explain, formatExplanation } from '../../engine/explain.js';
import type { CliIO } from '../io.js';
import type { GlobalOptions } from '../main.js';
import { openSession } from './open.js';

export async function explainCommand(
  io: CliIO,
  globals: GlobalOptions,
  label: string,
  opts: { json?: boolean },
): Promise<number> {
  const session = await openSession(io, globals);
  const explanations = await explain(session, label);
  if (opts.json) io.out(JSON.stringify(explanations, null, 2));
  else io.out(explanations.map((e) => formatExplanation(e)).join('\n'));
  return 0;
}
