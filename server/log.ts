import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Secrets never reach the log: tokens, keys and signatures are redacted wherever they appear in
 * a logged object, and request logging records paths, never query strings or bodies.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        '*.accessToken', '*.refreshToken', '*.access_token', '*.refresh_token', '*.token', '*.apiKey', '*.secret',
        '*.clientSecret', '*.authorization', '*.Authorization', 'headers.authorization', 'headers.cookie',
        '*.password', '*.key',
      ],
      censor: '[redacted]',
    },
  });
}
