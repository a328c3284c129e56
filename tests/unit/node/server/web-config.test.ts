import { describe, expect, it } from 'vitest'
import {
  parseWebConfig,
  parseSubjectAltNames,
  tlsClientOptions
} from '../../../../src-main/node/server/web-config'

const HASH = '$2y$10$X0h1qS1Kx0m5c0Ec8k1g0uQ8m1oYkY3nX3C8iGg8o3J3yQ1m3Jq0G'
const files: Record<string, string> = {
  '/etc/rigready/server.crt': 'CERT',
  '/etc/rigready/server.key': 'KEY',
  '/etc/rigready/ca.crt': 'CA'
}
const read = async (p: string): Promise<string> => {
  const v = files[p]
  if (v === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' })
  return v
}
const parse = (text: string) => parseWebConfig(text, '/etc/rigready/web.yml', read)

describe('web-config', () => {
  it('reads the exporter-toolkit format, with file names relative to the config', async () => {
    const c = await parse(`
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
  client_allowed_sans: [prometheus.lan]
  min_version: TLS13
  curve_preferences: [X25519, CurveP256]
http_server_config:
  headers:
    strict-transport-security: max-age=3600
basic_auth_users:
  prometheus: ${HASH}
`)
    expect(c.tls).toMatchObject({
      cert: 'CERT',
      key: 'KEY',
      ca: 'CA',
      minVersion: 'TLSv1.3',
      clientAuth: 'RequireAndVerifyClientCert',
      clientAllowedSans: ['prometheus.lan'],
      ecdhCurve: 'X25519:P-256'
    })
    expect(c.headers).toEqual({ 'Strict-Transport-Security': 'max-age=3600' })
    expect(c.basicUsers).toEqual({ prometheus: HASH })
  })

  it('defaults to TLS 1.2 and no client certificates; an empty file means plain HTTP', async () => {
    const c = await parse('tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n')
    expect(c.tls).toMatchObject({ minVersion: 'TLSv1.2', clientAuth: 'NoClientCert' })
    expect((await parse('')).tls).toBeNull()
    expect((await parse('tls_server_config: {}\n')).tls).toBeNull()
  })

  it.each([
    ['tls_server_config:\n  cert_fil: x\n', /unknown key "cert_fil" in tls_server_config/],
    ['basic_auth_user:\n  a: b\n', /unknown key "basic_auth_user"/],
    ['tls_server_config:\n  cert_file: server.crt\n', /key_file \(or key\) is required/],
    [
      'tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n',
      /cannot read missing\.crt \(no such file\)/
    ],
    [
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS14\n',
      /min_version must be one of/
    ],
    [
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n',
      /client_ca_file is required/
    ],
    [
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n',
      /cipher_suites is not supported/
    ],
    ['basic_auth_users:\n  alice: hunter2\n', /must be a bcrypt hash/],
    ['http_server_config:\n  headers:\n    Set-Cookie: a=b\n', /"Set-Cookie" cannot be set/],
    ['a: [unclosed\n', /not valid YAML/],
    ['- just\n- a list\n', /must be a YAML mapping/]
  ])('refuses %j with a message naming the key', async (text, message) => {
    await expect(parse(text)).rejects.toThrow(message)
    await expect(parse(text)).rejects.toThrow(/^\/etc\/rigready\/web\.yml: /)
  })

  it('maps client_auth_type onto Node TLS options', () => {
    expect(tlsClientOptions('NoClientCert')).toEqual({
      requestCert: false,
      rejectUnauthorized: false
    })
    expect(tlsClientOptions('RequireAndVerifyClientCert')).toEqual({
      requestCert: true,
      rejectUnauthorized: true
    })
    expect(tlsClientOptions('VerifyClientCertIfGiven')).toEqual({
      requestCert: true,
      rejectUnauthorized: false
    })
  })

  it('reads subject alternative names', () => {
    expect(parseSubjectAltNames('DNS:prometheus.lan, IP Address:10.0.0.2')).toEqual([
      'prometheus.lan',
      '10.0.0.2'
    ])
    expect(parseSubjectAltNames(undefined)).toEqual([])
  })
})
