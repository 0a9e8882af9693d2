import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { effectiveMfa } from '../config/mfa-settings.js';
import { assuranceNeed, isSatisfied } from '../identity/factors/assurance.js';
import { splitScope } from './oidc-scopes.js';
import type { TenantSnapshot } from './tenant-snapshot.js';

const { base, Prompt, Check } = interactionPolicy;

/**
 * oidc-provider's sign-in and consent prompts, plus one rule for `offline_access`.
 *
 * oidc-provider drops `offline_access` unless the request also says `prompt=consent`
 * (OIDC Core §11). MSAL and most SDKs send `offline_access` without it and expect a refresh
 * token, as Entra ID and Auth0 give. §11 allows offline access when "other conditions for
 * processing the request permitting offline access" are in place; here that condition is
 * explicit consent: the scope is put back before the consent prompt is evaluated, so the
 * consent page asks for it ("Stay signed in…") unless this user already granted it to this app.
 */
export function createInteractionPolicy(snapshot: TenantSnapshot) {
  const policy = base();
  // Step-up (docs/mfa.md): a session whose amr falls short of what this application's MFA policy
  // or the request's acr_values ask for goes back to the sign-in pages, which ask for the missing
  // factor (or honour a remembered device where the policy allows it) instead of issuing silently.
  policy.get('login')!.checks.add(new Check('assurance_unmet', 'the session lacks the factors this sign-in asks for', async (ctx) => {
    const session = ctx.oidc.session;
    if (!session?.accountId) return Check.NO_NEED_TO_PROMPT;
    const app = ctx.oidc.client ? await snapshot.findApplication(ctx.oidc.client.clientId) : undefined;
    const need = assuranceNeed(effectiveMfa(snapshot.tenant.accountSettings.mfa, app?.mfa), ctx.oidc.params?.acr_values);
    return isSatisfied(need, session.amr ?? []) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
  }));
  policy.add(new Prompt({ name: 'offline_access', requestable: false },
    new Check('offline_access_requested', 'offline_access needs the user’s consent', (ctx) => {
      restoreOfflineAccess(ctx);
      return Check.NO_NEED_TO_PROMPT;
    })), 0);
  return policy;
}

function restoreOfflineAccess(ctx: KoaContextWithOIDC): void {
  const { params, client } = ctx.oidc;
  if (!params || !client?.grantTypeAllowed('refresh_token')) return;
  if (typeof params.response_type === 'string' && !params.response_type.split(' ').includes('code')) return;
  const original = ctx.method === 'POST' ? (ctx.oidc.body as Record<string, unknown> | undefined)?.scope : ctx.query.scope;
  if (!splitScope(original).includes('offline_access')) return;
  const scopes = splitScope(params.scope);
  if (!scopes.includes('offline_access')) params.scope = [...scopes, 'offline_access'].join(' ');
}
