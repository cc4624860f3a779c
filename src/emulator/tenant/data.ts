// Static material the simulated tenants are drawn from: names, countries with their time zones and real
// public address blocks (each checked against GeoLite2 by ips.test.ts), user agents, files, sites, apps.
// Everything here is plain data; which entry a tenant uses is decided by the seeded generators.

export interface CountryInfo {
  code: string;
  /** UTC offset in minutes (fixed; daylight saving is ignored on purpose, it only shifts weighting). */
  tzMinutes: number;
  /** Consumer ISP /16 blocks (first two octets) that GeoLite2 places in this country. */
  isp: [number, number][];
  /** Hosting / cloud /16 blocks in this country (used by attackers and services). */
  cloud: [number, number][];
}

export const COUNTRIES: Record<string, CountryInfo> = {
  US: { code: 'US', tzMinutes: -300, isp: [[73, 15], [71, 192]], cloud: [[3, 85], [52, 170], [34, 120]] },
  GB: { code: 'GB', tzMinutes: 0, isp: [[86, 130], [86, 150], [109, 144]], cloud: [] },
  DE: { code: 'DE', tzMinutes: 60, isp: [[79, 200]], cloud: [[88, 198]] },
  FR: { code: 'FR', tzMinutes: 60, isp: [[90, 50], [86, 200]], cloud: [[92, 184]] },
  NL: { code: 'NL', tzMinutes: 60, isp: [[77, 160], [84, 104]], cloud: [[145, 131]] },
  IN: { code: 'IN', tzMinutes: 330, isp: [[49, 36], [122, 161]], cloud: [] },
  BR: { code: 'BR', tzMinutes: -180, isp: [[177, 32], [189, 40]], cloud: [] },
  CN: { code: 'CN', tzMinutes: 480, isp: [[116, 230], [36, 110]], cloud: [[220, 181]] },
  RU: { code: 'RU', tzMinutes: 180, isp: [[95, 24], [31, 173]], cloud: [[46, 138], [85, 140]] },
  NG: { code: 'NG', tzMinutes: 60, isp: [[102, 89], [105, 112]], cloud: [] },
};

/** Where a tenant's head office is (by tenant index) and where its other staff live. */
export const HOME_COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NL'] as const;
export const STAFF_ABROAD = ['IN', 'BR', 'US', 'GB', 'DE', 'NL'] as const;
/** Countries attackers come from in scenarios (hosting or ISP blocks). */
export const HOSTILE_COUNTRIES = ['RU', 'CN', 'NG', 'BR'] as const;

export const FIRST_NAMES = [
  'Adele', 'Alex', 'Allan', 'Anna', 'Ben', 'Bianca', 'Carlos', 'Chloe', 'Daniel', 'Diego', 'Elena', 'Emma',
  'Fatima', 'Felix', 'Grace', 'Hannah', 'Henrik', 'Isaac', 'Isabel', 'Jacob', 'Johanna', 'Jonas', 'Julia',
  'Kevin', 'Lara', 'Lee', 'Lidia', 'Lucas', 'Lynne', 'Maria', 'Megan', 'Miriam', 'Nathan', 'Nestor', 'Nina',
  'Olivia', 'Omar', 'Patti', 'Pradeep', 'Priya', 'Rafael', 'Raul', 'Sofia', 'Sven', 'Tariq', 'Thomas',
  'Ursula', 'Victor', 'Wei', 'Yasmin', 'Zoe', 'Amara', 'Chen', 'Dmitri', 'Ines', 'Kenji', 'Leila', 'Marco',
];
export const LAST_NAMES = [
  'Adams', 'Bauer', 'Brown', 'Castro', 'Chen', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Gupta', 'Hansen',
  'Ibrahim', 'Jansen', 'Johnson', 'Kim', 'Klein', 'Lambert', 'Lopez', 'Martin', 'Meyer', 'Moreau', 'Muller',
  'Nakamura', 'Novak', 'Okafor', 'Patel', 'Petrov', 'Quinn', 'Rossi', 'Santos', 'Schmidt', 'Silva', 'Smith',
  'Tanaka', 'Taylor', 'Van Dijk', 'Wagner', 'Walker', 'Weber', 'Wilson', 'Wright', 'Young', 'Zhang', 'Bakker',
];

