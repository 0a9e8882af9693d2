import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestServices, type TestServices } from '../../test/support/test-services.js';
import type { Services } from '../server/services.js';
import { applyConfig } from './apply-config.js';
import { ConfigFileError, parseConfigText } from './load-config-file.js';

/** An API's `allowedClients` in the configuration file: applications of the file or the database, kept when left out. */

let services: Services;
let opened: TestServices | undefined;

beforeAll(async () => {
  opened = await openTestServices('allowed-clients');
  services = opened.services;
});

afterAll(() => opened?.dispose());

const file = (api: string, applications = '') => parseConfigText(`
tenants:
  - id: ledger
    apis:
      - identifier: api://ledger
        name: Ledger
${api}
    applications:
${applications || '      []'}
`, 'tessera.yaml');
const apply = (text: ReturnType<typeof file>) => applyConfig(services, text, { fileName: 'tessera.yaml' });
const stored = async () => (await services.apis.list('ledger'))[0]?.allowedClients;

describe('allowedClients in the configuration file', () => {
  it('stores the list when every client id is an application of the file', async () => {
    await apply(file('        allowedClients: [ledger-job]', '      - { clientId: ledger-job, type: daemon }'));
    expect(await stored()).toEqual(['ledger-job']);
  });

  it('accepts an application that is only in the database, keeps the list when left out, and applies null', async () => {
    const again = await apply(file('        allowedClients: [ledger-job]'));
    expect(again.updated).toEqual([]);
    await apply(file(''));
    expect(await stored()).toEqual(['ledger-job']);
    await apply(file('        allowedClients: null'));
    expect(await stored()).toBeNull();
  });

  it('refuses a client id that is no application of the tenant, naming where, and changes nothing', async () => {
    const error = await apply(file('        allowedClients: [ledger-job, ghost]')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigFileError);
    expect((error as ConfigFileError).problems).toEqual([
      { path: 'tenants[0].apis[0].allowedClients[1]', message: 'no application "ghost" in tenant "ledger" (in the file or the database)' },
    ]);
    expect(await stored()).toBeNull();
  });

  it('refuses a malformed or duplicate client id when the file is read', () => {
    const problems = (text: string) => {
      try {
        file(text);
        return [];
      } catch (error) {
        return (error as ConfigFileError).problems.map((problem) => problem.path);
      }
    };
    expect(problems('        allowedClients: ["bad id!"]')).toEqual(['tenants[0].apis[0].allowedClients[0]']);
    expect(problems('        allowedClients: [ledger-job, ledger-job]')).toEqual(['tenants[0].apis[0].allowedClients[1]']);
  });
});
