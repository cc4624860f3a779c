// The Microsoft clouds the Management Activity API runs in (management-api.md §1.1): the API host, the
// login authority, and the resource the token must be for (always the API host itself).

export type CloudName = 'enterprise' | 'gcc' | 'gcc-high' | 'dod';

export interface CloudEndpoints {
  /** Base URL of the API, e.g. https://manage.office.com */
  apiBase: string;
  /** Base URL of the login authority, e.g. https://login.microsoftonline.com */
  loginBase: string;
  /** The resource the token is requested for (scope = resource + "/.default"). */
  resource: string;
}

export const CLOUDS: Record<CloudName, CloudEndpoints> = {
  enterprise: {
    apiBase: 'https://manage.office.com',
    loginBase: 'https://login.microsoftonline.com',
    resource: 'https://manage.office.com',
  },
  gcc: {
    apiBase: 'https://manage-gcc.office.com',
    loginBase: 'https://login.microsoftonline.com',
    resource: 'https://manage-gcc.office.com',
  },
  'gcc-high': {
    apiBase: 'https://manage.office365.us',
    loginBase: 'https://login.microsoftonline.us',
    resource: 'https://manage.office365.us',
  },
  dod: {
    apiBase: 'https://manage.protection.apps.mil',
    loginBase: 'https://login.microsoftonline.us',
    resource: 'https://manage.protection.apps.mil',
  },
};

export const CLOUD_NAMES = Object.keys(CLOUDS) as CloudName[];

/**
 * The endpoints for a cloud, with optional overrides (full base URLs such as http://127.0.0.1:PORT, which
 * is how the client points at the emulator). The resource stays the cloud's: the emulator, like the
 * service, checks the token's audience against it.
 */
export function resolveEndpoints(
  cloud: CloudName,
  overrides: { apiHost?: string | undefined; loginHost?: string | undefined; resource?: string | undefined } = {},
): CloudEndpoints {
  const base = CLOUDS[cloud];
  return {
    apiBase: trimSlash(overrides.apiHost ?? base.apiBase),
    loginBase: trimSlash(overrides.loginHost ?? base.loginBase),
    resource: trimSlash(overrides.resource ?? base.resource),
  };
}

function trimSlash(url: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(url) ? url : `https://${url}`;
  return withScheme.replace(/\/+$/, '');
}
