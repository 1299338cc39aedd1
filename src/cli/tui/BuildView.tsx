import { Box, Text } from 'ink';
import type { BuildTotals, RowStatus, TargetRow } from './build-model.js';

export interface Panel {
  title: string;
  lines: string[];
  color?: 'red' | 'yellow' | 'cyan';
}

export interface BuildViewProps {
  title: string;
  rows: TargetRow[];
  totals: BuildTotals;
  selected: number;
  /** Lines available for the tree; rows beyond scroll with the selection. */
  treeHeight: number;
  /** Last lines of a failure's log, a selected target's details, a watch-mode config error. */
  panels: Panel[];
  /** One line under the header, for watch mode: what is watched and what triggered the build. */
  status?: string;
  footer: string;
}

const ICON: Record<RowStatus, string> = {
  queued: '·',
  running: '▶',
  cached: '✓',
  built: '✓',
  failed: '✗',
  skipped: '-',
};
const COLOR: Record<RowStatus, string> = {
  queued: 'gray',
  running: 'cyan',
  cached: 'gray',
  built: 'green',
  failed: 'red',
  skipped: 'yellow',
};

export function formatElapsed(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function progressBar(done: number, total: number | undefined, width = 12): string {
  if (!total || total <= 0) return `${done}`;
  const filled = Math.max(0, Math.min(width, Math.round((done / total) * width)));
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`;
}

function partitionNote(row: TargetRow): string {
  if (!row.partitioned) return '';
  const parts = (['failed', 'running', 'built', 'cached', 'skipped', 'queued'] as RowStatus[])
    .filter((s) => row.counts[s] > 0)
    .map((s) => `${row.counts[s]} ${s}`);
  return ` (${row.actions} partitions: ${parts.join(', ')})`;
}

export function headerLine(title: string, t: BuildTotals): string {
  const hit = t.hitRatio === undefined ? '' : ` · cache hit ${Math.round(t.hitRatio * 100)}%`;
  return `${title} · built ${t.built} · cached ${t.cached} · failed ${t.failed} · remaining ${t.remaining}${hit} · ${formatElapsed(t.wallMs)}`;
}

/** The whole screen as a pure function of its props, so tests can render any state. */
export function BuildView(props: BuildViewProps) {
  const { rows, selected, treeHeight } = props;
  const start = Math.max(0, Math.min(selected - Math.floor(treeHeight / 2), rows.length - treeHeight));
  const visible = rows.slice(start, start + treeHeight);
  return (
    <Box flexDirection="column">
      <Text bold>{headerLine(props.title, props.totals)}</Text>
      {props.status ? <Text color="cyan">{props.status}</Text> : null}
      {visible.map((row, i) => {
        const index = start + i;
        const unit = row.progress?.unit ? ` ${row.progress.unit}` : '';
        const progress =
          row.status === 'running' && row.progress
            ? `  ${progressBar(row.progress.done, row.progress.total)}${unit}`
            : '';
        return (
          <Text key={row.name} inverse={index === selected} wrap="truncate-end">
            {'  '.repeat(row.depth)}
            <Text color={COLOR[row.status]}>{ICON[row.status]}</Text> //{row.name}
            {partitionNote(row)} <Text color={COLOR[row.status]}>{row.status}</Text>
            {row.elapsedMs !== undefined ? `  ${formatElapsed(row.elapsedMs)}` : ''}
            {progress}
          </Text>
        );
      })}
      {rows.length > visible.length ? (
        <Text color="gray">{`  … ${rows.length} targets, showing ${start + 1}-${start + visible.length}`}</Text>
      ) : null}
      {props.panels.map((panel) => (
        <Box
          key={panel.title}
          flexDirection="column"
          borderStyle="single"
          borderColor={panel.color ?? 'gray'}
          paddingX={1}
        >
          <Text bold color={panel.color}>
            {panel.title}
          </Text>
          {panel.lines.map((line, i) => (
            <Text key={i} wrap="truncate-end">
              {line}
            </Text>
          ))}
        </Box>
      ))}
      <Text color="gray">{props.footer}</Text>
    </Box>
  );
}
