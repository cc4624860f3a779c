// Sending one syslog message: a UDP datagram (RFC 5426; no acknowledgement exists, so a lost datagram
// cannot be seen), or a TCP / TLS connection with RFC 6587 octet-counting framing ("LEN SP MSG").

import { createSocket } from 'node:dgram';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { fail, ok, type Outcome } from '../../../core/index.js';

export interface SyslogTarget {
  host: string;
  port: number;
  protocol: 'udp' | 'tcp' | 'tls';
  ca?: string[];
  verifyCertificate: boolean;
  maxDatagram: number;
}

export function frameOctetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

export function sendSyslog(t: SyslogTarget, message: string, signal: AbortSignal): Promise<Outcome> {
  if (t.protocol === 'udp') return sendUdp(t, message);
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const done = (o: Outcome) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(o);
    };
    const socket: Socket =
      t.protocol === 'tls'
        ? tlsConnect({ host: t.host, port: t.port, servername: /^[\d.:]+$/.test(t.host) ? undefined : t.host, rejectUnauthorized: t.verifyCertificate, ...(t.ca && t.ca.length > 0 ? { ca: t.ca } : {}) })
        : tcpConnect({ host: t.host, port: t.port });
    const onAbort = () => {
      socket.destroy();
      done(fail(new Error(`syslog ${t.protocol} to ${t.host}:${t.port} was aborted`), true));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.destroy();
      done(fail(new Error(`syslog ${t.protocol} to ${t.host}:${t.port} failed (${err.code ?? err.message.slice(0, 120)})`), true));
    });
    socket.once(t.protocol === 'tls' ? 'secureConnect' : 'connect', () => {
      socket.end(frameOctetCounted(message), () => {
        // Written and flushed to the kernel; wait for the receiver to close or time out via the signal.
        done(ok(undefined));
        socket.destroySoon?.();
      });
    });
  });
}

function sendUdp(t: SyslogTarget, message: string): Promise<Outcome> {
  let buf = Buffer.from(message, 'utf8');
  if (buf.length > t.maxDatagram) buf = buf.subarray(0, t.maxDatagram);
  return new Promise<Outcome>((resolve) => {
    const socket = createSocket(t.host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.close();
      resolve(fail(new Error(`syslog udp to ${t.host}:${t.port} failed (${err.code ?? err.message.slice(0, 120)})`), true));
    });
    socket.send(buf, t.port, t.host, (err) => {
      socket.close();
      resolve(err ? fail(new Error(`syslog udp to ${t.host}:${t.port} failed (${(err as NodeJS.ErrnoException).code ?? 'error'})`), true) : ok(undefined));
    });
  });
}
