// Behaviour knobs that several modules read and tests flip at run time.

export interface RateLimitSettings {
  enabled: boolean;
  /** Per app installation (token = app × workspace). Intercom: 10,000/min. */
  perAppPerMinute: number;
  /** Shared by every app in a workspace. Intercom: 25,000/min. */
  perWorkspacePerMinute: number;
  /** Intercom spreads the minute over 10-second windows; tests may shorten the window. */
  windowMs: number;
}

export interface Emulation {
  rateLimits: RateLimitSettings;
  /** New contacts stay invisible to search for this long (Intercom: "may take a few minutes"). */
  searchLagMs: number;
  /** Whether a second lead with an existing lead's email is refused like a user (UNVERIFIED in reality). */
  leadDuplicates: 'allow' | 'conflict';
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  enabled: true,
  perAppPerMinute: 10_000,
  perWorkspacePerMinute: 25_000,
  windowMs: 10_000,
};

export const windowLimit = (perMinute: number): number => Math.ceil(perMinute / 6);
