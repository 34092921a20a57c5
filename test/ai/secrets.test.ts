/** What echelon/ai cuts from a provider's error before it becomes a task's error (src/ai/secrets.ts). */
import { describe, expect, it } from 'vitest';
import { withoutSecrets } from '../../src/ai/secrets.js';

describe('withoutSecrets', () => {
  it.each([
    ['Incorrect API key provided: sk-proj-Abc123def456ghi789JKLmnoPQRstu012vwx.', 'Incorrect API key provided: sk-…[redacted].'],
    ['groq gsk_AbCdEf0123456789AbCdEf0123456789AbCdEf, hf hf_AbCdEf0123456789AbCdEf0123456789', 'groq gsk_…[redacted], hf hf_…[redacted]'],
    ['xai-AbCdEf0123456789AbCdEf0123456789AbCd', 'xai-…[redacted]'],
    ['AKIAIOSFODNN7EXAMPLE and AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUv', 'AKIA…[redacted] and AIza…[redacted]'],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig, or Basic dXNlcjpwYXNzd29yZDEyMw==', 'Authorization: Bearer …[redacted], or Basic …[redacted]'],
    ['client_secret=abcdef123456&x_api_key=zzz999yyy', 'client_secret=…[redacted]&x_api_key=…[redacted]'],
    ['{"apiKey": "abc123def", "password": "hunter2secret"}', '{"apiKey": "…[redacted]", "password": "…[redacted]"}'],
  ])('cuts what looks like a key or token: %s', (text, said) => {
    expect(withoutSecrets(text)).toBe(said);
  });

  it.each([
    'requires Bearer authentication',
    'task sk-migration-2024-batch failed',
    'tool rk-lookup_customer_records threw',
    'model pk-legacy-router-v2 is not available',
    'the token expired; the secret is safe',
    'rate limit: 429 Too Many Requests',
  ])('leaves what only resembles one: %s', (text) => {
    expect(withoutSecrets(text)).toBe(text);
  });
});
