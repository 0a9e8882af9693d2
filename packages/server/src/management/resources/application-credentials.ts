import type { JWK } from 'jose';
import { z } from 'zod';
import { ApplicationFieldsSchema } from '../../config/declarative-config.js';
import { createApplicationRepository, isPublicClientType, type ApplicationWithCredentials } from '../../db/repositories/applications.js';
import { readCertificatePem, readPublicJwk } from '../../security/certificates.js';
import { DEFAULT_SECRET_LIFETIME_DAYS } from '../../security/client-secret-expiry.js';
import { generateClientSecret, hashClientSecret, secretHint } from '../../security/client-secrets.js';
import { CONFIG_LIMITS } from '../../config/declarative-config.js';
import { ManagementError, conflict, notFound } from '../management-error.js';
import { pageOf } from '../operations.js';
import { defineResource, type ManagementContext } from '../resource.js';

/** The application named in the path; 404 when there is none, 409 when it is public (no credentials). */
async function confidentialParent(ctx: ManagementContext): Promise<ApplicationWithCredentials> {
  const app = await createApplicationRepository(ctx.db).findByClientId(ctx.tenantId, ctx.parentKey ?? '');
  if (!app) throw notFound('application', ctx.parentKey ?? '');
  return app;
}

function assertConfidential(app: ApplicationWithCredentials): void {
  if (isPublicClientType(app.type)) {
    throw new ManagementError(409, 'application.public_client', `${app.clientId} is a ${app.type} application: a public client (OAuth 2.1 §2.1) holds no credential`);
  }
}

const SecretItemSchema = z.object({
  id: z.string(),
  hint: z.string().describe('the first characters, to tell secrets apart'),
  description: z.string().nullable(),
  expiresAt: z.string().nullable(),
});
type SecretItem = z.infer<typeof SecretItemSchema>;

const SecretCreateSchema = z.strictObject({
  description: z.string().max(1000).optional(),
  /** Days until the secret stops working; default 182 (about 6 months). */
  expiresInDays: z.number().int().min(1).max(3650).default(DEFAULT_SECRET_LIFETIME_DAYS),
});

const secretItem = (s: ApplicationWithCredentials['secrets'][number]): SecretItem => ({
  id: s.id, hint: s.hint, description: s.description, expiresAt: s.expiresAt ? new Date(s.expiresAt).toISOString() : null,
});

/** Client secrets: several at once, for rotation; stored as hashes; the value is shown once. */
export const secretsResource = defineResource({
  name: 'secrets',
  noun: 'application secret',
  area: 'applications',
  description: 'Client secrets of a confidential application. Several may be valid at once (rotate: add the new one, deploy it, delete the old one). The value (tsr_…, with a checksum secret scanners recognise) is in the create response only.',
  key: { name: 'secretId', description: 'the secret id' },
  keyOf: (item: SecretItem) => item.id,
  parent: { name: 'applications', key: 'clientId', noun: 'application' },
  affectsProvider: true,
  schemas: { item: SecretItemSchema, create: SecretCreateSchema },
  async list(ctx, { after, limit }) {
    const app = await confidentialParent(ctx);
    return pageOf(app.secrets.map(secretItem), (s) => s.id, { after, limit });
  },
  async get(ctx, id) {
    const secret = (await confidentialParent(ctx)).secrets.find((s) => s.id === id);
    return secret && secretItem(secret);
  },
  async create(ctx, input) {
    const app = await confidentialParent(ctx);
    assertConfidential(app);
    if (app.secrets.length >= CONFIG_LIMITS.secrets) {
      throw new ManagementError(409, 'application.too_many_secrets', `an application holds at most ${CONFIG_LIMITS.secrets} secrets; delete an old one first`);
    }
    const value = generateClientSecret();
    const expiresAt = new Date(ctx.now.getTime() + input.expiresInDays * 86_400_000);
    const id = await createApplicationRepository(ctx.db).insertSecret(app.id, {
      hash: hashClientSecret(value), hint: secretHint(value), description: input.description ?? null, expiresAt,
    });
    return { item: { id, hint: secretHint(value), description: input.description ?? null, expiresAt: expiresAt.toISOString() }, shownOnce: { value } };
  },
  async delete(ctx, current) {
    const app = await confidentialParent(ctx);
    await createApplicationRepository(ctx.db).deleteSecret(app.id, current.id);
  },
});

const CertificateItemSchema = z.object({
  id: z.string(),
  thumbprintSha1: z.string().describe('base64url; MSAL sends it as x5t'),
  thumbprintSha256: z.string().describe('base64url; sent as x5t#S256'),
  notAfter: z.string().nullable().describe('the certificate expiry; null for a bare JWK'),
  kind: z.enum(['certificate', 'jwk']),
});
type CertificateItem = z.infer<typeof CertificateItemSchema>;

const certificateItem = (c: ApplicationWithCredentials['certificates'][number]): CertificateItem => ({
  id: c.id, thumbprintSha1: c.thumbprintSha1, thumbprintSha256: c.thumbprintSha256,
  notAfter: c.notAfter ? new Date(c.notAfter).toISOString() : null, kind: c.pem ? 'certificate' : 'jwk',
});

/** Certificates (or public JWKs) for private_key_jwt client authentication. */
export const certificatesResource = defineResource({
  name: 'certificates',
  noun: 'application certificate',
  area: 'applications',
  description: 'Certificates (PEM) or public JWKs a confidential application signs its client assertions with (private_key_jwt). The thumbprint identifies the key (kid, x5t, x5t#S256); the expiry is tracked.',
  key: { name: 'certificateId', description: 'the certificate id' },
  keyOf: (item: CertificateItem) => item.id,
  parent: { name: 'applications', key: 'clientId', noun: 'application' },
  affectsProvider: true,
  schemas: { item: CertificateItemSchema, create: ApplicationFieldsSchema.shape.certificates.unwrap().element },
  async list(ctx, { after, limit }) {
    const app = await confidentialParent(ctx);
    return pageOf(app.certificates.map(certificateItem), (c) => c.id, { after, limit });
  },
  async get(ctx, id) {
    const certificate = (await confidentialParent(ctx)).certificates.find((c) => c.id === id);
    return certificate && certificateItem(certificate);
  },
  async create(ctx, input) {
    const app = await confidentialParent(ctx);
    assertConfidential(app);
    if (app.certificates.length >= CONFIG_LIMITS.certificates) {
      throw new ManagementError(409, 'application.too_many_certificates', `an application holds at most ${CONFIG_LIMITS.certificates} certificates; delete an old one first`);
    }
    const read = 'pem' in input ? readCertificatePem(input.pem) : await readPublicJwk(input.jwk as JWK);
    if (app.certificates.some((c) => c.thumbprintSha256 === read.thumbprintSha256)) throw conflict('application certificate', 'thumbprintSha256', read.thumbprintSha256);
    const id = await createApplicationRepository(ctx.db).insertCertificate(app.id, read);
    return { item: certificateItem({ ...read, id }) };
  },
  async delete(ctx, current) {
    const app = await confidentialParent(ctx);
    await ctx.db.deleteFrom('application_certificates').where('application_id', '=', app.id).where('id', '=', current.id).execute();
  },
});
