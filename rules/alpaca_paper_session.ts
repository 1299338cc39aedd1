import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineRule } from '../src/engine/rule-api.js';
import { AlpacaBroker } from '../src/execution/alpaca-broker.js';
import { tradePolicyOnce } from '../src/execution/policy-broker-session.js';
import { riskConfigSchema } from '../src/execution/risk-config.js';
import { metricsJson } from '../src/reports/metrics-json.js';
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
    const keyId = process.env.APCA_API_KEY_ID;
    const secretKey = process.env.APCA_API_SECRET_KEY;
    if (!keyId || !secretKey)
      throw new Error(
        'APCA_API_KEY_ID and APCA_API_SECRET_KEY are not set: set both in the environment (keys are read from nowhere else) to trade on the Alpaca paper account',
      );
    const ledgerFile = ctx.srcs[c.account_ledger];
    if (!ledgerFile)
      throw new Error(
        `the account ledger ${c.account_ledger} is not among this target's srcs: add it (an empty file to start), so that each fill changes this key`,
      );
    const status = requirePromoted(ctx, c.from.promotion, c.from.experiment);
    const experimentDir = inputDir(ctx, c.from.experiment);
    const nowMs = process.env.QUANTO_NOW ? Date.parse(process.env.QUANTO_NOW) : Date.now();
    if (Number.isNaN(nowMs)) throw new Error(`QUANTO_NOW must be an ISO time, got '${process.env.QUANTO_NOW}'`);
    const { date, record } = await tradePolicyOnce({
      broker: new AlpacaBroker({
        keyId,
        secretKey,
        paper: true,
        ...(process.env.APCA_API_BASE_URL ? { baseUrl: process.env.APCA_API_BASE_URL } : {}),
      }),
      policyLabel: c.from.experiment,
      experimentDir,
      experimentConfig: (JSON.parse(readFileSync(`${experimentDir}/manifest.json`, 'utf8')) as { config: unknown })
        .config,
      dirOf: (label) => inputDir(ctx, label),
      ledgerFile,
      risk: c.risk,
      nowMs,
    });
    writeOutput(
      ctx.outDir,
      'decisions.json',
      metricsJson({
        config: {
          experiment: c.from.experiment,
          experiment_outputs_digest: status.experiment_outputs_digest,
          promotion: status.record,
          broker: 'alpaca-paper',
          base_url: process.env.APCA_API_BASE_URL ?? null,
          risk: c.risk,
          as_of: date,
        },
        ...record,
      }),
    );
    ctx.log.info(
      `${record.intents.length} intents, ${record.orders.length} orders, ${record.fills.length} fills for ${date}; ${record.final_state}${record.halt_reason ? ` (${record.halt_reason})` : ''}${record.note ? ` (${record.note})` : ''}`,
    );
    if (record.final_state === 'HALTED')
      throw new Error(
        `the session halted: ${record.halt_reason}; the account's ledger keeps every fill, see ${c.account_ledger}`,
      );
  },
});
