import type { AnyResourceSpec } from '../resource.js';
import { apisResource } from './apis.js';
import { certificatesResource, secretsResource } from './application-credentials.js';
import { applicationsResource } from './applications.js';
import { auditEventsResource } from './audit-events.js';
import { adminConsentsResource, userConsentsResource } from './consents.js';
import { groupMembersResource, groupsResource, userGroupsResource } from './groups.js';
import { rolesResource } from './roles.js';
import { tenantsResource } from './tenants.js';
import { userSessionsResource } from './user-sessions.js';
import { usersResource } from './users.js';

/** Every management resource, in the order the reference lists them. */
export const MANAGEMENT_RESOURCES: AnyResourceSpec[] = [
  tenantsResource, applicationsResource, secretsResource, certificatesResource, apisResource,
  usersResource, userSessionsResource, userGroupsResource, groupsResource, groupMembersResource, rolesResource,
  adminConsentsResource, userConsentsResource, auditEventsResource,
];
