import { spawn } from 'node:child_process';

/**
 * Rasterises the first page of a PDF with poppler's pdftoppm, streaming through stdin/stdout so
 * concurrent requests never share a temporary file. Used for the `.png` map preview.
 */
export function renderPng(pdf: Buffer, dpi: number): Promise<Buffer> {
  if (!Number.isFinite(dpi) || dpi < 10 || dpi > 1200) {
    return Promise.reject(new RangeError(`dpi must be between 10 and 1200, got ${dpi}`));
  }
  return new Promise((resolve, reject) => {
    // Input '-' reads stdin; with no output root pdftoppm writes the image to stdout.
    const child = spawn('pdftoppm', ['-png', '-r', String(Math.round(dpi)), '-singlefile', '-f', '1', '-l', '1', '-'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'ENOENT'
          ? new Error('pdftoppm is not installed: install poppler-utils (apt-get install poppler-utils) to render PNG previews')
          : e,
      );
    });
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`pdftoppm exited with ${code}: ${Buffer.concat(err).toString('utf8').trim()}`));
    });
    child.stdin.on('error', () => {
      // pdftoppm closed its input early (missing binary or bad PDF); the close handler reports it.
    });
    child.stdin.end(pdf);
  });
}
