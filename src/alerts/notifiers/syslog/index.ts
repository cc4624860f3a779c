// The syslog notifier for SIEMs: RFC 5424 (or CEF inside it) over UDP, TCP or TLS. Config schema and factory.

import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import type { Clock, Outcome, Secret } from '../../../core/index.js';
import type { Delivery, Notifier, NotifierContext, NotifierKind } from '../types.js';
import { FACILITIES, syslogSchema, type SyslogConfig } from './config.js';
import { cefMessage, rfc5424Message } from './format.js';
import { sendSyslog, type SyslogTarget } from './transport.js';

export { rfc5424Message, cefMessage, cefPayload, sdParamValue, cefHeader, cefExtension, SD_ID } from './format.js';
export { frameOctetCounted } from './transport.js';
export type { SyslogConfig } from './config.js';

const VERSION = (createRequire(import.meta.url)('../../../../package.json') as { version: string }).version;

class SyslogNotifier implements Notifier {
  readonly kind = 'syslog';
  readonly name: string;
  private readonly target: SyslogTarget;
  private readonly clock: Clock;
  constructor(
    private readonly config: SyslogConfig,
    ctx: NotifierContext,
  ) {
    this.name = config.name;
    this.clock = ctx.clock;
    const ca = [config.ca, ctx.ca].filter((x): x is string => typeof x === 'string' && x !== '');
    this.target = {
      host: config.host,
      port: config.port ?? (config.protocol === 'tls' ? 6514 : 514),
      protocol: config.protocol,
      ca,
      verifyCertificate: config.verifyCertificate,
      maxDatagram: config.maxDatagram,
    };
  }

  notify(d: Delivery): Promise<Outcome> {
    const h = {
      facility: FACILITIES[this.config.facility],
      hostname: this.config.hostname ?? hostname(),
      appName: this.config.appName,
      procId: String(process.pid),
      now: this.clock.now(),
    };
    const message = this.config.format === 'cef' ? cefMessage(d.alert, h, d.idempotencyKey, VERSION) : rfc5424Message(d.alert, h, d.idempotencyKey);
    return sendSyslog(this.target, message, d.signal);
  }

  async close(): Promise<void> {}

  secrets(): Secret[] {
    return [];
  }
}

export const syslogKind: NotifierKind<SyslogConfig> = {
  type: 'syslog',
  summary: 'RFC 5424 (optionally CEF) over UDP, TCP or TLS, for SIEMs',
  schema: syslogSchema,
  create: (config, ctx) => new SyslogNotifier(config, ctx),
};
