/**
 * Progress of a long command on stderr: a bar rewritten in place on a
 * terminal, one line per tenth otherwise (logs and CI stay readable).
 */
export class ProgressLine {
  private lastTenth = new Map<string, number>();
  private readonly started = performance.now();

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(phase: string, done: number, total: number): void {
    const fraction = total > 0 ? done / total : 1;
    const elapsed = ((performance.now() - this.started) / 1000).toFixed(1);
    if (this.stream.isTTY) {
      const width = 30;
      const filled = Math.round(fraction * width);
      this.stream.write(
        `\r${phase.padEnd(14)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${elapsed}s`,
      );
      if (done >= total) this.stream.write("\n");
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (this.lastTenth.get(phase) === tenth) return;
    this.lastTenth.set(phase, tenth);
    this.stream.write(`${phase}: ${done}/${total} (${Math.round(fraction * 100)}%) ${elapsed}s\n`);
  }
}
