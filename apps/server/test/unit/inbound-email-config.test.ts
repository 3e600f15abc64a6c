import { describe, expect, it } from 'vitest';
import { configFromEnv, ConfigError } from '../../src/app/config.js';

describe('KLAXON_INBOUND_* settings', () => {
  it('off without a port; on with defaults from the public URL', () => {
    expect(configFromEnv({}).inboundSmtp).toBeUndefined();
    expect(configFromEnv({ KLAXON_INBOUND_SMTP_PORT: '2525', KLAXON_PUBLIC_URL: 'https://Klaxon.Example.com' }, '/srv').inboundSmtp).toEqual({
      port: 2525,
      domain: 'klaxon.example.com',
      maxBytes: 1024 * 1024,
    });
  });

  it('reads the domain, size and certificate files', () => {
    const c = configFromEnv(
      {
        KLAXON_INBOUND_SMTP_PORT: '25',
        KLAXON_INBOUND_EMAIL_DOMAIN: 'alerts.example.com',
        KLAXON_INBOUND_SMTP_MAX_BYTES: '5000',
        KLAXON_INBOUND_SMTP_TLS_KEY_FILE: 'k.pem',
        KLAXON_INBOUND_SMTP_TLS_CERT_FILE: 'c.pem',
      },
      '/srv',
    );
    expect(c.inboundSmtp).toEqual({ port: 25, domain: 'alerts.example.com', maxBytes: 5000, tls: { keyFile: '/srv/k.pem', certFile: '/srv/c.pem' } });
  });

  it('refuses half a certificate, a bad domain and a bad size with the variable named', () => {
    expect(() => configFromEnv({ KLAXON_INBOUND_SMTP_PORT: '25', KLAXON_INBOUND_SMTP_TLS_KEY_FILE: 'k.pem' })).toThrow(/KLAXON_INBOUND_SMTP_TLS_CERT_FILE/);
    expect(() => configFromEnv({ KLAXON_INBOUND_SMTP_PORT: '25', KLAXON_INBOUND_EMAIL_DOMAIN: 'a b' })).toThrow(ConfigError);
    expect(() => configFromEnv({ KLAXON_INBOUND_SMTP_PORT: '25', KLAXON_INBOUND_SMTP_MAX_BYTES: '10' })).toThrow(/KLAXON_INBOUND_SMTP_MAX_BYTES/);
    expect(() => configFromEnv({ KLAXON_INBOUND_SMTP_PORT: 'x' })).toThrow(/KLAXON_INBOUND_SMTP_PORT/);
  });
});
