import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { SECRET_PATTERN, isWellFormedSecret, maskSecret } from './client-secrets.js';

/** Directories nobody commits secrets to on purpose, and which are large: skipped unless asked. */
export const DEFAULT_SKIPPED_DIRECTORIES = ['node_modules', '.git'] as const;
/** Files above this size are skipped (logs, dumps, bundles); `maxFileBytes` changes it. */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Like git: a NUL byte in the first 8000 bytes makes a file binary. */
const BINARY_SNIFF_BYTES = 8000;

export interface ScanOptions {
  /** Also walk node_modules and .git. */
  includeSkippedDirectories?: boolean;
  maxFileBytes?: number;
}

export interface SecretFinding {
  /** Relative to the scanned root (the file name when a single file was scanned), `/`-separated. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters (UTF-16 code units) from the start of the line. */
  column: number;
  /** `tsr_abcd…wxyz`: enough to find the secret again, never the secret. */
  masked: string;
}

export interface SkippedPath {
  file: string;
  reason: 'binary' | 'too_large' | 'unreadable' | 'skipped_directory' | 'symbolic_link';
}

export interface ScanReport {
  findings: SecretFinding[];
  filesScanned: number;
  skipped: SkippedPath[];
}

/**
 * Where Tessera client secrets occur in a text: candidates from SECRET_PATTERN, kept only when
 * their checksum holds, so random lookalikes (`tsr_` + 43 letters) are not reported.
 *
 * @example findSecretsInText(`a\nkey=${secret}`) // [{ line: 2, column: 5, secret }]
 */
export function findSecretsInText(text: string): { line: number; column: number; secret: string }[] {
  const found: { line: number; column: number; secret: string }[] = [];
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  for (const match of text.matchAll(SECRET_PATTERN)) {
    if (!isWellFormedSecret(match[0])) continue;
    for (let i = text.indexOf('\n', scanned); i !== -1 && i < match.index; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    scanned = match.index;
    found.push({ line, column: match.index - lineStart + 1, secret: match[0] });
  }
  return found;
}

/**
 * Walks a directory tree (or reads one file) and reports every Tessera client secret in it —
 * the leak a tool like shhgit or GitHub secret scanning looks for. Symbolic links are not
 * followed (no loops, no escaping the tree); binary and oversized files are skipped and listed.
 */
export async function scanForSecrets(root: string, options: ScanOptions = {}): Promise<ScanReport> {
  const report: ScanReport = { findings: [], filesScanned: 0, skipped: [] };
  const rootStat = await stat(root);
  if (rootStat.isDirectory()) await scanDirectory(root, '', options, report);
  else await scanFile(root, path.basename(root), options, report);
  return report;
}

async function scanDirectory(absolute: string, relative: string, options: ScanOptions, report: ScanReport): Promise<void> {
  let entries;
  try {
    entries = await readdir(absolute, { withFileTypes: true });
  } catch {
    report.skipped.push({ file: relative || '.', reason: 'unreadable' });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    const full = path.join(absolute, entry.name);
    if (entry.isSymbolicLink()) report.skipped.push({ file: child, reason: 'symbolic_link' });
    else if (entry.isDirectory()) {
      const skip = !options.includeSkippedDirectories && (DEFAULT_SKIPPED_DIRECTORIES as readonly string[]).includes(entry.name);
      if (skip) report.skipped.push({ file: child, reason: 'skipped_directory' });
      else await scanDirectory(full, child, options, report);
    } else if (entry.isFile()) await scanFile(full, child, options, report);
  }
}

async function scanFile(absolute: string, relative: string, options: ScanOptions, report: ScanReport): Promise<void> {
  const text = await readTextFile(absolute, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  if (typeof text !== 'string') {
    report.skipped.push({ file: relative, reason: text.reason });
    return;
  }
  report.filesScanned++;
  for (const { line, column, secret } of findSecretsInText(text)) {
    report.findings.push({ file: relative, line, column, masked: maskSecret(secret) });
  }
}

async function readTextFile(file: string, maxBytes: number): Promise<string | { reason: SkippedPath['reason'] }> {
  let handle;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    if (size > maxBytes) return { reason: 'too_large' };
    const content = await handle.readFile();
    if (content.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return { reason: 'binary' };
    return content.toString('utf8');
  } catch {
    return { reason: 'unreadable' };
  } finally {
    await handle?.close();
  }
}
