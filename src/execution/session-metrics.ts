import { performanceMetrics, type PerformanceMetrics } from '../evaluation/performance-metrics.js';
import type { SessionRecord } from './replay-session.js';

/** A session's performance and what its intents came to, for metrics_sim.json and metrics_paper.json. */
export type SessionMetrics = PerformanceMetrics & {
  intents: number;
  approved: number;
  resized: number;
  rejected: number;
  orders: number;
  fills: number;
  broker_rejections: number;
  final_state: SessionRecord['final_state'];
  halt_reason: string | null;
};

/** The metrics of a session over historical bars (daily: 252 periods a year). */
export function sessionMetrics(session: SessionRecord): SessionMetrics {
  const count = (a: string) => session.decisions.filter((d) => d.action === a).length;
  return {
    ...performanceMetrics(
      session.equity.map((x) => x.equity),
      252,
    ),
    intents: session.intents.length,
    approved: count('approve'),
    resized: count('resize'),
    rejected: count('reject'),
    orders: session.orders.length,
    fills: session.fills.length,
    broker_rejections: session.orders.length - new Set(session.fills.map((f) => f.client_order_id)).size,
    final_state: session.final_state,
    halt_reason: session.halt_reason,
  };
}
