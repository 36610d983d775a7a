import { describe, expect, it } from 'vitest';
import { cleanText, escapeMarkdown, isoDate, isWebUrl, plainText } from '../../intercom-canvas/index.ts';

describe('text helpers', () => {
  it('escapeMarkdown neutralises emphasis, code, links, HTML and line-start blocks', () => {
    expect(escapeMarkdown('**bold** _it_ `code` ~del~')).toBe('\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~del\\~');
    expect(escapeMarkdown('[a](https://evil.example) <b>')).toBe('\\[a\\](https\u2060://evil.example) \\<b>');
    expect(escapeMarkdown('# title')).toBe('\\# title');
    expect(escapeMarkdown('- item')).toBe('\\- item');
    expect(escapeMarkdown('12. item')).toBe('12\\. item');
    expect(escapeMarkdown('back\\slash')).toBe('back\\\\slash');
    expect(escapeMarkdown('visit www.evil.example')).toBe('visit www\u2060.evil.example');
    expect(escapeMarkdown('Jane O’Brien (Sales) & co.')).toBe('Jane O’Brien (Sales) & co.');
    expect(escapeMarkdown(null)).toBe('');
  });

  it('cleanText keeps one line, fixes lone surrogates and clips without splitting pairs', () => {
    expect(cleanText(' a\n\tb\u0000c\u2028d ', 100)).toBe('a b c d');
    expect(cleanText('x\uD800y\uDC00', 100)).toBe('x\uFFFDy\uFFFD');
    expect(cleanText('abcdef', 4)).toBe('abc…');
    const clipped = cleanText('ab😀😀😀', 4);
    expect(clipped).toBe('ab…');
    expect(clipped.length).toBeLessThanOrEqual(4);
    expect(cleanText('a😀😀😀', 4)).toBe('a😀…');
  });

  it('plainText falls back, isoDate and isWebUrl are strict', () => {
    expect(plainText('  ', 10, 'none')).toBe('none');
    expect(isoDate('2026-03-01T10:00:00Z')).toBe('2026-03-01');
    expect(isoDate('yesterday')).toBe('');
    expect(isWebUrl('https://app.refcard.example/r/x')).toBe(true);
    expect(isWebUrl('http://localhost:3000/r/x')).toBe(true);
    expect(isWebUrl('javascript:alert(1)')).toBe(false);
    expect(isWebUrl('not a url')).toBe(false);
    expect(isWebUrl(null)).toBe(false);
  });
});

describe('isWebUrl edge cases (found by the property test)', () => {
  it('rejects what the URL parser would quietly repair', () => {
    expect(isWebUrl('\u0000https://!')).toBe(false);
    expect(isWebUrl(' https://app.refcard.example')).toBe(false);
    expect(isWebUrl('https://app.refcard.example/a b')).toBe(false);
    expect(isWebUrl('https://app.refcard.example/\u0085')).toBe(false);
    expect(isWebUrl('https://')).toBe(false);
  });
});
