import type { Services } from '../server/services.js';
import type { ManagementServices } from './resource.js';

/** What management operations need from the server's services (the HTTP API and the CLI wire it alike). */
export function managementServices(services: Services): ManagementServices {
  return {
    passwords: services.passwords,
    signingKeys: services.signingKeys,
    production: services.settings.production,
    adminTenant: services.settings.adminTenant,
    publicUrl: services.settings.publicUrl,
  };
}
