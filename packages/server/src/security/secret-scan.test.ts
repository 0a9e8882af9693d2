import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClientSecret, maskSecret } from './client-secrets.js';
import { findSecretsInText, scanForSecrets } from './secret-scan.js';

const leaked = generateClientSecret();
const second = generateClientSecret();
const inModules = generateClientSecret();
/** The right shape, a wrong checksum: what a random string or a placeholder looks like. */
const lookalike = `${leaked.slice(0, -1)}${leaked.endsWith('0') ? '1' : '0'}`;

let root: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'tessera-scan-'));
  const write = (file: string, content: string | Buffer) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  };
  write('README.md', `# Demo\nNo secrets here, only a lookalike: ${lookalike}\n`);
  write('config/.env', `PORT=3000\r\nCLIENT_SECRET=${leaked}\r\n`);
  write('src/app.ts', `const a = 1;\n  const both = ['${second}', "${leaked}"];\n`);
  write('node_modules/pkg/index.js', `module.exports = '${inModules}';\n`);
  write('.git/config', `[remote] token = ${inModules}\n`);
  write('dist/bundle.bin', Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(leaked)]));
  write('logs/huge.log', `${'x'.repeat(2000)}\n${leaked}\n`);
  symlinkSync(path.join(root, 'config'), path.join(root, 'linked-config'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('findSecretsInText', () => {
  it('reports 1-based line and column of checksum-valid secrets only', () => {
    const text = `first line\n\nkey: ${leaked} ${lookalike}\nx${leaked}\n\t${second}`;
    expect(findSecretsInText(text)).toEqual([
      { line: 3, column: 6, secret: leaked },
      { line: 5, column: 2, secret: second },
    ]);
    expect(findSecretsInText('')).toEqual([]);
  });
});

describe('scanForSecrets', () => {
  it('finds secrets with file, line and column, masked, and ignores lookalikes', async () => {
    const report = await scanForSecrets(root, { maxFileBytes: 1000 });
    expect(report.findings).toEqual([
      { file: 'config/.env', line: 2, column: 15, masked: maskSecret(leaked) },
      { file: 'src/app.ts', line: 2, column: 18, masked: maskSecret(second) },
      { file: 'src/app.ts', line: 2, column: 69, masked: maskSecret(leaked) },
    ]);
    expect(JSON.stringify(report)).not.toContain(leaked);
    expect(report.filesScanned).toBe(3);
    expect(report.skipped).toEqual(expect.arrayContaining([
      { file: '.git', reason: 'skipped_directory' },
      { file: 'node_modules', reason: 'skipped_directory' },
      { file: 'dist/bundle.bin', reason: 'binary' },
      { file: 'logs/huge.log', reason: 'too_large' },
      { file: 'linked-config', reason: 'symbolic_link' },
    ]));
  });

  it('walks node_modules and .git when asked, and large files under the default limit', async () => {
    const report = await scanForSecrets(root, { includeSkippedDirectories: true });
    const files = report.findings.map((finding) => finding.file);
    expect(files).toEqual(['.git/config', 'config/.env', 'logs/huge.log', 'node_modules/pkg/index.js', 'src/app.ts', 'src/app.ts']);
    expect(report.findings[0]?.masked).toBe(maskSecret(inModules));
  });

  it('scans a single file, and refuses a path that does not exist', async () => {
    const report = await scanForSecrets(path.join(root, 'config/.env'));
    expect(report.findings).toEqual([{ file: '.env', line: 2, column: 15, masked: maskSecret(leaked) }]);
    await expect(scanForSecrets(path.join(root, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
