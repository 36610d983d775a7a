import { writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import os from 'node:os';

export interface BenchResult {
  id: string;
  value: number;
  unit: string;
  target: string;
  pass: boolean;
  note?: string;
}

/** `< 25`, `>= 0.4`, `== 0`: a target is a comparison the value must satisfy. */
export function result(id: string, value: number, unit: string, target: string, note?: string): BenchResult {
  const m = /^(<=|>=|<|>|==)\s*([\d.]+)$/.exec(target.trim());
  if (!m) throw new Error(`bad target ${target}`);
  const t = Number(m[2]);
  const pass = m[1] === '<' ? value < t : m[1] === '<=' ? value <= t : m[1] === '>' ? value > t : m[1] === '>=' ? value >= t : value === t;
  return { id, value: round(value), unit, target, pass: Number.isFinite(value) && pass, ...(note && { note }) };
}

const round = (v: number) => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100);

export function machine(): string {
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  return `${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

function commit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

export function writeResults(results: BenchResult[], dir: string) {
  const doc = { at: new Date().toISOString(), machine: machine(), commit: commit(), results };
  writeFileSync(`${dir}/results.json`, JSON.stringify(doc, null, 2) + '\n');
  const rows = results.map((r) => `| \`${r.id}\` | ${r.value} | ${r.unit} | ${r.target} | ${r.pass ? 'pass' : '**FAIL**'} | ${r.note ?? ''} |`);
  const md = [
    '# Benchmark results',
    '',
    `Latest \`npm run bench\`: ${doc.at}, commit ${doc.commit}.`,
    '',
    `Machine: ${doc.machine}.`,
    '',
    '| id | value | unit | target | result | note |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  writeFileSync(`${dir}/RESULTS.md`, md);
  return doc;
}

export function printTable(results: BenchResult[]) {
  const w = Math.max(...results.map((r) => r.id.length), 4);
  console.log(`\n${'id'.padEnd(w)}  ${'value'.padStart(10)}  unit   target     result`);
  for (const r of results) console.log(`${r.id.padEnd(w)}  ${String(r.value).padStart(10)}  ${r.unit.padEnd(5)}  ${r.target.padEnd(9)}  ${r.pass ? 'pass' : 'FAIL'}${r.note ? `  (${r.note})` : ''}`);
}
