/** Standard base64 alphabet, padding optional (RFC 4648 §4). */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** passlib's "adapted base64": '.' instead of '+', no padding. */
const AB64 = /^[A-Za-z0-9./]*$/;

/** Decodes standard base64 (padding optional); undefined when the text is not base64. */
export function decodeBase64(text: string): Buffer | undefined {
  if (!BASE64.test(text) || text.length % 4 === 1) return undefined;
  return Buffer.from(text, 'base64');
}

/** Decodes passlib's ab64 (passlib.utils.binary.ab64_decode); undefined when invalid. */
export function decodeAb64(text: string): Buffer | undefined {
  if (!AB64.test(text) || text.length % 4 === 1) return undefined;
  return Buffer.from(text.replaceAll('.', '+'), 'base64');
}

/** Accepts standard or URL-safe base64 (RFC 4648 §5), as Firebase tools emit both. */
export function decodeAnyBase64(text: string): Buffer | undefined {
  return decodeBase64(text.replaceAll('-', '+').replaceAll('_', '/'));
}

/** Parses a decimal integer without sign, leading zeros beyond one digit, or overflow. */
export function parseDecimal(text: string | undefined): number | undefined {
  if (text === undefined || !/^(0|[1-9][0-9]{0,9})$/.test(text)) return undefined;
  return Number(text);
}
