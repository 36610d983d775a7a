// Making untrusted strings (names, emails, campaign names, server messages) safe and short
// before they go into a canvas.

/** Longest strings we put into a canvas, in UTF-16 code units; long enough for real data. */
export const MAX_LEN = {
  name: 100,
  email: 254,
  campaign: 100,
  link: 2000,
  message: 500,
  reason: 500,
} as const;

// Lone surrogates survive JSON.stringify only as \uD8xx escapes that some JSON readers reject,
// so they become U+FFFD like a UTF-8 decoder would make them.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// C0/C1 control characters (tabs and newlines included): one line per value in a sidebar.
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g;

/** One well-formed line without control characters, at most `max` code units (ellipsis included). */
export function cleanText(value: string | null | undefined, max: number): string {
  if (!value) return '';
  let text = value.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL, ' ').trim();
  if (text.length > max) {
    let cut = max - 1;
    // never split a surrogate pair
    if (/[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut -= 1;
    text = `${text.slice(0, cut).trimEnd()}…`;
  }
  return text;
}

// Inline Markdown that could add emphasis, code, strikethrough, links, images or HTML.
// Link and image syntax needs `[`, so `(`, `)` and `!` stay as they are; fewer backslashes means
// less noise should a renderer ever show them literally.
const MARKDOWN_INLINE = /[\\`*_\[\]<~]/g;
// Block syntax only counts at the start of a line, and cleanText() leaves one line.
const MARKDOWN_BLOCK_START = /^[#>+=-]/;
const MARKDOWN_ORDERED_LIST = /^(\d+)([.)])/;

/**
 * Text for a Canvas Kit `text` component (which renders Markdown bold and links): cleaned,
 * clipped, and backslash-escaped (CommonMark) so that a name like `*[win](https://evil)*` stays
 * literal text. Bare URLs get a word joiner after the scheme so GFM-style autolinking cannot turn
 * them into links.
 */
export function escapeMarkdown(value: string | null | undefined, max: number = MAX_LEN.message): string {
  return cleanText(value, max)
    .replace(MARKDOWN_INLINE, (ch) => `\\${ch}`)
    .replace(MARKDOWN_BLOCK_START, (m) => `\\${m}`)
    .replace(MARKDOWN_ORDERED_LIST, '$1\\$2')
    .replace(/(https?|ftp|mailto)(:)/gi, '$1\u2060$2')
    .replace(/\bwww\./gi, 'www\u2060.');
}

/** Plain (non-Markdown) text for data-table values, list items, labels and options. */
export function plainText(value: string | null | undefined, max: number, fallback = '—'): string {
  return cleanText(value, max) || fallback;
}

/** `2026-03-01` from an ISO-8601 stamp; '' when it isn't one. */
export function isoDate(value: string | null | undefined): string {
  return value && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : '';
}

/**
 * Only http(s) URLs may become url actions (no javascript:, data:, …). Checked on the raw string:
 * the URL parser would quietly strip leading control characters and spaces that Intercom won't.
 */
export function isWebUrl(value: string | null | undefined): value is string {
  if (!value || value.length > MAX_LEN.link || !/^https?:\/\/[^\s\u0000-\u001F\u007F-\u009F]+$/i.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}
