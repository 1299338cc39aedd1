import { Session } from '../../engine/session.js';
import type { GlobalOptions } from '../command-context.js';
import type { CliIO } from '../io.js';
import { findWorkspaceRoot } from '../workspace-root.js';

export function openSession(io: CliIO, globals: GlobalOptions): Promise<Session> {
  return Session.open(globals.workspace ?? findWorkspaceRoot(io.cwd));
}
