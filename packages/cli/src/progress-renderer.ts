import type { NodeStatus, RunEvent, RunStatus, RunView } from '@weft/client';
import { formatDuration } from './run-format';

/** Where and how progress is shown. */
export interface ProgressOptions {
  write(text: string): void;
  /**
   * True on a terminal: one table, redrawn in place with ANSI cursor movement. False (piped): a
   * plain line per change, for logs and scripts.
   */
  tty: boolean;
  /** The terminal's width; table lines are cut to fit so they never wrap. Default: 100. */
  columns?: number;
  /** Colour the statuses (terminal only). Default: true. */
  color?: boolean;
  /** The clock, ms. Default: Date.now. */
  now?: () => number;
}

/** A node as the display knows it. */
interface NodeState {
  status: NodeStatus;
  attempt: number;
  durationMs?: number;
  /** When this display saw the current attempt start running: the live counter's origin. */
  runningSince?: number;
  error?: { code: string; message: string };
}

/** The fields of a node change the display uses. */
interface NodeChange {
  status: NodeStatus;
  attempt: number;
  durationMs?: number;
  error?: { code: string; message: string };
}

const SYMBOLS: Record<NodeStatus, string> = {
  pending: '·',
  queued: '…',
  running: '▸',
  retrying: '↻',
  completed: '✓',
  failed: '✗',
  skipped: '-',
  cancelled: '⊘',
};

const COLORS: Partial<Record<NodeStatus | RunStatus, number>> = {
  running: 36,
  queued: 36,
  retrying: 33,
  completed: 32,
  failed: 31,
  timed_out: 31,
  cancelled: 33,
  skipped: 90,
  pending: 90,
};

const STATUS_WIDTH = 'completed'.length;

/** Cursor up `n` lines, then erase from there to the end of the screen. */
function rewind(lines: number): string {
  return lines > 0 ? `\x1b[${lines}A\r\x1b[J` : '';
}

/**
 * Shows a run's progress from its events (snapshot, node, run, end): each node's status
 * (queued, running, completed, failed, retrying, skipped…), attempt and duration, and the error
 * of a failed or retrying attempt.
 */
export class ProgressRenderer {
  private readonly nodes = new Map<string, NodeState>();
  private runId = '';
  private runStatus: RunStatus | undefined;
  private readonly now: () => number;
  private readonly started: number;
  /** Lines of the table on screen (terminal mode). */
  private drawn = 0;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  /** Takes in one event: prints a line per change, or redraws the table. */
  event(event: RunEvent): void {
    switch (event.type) {
      case 'snapshot':
      case 'end':
        this.applyView(event.data);
        break;
      case 'node':
        this.runId = event.data.runId;
        this.applyNode(event.data.nodeId, event.data);
        break;
      case 'run':
        this.applyRun(event.data.runId, event.data.status);
        break;
    }
    if (this.options.tty) this.draw();
  }

  /** Redraws the table so running nodes' durations move (terminal mode; nothing when piped). */
  tick(): void {
    if (this.options.tty && this.drawn > 0) this.draw();
  }

  private applyView(view: RunView): void {
    this.runId = view.runId;
    // The first view opens with the run's line; later ones end with it (nodes end a run).
    const first = this.runStatus === undefined;
    if (first) this.applyRun(view.runId, view.status);
    for (const [id, node] of Object.entries(view.nodes)) this.applyNode(id, node);
    if (!first) this.applyRun(view.runId, view.status);
  }

