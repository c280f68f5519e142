import { describe, expect, it } from 'vitest'
import {
  createIpResolver,
  headerNameForPrecedenceKey,
  type IpResolverOptions,
  type IpSource,
} from '../../src/core/ip-resolver.js'

/** What a malformed argument throws: an AxesError with code AXES_INVALID_ARGUMENT. */
const INVALID_ARGUMENT = expect.objectContaining({
  name: 'AxesError',
  code: 'AXES_INVALID_ARGUMENT',
})

const ALL_SOURCES = ['HTTP_X_FORWARDED_FOR', 'HTTP_CLIENT_IP', 'HTTP_X_REAL_IP', 'REMOTE_ADDR']

interface Row extends IpResolverOptions {
  name: string
  headers: Record<string, string>
  socketAddress?: string
  expected: string | null
}

/**
 * Ported from python-ipware's tests (tests/tests_ipv4.py, tests/tests_ipv6.py) and extended.
 * django-ipware calls python-ipware with strict=True, so every row is the strict-mode answer.
 * Each expectation was produced by running python-ipware 3.0.0 itself on the same input
 * (META key HTTP_X_FORWARDED_FOR <-> header x-forwarded-for, REMOTE_ADDR <-> socketAddress).
 */
const TABLE: Row[] = [
  {
    name: 'single header, no proxy count: left-most entry',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139, 198.84.193.157, 198.84.193.158' },
    expected: '177.139.233.139',
  },
  {
    name: 'header before REMOTE_ADDR',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139, 198.84.193.157, 198.84.193.158' },
    socketAddress: '177.139.233.133',
    expected: '177.139.233.139',
  },
  {
    name: 'precedence order decides between two global headers',
    precedence: ['HTTP_X_FORWARDED_FOR', 'HTTP_X_REAL_IP'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: {
      'x-real-ip': '177.139.233.138, 198.84.193.157, 198.84.193.158',
      'x-forwarded-for': '177.139.233.139, 198.84.193.157, 198.84.193.158',
    },
    socketAddress: '177.139.233.133',
    expected: '177.139.233.139',
  },
  {
    name: 'private first header falls through to a later global one',
    precedence: ['HTTP_X_FORWARDED_FOR', 'HTTP_X_REAL_IP'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: {
      'x-forwarded-for': '10.0.0.0, 10.0.0.1, 10.0.0.2',
      'x-real-ip': '177.139.233.138, 198.84.193.157, 198.84.193.158',
    },
    socketAddress: '177.139.233.133',
    expected: '177.139.233.138',
  },
  {
    name: 'invalid entry skips the whole header',
    precedence: ['HTTP_X_FORWARDED_FOR', 'HTTP_X_REAL_IP'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: {
      'x-forwarded-for': 'unknown, 10.0.0.1, 10.0.0.2',
      'x-real-ip': '177.139.233.138, 198.84.193.157, 198.84.193.158',
    },
    socketAddress: '177.139.233.133',
    expected: '177.139.233.138',
  },
  {
    name: 'invalid entry in the only header: null',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': 'unknown, 177.139.233.139, 198.84.193.157, 198.84.193.158' },
    expected: null,
  },
  {
    name: 'invalid header skipped, next header used',
    precedence: ['HTTP_X_REAL_IP', 'HTTP_X_FORWARDED_FOR'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: {
      'x-real-ip': '177.139.233.138, 198.84.193.157, 198.84.193.158',
      'x-forwarded-for': 'unknown, 177.139.233.139, 198.84.193.157, 198.84.193.158',
    },
    expected: '177.139.233.138',
  },
  {
    name: 'singleton',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139' },
    expected: '177.139.233.139',
  },
  {
    name: 'singleton private, later global wins',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '10.0.0.0', 'x-real-ip': '177.139.233.139' },
    expected: '177.139.233.139',
  },
  {
    name: 'private header, global REMOTE_ADDR wins',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-real-ip': '192.168.1.1' },
    socketAddress: '177.31.233.133',
    expected: '177.31.233.133',
  },
  {
    name: 'both global: first in precedence wins',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-real-ip': '177.31.233.122' },
    socketAddress: '177.31.233.133',
    expected: '177.31.233.122',
  },
  {
    name: 'private beats loopback (loopback later)',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-real-ip': '192.168.1.1' },
    socketAddress: '127.0.0.1',
    expected: '192.168.1.1',
  },
  {
    name: 'private beats loopback (loopback first)',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-real-ip': '127.0.0.1' },
    socketAddress: '192.168.1.1',
    expected: '192.168.1.1',
  },
  {
    name: 'two private: the first one seen',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '172.25.0.1' },
    socketAddress: '172.25.0.3',
    expected: '172.25.0.1',
  },
  {
    name: 'only loopback',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '127.0.0.1' },
    socketAddress: '::1',
    expected: '127.0.0.1',
  },
  {
    name: '100.63.0.9 is global',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-real-ip': '100.63.0.9' },
    expected: '100.63.0.9',
  },
  {
    name: '100.76.0.9 (shared space) is kept as a non-global fallback',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-real-ip': '100.76.0.9' },
    expected: '100.76.0.9',
  },
  {
    name: 'shared space loses to a later global',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-real-ip': '100.76.0.9' },
    socketAddress: '8.8.4.4',
    expected: '8.8.4.4',
  },
  {
    name: '100.128.0.9 is global',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-real-ip': '100.128.0.9' },
    expected: '100.128.0.9',
  },
  {
    name: 'right-most without proxy count',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'right-most',
    headers: { 'x-forwarded-for': '177.139.233.139, 198.84.193.157, 198.84.193.158' },
    expected: '198.84.193.158',
  },
  {
    name: 'proxy count 1, no proxy in header: skipped',
    precedence: ALL_SOURCES,
    proxyCount: 1,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139' },
    expected: null,
  },
  {
    name: 'proxy count 1, two proxies: skipped (strict)',
    precedence: ALL_SOURCES,
    proxyCount: 1,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139, 198.84.193.157, 198.84.193.158' },
    expected: null,
  },
  {
    name: 'proxy count 1, exactly one proxy',
    precedence: ALL_SOURCES,
    proxyCount: 1,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139, 198.84.193.157' },
    expected: '177.139.233.139',
  },
  {
    name: 'proxy count 0, single address',
    precedence: ALL_SOURCES,
    proxyCount: 0,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139' },
    expected: '177.139.233.139',
  },
  {
    name: 'proxy count 0, three addresses: skipped',
    precedence: ALL_SOURCES,
    proxyCount: 0,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139, 198.84.193.157, 198.84.193.158' },
    expected: null,
  },
  {
    name: 'proxy count 1 applies to REMOTE_ADDR too',
    precedence: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
    proxyCount: 1,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139, 198.84.193.157, 198.84.193.158' },
    socketAddress: '177.139.233.133',
    expected: null,
  },
  {
    name: 'proxy count 1, right-most: the right-most address',
    precedence: ALL_SOURCES,
    proxyCount: 1,
    trustedProxies: null,
    proxyOrder: 'right-most',
    headers: { 'x-forwarded-for': '177.139.233.139, 198.84.193.157' },
    expected: '198.84.193.157',
  },
  {
    name: 'trusted proxies match',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: ['198.84.193.157', '198.84.193.158'],
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139, 198.84.193.157, 198.84.193.158' },
    expected: '177.139.233.139',
  },
  {
    name: 'trusted proxies, one extra address: skipped (strict)',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: ['198.84.193.157', '198.84.193.158'],
    proxyOrder: 'left-most',
    headers: {
      'x-forwarded-for': '177.138.233.138, 177.139.233.139, 198.84.193.157, 198.84.193.158',
    },
    expected: null,
  },
  {
    name: 'trusted proxies and matching proxy count',
    precedence: ALL_SOURCES,
    proxyCount: 2,
    trustedProxies: ['198.84.193.157', '198.84.193.158'],
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139, 198.84.193.157, 198.84.193.158' },
    expected: '177.139.233.139',
  },
  {
    name: 'trusted proxies and conflicting proxy count',
    precedence: ALL_SOURCES,
    proxyCount: 1,
    trustedProxies: ['198.84.193.157', '198.84.193.158'],
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139, 198.84.193.157, 198.84.193.158' },
    expected: null,
  },
  {
    name: 'untrusted last hop: skipped',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: ['198.84.193.157', '198.84.193.158'],
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139, 198.84.193.157, 74.1.1.1' },
    expected: null,
  },
  {
    name: 'trusted proxies compared pairwise in order',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: ['198.84.193.157', '198.84.193.158'],
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139, 198.84.193.158, 198.84.193.157' },
    expected: null,
  },
  {
    name: 'trusted proxies are string prefixes',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: ['198.84.', '10.0.0.1'],
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139, 198.84.7.7, 10.0.0.123' },
    expected: '177.139.233.139',
  },
  {
    name: 'empty trusted prefix trusts anything',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: [''],
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139, 203.0.113.50' },
    expected: '177.139.233.139',
  },
  {
    name: 'trusted proxies, right-most',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: ['198.84.193.157', '198.84.193.158'],
    proxyOrder: 'right-most',
    headers: { 'x-forwarded-for': '198.84.193.158, 198.84.193.157, 177.139.233.139' },
    expected: '177.139.233.139',
  },
  {
    name: 'trusted proxies, right-most, left-most order in header: skipped',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: ['198.84.193.157', '198.84.193.158'],
    proxyOrder: 'right-most',
    headers: { 'x-forwarded-for': '177.139.233.139, 198.84.193.157, 198.84.193.158' },
    expected: null,
  },
  {
    name: 'IPv6 single header',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '3ffe:1900:4545:3:200:f8ff:fe21:67cf, 2606:4700:4700::1111' },
    expected: '3ffe:1900:4545:3:200:f8ff:fe21:67cf',
  },
  {
    name: 'IPv6 invalid REMOTE_ADDR ignored',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: {
      'x-forwarded-for':
        '3ffe:1900:4545:3:200:f8ff:fe21:67cf, 2606:4700:4700::1111, 2001:4860:4860::8888',
    },
    socketAddress: '74dc:2bc',
    expected: '3ffe:1900:4545:3:200:f8ff:fe21:67cf',
  },
  {
    name: 'IPv6 invalid entry skips header',
    precedence: ['HTTP_X_FORWARDED_FOR', 'HTTP_X_REAL_IP', 'REMOTE_ADDR'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: {
      'x-forwarded-for': '2001:db8:, ::1',
      'x-real-ip':
        '3ffe:1900:4545:3:200:f8ff:fe21:67cf, 2606:4700:4700::1111, 2001:4860:4860::8888',
    },
    socketAddress: '74dc:2bc',
    expected: '3ffe:1900:4545:3:200:f8ff:fe21:67cf',
  },
  {
    name: 'IPv6 unknown entry skips header',
    precedence: ['HTTP_X_FORWARDED_FOR', 'HTTP_X_REAL_IP', 'REMOTE_ADDR'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: {
      'x-forwarded-for': 'unknown, 3ffe:1900:4545:3:200:f8ff:fe21:67cf',
      'x-real-ip': '2606:4700:4700::1111, 2001:4860:4860::8888',
    },
    socketAddress: '74dc:2bc',
    expected: '2606:4700:4700::1111',
  },
  {
    name: 'IPv6 loopback, later global wins',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '::1', 'x-real-ip': '3ffe:1900:4545:3:200:f8ff:fe21:67cf' },
    expected: '3ffe:1900:4545:3:200:f8ff:fe21:67cf',
  },
  {
    name: 'IPv6 proxy count 1, single entries everywhere',
    precedence: ALL_SOURCES,
    proxyCount: 1,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: {
      'x-forwarded-for': '3ffe:1900:4545:3:200:f8ff:fe21:67cf',
      'x-real-ip': '2606:4700:4700::1111',
    },
    expected: null,
  },
  {
    name: 'IPv6 trusted proxies',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: ['2606:4700:4700::1111', '2001:4860:4860::8888'],
    proxyOrder: 'left-most',
    headers: {
      'x-forwarded-for':
        '3ffe:1900:4545:3:200:f8ff:fe21:67cf, 2606:4700:4700::1111, 2001:4860:4860::8888',
    },
    expected: '3ffe:1900:4545:3:200:f8ff:fe21:67cf',
  },
  {
    name: 'IPv6 trusted proxies, too long: skipped',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: ['2606:4700:4700::1111', '2001:4860:4860::8888'],
    proxyOrder: 'left-most',
    headers: {
      'x-forwarded-for':
        '2001:4860:4860::7777,3ffe:1900:4545:3:200:f8ff:fe21:67cf, 2606:4700:4700::1111, 2001:4860:4860::8888',
    },
    expected: null,
  },
  {
    name: 'IPv6 untrusted last hop',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: ['2606:4700:4700::1111', '2001:4860:4860::8888'],
    proxyOrder: 'left-most',
    headers: {
      'x-forwarded-for': '3ffe:1900:4545:3:200:f8ff:fe21:67cf, 2606:4700:4700::1111, 74dc::2bb',
    },
    expected: null,
  },
  {
    name: 'IPv6 trusted prefix compares canonical text',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: ['2606:4700:4700::'],
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '2a00:1450::1, 2606:4700:4700:0:0:0:0:1111' },
    expected: '2a00:1450::1',
  },
  {
    name: 'IPv4-mapped loopback',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '::ffff:127.0.0.1' },
    expected: '127.0.0.1',
  },
  {
    name: 'IPv4-mapped global',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '::ffff:177.139.233.139' },
    expected: '177.139.233.139',
  },
  {
    name: 'IPv4-mapped hex form',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '::FFFF:B18B:E98B' },
    expected: '177.139.233.139',
  },
  {
    name: 'bracketed IPv4-mapped with port',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '[::ffff:177.139.233.139]:80' },
    expected: '177.139.233.139',
  },
  {
    name: 'bracketed IPv6 with port',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: {
      'x-forwarded-for':
        '[3ffe:1900:4545:3:200:f8ff:fe21:67cf]:443, 2606:4700:4700::1111, 2001:4860:4860::8888',
    },
    expected: '3ffe:1900:4545:3:200:f8ff:fe21:67cf',
  },
  {
    name: 'bracketed loopback with port',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '[::1]:80' },
    expected: '::1',
  },
  {
    name: 'bracketed IPv6 without port is invalid',
    precedence: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '[2606:4700:4700::1111]' },
    socketAddress: '10.1.1.1',
    expected: '10.1.1.1',
  },
  {
    name: 'bracketed IPv4 is invalid',
    precedence: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '[177.139.233.139]:80' },
    socketAddress: '10.1.1.1',
    expected: '10.1.1.1',
  },
  {
    name: 'IPv4 with port',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139:80' },
    expected: '177.139.233.139',
  },
  {
    name: 'IPv4 private with port',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '10.0.0.1:443, 10.0.0.1, 10.0.0.2' },
    expected: '10.0.0.1',
  },
  {
    name: 'IPv4 loopback with port',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '127.0.0.1:80' },
    expected: '127.0.0.1',
  },
  {
    name: 'the port is not validated (IPv4)',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139:not-a-port' },
    expected: '177.139.233.139',
  },
  {
    name: 'the port is not validated (IPv6)',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '[2606:4700:4700::1111]:x:y' },
    expected: '2606:4700:4700::1111',
  },
  {
    name: 'every [ is dropped before ]:',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '[[2606:4700:4700::1111]:80' },
    expected: '2606:4700:4700::1111',
  },
  {
    name: 'zone id dropped',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': 'fe80::1%eth0' },
    expected: 'fe80::1',
  },
  {
    name: 'IPv6 output is canonical',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '2606:4700:4700:0000:0000:0000:0000:1111' },
    expected: '2606:4700:4700::1111',
  },
  {
    name: 'IPv4-compatible IPv6 is global',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '::8.8.8.8' },
    expected: '::808:808',
  },
  {
    name: 'multicast counts as global',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '224.0.0.1' },
    socketAddress: '8.8.8.8',
    expected: '224.0.0.1',
  },
  {
    name: 'whitespace around entries and value',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '  177.139.233.139 ,\t198.84.193.157  ' },
    expected: '177.139.233.139',
  },
  {
    name: 'Python whitespace (NBSP, U+2028, U+001C) is trimmed',
    precedence: ALL_SOURCES,
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '\u00a0177.139.233.139\u2028,\u001c198.84.193.157' },
    expected: '177.139.233.139',
  },
  {
    name: 'BOM is not Python whitespace: invalid',
    precedence: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '\ufeff177.139.233.139' },
    socketAddress: '10.9.9.9',
    expected: '10.9.9.9',
  },
  {
    name: 'empty entry invalidates the header',
    precedence: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139,,198.84.193.157' },
    socketAddress: '10.9.9.9',
    expected: '10.9.9.9',
  },
  {
    name: 'trailing comma invalidates the header',
    precedence: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139,' },
    socketAddress: '10.9.9.9',
    expected: '10.9.9.9',
  },
  {
    name: 'empty and blank values are skipped',
    precedence: ['HTTP_X_FORWARDED_FOR', 'HTTP_X_REAL_IP', 'REMOTE_ADDR'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '', 'x-real-ip': '   ' },
    socketAddress: '10.9.9.9',
    expected: '10.9.9.9',
  },
  {
    name: 'private REMOTE_ADDR first falls through to a spoofable header',
    precedence: ['REMOTE_ADDR', 'HTTP_X_FORWARDED_FOR'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '8.8.8.8' },
    socketAddress: '10.0.0.5',
    expected: '8.8.8.8',
  },
  {
    name: 'NUL byte invalidates the entry',
    precedence: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    headers: { 'x-forwarded-for': '177.139.233.139\u0000' },
    socketAddress: '10.9.9.9',
    expected: '10.9.9.9',
  },
]

