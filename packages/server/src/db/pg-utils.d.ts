/** node-postgres's parameter serializer, which `@types/pg` does not describe. */
declare module 'pg/lib/utils.js' {
  const utils: {
    /** JSON for objects, array literals for arrays, buffers as they are, strings for the rest. */
    prepareValue(value: unknown): string | Buffer | null;
  };
  export default utils;
}
