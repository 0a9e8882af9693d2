/** Kysely table types for groups, group members and role definitions (migration 0005). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface GroupsRolesTables {}
