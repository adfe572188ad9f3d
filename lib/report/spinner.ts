// One status line at the bottom of a terminal listing the tasks that have been
// running for a while (hosts run in parallel, so a spinner per task would
// fight over the cursor). Never used when stdout is not a TTY.
import { formatDuration } from './colour.ts';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Tasks faster than this never show up in the spinner. */
const SHOW_AFTER_MS = 800;

interface Running {
  label: string;
  since: number;
  message?: string;
}

export class Spinner {
  private readonly running = new Map<string, Running>();
  private timer?: NodeJS.Timeout;
  private frame = 0;
  private shown = false;

  constructor(private readonly out: NodeJS.WritableStream & { columns?: number }) {}

  start(host: string, label: string): void {
    this.running.set(host, { label, since: Date.now() });
    this.timer ??= setInterval(() => this.render(), 100);
    this.timer.unref?.();
  }

  progress(host: string, message: string): void {
    const r = this.running.get(host);
    if (r) r.message = message;
  }

  stop(host: string): void {
    this.running.delete(host);
    if (this.running.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.clear();
    }
  }

  /** Erase the status line so a normal line can be printed; the next tick redraws it. */
  clear(): void {
    if (this.shown) this.out.write('\r\x1b[K');
    this.shown = false;
  }

  private render(): void {
    const now = Date.now();
    const slow = [...this.running.entries()].filter(([, r]) => now - r.since >= SHOW_AFTER_MS);
    this.clear();
    if (slow.length === 0) return;
    const parts = slow.map(([host, r]) => `${host}: ${r.label}${r.message ? ` (${r.message})` : ''} ${formatDuration(now - r.since)}`);
    const width = (this.out.columns ?? 100) - 3;
    let text = `${FRAMES[this.frame++ % FRAMES.length]} ${parts.join(' · ')}`;
    if (text.length > width) text = text.slice(0, width - 1) + '…';
    this.out.write(text);
    this.shown = true;
  }
}