  private applyNode(id: string, change: NodeChange): void {
    const before = this.nodes.get(id);
    if (before?.status === change.status && before.attempt === change.attempt) {
      // The same state, perhaps with more detail (a duration the poll adds): no new line.
      if (change.durationMs !== undefined) before.durationMs = change.durationMs;
      if (change.error !== undefined) before.error = change.error;
      return;
    }
    const now = this.now();
    const state: NodeState = { status: change.status, attempt: change.attempt };
    if (change.status === 'running') state.runningSince = now;
    if (
      change.error !== undefined &&
      (change.status === 'failed' || change.status === 'retrying')
    ) {
      state.error = { code: change.error.code, message: change.error.message };
    }
    if (change.durationMs !== undefined) {
      state.durationMs = change.durationMs;
    } else if (
      before?.runningSince !== undefined &&
      (change.status === 'completed' || change.status === 'failed')
    ) {
      state.durationMs = now - before.runningSince;
    }
    this.nodes.set(id, state);
    if (!this.options.tty && !(before === undefined && change.status === 'pending')) {
      this.options.write(this.plainLine(id, state));
    }
  }

  private applyRun(runId: string, status: RunStatus): void {
    if (status === this.runStatus) return;
    this.runStatus = status;
    if (!this.options.tty) {
      this.options.write(`${this.clock()}  run ${runId} ${status.replace('_', ' ')}\n`);
    }
  }

  private clock(): string {
    return `+${((this.now() - this.started) / 1000).toFixed(1)}s`.padStart(7);
  }

  private idWidth(): number {
    return Math.max(4, ...[...this.nodes.keys()].map((id) => id.length));
  }

  private plainLine(id: string, node: NodeState): string {
    let line = `${this.clock()}  ${id.padEnd(this.idWidth())}  ${node.status.padEnd(STATUS_WIDTH)}`;
    if (node.attempt > 0) line += `  attempt ${node.attempt}`;
    if (node.durationMs !== undefined && node.status !== 'retrying') {
      line += `  ${formatDuration(node.durationMs)}`;
    }
    if (node.error !== undefined) line += `  ${node.error.code}: ${node.error.message}`;
    return `${line.trimEnd()}\n`;
  }

  private paint(text: string, status: NodeStatus | RunStatus | undefined): string {
    const code = status === undefined ? undefined : COLORS[status];
    return this.options.color === false || code === undefined
      ? text
      : `\x1b[${code}m${text}\x1b[0m`;
  }

  /** The table: a run line, a header, a row per node; every line cut to the terminal's width. */
  private tableLines(): string[] {
    const width = Math.max(20, (this.options.columns ?? 100) - 1);
    const fit = (text: string) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);
    const now = this.now();
    const status = this.runStatus ?? 'pending';
    const lines = [
      `run ${this.runId}  ${this.paint(status.replace('_', ' '), status)}  ` +
        formatDuration(now - this.started),
    ];
    const idWidth = this.idWidth();
    const statusWidth = STATUS_WIDTH + 2;
    lines.push(
      fit(`  ${'NODE'.padEnd(idWidth)}  ${'STATUS'.padEnd(statusWidth)}  ATTEMPT  DURATION  ERROR`),
    );
    for (const [id, node] of this.nodes) {
      const duration =
        node.status === 'running' && node.runningSince !== undefined
          ? now - node.runningSince
          : node.durationMs;
      const prefix = `  ${id.padEnd(idWidth)}  `;
      const statusCell = `${SYMBOLS[node.status]} ${node.status}`.padEnd(statusWidth);
      const rest = [
        (node.attempt > 0 ? String(node.attempt) : '').padEnd('ATTEMPT'.length),
        (duration === undefined ? '' : formatDuration(duration)).padEnd('DURATION'.length),
        node.error === undefined ? '' : `${node.error.code}: ${node.error.message}`,
      ]
        .join('  ')
        .trimEnd();
      const plain = fit(`${prefix}${statusCell}  ${rest}`.trimEnd());
      // Colour only the status cell, after cutting, so the cut counts visible characters.
      const start = prefix.length;
      const cell = plain.slice(start, start + statusCell.length);
      lines.push(
        plain.slice(0, start) + this.paint(cell, node.status) + plain.slice(start + cell.length),
      );
    }
    return lines;
  }

  private draw(): void {
    const lines = this.tableLines();
    this.options.write(`${rewind(this.drawn)}${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }
}
