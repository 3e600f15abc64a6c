// The token bucket moved to lib/ so the SMTP listener (ingest/email) shares it with the HTTP routes.
export { RateLimiter } from '../lib/rate-limit.js';
