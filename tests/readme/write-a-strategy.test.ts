import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canCloneRepo, cloneCommittedTree, type CommittedClone } from '../helpers/readme-clone.js';
import { REPO_ROOT } from '../helpers/workspace.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const SECTION = README.slice(
  README.indexOf('## Write your own strategy'),
  README.indexOf('\n## ', README.indexOf('## Write your own strategy') + 3),
);
if (!canCloneRepo)
  console.warn('README strategy walkthrough skipped: it clones the repository, and git or .git is missing');

/** The section's files: each code block after a line naming where it goes ("In `path`:", "Under `targets:` in `quanto.pipeline.yaml`:"). */
function filesOfSection(): { path: string; text: string; append: boolean }[] {
  const blocks = [...SECTION.matchAll(/(?:^|\n)([^\n]*?)`([^`]+)`:\n\n```(?:ts|yaml)\n([\s\S]*?)```/g)];
  return blocks.map((m) => {
    const lead = m[1]!;
    const under = lead.includes('Under `targets:`');
    return { path: m[2]!, text: m[3]!, append: under };
  });
}

/**
 * The README's "Write your own strategy", as written: its files put where it says in a fresh
 * clone of the committed tree, then its commands run there. The section cannot drift from
 * what works.
 */
describe.skipIf(!canCloneRepo)(
  'the README: write your own strategy, from an empty file to a paper session and a promoted shadow replay',
  () => {
    let repo: CommittedClone;
    let clone: string;
    const quanto = (command: string) => {
      expect(SECTION, `the section no longer says: ${command}`).toContain(command);
      return repo.quanto(command.replace(/^npx quanto /, '').split(' '));
    };

    beforeAll(() => {
      repo = cloneCommittedTree('quanto-readme-strategy-');
      clone = repo.root;
    });
    afterAll(() => repo?.remove());

    it('the strategy file, its configs and its pipeline entries build a backtest with a tearsheet, then a paper session', () => {
      const files = filesOfSection();
      expect(files.map((f) => f.path)).toEqual([
        'strategies/dip_buyer.ts',
        'configs/backtests/spx_dip_buyer.yaml',
        'quanto.pipeline.yaml',
        'configs/execution/paper_spx_dip_buyer.yaml',
        'quanto.pipeline.yaml',
        'configs/gates/spx_dip_buyer.yaml',
        'configs/promotions/candidate_spx_dip_buyer.yaml',
        'configs/execution/shadow_spx_dip_buyer.yaml',
        'quanto.pipeline.yaml',
      ]);
      for (const f of files) {
        const path = join(clone, f.path);
        if (f.append) appendFileSync(path, `\n${f.text}`);
        else {
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, f.text);
        }
      }
      const build = quanto('npx quanto build //backtests/spx_dip_buyer');
      expect(build.err).toBe('');
      expect(build.code).toBe(0);
      const metrics = JSON.parse(
        readFileSync(join(clone, 'cache/out/backtests/spx_dip_buyer/metrics.json'), 'utf8'),
      ) as {
        strategy: unknown;
        metrics: { round_trips: number };
      };
      expect(metrics.strategy).toEqual({ kind: 'dip_buyer', window: 20, band: 0.03 });
      expect(metrics.metrics.round_trips).toBeGreaterThan(0);
      const report = quanto('npx quanto report //backtests/spx_dip_buyer');
      expect(report.code).toBe(0);
      expect(report.out).toContain('tearsheet.html');

      // "change `band` ... and build again": only the backtest rebuilds.
      const config = join(clone, 'configs/backtests/spx_dip_buyer.yaml');
      writeFileSync(config, readFileSync(config, 'utf8').replace('band: 0.03', 'band: 0.05'));
      const again = quanto('npx quanto build //backtests/spx_dip_buyer');
      expect(again.code).toBe(0);
      expect(again.out).toMatch(/1 built, \d+ cached/);

      // "To paper-trade it on the simulated broker": a session of decisions, orders and fills.
      const paper = quanto('npx quanto build //paper/spx_dip_buyer');
      expect(paper.err).toBe('');
      expect(paper.code).toBe(0);
      const decisions = JSON.parse(
        readFileSync(join(clone, 'cache/out/paper/spx_dip_buyer/decisions.json'), 'utf8'),
      ) as {
        fills: unknown[];
        final_state: string;
        config: { strategy_file: string };
      };
      expect(decisions.final_state).toBe('ACTIVE');
      expect(decisions.fills.length).toBeGreaterThan(0);
      expect(decisions.config.strategy_file).toBe('strategies/dip_buyer.ts');

      // Back to the settings the shadow replay names, then qualified, refused, promoted, replayed.
      writeFileSync(config, readFileSync(config, 'utf8').replace('band: 0.05', 'band: 0.03'));
      const status = quanto('npx quanto build //promotions/candidate/spx_dip_buyer');
      expect(status.code, status.out + status.err).toBe(0);
      const statusFile = join(clone, 'cache/out/promotions/candidate/spx_dip_buyer/promotion/status.json');
      expect(JSON.parse(readFileSync(statusFile, 'utf8')).state).toBe('qualified_not_promoted');
      const refused = quanto('npx quanto build //shadow/spx_dip_buyer');
      expect(refused.code).toBe(1);
      expect(refused.out + refused.err).toMatch(/refused: \/\/backtests\/spx_dip_buyer is not promoted/);
      const promote = quanto(
        'npx quanto promote //backtests/spx_dip_buyer --tier candidate --reason dip-buying-beat-holding',
      );
      expect(promote.code, promote.out + promote.err).toBe(0);
      const shadow = quanto('npx quanto build //shadow/spx_dip_buyer');
      expect(shadow.code, shadow.out + shadow.err).toBe(0);
      const read = (path: string) => readFileSync(join(clone, 'cache/out', path), 'utf8');
      expect(read('shadow/spx_dip_buyer/shadow/equity.jsonl')).toBe(read('paper/spx_dip_buyer/equity.jsonl'));
    }, 300_000);
  },
);