export const DEPARTMENTS = ['Finance', 'HR', 'Sales', 'Marketing', 'Engineering', 'Legal', 'Operations', 'IT'] as const;

export const DESKTOP_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36',
];
export const MOBILE_AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36',
  'Outlook-iOS/723.4027091.prod.iphone (4.2415.0)',
  'Outlook-Android/2.0',
];
export const ONEDRIVE_SYNC_AGENT = 'Microsoft SkyDriveSync 24.076.0414.0003 ship; Windows NT 10.0 (19045)';
/** User agents of attack tooling and scripted clients (scenarios only). */
export const TOOL_AGENTS = [
  'python-requests/2.31.0',
  'Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)',
  'BAV2ROPC',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/90.0.4430.93 Safari/537.36',
];

export const FILE_STEMS = [
  'Budget', 'Forecast', 'Q1 Review', 'Q2 Review', 'Board Deck', 'Payroll', 'Contract', 'Roadmap', 'Minutes',
  'Onboarding', 'Policy', 'Invoice', 'Price List', 'Customer List', 'Design Spec', 'Architecture', 'Report',
  'Timesheet', 'Campaign Plan', 'Offer Letter', 'NDA', 'Audit Findings', 'Inventory', 'Travel Expenses',
];
export const FILE_EXTENSIONS = ['docx', 'xlsx', 'pptx', 'pdf', 'docx', 'xlsx', 'csv', 'png'] as const;

export const MAIL_SUBJECTS = [
  'Re: Quarterly numbers', 'Meeting notes', 'Updated proposal', 'Invoice attached', 'Team lunch on Friday',
  'Re: Contract review', 'Weekly status', 'FW: Customer feedback', 'Holiday schedule', 'Re: Budget approval',
];

/** Resource applications users sign in to (ObjectId / Target of STS records). */
export const RESOURCES = [
  '00000002-0000-0ff1-ce00-000000000000', // Exchange Online
  '00000003-0000-0ff1-ce00-000000000000', // SharePoint Online
  '00000003-0000-0000-c000-000000000000', // Microsoft Graph
  'cc15fd57-2c6c-4117-a88c-83b1d56b4bbe', // Microsoft Teams services
];
/** Client applications (ApplicationId of STS records). */
export const CLIENT_APPS = [
  '4765445b-32c6-49b0-83e6-1d93765276ca', // OfficeHome
  '1fec8e78-bce4-4aaf-ab1b-5451cc387264', // Microsoft Teams
  'd3590ed6-52b3-4102-aeff-aad2292ab01c', // Microsoft Office
  '00000002-0000-0ff1-ce00-000000000000', // Outlook Web
  'ab9b8c07-8f02-4f72-87fa-80105867a763', // OneDrive SyncEngine
];

export const EXCHANGE_VERSIONS = ['15.20.7452.028', '15.20.7472.019', '15.20.7495.021'];
export const SERVER_PREFIXES = ['AM6PR01MB', 'DB9PR02MB', 'SA1PR19MB', 'CH3PR11MB', 'LO2P265MB'];

export const ROLE_TEMPLATES = {
  'Global Administrator': { templateId: '62e90394-69f5-4237-9190-012177145e10', wellKnown: 'CompanyAdministrator' },
  'Exchange Administrator': { templateId: '29232cdf-9323-42fd-ade2-1d097af3e4de', wellKnown: 'ExchangeServiceAdministrator' },
  'User Administrator': { templateId: 'fe930be7-5e62-47db-91af-98c3a49a38b1', wellKnown: 'UserAccountAdministrator' },
} as const;
