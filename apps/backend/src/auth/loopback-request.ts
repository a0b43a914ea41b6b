import type { FastifyRequest } from 'fastify';
import { isLoopbackBind } from '../security/bind-address.js';

/**
 * True only for a request made on this machine, to a loopback address, with
 * no proxy in between: the one-time setup page is offered only then. A proxy
 * on the same machine also connects from 127.0.0.1, so the peer address alone
 * proves nothing; a forwarding header, or a Host that is not a loopback name,
 * means the person is somewhere else.
 */
export function isLocalRequest(request: FastifyRequest): boolean {
  const h = request.headers;
  if (h['x-forwarded-for'] !== undefined || h.forwarded !== undefined || h['x-real-ip'] !== undefined) return false;
  const peer = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const host = (h.host ?? '').trim().replace(/:\d+$/, '');
  return isLoopbackBind(peer) && isLoopbackBind(host);
}
