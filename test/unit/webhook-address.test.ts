// Where a webhook may point, without DNS: every address family and range the SSRF rule names.
import { describe, expect, it } from 'vitest'
import { isLocalAddress, urlProblem } from '../../shared/webhooks/address.js'
import { signatureOf, signatureValue } from '../../shared/webhooks/signature.js'
import { documentedVerifier } from '../support/webhooks.js'

describe('isLocalAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.0.10',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.251',
    '255.255.255.255',
    '198.18.0.1',
    '::',
    '::1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1%eth0',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '64:ff9b::a00:1',
    '2002:c0a8:0101::1',
    '::127.0.0.1',
    '2001:db8::1',
    'not-an-address',
  ])('refuses %s', (address) => {
    expect(isLocalAddress(address)).toBe(true)
  })

  it.each([
    '8.8.8.8',
    '93.184.215.14',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('allows %s', (address) => {
    expect(isLocalAddress(address)).toBe(false)
  })
})

describe('urlProblem', () => {
  it('wants https, no credentials and no local host in a strict stage; the local stack allows http and loopback', () => {
    expect(urlProblem('https://hooks.example.com/x?token=1', false)).toBeUndefined()
    expect(urlProblem('http://hooks.example.com/x', false)).toMatch(/https/)
    expect(urlProblem('https://a:b@hooks.example.com/x', false)).toMatch(/credentials/)
    expect(urlProblem('https://LOCALHOST./x', false)).toMatch(/loopback/)
    expect(urlProblem('https://[::1]:8443/x', false)).toMatch(/loopback/)
    expect(urlProblem('http://127.0.0.1:9000/x', true)).toBeUndefined()
    expect(urlProblem('file:///etc/passwd', true)).toMatch(/https/)
  })
})

describe('the signature', () => {
  it('is an HMAC-SHA256 of `t.body`, one v1 per secret, and the documented snippet checks it', () => {
    const verify = documentedVerifier()
    const body = '{"id":"whe_1","type":"ping"}'
    const t = Math.floor(Date.now() / 1000)
    const header = signatureValue(['whsec_new', 'whsec_old'], t, body)

    expect(header).toBe(`t=${t},v1=${signatureOf('whsec_new', t, body)},v1=${signatureOf('whsec_old', t, body)}`)
    expect(verify(header, body, ['whsec_old'])).toBe(true)
    expect(verify(header, Buffer.from(body), ['whsec_new'])).toBe(true)
    expect(verify(header, body, ['whsec_other'])).toBe(false)
    expect(verify(header.replace(`t=${t}`, `t=${t + 1}`), body, ['whsec_new'])).toBe(false)
    expect(verify(signatureValue(['whsec_new'], t - 301, body), body, ['whsec_new'])).toBe(false)
    expect(verify(undefined, body, ['whsec_new'])).toBe(false)
  })
})
