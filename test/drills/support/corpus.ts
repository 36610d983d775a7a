import type { Body } from './signed.ts';

// A corpus of hostile input: bodies no platform would send, values of the wrong type, text that
// PostgreSQL cannot store or that renders strangely. Deterministic, so a failure names its case.

const deep = (open: string, close: string, inner: string, n: number) => open.repeat(n) + inner + close.repeat(n);

/** Bodies that are not what any JSON route expects, as a whole. */
export function hostileBodies(): { name: string; body: Body }[] {
  const manyKeys = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]));
  return [
    { name: 'empty', body: '' },
    { name: 'white space', body: ' \n\t\r ' },
    { name: 'JSON null', body: 'null' },
    { name: 'JSON true', body: 'true' },
    { name: 'a number', body: '42' },
    { name: 'a number too large for a double', body: '1e400' },
    { name: 'a negative zero', body: '-0' },
    { name: 'a JSON string', body: '"hello"' },
    { name: 'an empty array', body: '[]' },
    { name: 'an empty object', body: '{}' },
    { name: 'an array of nulls', body: '[null,null,null]' },
    { name: 'unterminated JSON', body: '{"a":' },
    { name: 'a trailing comma', body: '{"a":1,}' },
    { name: 'single quotes', body: "{'a':1}" },
    { name: 'NaN', body: 'NaN' },
    { name: 'a comment', body: '{"a":1 /* x */}' },
    { name: 'a byte-order mark', body: '\ufeff{"a":1}' },
    { name: 'invalid UTF-8', body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]) },
    { name: 'a raw NUL byte', body: '{"a":"x\u0000y"}' },
    { name: 'an escaped NUL', body: '{"a":"x\\u0000y","\\u0000":1}' },
    { name: 'a lone surrogate escape', body: '{"a":"\\ud800","b":"\\udfff"}' },
    { name: 'arrays nested 100,000 deep', body: deep('[', ']', '', 100_000) },
    { name: 'objects nested 50,000 deep', body: deep('{"a":', '}', '1', 50_000) },
    { name: 'prototype pollution keys', body: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"toString":1}' },
    { name: 'a 300 KB string', body: JSON.stringify({ a: 'x'.repeat(300_000) }) },
    { name: 'a 1.2 MB body', body: JSON.stringify({ a: 'y'.repeat(1_200_000) }) },
    { name: 'a 5 MB body', body: JSON.stringify(['z'.repeat(5_000_000)]) },
    { name: '20,000 keys', body: JSON.stringify(manyKeys) },
    { name: 'an array of 100,000 numbers', body: JSON.stringify(Array.from({ length: 100_000 }, (_, i) => i)) },
    { name: 'unicode-heavy object', body: JSON.stringify({ name: UNICODE.join(' '), [UNICODE[3]!]: UNICODE[5] }) },
    { name: 'a form-encoded body', body: 'contactId=1&action=qualify' },
    { name: 'XML', body: '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>' },
    { name: 'binary noise', body: Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24) },
  ];
}

/** Text that is valid JSON but hard on everything behind the parser. */
export const UNICODE = [
  '\u202eevil\u202c', // right-to-left override
  'zero\u200bwidth\u200d\ufeff',
  'Z\u0337\u0322\u031b\u031b\u0317a\u0338\u0321l\u0334\u0327g\u0335o\u0336', // zalgo
  '👩‍👩‍👧‍👦🏳️‍🌈🇺🇳',
  '𝟙𝟚𝟛', // mathematical digits
  '１２３', // full-width digits
  '١٢٣', // Arabic-Indic digits
  'ｒｅｆｃａｒｄ',
  'İıﬁß', // case-mapping traps
  '\u2028\u2029',
  '<script>alert(1)</script>',
  "'; drop table participants; --",
  '%00%2e%2e%2f',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '\u0000',
  '\ud800',
  '\udfff',
  '\u{10ffff}',
  'a'.repeat(10_000),
];

/** Values of every type, and strings from UNICODE, to put where a field expects something else. */
export const WRONG_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0,
  1e20,
  9007199254740993,
  1e308,
  '',
  ' ',
  '0',
  '-1',
  '1e3',
  '0x10',
  'NaN',
  'Infinity',
  '12345678901234567890123',
  [],
  [1, 2],
  {},
  { id: 1 },
  JSON.parse('{"__proto__":{"polluted":true}}'),
  ...UNICODE,
];

/** `base` with `field` replaced by each wrong value, named for the failure message. */
export function mutations(base: Record<string, unknown>, fields: string[]): { name: string; value: Record<string, unknown> }[] {
  const out: { name: string; value: Record<string, unknown> }[] = [];
  for (const field of fields) {
    for (const [i, v] of WRONG_VALUES.entries()) out.push({ name: `${field} = wrong value #${i} (${JSON.stringify(v)?.slice(0, 40)})`, value: setPath(base, field, v) });
    out.push({ name: `${field} missing`, value: setPath(base, field, undefined) });
  }
  return out;
}

function setPath(base: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(base);
  const keys = path.split('.');
  let at: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) {
    if (!at[k] || typeof at[k] !== 'object') at[k] = {};
    at = at[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return copy;
}
