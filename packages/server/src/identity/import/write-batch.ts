import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { recordAuditEvents, type AuditEvent } from '../../audit/audit-log.js';
import type { Db } from '../../db/database.js';
import { createTenantRepository } from '../../db/repositories/tenants.js';
import { newSecurityStamp } from '../../db/repositories/users.js';
import { planChange, type ExistingUser, type PlanOptions, type UserChanges } from './plan-change.js';
import type { ImportRecord, RowProblem } from './validate-rows.js';

export interface BatchCounts {
  created: number;
  updated: number;
  unchanged: number;
  skipped: RowProblem[];
  /** Users whose stored password differs from the file's and was kept (see plan-change.ts). */
  passwordsKept: string[];
}

export interface BatchContext extends PlanOptions {
  tenantId: string;
  actor: string;
  now: Date;
}

/** Rows per INSERT statement: 13 parameters a row stays far below PostgreSQL's 65 535. */
const INSERT_CHUNK = 1000;

/**
 * Applies one batch inside the caller's transaction: one query finds every user the batch may
 * match, then one INSERT per thousand new users, one UPDATE per changed user, one statement
 * for all audit events and one revision bump (tenant caches must see the new users).
 */
export async function writeBatch(trx: Db, records: ImportRecord[], context: BatchContext): Promise<BatchCounts> {
  const counts: BatchCounts = { created: 0, updated: 0, unchanged: 0, skipped: [], passwordsKept: [] };
  const index = await loadMatches(trx, context.tenantId, records);
  const inserts: ReturnType<typeof toInsertRow>[] = [];
  const events: AuditEvent[] = [];
  for (const record of records) {
    const plan = planChange(record, {
      byEmail: record.email === undefined ? undefined : index.get(`email:${record.email.toLowerCase()}`),
      byUsername: record.username === undefined ? undefined : index.get(`username:${record.username.toLowerCase()}`),
    }, context);
    if ((plan.kind === 'update' || plan.kind === 'unchanged') && plan.passwordKept) counts.passwordsKept.push(record.ref);
    if (plan.kind === 'skip') counts.skipped.push({ ref: record.ref, reason: plan.reason });
    else if (plan.kind === 'unchanged') counts.unchanged++;
    else if (plan.kind === 'create') {
      const row = toInsertRow(context, record);
      inserts.push(row);
      remember(index, { ...row, emailVerified: row.email_verified, passwordHash: row.password_hash, roles: record.roles ?? [] });
      events.push({ tenantId: context.tenantId, type: 'user.imported', actor: context.actor, subject: row.id });
      counts.created++;
    } else {
      await updateUser(trx, plan.user.id, plan.changes, context.now);
      forget(index, plan.user);
      remember(index, { ...plan.user, ...plan.changes });
      events.push({ tenantId: context.tenantId, type: 'user.updated', actor: context.actor, subject: plan.user.id, data: { source: 'import', fields: Object.keys(plan.changes) } });
      counts.updated++;
    }
  }
  for (let start = 0; start < inserts.length; start += INSERT_CHUNK) {
    await trx.insertInto('users').values(inserts.slice(start, start + INSERT_CHUNK)).execute();
  }
  if (events.length) {
    await recordAuditEvents(trx, events);
    await createTenantRepository(trx).bumpRevision(context.tenantId);
  }
  return counts;
}

type MatchIndex = Map<string, ExistingUser>;

async function loadMatches(trx: Db, tenantId: string, records: ImportRecord[]): Promise<MatchIndex> {
  const emails = records.flatMap((record) => (record.email === undefined ? [] : [record.email.toLowerCase()]));
  const usernames = records.flatMap((record) => (record.username === undefined ? [] : [record.username.toLowerCase()]));
  const rows = await trx.selectFrom('users')
    .select(['id', 'username', 'email', 'email_verified', 'name', 'password_hash', 'roles', 'disabled'])
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([
      ...(emails.length ? [eb(sql`lower(email)`, 'in', emails)] : []),
      ...(usernames.length ? [eb(sql`lower(username)`, 'in', usernames)] : []),
    ]))
    .execute();
  const index: MatchIndex = new Map();
  for (const row of rows) {
    remember(index, {
      id: row.id, username: row.username, email: row.email, emailVerified: row.email_verified, name: row.name,
      passwordHash: row.password_hash, roles: row.roles, disabled: row.disabled,
    });
  }
  return index;
}

function remember(index: MatchIndex, user: ExistingUser): void {
  if (user.email) index.set(`email:${user.email.toLowerCase()}`, user);
  if (user.username) index.set(`username:${user.username.toLowerCase()}`, user);
}

function forget(index: MatchIndex, user: ExistingUser): void {
  if (user.email) index.delete(`email:${user.email.toLowerCase()}`);
  if (user.username) index.delete(`username:${user.username.toLowerCase()}`);
}

function toInsertRow(context: BatchContext, record: ImportRecord) {
  return {
    id: randomUUID(),
    tenant_id: context.tenantId,
    username: record.username ?? null,
    email: record.email ?? null,
    email_verified: record.emailVerified ?? false,
    name: record.name ?? null,
    password_hash: record.passwordHash ?? null,
    roles: JSON.stringify(record.roles ?? []),
    disabled: record.disabled ?? false,
    security_stamp: newSecurityStamp(),
    password_changed_at: record.passwordHash ? context.now : null,
    created_at: context.now,
    updated_at: context.now,
  };
}

/** A new password or email rotates the security stamp: links and sessions made before are void (ASVS V3.3.3). */
async function updateUser(trx: Db, id: string, changes: UserChanges, now: Date): Promise<void> {
  const rotates = changes.passwordHash !== undefined || changes.email !== undefined;
  await trx.updateTable('users').set({
    username: changes.username,
    email: changes.email,
    email_verified: changes.emailVerified,
    name: changes.name,
    password_hash: changes.passwordHash,
    roles: changes.roles === undefined ? undefined : JSON.stringify(changes.roles),
    disabled: changes.disabled,
    ...(rotates ? { security_stamp: newSecurityStamp() } : {}),
    ...(changes.passwordHash !== undefined ? { password_changed_at: now } : {}),
    updated_at: now,
  }).where('id', '=', id).execute();
}
