/**
 * A tiny DNS server for tests, over UDP on 127.0.0.1 (node:dgram), answering TXT questions from a table
 * (RFC 1035: header, question, answers of type TXT with each string length-prefixed, split at 255 bytes).
 * A name in the table without TXT records gets an empty NOERROR answer (NODATA), a name not in it NXDOMAIN,
 * a name in `servfail` SERVFAIL, and a name in `silent` no answer at all (for timeouts). Every question is
 * recorded.
 */
import dgram from 'node:dgram';

export interface DnsServerOptions {
  /** Name → its TXT records (each one string, however long). Names are matched case-insensitively. */
  txt: Record<string, string[]>;
  servfail?: string[];
  silent?: string[];
}

export interface DnsServer {
  /** `127.0.0.1:PORT`, as Resolver.setServers and DIGEST_DNS_SERVERS take it. */
  address: string;
  questions: { name: string; type: number }[];
  state: DnsServerOptions;
  stop(): Promise<void>;
}

const TYPE_TXT = 16;
const CLASS_IN = 1;
const RCODE = { noError: 0, servFail: 2, nxDomain: 3, formErr: 1 } as const;

/** The question's name, type and where the question section ends. */
function readQuestion(msg: Buffer): { name: string; type: number; end: number } | undefined {
  let offset = 12;
  const labels: string[] = [];
  while (offset < msg.length) {
    const length = msg[offset] ?? 0;
    if (length === 0) break;
    if (length > 63) return undefined; // no compression in a question
    labels.push(msg.subarray(offset + 1, offset + 1 + length).toString('latin1'));
    offset += 1 + length;
  }
  if (offset + 5 > msg.length) return undefined;
  return { name: labels.join('.'), type: msg.readUInt16BE(offset + 1), end: offset + 5 };
}

function txtRdata(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 255) {
    const chunk = bytes.subarray(i, i + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
    if (bytes.length === 0) break;
  }
  return Buffer.concat(parts);
}

function answer(query: Buffer, options: DnsServerOptions): Buffer | undefined {
  if (query.length < 12) return undefined;
  const question = readQuestion(query);
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  const rd = (query[2] ?? 0) & 0x01;
  const reply = (rcode: number, answers: Buffer[] = [], q = question) => {
    header[2] = 0x84 | rd; // QR, AA, RD as asked
    header[3] = 0x80 | rcode; // RA
    header.writeUInt16BE(q ? 1 : 0, 4);
    header.writeUInt16BE(answers.length, 6);
    header.writeUInt16BE(0, 8);
    header.writeUInt16BE(0, 10);
    return Buffer.concat([header, q ? query.subarray(12, q.end) : Buffer.alloc(0), ...answers]);
  };
  if (!question) return reply(RCODE.formErr, [], undefined);
  const name = question.name.toLowerCase().replace(/\.$/, '');
  const listed = (list?: string[]) => (list ?? []).some((n) => n.toLowerCase() === name);
  if (listed(options.silent)) return undefined;
  if (listed(options.servfail)) return reply(RCODE.servFail);
  const entry = Object.entries(options.txt).find(([n]) => n.toLowerCase() === name);
  if (!entry) return reply(RCODE.nxDomain);
  if (question.type !== TYPE_TXT) return reply(RCODE.noError);
  const answers = entry[1].map((text) => {
    const rdata = txtRdata(text);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    rr.writeUInt16BE(TYPE_TXT, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([rr, rdata]);
  });
  return reply(RCODE.noError, answers);
}

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const socket = dgram.createSocket('udp4');
  const questions: DnsServer['questions'] = [];
  const state = options;
  socket.on('message', (msg, remote) => {
    const q = readQuestion(msg);
    if (q) questions.push({ name: q.name, type: q.type });
    const reply = answer(msg, state);
    if (reply) socket.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    questions,
    state,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
