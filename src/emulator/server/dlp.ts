// /resources/dlpSensitiveTypes: friendly names of DLP sensitive information types, and the rules of its
// Accept-Language header (one language only → AF20053 otherwise; valid syntax → AF20054 otherwise).

import { apiError, type ApiError } from './http.js';

/** Built-in Microsoft Purview sensitive information types: id and name, named as the API reference's sample names them. */
export const DLP_SENSITIVE_TYPES: { id: string; name: string }[] = [
  { id: '50842eb7-edc8-4019-85dd-5a5c1f2bb085', name: 'CreditCardNumber' },
  { id: 'a44669fe-0d48-453d-a9b1-2cc83f2cba77', name: 'USSocialSecurityNumber' },
  { id: 'e7dc4711-11b7-4cb0-b88b-2c394a771f0e', name: 'InternationalBankingAccountNumber' },
  { id: 'cb353f78-2b72-4c3c-8827-92ebe4f69fdf', name: 'ABARoutingNumber' },
  { id: 'a2ce32a8-f935-4bb6-8e96-2a5157672e2c', name: 'USBankAccountNumber' },
  { id: 'dfeb356f-61cd-459e-bf0f-7c6d28b458c6', name: 'USDriversLicenseNumber' },
  { id: '178ec42a-18b4-47cc-85c7-d62c92fd67f8', name: 'USUKPassportNumber' },
  { id: 'cb2ab58c-9cb8-4c81-baf8-a4e0b0bbc0ba', name: 'SWIFTCode' },
];

const LANGUAGE_RE = /^(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)(\s*;\s*q\s*=\s*(0(\.\d{0,3})?|1(\.0{0,3})?))?$/;

/** Checks the Accept-Language header; null when acceptable (absent counts as English). */
export function checkAcceptLanguage(header: string | undefined): ApiError | null {
  if (header === undefined || header.trim() === '') return null;
  if (header.includes(',')) return apiError(400, 'AF20053', 'Only one language may be present in the Accept-Language header.');
  if (!LANGUAGE_RE.test(header.trim())) return apiError(400, 'AF20054', 'Invalid syntax in the Accept-Language header.');
  return null;
}
