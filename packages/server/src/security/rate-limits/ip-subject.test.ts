import { describe, expect, it } from 'vitest';
import { ipSubject } from './ip-subject.js';

describe('ipSubject', () => {
  it('keeps IPv4 addresses and unmaps IPv4-mapped IPv6 ones', () => {
    expect(ipSubject('192.0.2.1')).toBe('192.0.2.1');
    expect(ipSubject('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(ipSubject('::FFFF:c000:0201')).toBe('192.0.2.1');
  });

  it('counts IPv6 addresses by their /64, whatever their spelling', () => {
    expect(ipSubject('2001:db8:1:2:a::1')).toBe('2001:db8:1:2::/64');
    expect(ipSubject('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(ipSubject('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ipSubject('::1')).toBe('0:0:0:0::/64');
    expect(ipSubject('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(ipSubject('2001:db8:1:3::1')).not.toBe(ipSubject('2001:db8:1:2::1'));
  });

  it('passes anything else through (it is hashed like any key)', () => {
    expect(ipSubject('unknown')).toBe('unknown');
    expect(ipSubject('')).toBe('');
  });
});
