/**
 * The guest console on the host's stdio.
 *
 * Output: bytes from the UART go to stdout unaltered. They are collected and written once per
 * turn of the event loop (the run loop yields every slice), so a guest printing byte by byte
 * does not cost a write() per byte. A stdout that fails (EPIPE when the reader of a pipe went
 * away, as with `| head -c 10`; ENOSPC on a full disk) is not an exception: ConsoleOut records
 * the first error, drops later output and tells the run loop through `onError`, which stops
 * the machine; main() then reports it as one line (exit status 3, an unwritable output).
 *
 * Input: stdin feeds the UART receiver. On a terminal stdin is put in raw mode (so the guest sees
 * every key, Ctrl-C included) and QEMU's -nographic escape applies: Ctrl-A x quits, Ctrl-A
 * Ctrl-A sends one Ctrl-A; any other key after Ctrl-A is dropped with the Ctrl-A.
 */

export interface OutStream {
  write(chunk: Uint8Array | string, cb?: (err?: Error | null) => void): boolean;
  readonly isTTY?: boolean;
  /** Node streams report asynchronous write failures (EPIPE, ENOSPC) as an 'error' event. */
  on?(event: 'error', fn: (err: Error) => void): unknown;
  off?(event: 'error', fn: (err: Error) => void): unknown;
}

export interface InStream {
  on(event: 'data', fn: (chunk: Buffer | string) => void): unknown;
  on(event: 'end' | 'close', fn: () => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  off(event: 'data', fn: (chunk: Buffer | string) => void): unknown;
  off(event: 'end' | 'close', fn: () => void): unknown;
  off(event: 'error', fn: (err: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  readonly isTTY?: boolean;
  readonly readableEnded?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export class ConsoleOut {
  private chunks: Uint8Array[] = [];
  private scheduled = false;
  /** Bytes the guest has written so far. */
  bytes = 0;
  /** The first write failure of the stream; output is dropped from then on. */
  error: Error | undefined;
  /** Called once, at the first write failure (the run loop stops the machine). */
  onError: ((err: Error) => void) | undefined;
  private readonly onStreamError = (err: Error): void => this.fail(err);

  constructor(private readonly out: OutStream) {
    out.on?.('error', this.onStreamError);
  }

  /** Queues guest bytes for stdout. */
  readonly write = (data: Uint8Array): void => {
    if (data.length === 0 || this.error) return;
    this.chunks.push(data.slice());
    this.bytes += data.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  };

  flush(): void {
    this.scheduled = false;
    if (this.chunks.length === 0) return;
    const all = Buffer.concat(this.chunks);
    this.chunks = [];
    if (this.error) return;
    try {
      this.out.write(all, (err) => {
        if (err) this.fail(err);
      });
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Flushes, resolves once the stream has taken everything (or failed), and stops listening. */
  async drain(): Promise<void> {
    this.flush();
    if (!this.error) {
      await new Promise<void>((resolve) => {
        try {
          this.out.write('', (err) => {
            if (err) this.fail(err);
            resolve();
          });
        } catch (e) {
          this.fail(e instanceof Error ? e : new Error(String(e)));
          resolve();
        }
      });
    }
    this.out.off?.('error', this.onStreamError);
  }

  private fail(err: Error): void {
    if (this.error) return;
    this.error = err;
    this.chunks = [];
    this.onError?.(err);
  }
}

const CTRL_A = 0x01;

export class ConsoleIn {
  private escape = false;
  private raw = false;
  private waiters: (() => void)[] = [];
  /** stdin has ended (EOF, closed or broken): no more input will come. */
  ended = false;
  private readonly onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const forGuest = this.raw ? this.filterEscapes(bytes) : bytes;
    if (forGuest.length > 0) this.deliver(forGuest);
    this.wake();
  };
  // A closed or broken stdin just means no more input for the guest.
  private readonly onEnd = (): void => {
    this.ended = true;
    this.wake();
  };

  constructor(
    private readonly input: InStream,
    private readonly deliver: (bytes: Uint8Array) => void,
    private readonly quit: () => void,
  ) {}

  start(): void {
    if (this.input.isTTY && typeof this.input.setRawMode === 'function') {
      this.input.setRawMode(true);
      this.raw = true;
    }
    if (this.input.readableEnded) this.ended = true;
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('close', this.onEnd);
    this.input.on('error', this.onEnd);
    this.input.resume();
  }

  stop(): void {
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('close', this.onEnd);
    this.input.off('error', this.onEnd);
    if (this.raw) this.input.setRawMode?.(false);
    this.raw = false;
    this.input.pause();
    this.wake();
  }

  /** Resolves at the next input, end of input, or wake(). */
  activity(): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Releases everyone waiting in activity() (input arrived, or the run is being stopped). */
  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Applies the Ctrl-A escapes; returns the bytes meant for the guest. */
  filterEscapes(bytes: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const b of bytes) {
      if (this.escape) {
        this.escape = false;
        if (b === 0x78 /* x */) {
          this.quit();
          break;
        }
        if (b === CTRL_A) out.push(CTRL_A);
        continue;
      }
      if (b === CTRL_A) this.escape = true;
      else out.push(b);
    }
    return Uint8Array.from(out);
  }
}
