/** What a long run has done so far. */
export interface Tally {
  done: number;
  /** How many there are in all, when known. */
  total?: number;
  failed: number;
  /** Replays per second since the start. */
  rate: number;
}

/** A progress line: done/total, rate, time left, failures. */
export function progressLine(what: string, tally: Tally): string {
  const { done, total, failed, rate } = tally;
  const left = total !== undefined && rate > 0 ? Math.max(0, (total - done) / rate) : undefined;
  const share = total !== undefined && total > 0 ? ` (${Math.floor((done / total) * 100)}%)` : "";
  return `${what}: ${done}${total !== undefined ? `/${total}` : ""}${share}, ${rate.toFixed(1)}/s${left !== undefined ? `, about ${Math.ceil(left)} s left` : ""}, ${failed} failed`;
}

/** Starts and stops a repeated task; the default is a timer that does not keep the process alive. */
export type Every = (milliseconds: number, task: () => void) => () => void;

const timer: Every = (milliseconds, task) => {
  const handle = setInterval(task, milliseconds);
  handle.unref();
  return () => clearInterval(handle);
};

/**
 * Writes a progress line every `everyMs` while a run goes on, whatever its pace (a stalled run
 * still says where it stands); `stop` ends it. Lines go to standard error, results to standard output.
 */
export function reportProgress(write: (line: string) => void, line: () => string, everyMs: number, every: Every = timer): { stop(): void } {
  const cancel = every(everyMs, () => write(`${line()}\n`));
  return { stop: cancel };
}
