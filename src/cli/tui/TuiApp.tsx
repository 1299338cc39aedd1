import { render, useApp, useInput, useStdout } from 'ink';
import { useEffect, useReducer } from 'react';
import type { TargetName } from '../../engine/pipeline/label.js';
import type { BuildModel } from './build-model.js';
import { BuildView, type Panel } from './BuildView.js';
import { readLogTail } from './log-tail.js';

/** What the running command shares with the screen; the screen redraws on `changed()` and on a 100 ms tick. */
export class TuiStore {
  status: string | undefined;
  /** A config or pipeline error (watch mode keeps running with it on screen). */
  error: Panel | undefined;
  details: Panel | undefined;
  private listeners = new Set<() => void>();

  constructor(
    public model: BuildModel,
    public title: string,
    readonly describe: (target: TargetName) => Panel,
  ) {}

  changed(): void {
    for (const l of this.listeners) l();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

interface TuiAppProps {
  store: TuiStore;
  onQuit: () => void;
  footer?: string;
}

export function TuiApp({ store, onQuit, footer }: TuiAppProps) {
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const { stdout } = useStdout();
  useApp();
  useEffect(() => {
    const unsubscribe = store.subscribe(redraw);
    const timer = setInterval(redraw, 100);
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
  }, [store]);
  const toggleDetails = (): void => {
    const target = store.model.selectedTarget();
    store.details = store.details || !target ? undefined : store.describe(target);
  };
  useInput((input, key) => {
    if (key.ctrl && input === 'c') onQuit();
    else if (key.upArrow) store.model.moveSelection(-1);
    else if (key.downArrow) store.model.moveSelection(1);
    else if (key.return) toggleDetails();
    else {
      // Keys typed quickly (or sent by a script) can arrive as one chunk: take them one by one.
      for (const ch of input) {
        if (ch === 'q') onQuit();
        else if (ch === 'k') store.model.moveSelection(-1);
        else if (ch === 'j') store.model.moveSelection(1);
        else if (ch === '\r') toggleDetails();
      }
    }
    redraw();
  });
  const model = store.model;
  const rows = model.rows();
  const panels: Panel[] = [];
  if (store.error) panels.push(store.error);
  const failed = rows.find((r) => r.status === 'failed');
  if (failed) {
    const tail = failed.logPath ? readLogTail(failed.logPath, 8) : [];
    panels.push({
      title: `//${failed.name} failed: ${failed.error ?? ''}`,
      lines: [...tail, failed.logPath ? `full log: ${failed.logPath}` : 'no log'],
      color: 'red',
    });
  }
  if (store.details) panels.push(store.details);
  const reserved = 4 + panels.reduce((n, p) => n + p.lines.length + 3, 0);
  const treeHeight = Math.max(3, (stdout.rows || 24) - reserved);
  return (
    <BuildView
      title={store.title}
      rows={rows}
      totals={model.totals()}
      selected={model.selected}
      treeHeight={treeHeight}
      panels={panels}
      status={store.status}
      footer={footer ?? 'q quit · ↑↓ or j/k select · enter details'}
    />
  );
}

/** Mounts the UI on the terminal; `close()` draws the final frame and gives the terminal back. */
export function startTui(store: TuiStore, onQuit: () => void): { close(): Promise<void> } {
  const instance = render(<TuiApp store={store} onQuit={onQuit} />, { exitOnCtrlC: false, patchConsole: false });
  return {
    async close() {
      store.changed();
      await new Promise((r) => setTimeout(r, 20));
      instance.unmount();
      await instance.waitUntilExit().catch(() => {});
    },
  };
}
