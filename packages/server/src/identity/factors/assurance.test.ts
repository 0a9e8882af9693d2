import { describe, expect, it } from 'vitest';
import { MfaSettingsSchema } from '../../config/mfa-settings.js';
import { ACR, acrFor, assuranceNeed, combineAmr, isSatisfied, levelOf, requestedLevel } from './assurance.js';

const mfa = (policy: 'off' | 'optional' | 'required') => MfaSettingsSchema.parse({ policy });

describe('assuranceNeed', () => {
  it('asks a user who enrolled a strong factor for it under the optional policy', () => {
    expect(assuranceNeed(mfa('optional'), undefined, true).policyLevel).toBe(2);
    expect(isSatisfied(assuranceNeed(mfa('optional'), undefined, true), ['pwd'])).toBe(false);
    expect(isSatisfied(assuranceNeed(mfa('optional'), undefined, true), combineAmr(['pwd'], ['otp']))).toBe(true);
  });

  it('lets a user without a strong factor in with one factor under the optional policy', () => {
    expect(assuranceNeed(mfa('optional')).policyLevel).toBe(1);
    expect(isSatisfied(assuranceNeed(mfa('optional'), undefined, false), ['pwd'])).toBe(true);
  });

  it('asks for two factors under required, with or without an enrolled factor, and never under off', () => {
    expect(assuranceNeed(mfa('required'), undefined, false).policyLevel).toBe(2);
    expect(assuranceNeed(mfa('required'), undefined, true).policyLevel).toBe(2);
    expect(assuranceNeed(mfa('off'), undefined, true).policyLevel).toBe(1);
  });

  it('lets a remembered device stand in for the enrolled factor, but not for acr_values', () => {
    expect(isSatisfied(assuranceNeed(mfa('optional'), undefined, true), ['pwd'], true)).toBe(true);
    expect(isSatisfied(assuranceNeed(mfa('optional'), ACR.multi, true), ['pwd'], true)).toBe(false);
  });
});

describe('amr and acr', () => {
  it('adds mfa for a password and an authenticator code, and issues the multi-factor acr', () => {
    const amr = combineAmr(['pwd'], ['otp']);
    expect(amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(levelOf(amr)).toBe(2);
    expect(acrFor(amr)).toBe(ACR.multi);
    expect(requestedLevel(`${ACR.multi} unknown`)).toBe(2);
  });
});
