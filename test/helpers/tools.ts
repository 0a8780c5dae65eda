import { execFileSync } from 'node:child_process';

/** Whether a command-line tool (pdftotext, ogr2ogr...) is installed, for `describe.skipIf`. */
export function hasTool(command: string, versionArgs: string[] = ['--version']): boolean {
  try {
    execFileSync(command, versionArgs, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
