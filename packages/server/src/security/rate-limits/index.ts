export { createAbuseProtection, type AbuseProtection, type AbuseProtectionDeps, type QuotaName, type QuotaResult } from './abuse-protection.js';
export { DatabaseRateLimiter, sweepExpiredRateLimits } from './database-rate-limiter.js';
export { LimitSettingsSchema, type LimitSettings } from './limit-settings.js';
export { ipSubject } from './ip-subject.js';
export { limitKey } from './limit-keys.js';
export { createLimiterStore, type LimiterStore } from './limiter-store.js';
export { MAX_SIGN_IN_DELAY_SECONDS, signInDelaySeconds, type AbuseEvent, type SignInGate } from './sign-in-protection.js';
