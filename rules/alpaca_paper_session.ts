import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineRule } from '../src/engine/rule-api.js';
import { decideOnAlpaca, requireAlpacaKeys, sessionSummary } from '../src/execution/alpaca-decision.js';
import { riskConfigSchema } from '../src/execution/risk-config.js';
import { inputDir } from './_inputs.js';
import { requirePromoted } from './_promotion-records.js';
import { writeOutput } from './_outputs.js';
import { targetLabelSchema } from '../src/data/schemas/target-label.js';

/**
 * One decision of a promoted policy on Alpaca's paper account (//paper/alpaca/<id>), exactly as
 * `quanto trade --broker alpaca-paper` makes it: the latest built bar, the risk engine, the order
 * router, fills appended to the account's ledger (a workspace file listed in srcs, shared with
 * `quanto trade`, so a new fill changes this key), reconciliation. An external target: tag it
 * manual, so that wildcards and verify never place orders. The keys come from
 * APCA_API_KEY_ID and APCA_API_SECRET_KEY only and are in no key, log or output;
 * APCA_API_BASE_URL points it at another server. It reads the clock (QUANTO_NOW overrides it)
 * for the stale-data check alone: a broker session is about now, and this one never verifies.
 */
export default defineRule({
  name: 'alpaca_paper_session',
  version: 1,
  description: 'one decision of a promoted policy on the Alpaca paper account',
  config: z
    .object({
      /**
       * The experiment whose policy decides, and a promotion_status target: the session refuses
       * unless it says 'promoted'.
       */
      from: z.object({ experiment: targetLabelSchema, promotion: targetLabelSchema }).strict(),
      /** The account's append-only ledger: a workspace file, among this target's srcs. */
      account_ledger: z.string().min(1),
      risk: riskConfigSchema.prefault({}),
    })
    .strict(),
  inputs: (c) => [c.from.experiment, c.from.promotion],
  outputs: ['decisions.json'],
  async run(ctx) {
    const c = ctx.config;
    requireAlpacaKeys(process.env, 'paper');
    const ledgerFile = ctx.srcs[c.account_ledger];
    if (!ledgerFile)
      throw new Error(
        `the account ledger ${c.account_ledger} is not among this target's srcs: add it (an empty file to start), so that each fill changes this key`,
      );
    const status = requirePromoted(ctx, c.from.promotion, c.from.experiment);
    const experimentDir = inputDir(ctx, c.from.experiment);
    const { date, record, decisionsJson } = await decideOnAlpaca({
      account: 'paper',
      env: process.env,
      experiment: c.from.experiment,
      experimentDir,
      experimentConfig: (JSON.parse(readFileSync(`${experimentDir}/manifest.json`, 'utf8')) as { config: unknown })
        .config,
      dirOf: (label) => inputDir(ctx, label),
      ledgerFile,
      risk: c.risk,
      evidence: { experiment_outputs_digest: status.experiment_outputs_digest, promotion: status.record },
    });
    writeOutput(ctx.outDir, 'decisions.json', decisionsJson);
    ctx.log.info(sessionSummary(date, record));
    if (record.final_state === 'HALTED')
      throw new Error(
        `the session halted: ${record.halt_reason}; the account's ledger keeps every fill, see ${c.account_ledger}`,
      );
  },
});
