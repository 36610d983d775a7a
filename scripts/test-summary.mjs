// Prints vitest JSON results as the plain closing line CI reads: "<leg>: N passed, N failed".
import { readFileSync } from 'node:fs';
const [file, leg] = process.argv.slice(2);
const r = JSON.parse(readFileSync(file, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`${leg}: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