function resolveWith(options: Partial<IpResolverOptions>, source: IpSource): string | null {
  return createIpResolver({
    precedence: ['REMOTE_ADDR'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    ...options,
  })(source)
}

describe('createIpResolver: python-ipware strict-mode table', () => {
  it.each(TABLE)('$name', (row) => {
    const resolve = createIpResolver(row)
    expect(resolve({ headers: row.headers, socketAddress: row.socketAddress ?? null })).toBe(
      row.expected,
    )
  })
})

describe('createIpResolver: defaults and the socket address', () => {
  it("ignores a spoofed X-Forwarded-For with the default precedence ['REMOTE_ADDR']", () => {
    const source = {
      headers: { 'x-forwarded-for': '8.8.8.8', 'x-real-ip': '1.1.1.1' },
      socketAddress: '203.0.114.7',
    }
    expect(resolveWith({}, source)).toBe('203.0.114.7')
    expect(resolveWith({}, { ...source, socketAddress: '10.0.0.9' })).toBe('10.0.0.9')
    expect(resolveWith({}, { ...source, socketAddress: undefined })).toBeNull()
  })

  it('unmaps an IPv4-mapped socket address', () => {
    expect(resolveWith({}, { headers: {}, socketAddress: '::ffff:127.0.0.1' })).toBe('127.0.0.1')
    expect(resolveWith({}, { headers: {}, socketAddress: '::FFFF:8.8.8.8' })).toBe('8.8.8.8')
  })

  it('returns canonical IPv6 text for the socket address', () => {
    expect(resolveWith({}, { headers: {}, socketAddress: '2001:DB8:0:0::1' })).toBe('2001:db8::1')
    expect(resolveWith({}, { headers: {}, socketAddress: 'fe80::1%eth0' })).toBe('fe80::1')
    expect(resolveWith({}, { headers: {}, socketAddress: '::1' })).toBe('::1')
  })

  it('returns null for an empty, missing or invalid socket address', () => {
    for (const socketAddress of [undefined, null, '', '  ', 'unix:/tmp/sock', '1.2.3']) {
      expect(resolveWith({}, { headers: {}, socketAddress })).toBeNull()
    }
  })

  it('returns null when the precedence list is empty', () => {
    expect(resolveWith({ precedence: [] }, { headers: {}, socketAddress: '8.8.8.8' })).toBeNull()
  })
})

describe('createIpResolver: header lookup', () => {
  const both = { precedence: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'] }

  it('accepts Django META names and raw lower-case header names', () => {
    const source = { headers: { 'x-real-ip': '9.9.9.9' }, socketAddress: '10.0.0.1' }
    expect(resolveWith({ precedence: ['HTTP_X_REAL_IP'] }, source)).toBe('9.9.9.9')
    expect(resolveWith({ precedence: ['x-real-ip'] }, source)).toBe('9.9.9.9')
    expect(resolveWith({ precedence: ['X-Real-IP'] }, source)).toBe('9.9.9.9')
  })

  it('joins array values with commas', () => {
    const headers = { 'x-forwarded-for': ['177.139.233.139', '198.84.193.157'] }
    expect(resolveWith({ ...both, proxyCount: 1 }, { headers })).toBe('177.139.233.139')
    expect(resolveWith({ ...both, proxyCount: 0 }, { headers })).toBeNull()
    expect(
      resolveWith(both, { headers: { 'x-forwarded-for': [] }, socketAddress: '8.8.4.4' }),
    ).toBe('8.8.4.4')
  })

  it('ignores headers inherited through the prototype', () => {
    const headers = Object.create({ 'x-forwarded-for': '8.8.8.8' }) as Record<string, string>
    expect(resolveWith(both, { headers, socketAddress: '10.0.0.1' })).toBe('10.0.0.1')
  })

  it('treats non-string values as absent', () => {
    const headers = {
      'x-forwarded-for': 42,
      'x-real-ip': ['8.8.8.8', { toString: () => '1.1.1.1' }],
      'client-ip': { length: 1, 0: '8.8.8.8' },
    } as unknown as IpSource['headers']
    const precedence = ['HTTP_X_FORWARDED_FOR', 'HTTP_X_REAL_IP', 'HTTP_CLIENT_IP', 'REMOTE_ADDR']
    expect(resolveWith({ precedence }, { headers, socketAddress: '10.0.0.1' })).toBe('10.0.0.1')
    expect(
      resolveWith({ precedence }, { headers, socketAddress: 7 as unknown as string }),
    ).toBeNull()
  })
})

describe('createIpResolver: trusted proxies given as CIDR ranges (node-axes extension)', () => {
  const options = {
    precedence: ['HTTP_X_FORWARDED_FOR'],
    trustedProxies: ['10.0.0.0/8', '2001:db8::/32'],
  }

  it('accepts proxies inside the ranges', () => {
    const headers = { 'x-forwarded-for': '8.8.8.8, 10.20.30.40, 2001:db8:5::1' }
    expect(resolveWith(options, { headers })).toBe('8.8.8.8')
  })

  it('skips the header when a proxy is outside its range', () => {
    expect(
      resolveWith(options, { headers: { 'x-forwarded-for': '8.8.8.8, 11.0.0.1, 2001:db8::1' } }),
    ).toBeNull()
    expect(
      resolveWith(options, { headers: { 'x-forwarded-for': '8.8.8.8, 2001:db8::1, 10.0.0.1' } }),
    ).toBeNull()
  })

  it('mixes string prefixes and ranges', () => {
    const mixed = {
      precedence: ['HTTP_X_FORWARDED_FOR'],
      trustedProxies: ['172.16.', '10.0.0.0/8'],
    }
    expect(
      resolveWith(mixed, { headers: { 'x-forwarded-for': '1.1.1.1, 172.16.9.9, 10.1.1.1' } }),
    ).toBe('1.1.1.1')
  })
})

describe('createIpResolver: robustness', () => {
  const options = { precedence: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'] }

  it('skips a 1 MB header quickly', () => {
    const headers = { 'x-forwarded-for': `8.8.8.8,${' '.repeat(1024 * 1024)}` }
    const started = performance.now()
    expect(resolveWith(options, { headers, socketAddress: '10.0.0.1' })).toBe('10.0.0.1')
    expect(performance.now() - started).toBeLessThan(100)
  })

  it('skips a 10,000-entry header quickly', () => {
    const headers = { 'x-forwarded-for': Array(10_000).fill('1.1.1.1').join(',') }
    const started = performance.now()
    expect(resolveWith(options, { headers, socketAddress: '10.0.0.1' })).toBe('10.0.0.1')
    const asArray = { 'x-forwarded-for': Array(10_000).fill('1.1.1.1') }
    expect(resolveWith(options, { headers: asArray, socketAddress: '10.0.0.1' })).toBe('10.0.0.1')
    expect(performance.now() - started).toBeLessThan(100)
  })

  it('accepts 100 entries but not 101', () => {
    const list = (n: number) => ['8.8.8.8', ...Array(n - 1).fill('10.0.0.1')].join(', ')
    expect(resolveWith(options, { headers: { 'x-forwarded-for': list(100) } })).toBe('8.8.8.8')
    expect(resolveWith(options, { headers: { 'x-forwarded-for': list(101) } })).toBeNull()
  })

  it('accepts 8192 characters but not 8193', () => {
    const padded = (n: number) => `8.8.8.8${' '.repeat(n - 7)}`
    expect(resolveWith(options, { headers: { 'x-forwarded-for': padded(8192) } })).toBe('8.8.8.8')
    expect(resolveWith(options, { headers: { 'x-forwarded-for': padded(8193) } })).toBeNull()
  })

  it('never throws on hostile input', () => {
    const resolve = createIpResolver({
      precedence: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
      proxyCount: null,
      trustedProxies: null,
      proxyOrder: 'right-most',
    })
    const throwing = Object.defineProperty({}, 'x-forwarded-for', {
      enumerable: true,
      get() {
        throw new Error('boom')
      },
    })
    const inputs: unknown[] = [
      undefined,
      null,
      {},
      { headers: null },
      { headers: 'x-forwarded-for: 8.8.8.8' },
      { headers: throwing, socketAddress: '8.8.8.8' },
      { headers: { 'x-forwarded-for': '\u0000' } },
      { headers: { 'x-forwarded-for': '8.8.8.8\u0000, 1.1.1.1' } },
      { headers: { 'x-forwarded-for': '\ud800' } },
      { headers: { 'x-forwarded-for': ','.repeat(1_000_000) } },
      { headers: { 'x-forwarded-for': '['.repeat(5000) } },
      { headers: { 'x-forwarded-for': ']:'.repeat(4000) } },
      { headers: {}, socketAddress: '1'.repeat(1_000_000) },
      { headers: {}, socketAddress: { toString: () => '8.8.8.8' } },
    ]
    for (const input of inputs) {
      expect(() => resolve(input as IpSource)).not.toThrow()
      expect(resolve(input as IpSource)).toBeNull()
    }
  })
})

describe('createIpResolver: option validation', () => {
  const base: IpResolverOptions = {
    precedence: ['REMOTE_ADDR'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
  }

  it('rejects malformed options at creation', () => {
    expect(() => createIpResolver({ ...base, proxyCount: -1 })).toThrow(INVALID_ARGUMENT)
    expect(() => createIpResolver({ ...base, proxyCount: 1.5 })).toThrow(INVALID_ARGUMENT)
    expect(() => createIpResolver({ ...base, proxyCount: Number.NaN })).toThrow(INVALID_ARGUMENT)
    expect(() =>
      createIpResolver({ ...base, proxyOrder: 'middle' as IpResolverOptions['proxyOrder'] }),
    ).toThrow(INVALID_ARGUMENT)
    expect(() => createIpResolver({ ...base, trustedProxies: ['10.0.0.0/33'] })).toThrow(
      INVALID_ARGUMENT,
    )
    expect(() => createIpResolver({ ...base, trustedProxies: [5 as unknown as string] })).toThrow(
      INVALID_ARGUMENT,
    )
    expect(() => createIpResolver({ ...base, precedence: [''] })).toThrow(INVALID_ARGUMENT)
    expect(() =>
      createIpResolver({ ...base, precedence: 'REMOTE_ADDR' as unknown as string[] }),
    ).toThrow(INVALID_ARGUMENT)
  })

  it('accepts proxyCount 0 and an empty trusted list', () => {
    expect(() => createIpResolver({ ...base, proxyCount: 0, trustedProxies: [] })).not.toThrow()
  })
})

describe('headerNameForPrecedenceKey', () => {
  it.each([
    ['REMOTE_ADDR', null],
    ['remote_addr', null],
    ['HTTP_X_FORWARDED_FOR', 'x-forwarded-for'],
    ['HTTP_X_REAL_IP', 'x-real-ip'],
    ['HTTP_CF_CONNECTING_IP', 'cf-connecting-ip'],
    ['HTTP_FORWARDED', 'forwarded'],
    ['X_FORWARDED_FOR', 'x-forwarded-for'],
    ['X-REAL-IP', 'x-real-ip'],
    ['True-Client-IP', 'true-client-ip'],
    ['x-real-ip', 'x-real-ip'],
    ['fly-client-ip', 'fly-client-ip'],
  ])('%s -> %s', (key, expected) => {
    expect(headerNameForPrecedenceKey(key)).toBe(expected)
  })
})
